"""What each variant of bench_api_detail changes for the time of its requests.

Each takes one cost out of an uncached API detail, or does it another way, by swapping an
attribute of the site's modules and putting it back after; none changes the response
(tests/performance/test_api_detail_variants.py). See monographs/loadtest/api_detail.py.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django.urls import resolve
from rest_framework import serializers
from rest_framework.response import Response

from monographs.api import http as api_http
from monographs.api.serializers import entries as entry_serializers
from monographs.api.views import entries as entry_views
from monographs.loadtest.library import swapped
from monographs.publishing import cache as response_cache


def counters_not_read(keys: list[str], *, generation: int, read=None) -> dict[str, int]:
    """A snapshot made up without asking Redis: every key of a busted request is new anyway."""
    return dict.fromkeys(sorted({*keys, response_cache.SITE_KEY}), 0)


def not_stored(self, request, response, *, keys, generation) -> None:
    return None


class FirstRendererNegotiation(api_http.FormatNegotiation):
    """No negotiation at all: the first renderer, as when a client sends no Accept."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def constant_etag(response):
    response["ETag"] = '"0"'
    return response


def _state_without_data(self) -> dict:
    """What DRF's Response pickles, less `data`: once rendered, the body is in `content`."""
    state = Response.__getstate__(self)
    state.pop("data", None)
    return state


class BodyOnceResponse(Response):
    __getstate__ = _state_without_data


@contextlib.contextmanager
def statement_read_once() -> Iterator[None]:
    """The publication read once and handed back: the detail without its SQL round trip."""
    kept: dict[tuple[str, str], object] = {}
    read = entry_views.current_publication_get

    def current(*, kind: str, slug: str):
        if (kind, slug) not in kept:
            kept[kind, slug] = read(kind=kind, slug=slug)
        return kept[kind, slug]

    with swapped(entry_views, "current_publication_get", current):
        yield


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client wrapper, building its redis-py client once per pool."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        if index not in clients:
            clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return clients[index]


reused_client = _ReusedClientRedisCacheClient.get_client


PUBLISHED_AT = serializers.DateTimeField()


class HandWrittenMetadataSerializer(entry_serializers.PublicationMetadataSerializer):
    """The declared fields' output written out as one dict, as the site had it until 671a01b."""

    def to_representation(self, publication) -> dict[str, Any]:
        current_version = self._current_version()
        return {
            "kind": publication.kind,
            "id": self.get_id(publication),
            "slug": publication.slug,
            "title": publication.title,
            "version": publication.version,
            "current_version": current_version,
            "superseded": publication.version != current_version,
            "published_at": PUBLISHED_AT.to_representation(publication.published_at),
            "change_note": publication.change_note,
            "schema_version": publication.schema_version,
            "content_hash": publication.content_hash,
            "url": self.get_url(publication),
            "versions_url": self.get_versions_url(publication),
        }


class CountersReadWithTheLookup:
    """The miss path proposed for the response cache, for timing: a URL whose keys the URL
    itself names (an API detail, its versions) has those keys' counters read in the
    lookup's MGET, before rendering, and the store is one SET, no second MGET.

    Counters read before the render began can only be older than what it renders: a publish
    committing meanwhile moves one past the snapshot and so retires the stored response,
    which is what re-reading the generation after the render ensures today.
    """

    def __init__(self) -> None:
        self.read: dict[str, int | None] | None = None
        self.snapshot = response_cache._snapshot

    def lookup(self, request):
        keys = response_cache._keys_of_view(resolve(request.path_info))
        keys = sorted({*keys, response_cache.SITE_KEY})
        key = response_cache.response_cache_key(request)
        counters = [response_cache.COUNTER_PREFIX + name for name in keys]
        found = cache.get_many([response_cache.GENERATION_KEY, key, *counters])
        generation = found.get(response_cache.GENERATION_KEY)
        if generation is None:
            generation = response_cache.published_generation()
        self.read = {name: found.get(counter) for name, counter in zip(keys, counters, strict=True)}
        stored = found.get(key)
        if stored is None or stored[0] != self.read:
            return generation, None
        return generation, tuple(stored[1:])

    def snapshot_read_before(self, keys: list[str], *, generation: int, read=None):
        read, self.read = self.read, None
        wanted = {*keys, response_cache.SITE_KEY}
        if read is None or set(read) != wanted or None in read.values():
            return self.snapshot(keys, generation=generation)
        return read

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        with (
            swapped(response_cache, "_lookup", self.lookup),
            swapped(response_cache, "_snapshot", self.snapshot_read_before),
        ):
            yield


@contextlib.contextmanager
def as_before_this_round() -> Iterator[None]:
    """The three changes of the round that touch a miss, all taken back at once."""
    with (
        swapped(response_cache, "_snapshot", counters_not_read),
        swapped(entry_serializers, "PublicationMetadataSerializer", HandWrittenMetadataSerializer),
        swapped(RedisCacheClient, "get_client", reused_client),
    ):
        yield

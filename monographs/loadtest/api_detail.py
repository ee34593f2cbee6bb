"""Where an uncached API detail spends its time, told apart in one process.

The benchmark's target "API detail, uncached >= 0.7x the floor view" is one number for a
request that does several things: it looks the response up in the shared cache, reads the
current version in one statement, writes the version's metadata, negotiates, renders and
hashes the body, then snapshots the dependency counters and stores the response in Redis.
Each variant here takes one of those away (or swaps in another way of doing it) and the
same request is timed with and without it, in turn in one process, as `make bench` times
the hand-written speed-ups against the library (docs/performance.md): each round runs the
floor, the plain detail and every variant once, the next round starting one variant
further on, and each variant is reported against the floor and the plain detail. On a
shared machine the rounds are many and short (a few requests each), so that a burst of
other work falls on every variant alike, and each request is timed alone: a variant's time
is the median of its requests, which a burst moves little.

Requests go through the whole middleware stack with the response cache on Redis; each gets
an Accept-Language of its own, so each is a miss, as wrk's are in `make bench`.
"""

import contextlib
import cProfile
import io
import itertools
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django.test import Client, override_settings
from django.urls import resolve
from rest_framework import serializers
from rest_framework import views as drf_views
from rest_framework.response import Response

from monographs.api import http as api_http
from monographs.api.serializers import entries as entry_serializers
from monographs.api.views import entries as entry_views
from monographs.publishing import cache as response_cache

FLOOR = "/bench/floor/"


@contextlib.contextmanager
def swapped(owner: object, name: str, value: object) -> Iterator[None]:
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def _counters_not_read(keys: list[str], *, generation: int) -> dict[str, int]:
    """A snapshot made up without asking Redis: every key of a busted request is new anyway."""
    return dict.fromkeys(sorted({*keys, response_cache.SITE_KEY}), 0)


def _not_stored(self, request, response, *, keys, generation) -> None:
    return None


class FirstRendererNegotiation(api_http.FormatNegotiation):
    """No negotiation at all: the first renderer, as when a client sends no Accept."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _constant_etag(response):
    response["ETag"] = '"0"'
    return response


def _state_without_data(self) -> dict:
    """What DRF's Response pickles, less `data`: once rendered, the body is in `content`."""
    state = Response.__getstate__(self)
    state.pop("data", None)
    return state


class _BodyOnceResponse(Response):
    __getstate__ = _state_without_data


@contextlib.contextmanager
def _statement_read_once() -> Iterator[None]:
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


_reused_client = _ReusedClientRedisCacheClient.get_client


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

    def snapshot_read_before(self, keys: list[str], *, generation: int):
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
def _as_before_this_round() -> Iterator[None]:
    """The three changes of the round that touch a miss, all taken back at once."""
    with (
        swapped(response_cache, "_snapshot", _counters_not_read),
        swapped(entry_serializers, "PublicationMetadataSerializer", HandWrittenMetadataSerializer),
        swapped(RedisCacheClient, "get_client", _reused_client),
    ):
        yield


@dataclass(frozen=True)
class Variant:
    label: str
    path: str
    change: Callable[[], contextlib.AbstractContextManager]
    cached: bool = False  # the same key each time: served again from the response cache


def variants(detail: str) -> list[Variant]:
    """The floor, the detail as served, then the detail with one suspect taken away in each."""
    same = contextlib.nullcontext
    return [
        Variant("floor view", FLOOR, same),
        Variant("API detail, uncached", detail, same),
        Variant(
            "  without the response cache (PUBLISHED_RESPONSE_CACHE_SECONDS=0)",
            detail,
            lambda: override_settings(PUBLISHED_RESPONSE_CACHE_SECONDS=0),
        ),
        Variant(
            "  without storing the miss (no counters' MGET, no pickle, no SET)",
            detail,
            lambda: swapped(response_cache.PublishedResponseCacheMiddleware, "_store", _not_stored),
        ),
        Variant(
            "  without the counters' MGET (_snapshot) only",
            detail,
            lambda: swapped(response_cache, "_snapshot", _counters_not_read),
        ),
        Variant(
            "  counters read with the lookup (one MGET), stored with SET alone (proposed)",
            detail,
            lambda: CountersReadWithTheLookup().installed(),
        ),
        Variant(
            "  stored without DRF's `data` (the 26 KB body pickled once, not twice)",
            detail,
            lambda: swapped(entry_views, "Response", _BodyOnceResponse),
        ),
        Variant(
            "  without the SQL statement (the publication read once and kept)",
            detail,
            _statement_read_once,
        ),
        Variant(
            "  with one redis-py client per pool",
            detail,
            lambda: swapped(RedisCacheClient, "get_client", _reused_client),
        ),
        Variant(
            "  metadata written by hand (to_representation)",
            detail,
            lambda: swapped(
                entry_serializers,
                "PublicationMetadataSerializer",
                HandWrittenMetadataSerializer,
            ),
        ),
        Variant(
            "  as before this round: counters not read, metadata by hand, one client per pool",
            detail,
            _as_before_this_round,
        ),
        Variant("API detail, cache hit", detail, same, cached=True),
        Variant(
            "  cache hit, counters read with the lookup (proposed)",
            detail,
            lambda: CountersReadWithTheLookup().installed(),
            cached=True,
        ),
        Variant(
            "  without throttle classes",
            detail,
            lambda: swapped(drf_views.APIView, "throttle_classes", []),
        ),
        Variant(
            "  without content negotiation",
            detail,
            lambda: swapped(
                api_http.PublicReadMixin, "content_negotiation_class", FirstRendererNegotiation
            ),
        ),
        Variant(
            "  without hashing the ETag",
            detail,
            lambda: swapped(api_http, "set_response_etag", _constant_etag),
        ),
    ]


class Requests:
    """GETs through the whole stack, each a response-cache miss of its own unless `cached`."""

    def __init__(self) -> None:
        self.client = Client()
        self.counter = itertools.count()
        # A run of its own: keys stored by an earlier run are still in the cache.
        self.run = time.time_ns()
        self.asked: set[str] = set()

    def first(self, language: str) -> bool:
        """Whether this is the first request with this key (a cached one misses once)."""
        first = language not in self.asked
        self.asked.add(language)
        return first

    def get(self, path: str, *, cached: bool = False) -> None:
        language = f"x-ab-{self.run}-{'hit' if cached else next(self.counter)}"
        response = self.client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        if (response.headers.get("X-Cache") == "hit") is not cached and not self.first(language):
            answered = "from the response cache" if not cached else "without the response cache"
            raise RuntimeError(f"GET {path} was answered {answered}")
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200")

    def time(
        self, path: str, repeat: int, *, cached: bool = False
    ) -> tuple[list[float], list[float]]:
        """Milliseconds of each of `repeat` requests: wall-clock, and this thread's CPU."""
        wall, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.thread_time()
            self.get(path, cached=cached)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        return wall, cpu


@dataclass
class Result:
    label: str
    median_ms: float
    cpu_ms: float  # this process's CPU: the rest of median_ms is waiting (Redis, PostgreSQL)
    x_floor: float  # floor time / this time, as the benchmark's "x floor" (a req/s ratio)
    x_floor_range: tuple[float, float]  # the same of each round's medians: lowest, highest
    detail_over_this: float  # plain detail time / this time: above 1 is what the change saves
    detail_over_this_range: tuple[float, float]


def _ratios(numerators: list[list[float]], denominators: list[list[float]]) -> list[float]:
    return [
        statistics.median(top) / statistics.median(bottom)
        for top, bottom in zip(numerators, denominators, strict=True)
    ]


def compare(
    detail: str,
    *,
    rounds: int,
    repeat: int,
    only: list[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Result]:
    """Every variant `repeat` times in each round, in turn; with `only`, the floor, the plain
    detail and the variants whose label contains one of those words.

    A variant's time is the median of all its requests; its ratios are those medians',
    with the lowest and highest ratio of a single round's medians for the spread.
    """
    requests = Requests()
    plan = variants(detail)
    if only:
        plan = plan[:2] + [v for v in plan[2:] if any(word in v.label for word in only)]
    for variant in plan:  # warm each path once: imports, connections, first compiles
        with variant.change():
            requests.time(variant.path, 5, cached=variant.cached)
    times: dict[str, list[list[float]]] = {variant.label: [] for variant in plan}
    cpu: dict[str, list[float]] = {variant.label: [] for variant in plan}
    for number in range(rounds):
        # Each round starts one variant further on, so none always follows the same one.
        shift = number % len(plan)
        for variant in plan[shift:] + plan[:shift]:
            with variant.change():
                wall, used = requests.time(variant.path, repeat, cached=variant.cached)
            times[variant.label].append(wall)
            cpu[variant.label] += used
        if (number + 1) % 10 == 0 or number + 1 == rounds:
            progress(f"round {number + 1}/{rounds}")
    floor, plain = times[plan[0].label], times[plan[1].label]
    every = {label: [ms for block in blocks for ms in block] for label, blocks in times.items()}
    floor_ms = statistics.median(every[plan[0].label])
    plain_ms = statistics.median(every[plan[1].label])
    results = []
    for variant in plan:
        own = times[variant.label]
        median_ms = statistics.median(every[variant.label])
        x_floor, saved = _ratios(floor, own), _ratios(plain, own)
        results.append(
            Result(
                label=variant.label,
                median_ms=median_ms,
                cpu_ms=statistics.median(cpu[variant.label]),
                x_floor=floor_ms / median_ms,
                x_floor_range=(min(x_floor), max(x_floor)),
                detail_over_this=plain_ms / median_ms,
                detail_over_this_range=(min(saved), max(saved)),
            )
        )
    return results


def profile(detail: str, *, repeat: int, limit: int = 40) -> str:
    """cProfile of `repeat` uncached details, by own time and by cumulative time."""
    requests = Requests()
    requests.time(detail, 5)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        requests.get(detail)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()

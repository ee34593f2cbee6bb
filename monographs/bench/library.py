"""The framework's own way of doing what each hand-written speed-up of the site does.

A speed-up written by hand in place of Django, DRF, Markdown or redis-py is kept only where
it matters to a target of `make bench`: the benchmark swaps each of these in for the site's
version in turn, in the same process, and reports how much slower the plain way is
(docs/performance.md, "Hand-written speed-ups"). Nothing the site serves imports this.
"""

from typing import Any

import markdown
from django.core.cache.backends.redis import RedisCacheClient
from rest_framework import serializers

from monographs.api.selectors import entry_live_get
from monographs.api.serializers import PublicationMetadataSerializer, SearchResultSerializer
from monographs.editorial.models import Entry, Publication


def current_publication_get(*, kind: str, slug: str) -> Publication:
    """The current version of a live entry and its stored document text, through the ORM."""
    entry = (
        Entry.objects.of_kind(kind)
        .filter(slug=slug)
        .select_related("current__published_document")
        .defer("current__document")
        .first()
    )
    if entry is None or entry.is_withdrawn:
        entry_live_get(kind=kind, slug=slug)  # raises NotFound or 410
    publication = entry.current
    publication.document_text = publication.published_document.body
    publication.entry_uid = entry.uid
    publication.entry_withdrawn_at = entry.withdrawn_at
    return publication


class LibraryPublicationMetadataSerializer(PublicationMetadataSerializer):
    """The metadata as DRF writes it from the declared fields."""

    to_representation = serializers.Serializer.to_representation


class LibrarySearchResultSerializer(SearchResultSerializer):
    """A search result as DRF writes it from declared fields."""

    snippet = serializers.CharField()
    section = serializers.SerializerMethodField()

    to_representation = serializers.Serializer.to_representation

    def get_section(self, result) -> str | None:
        return result.anchor or None


def markdown_to_html(text: str) -> str:
    """Markdown's documented one-call conversion: a new converter for each text."""
    return markdown.markdown(text, extensions=["tables", "sane_lists"])


def never_plain_paragraph(text: str | None) -> bool:
    """Every text goes through the Markdown converter."""
    return False


def redis_cache_client(cache: Any) -> RedisCacheClient:
    """Django's own Redis cache client for the same servers and options as `cache`."""
    return RedisCacheClient(cache._servers, **cache._options)

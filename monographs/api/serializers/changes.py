"""Serializers of the change feed and of search results."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from monographs.api.serializers.common import SLUG_PLACEHOLDER, api_url, entry_url, is_entry_kind
from monographs.editorial.models import EditorialEvent
from monographs.search import SearchResult


class ChangeSerializer(serializers.Serializer):
    token = serializers.IntegerField(source="id", help_text="Pass it as ?since= to continue.")
    action = serializers.ChoiceField(
        choices=[EditorialEvent.Action.PUBLISHED, EditorialEvent.Action.WITHDRAWN]
    )
    kind = serializers.CharField()
    id = serializers.UUIDField(
        source="entry_uid",
        help_text="The entry's permanent identifier: it never changes, whatever the slug.",
    )
    slug = serializers.CharField(
        source="publication.slug", help_text="The entry's slug as of this change."
    )
    previous_slug = serializers.SerializerMethodField(
        help_text="Set when this publication renamed the entry: its slug until then, which "
        "now redirects (301) to the new one."
    )
    title = serializers.CharField(source="publication.title")
    version = serializers.IntegerField(source="publication.version")
    content_hash = serializers.CharField(source="publication.content_hash")
    occurred_at = serializers.DateTimeField(source="created_at")
    note = serializers.SerializerMethodField(
        help_text="The change note of a publication, or the reason for a withdrawal."
    )
    url = serializers.SerializerMethodField(
        help_text="Where to fetch what changed: the published version (withdrawn: HTTP 410)."
    )

    def get_previous_slug(self, event: EditorialEvent) -> str | None:
        previous = event.previous_slug
        if event.action != EditorialEvent.Action.PUBLISHED or previous in (None, event.slug_now):
            return None
        return previous

    def get_note(self, event: EditorialEvent) -> str:
        if event.action == EditorialEvent.Action.WITHDRAWN:
            return event.comment
        return event.publication.change_note

    def get_url(self, event: EditorialEvent) -> str | None:
        if not is_entry_kind(event.kind):
            return None
        request = self.context.get("request")
        slug = event.entry_slug or event.publication.slug  # where it answers now
        if event.action == EditorialEvent.Action.WITHDRAWN:
            return api_url(request, f"{event.kind}-detail", slug)
        return api_url(request, f"{event.kind}-version", slug, event.publication.version)


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    snippet = serializers.CharField(help_text="HTML: escaped text, matched words in <mark>.")
    rank = serializers.FloatField()
    url = serializers.CharField(
        help_text="The public page; for a section of a monograph, its place on the page "
        "(/drugs/sorafenib/#section-dosage)."
    )
    section = serializers.SerializerMethodField(
        help_text="The HTML id of the monograph section that matched best, or null when the "
        "page as a whole did. A page appears once, as its best match.",
    )
    api_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_section(self, result: SearchResult) -> str | None:
        return result.anchor or None

    def get_api_url(self, result: SearchResult) -> str | None:
        """Reversed once per kind and response, as EntrySummarySerializer.get_url does."""
        addresses = self.context.setdefault("result_addresses", {})
        request = self.context.get("request")
        return search_result_api_url(result, request=request, addresses=addresses)


def search_result_api_url(
    result: SearchResult, *, request: Request | None, addresses: dict[str, str | None]
) -> str | None:
    """Where the API serves what a result found: an entry's detail, or the list of the entries
    an adverse-event term or a reference is used by. Reversed once per kind (`addresses`)."""
    if result.kind not in addresses:
        addresses[result.kind] = _kind_api_url(request, result.kind, SLUG_PLACEHOLDER)
    address = addresses[result.kind]
    return address.replace(SLUG_PLACEHOLDER, result.slug) if address else None


def _kind_api_url(request: Request | None, kind: str, slug: str) -> str | None:
    if is_entry_kind(kind):
        return entry_url(request, kind, slug)
    if kind == "adverse_event":
        return api_url(request, "adverse-event-list") + f"?term={slug}"
    if kind == "reference":
        return api_url(request, "citation-list") + f"?key={slug}"
    return None


def search_results_data(results: list[SearchResult], *, request: Request) -> list[dict[str, Any]]:
    """SearchResultSerializer's representation of `results`, written out: the serializer
    copies its nine fields for each instance it is given and visits each through a field
    object, a fifth of a search's time in Python (docs/performance.md, hand-written
    speed-ups). The serializer stays the declaration the schema is made from; a test holds
    the two to the same output."""
    addresses: dict[str, str | None] = {}
    return [
        {
            "kind": str(result.kind),
            "slug": str(result.slug),
            "title": str(result.title),
            "description": str(result.description),
            "snippet": str(result.snippet),
            "rank": float(result.rank),
            "url": str(result.url),
            "section": result.anchor or None,
            "api_url": search_result_api_url(result, request=request, addresses=addresses),
        }
        for result in results
    ]

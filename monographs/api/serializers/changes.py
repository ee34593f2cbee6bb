"""Serializers of the change feed and of search results."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monographs.api.serializers.common import SLUG_PLACEHOLDER, api_url, entry_url, is_entry_kind
from monographs.editorial.models import EditorialEvent


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
    def get_section(self, result) -> str | None:
        return result.anchor or None

    def get_api_url(self, result) -> str | None:
        """Reversed once per kind and response, as EntrySummarySerializer.get_url does."""
        addresses = self.context.setdefault("result_addresses", {})
        if result.kind not in addresses:
            addresses[result.kind] = self._api_url(result.kind, SLUG_PLACEHOLDER)
        address = addresses[result.kind]
        return address.replace(SLUG_PLACEHOLDER, result.slug) if address else None

    def _api_url(self, kind: str, slug: str) -> str | None:
        request = self.context.get("request")
        if is_entry_kind(kind):
            return entry_url(request, kind, slug)
        if kind == "adverse_event":
            return api_url(request, "adverse-event-list") + f"?term={slug}"
        if kind == "reference":
            return api_url(request, "citation-list") + f"?key={slug}"
        return None

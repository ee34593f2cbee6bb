"""What every serializer of the read API shares: addresses, entry kinds, facets, error bodies."""

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from monographs.editorial import registry
from monographs.publishing.models import Entry

SLUG_PLACEHOLDER = "0-slug-placeholder-0"


def api_url(request, name: str, *args: Any) -> str:
    path = reverse(f"api:{name}", args=args)
    return request.build_absolute_uri(path) if request is not None else path


def entry_kinds() -> list[str]:
    """The kinds of entry (drug, trial, ...), each served under /api/v1/<plural>/."""
    return [root_kind.kind for root_kind in registry.all_kinds()]


def is_entry_kind(kind: str) -> bool:
    return kind in entry_kinds()


def entry_url(request, kind: str, slug: str) -> str | None:
    return api_url(request, f"{kind}-detail", slug) if is_entry_kind(kind) else None


def facet_values(entry: Entry, name: str) -> list[str]:
    """Values of one facet of the entry's current publication (attached to the list's page)."""
    if not hasattr(entry, "_facets_by_name"):
        by_name: dict[str, list[str]] = {}
        for facet in entry.current.facets.all():
            by_name.setdefault(facet.name, []).append(facet.value)
        entry._facets_by_name = by_name
    return entry._facets_by_name.get(name, [])


def first_facet(entry: Entry, name: str) -> str | None:
    values = facet_values(entry, name)
    return values[0] if values else None


def first_number(entry: Entry, name: str) -> int | None:
    value = first_facet(entry, name)
    return int(value) if value and value.isdigit() else None


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    detail = serializers.CharField()
    parameters = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a rejected query parameter: its messages, by parameter name.",
    )


class WithdrawnSerializer(ErrorSerializer):
    kind = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    withdrawn_at = serializers.DateTimeField()
    withdrawal_reason = serializers.CharField()


ID_HELP = "The entry's permanent identifier: it never changes, whatever the slug."

"""Serializers of the read API's entries: summaries, publications and their versions.

Documents are served exactly as frozen (the "document" member), so a client can check the
content_hash: the SHA-256 of the document as canonical JSON (sorted keys, no spaces).
"""

import functools
import uuid

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from monographs.api.http import EncodedJSON
from monographs.api.serializers.common import (
    ID_HELP,
    SLUG_PLACEHOLDER,
    api_url,
    entry_url,
    facet_values,
    first_facet,
    first_number,
)
from monographs.editorial import registry
from monographs.publishing.models import Entry, Publication


class EntrySummarySerializer(serializers.Serializer):
    #: The facets a summary shows, attached to each page of a list (entries_attach_facets).
    FACETS: tuple[str, ...] = ()

    id = serializers.UUIDField(source="uid", help_text=ID_HELP)
    slug = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField(source="current.version")
    published_at = serializers.DateTimeField(source="current.published_at")
    first_published_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, entry: Entry) -> str | None:
        """Reversed once per kind and response: on a page of 100, reverse() cost a third."""
        addresses = self.context.setdefault("entry_addresses", {})
        if entry.kind not in addresses:
            request = self.context.get("request")
            addresses[entry.kind] = entry_url(request, entry.kind, SLUG_PLACEHOLDER)
        address = addresses[entry.kind]
        return address.replace(SLUG_PLACEHOLDER, entry.slug) if address else None


class DrugSummarySerializer(EntrySummarySerializer):
    FACETS = ("drug_class", "target", "condition", "atc_code")
    summary = serializers.CharField(allow_null=True)
    drug_class = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField(help_text="HGNC symbols of molecular targets.")
    indications = serializers.SerializerMethodField(help_text="Slugs of approved conditions.")
    atc_code = serializers.SerializerMethodField()

    def get_drug_class(self, entry: Entry) -> str | None:
        return first_facet(entry, "drug_class")

    def get_targets(self, entry: Entry) -> list[str]:
        return facet_values(entry, "target")

    def get_indications(self, entry: Entry) -> list[str]:
        return facet_values(entry, "condition")

    def get_atc_code(self, entry: Entry) -> str | None:
        return first_facet(entry, "atc_code")


class TrialSummarySerializer(EntrySummarySerializer):
    FACETS = ("nct_id", "phase", "design", "drug", "condition", "start_year", "enrolment")
    acronym = serializers.CharField(allow_null=True)
    nct_id = serializers.SerializerMethodField()
    phase = serializers.SerializerMethodField()
    design = serializers.SerializerMethodField()
    drugs = serializers.SerializerMethodField(help_text="Slugs of the drugs studied.")
    conditions = serializers.SerializerMethodField(help_text="Slugs of the conditions studied.")
    start_year = serializers.SerializerMethodField()
    enrolment = serializers.SerializerMethodField()

    def get_nct_id(self, entry: Entry) -> str | None:
        return first_facet(entry, "nct_id")

    def get_phase(self, entry: Entry) -> str | None:
        return first_facet(entry, "phase")

    def get_design(self, entry: Entry) -> str | None:
        return first_facet(entry, "design")

    def get_drugs(self, entry: Entry) -> list[str]:
        return facet_values(entry, "drug")

    def get_conditions(self, entry: Entry) -> list[str]:
        return facet_values(entry, "condition")

    def get_start_year(self, entry: Entry) -> int | None:
        return first_number(entry, "start_year")

    def get_enrolment(self, entry: Entry) -> int | None:
        return first_number(entry, "enrolment")


class PublicationMetadataSerializer(serializers.Serializer):
    """What the API says about one frozen version besides its document."""

    kind = serializers.CharField()
    id = serializers.SerializerMethodField(help_text=ID_HELP)
    slug = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    current_version = serializers.SerializerMethodField()
    superseded = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()
    schema_version = serializers.IntegerField()
    content_hash = serializers.CharField(help_text="SHA-256 of the document as canonical JSON.")
    url = serializers.SerializerMethodField()
    versions_url = serializers.SerializerMethodField()

    def _current_version(self) -> int:
        return self.context["current_version"]

    @extend_schema_field({"type": "string", "format": "uuid"})
    def get_id(self, publication: Publication) -> str:
        # A raw statement reads it as stored: SQLite keeps a UUID as 32 hex digits.
        return str(uuid.UUID(str(self.context["entry_uid"])))

    def get_current_version(self, publication: Publication) -> int:
        return self._current_version()

    def get_superseded(self, publication: Publication) -> bool:
        return publication.version != self._current_version()

    def get_url(self, publication: Publication) -> str:
        return api_url(
            self.context.get("request"),
            f"{publication.kind}-version",
            self.context["slug"],
            publication.version,
        )

    def get_versions_url(self, publication: Publication) -> str:
        return api_url(
            self.context.get("request"), f"{publication.kind}-versions", self.context["slug"]
        )


class PublicationSerializer(PublicationMetadataSerializer):
    """One frozen version. `superseded` is true when a newer version is live."""

    document = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": True,
            "description": "The document as frozen when this version was published.",
        }
    )
    def get_document(self, publication: Publication) -> dict:
        return publication.document


@functools.cache
def publication_serializer(kind: str) -> type[PublicationSerializer]:
    """PublicationSerializer whose schema gives the document's shape, as the kind declares it.

    Responses are the same for every kind; only the OpenAPI description differs, so a client
    generator gets typed documents (component `DrugPublication`, `TrialPublication`, ...).
    """
    document_type = registry.root_kind(kind).document_type
    if document_type is None:
        return PublicationSerializer

    def get_document(self, publication: Publication) -> document_type:
        return publication.document

    get_document.__doc__ = "The document as frozen when this version was published."
    name = f"{kind.title()}PublicationSerializer"
    return type(name, (PublicationSerializer,), {"get_document": get_document})


def publication_body(
    publication: Publication,
    *,
    document_text: str,
    context: dict,
    fields: list[str] | None = None,
) -> EncodedJSON:
    """PublicationSerializer's output, encoded, with the frozen document text copied in as stored.

    The document is the bulk of the response (tens of kilobytes for a monograph); decoding it
    to encode it again would cost more than everything else the request does. With `fields`
    (?fields=), only those members, the document only if it is one of them.
    """
    data = PublicationMetadataSerializer(publication, context=context).data
    if fields is not None:
        data = {name: data[name] for name in fields if name in data}
        if "document" not in fields:
            return EncodedJSON(JSONRenderer().render(data))
    return EncodedJSON(publication_head(data) + document_text.encode() + b"}")


def publication_head(metadata: dict) -> bytes:
    """A publication's JSON up to its document: the metadata, then the document's member
    opened, for the document's stored text and a closing brace to follow."""
    encoded = JSONRenderer().render(metadata)
    separator = b"," if metadata else b""
    return encoded[:-1] + separator + b'"document":'


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()
    content_hash = serializers.CharField()
    current = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_current(self, publication: Publication) -> bool:
        return publication.version == self.context["current_version"]

    def get_url(self, publication: Publication) -> str:
        return api_url(
            self.context.get("request"),
            f"{publication.kind}-version",
            self.context["slug"],
            publication.version,
        )

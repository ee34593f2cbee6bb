"""Serializers of the read API: publications and the rows derived from them.

Documents are served exactly as frozen (the "document" member), so a client can check the
content_hash: the SHA-256 of the document as canonical JSON (sorted keys, no spaces).
"""

import functools
import uuid
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from monographs.api.http import EncodedJSON
from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.editorial import registry
from monographs.editorial.models import EditorialEvent, Entry, Publication
from monographs.figures import Figure, stated_number
from monographs.models import Citation, Standing, standing_text

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
    metadata = JSONRenderer().render(data)
    separator = b"," if data else b""
    return EncodedJSON(metadata[:-1] + separator + b'"document":' + document_text.encode() + b"}")


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


CITATION_KINDS = dict(Citation.Kind.choices)


def _incidence_text(low, high, bound: str) -> str:
    figure = Figure(low=low, high=high, bound=bound or "", unit="%")
    return "" if figure.is_empty else figure.text()


def _stated_pair(row: PublishedAdverseEvent, column: str) -> list:
    places = row.stated_places or {}
    return [
        stated_number(getattr(row, f"{column}_{end}"), places.get(f"{column}_{end}"))
        for end in ("low", "high")
    ]


class IncidenceField(serializers.FloatField):
    """A percentage, served as a JSON number."""


class AdverseEventSerializer(serializers.ModelSerializer):
    any_grade_low = IncidenceField(allow_null=True)
    any_grade_high = IncidenceField(allow_null=True)
    grade_3_plus_low = IncidenceField(allow_null=True)
    grade_3_plus_high = IncidenceField(allow_null=True)
    any_grade = serializers.SerializerMethodField(
        help_text="The any-grade figure as the pages show it, e.g. '5–11%' or '<1%'."
    )
    grade_3_plus = serializers.SerializerMethodField(
        help_text="The severe figure as the pages show it, for the grades in grade_3_plus_scope."
    )
    source = serializers.SerializerMethodField()
    drug_url = serializers.SerializerMethodField()

    class Meta:
        model = PublishedAdverseEvent
        fields = [
            "drug_slug",
            "drug_name",
            "term_slug",
            "term_name",
            "system_organ_class",
            "context",
            "any_grade_low",
            "any_grade_high",
            "grade_3_plus_low",
            "grade_3_plus_high",
            "any_grade_bound",
            "grade_3_plus_bound",
            "grade_3_plus_scope",
            "any_grade",
            "grade_3_plus",
            "frequency_band",
            "management",
            "source",
            "note",
            "drug_url",
        ]

    def get_any_grade(self, row: PublishedAdverseEvent) -> str:
        return _incidence_text(*_stated_pair(row, "any_grade"), row.any_grade_bound)

    def get_grade_3_plus(self, row: PublishedAdverseEvent) -> str:
        return _incidence_text(*_stated_pair(row, "grade_3_plus"), row.grade_3_plus_bound)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "additionalProperties": True,
            "description": "citation key, number in the drug's reference list, locator, "
            "Vancouver-style reference, DOI and PMID.",
        }
    )
    def get_source(self, row: PublishedAdverseEvent) -> dict | None:
        return row.source

    def get_drug_url(self, row: PublishedAdverseEvent) -> str | None:
        return entry_url(self.context.get("request"), "drug", row.drug_slug)


class CitedBySerializer(serializers.Serializer):
    kind = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()


class CitedWorkSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        allow_null=True,
        help_text="Its number in the citing source's reference list; null when the source "
        "credits it without a number (a figure's source).",
    )
    key = serializers.CharField(help_text="Its citation key.")
    vancouver = serializers.CharField(help_text="The cited work as the Vancouver style writes it.")


class CitationSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField(), source="reference.authors")
    group_author = serializers.CharField(source="reference.group_author", allow_blank=True)
    journal = serializers.CharField(source="reference.journal", allow_blank=True)
    year = serializers.IntegerField(allow_null=True)
    month = serializers.CharField(source="reference.month", allow_blank=True)
    volume = serializers.CharField(source="reference.volume", allow_blank=True)
    issue = serializers.CharField(source="reference.issue", allow_blank=True)
    pages = serializers.CharField(source="reference.pages", allow_blank=True)
    article_number = serializers.CharField(source="reference.article_number", allow_blank=True)
    pmid = serializers.CharField(allow_null=True)
    pmcid = serializers.CharField(allow_null=True)
    doi = serializers.CharField(source="reference.doi", allow_null=True)
    issn = serializers.CharField(source="reference.issn", allow_blank=True)
    url = serializers.CharField(source="reference.url", allow_blank=True)
    publisher = serializers.CharField(source="reference.publisher", allow_blank=True)
    accessed_on = serializers.CharField(source="reference.accessed_on", allow_null=True)
    vancouver = serializers.CharField(source="reference.vancouver")
    authors_incomplete = serializers.SerializerMethodField(
        help_text="True when the source names only the first authors (et al.)."
    )
    kind_label = serializers.SerializerMethodField(help_text="The kind of source, in words.")
    abstract = serializers.SerializerMethodField(help_text="Our own summary of the source.")
    note = serializers.SerializerMethodField(help_text="What the editors note about the source.")
    standing = serializers.SerializerMethodField(
        help_text="How far a reader can rely on the source, as a code: "
        + ", ".join(f"`{value}`" for value in Standing.values)
        + "."
    )
    standing_label = serializers.SerializerMethodField(help_text="The standing, in words.")
    translated_from = serializers.SerializerMethodField(
        help_text="When the source is a translation, the language it was translated from."
    )
    standing_text = serializers.SerializerMethodField(
        help_text="The standing as the reference page reads it, with what the source lacks "
        "(undated, translated), e.g. 'Unsigned web article; undated; translated from Russian'."
    )
    reference_list = serializers.SerializerMethodField(
        help_text="The works this source cites, as far as our records hold them: its "
        "numbered reference list, then works it credits without a number."
    )
    cited_by = serializers.SerializerMethodField()

    def get_authors_incomplete(self, row: PublishedCitation) -> bool:
        return bool(row.reference.get("authors_incomplete"))

    def get_kind_label(self, row: PublishedCitation) -> str:
        return row.reference.get("kind_label") or CITATION_KINDS.get(row.kind, row.kind)

    def get_abstract(self, row: PublishedCitation) -> str:
        return row.reference.get("abstract") or ""

    def get_note(self, row: PublishedCitation) -> str:
        return row.reference.get("note") or ""

    def get_standing(self, row: PublishedCitation) -> str:
        return row.reference.get("standing") or Standing.NOT_ASSESSED

    def get_standing_label(self, row: PublishedCitation) -> str:
        return row.reference.get("standing_label") or Standing.NOT_ASSESSED.label

    def get_translated_from(self, row: PublishedCitation) -> str:
        return row.reference.get("translated_from") or ""

    def get_standing_text(self, row: PublishedCitation) -> str:
        return standing_text(row.reference)

    @extend_schema_field(CitedWorkSerializer(many=True))
    def get_reference_list(self, row: PublishedCitation) -> list[dict]:
        return row.reference.get("reference_list") or []

    @extend_schema_field(CitedBySerializer(many=True))
    def get_cited_by(self, row: PublishedCitation) -> list[dict]:
        return self.context.get("cited_by", {}).get(row.key, [])


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

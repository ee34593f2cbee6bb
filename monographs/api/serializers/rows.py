"""Serializers of the read tables derived from publications: adverse events and citations."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.api.serializers.common import entry_url
from monographs.figures import Figure, stated_number
from monographs.models import Citation, Standing, standing_text

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

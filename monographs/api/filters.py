"""Filters of the read API. Each runs on an indexed column: Facet rows or a read table.

A value that cannot be right (a phase that does not exist, a malformed NCT number, a year
out of range) is refused with HTTP 400 naming the parameter, never silently ignored.
"""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.models import Citation
from monographs.publishing.models import Entry, Facet
from trials.documents import STATED_FLAG_CHOICES
from trials.models import Trial

ATC_PREFIX = RegexValidator(
    r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$",
    "Give an ATC code or its beginning, e.g. L01EX02 or L01E.",
)
NCT_ID = RegexValidator(r"^NCT\d{8}$", "Give an NCT number: NCT followed by 8 digits.")
PMID = RegexValidator(r"^\d{1,9}$", "Give a PubMed id: digits only, e.g. 18650514.")
SLUG = RegexValidator(r"^[-a-z0-9_]+$", "Give a slug: lower-case letters, digits and hyphens.")
GRADES = [("any", "Any grade"), ("grade_3_plus", "Grade 3 or higher")]
INCIDENCE_COLUMNS = {"any": "any_grade", "grade_3_plus": "grade_3_plus"}


class UpperCaseCharField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).upper()


class LowerCaseCharField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).lower()


class UpperCaseCharFilter(django_filters.CharFilter):
    field_class = UpperCaseCharField


class LowerCaseCharFilter(django_filters.CharFilter):
    field_class = LowerCaseCharField


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class FacetMixin:
    """Entries whose current publication has this fact (Facet name=value)."""

    def __init__(self, *, facet: str, **kwargs) -> None:
        self.facet = facet
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet[Entry], value: str) -> QuerySet[Entry]:
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.with_facet(self.facet, value)


class FacetFilter(FacetMixin, django_filters.CharFilter):
    pass


class UpperCaseFacetFilter(FacetMixin, UpperCaseCharFilter):
    pass


class FacetChoiceFilter(FacetMixin, django_filters.ChoiceFilter):
    pass


class FacetBoundFilter(IntegerFilter):
    """A lower or upper bound on a numeric fact (start_year, enrolment)."""

    def __init__(self, *, facet: str, bound: str, **kwargs) -> None:
        self.facet = facet
        self.bound = bound
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet[Entry], value: int | None) -> QuerySet[Entry]:
        if value is None:
            return qs
        return qs.with_facet_between(self.facet, **{self.bound: value})


def _facet_exists(name: str, **value_lookup) -> Exists:
    return Exists(Facet.objects.filter(publication=OuterRef("current"), name=name, **value_lookup))


class DrugFilter(django_filters.FilterSet):
    drug_class = django_filters.CharFilter(
        method="filter_drug_class",
        max_length=200,
        help_text="Drug class, any case, e.g. Multikinase inhibitor.",
    )
    target = UpperCaseFacetFilter(
        facet="target",
        max_length=20,
        help_text="HGNC symbol of a molecular target, e.g. KDR (VEGFR-2) or BRAF.",
    )
    indication = FacetFilter(
        facet="condition",
        validators=[SLUG],
        max_length=120,
        help_text="Slug of a condition the drug is indicated for (approved, or given a dose for "
        "it by a source), e.g. differentiated-thyroid-carcinoma.",
    )
    atc_code = UpperCaseCharFilter(
        method="filter_atc_code",
        validators=[ATC_PREFIX],
        max_length=7,
        help_text="ATC code or its beginning: L01EX02, or L01E for all kinase inhibitors.",
    )

    class Meta:
        model = Entry
        fields: list[str] = []

    def filter_drug_class(self, queryset, name, value):
        return queryset.filter(_facet_exists("drug_class", value__iexact=value))

    def filter_atc_code(self, queryset, name, value):
        return queryset.filter(_facet_exists("atc_code", value__startswith=value))


class TrialFilter(django_filters.FilterSet):
    drug = FacetFilter(
        facet="drug", validators=[SLUG], max_length=120, help_text="Slug of a drug studied."
    )
    condition = FacetFilter(
        facet="condition", validators=[SLUG], max_length=120, help_text="Slug of a condition."
    )
    phase = FacetChoiceFilter(facet="phase", choices=Trial.Phase.choices)
    design = FacetChoiceFilter(facet="design", choices=Trial.Design.choices)
    randomised = FacetChoiceFilter(
        facet="randomised",
        choices=STATED_FLAG_CHOICES,
        help_text="yes, no or not_stated (the source does not say).",
    )
    placebo_controlled = FacetChoiceFilter(
        facet="placebo_controlled",
        choices=STATED_FLAG_CHOICES,
        help_text="yes, no or not_stated (the source does not say).",
    )
    nct_id = UpperCaseFacetFilter(
        facet="nct_id",
        validators=[NCT_ID],
        help_text="ClinicalTrials.gov number, e.g. NCT00105443.",
    )
    start_year_min = FacetBoundFilter(
        facet="start_year",
        bound="low",
        min_value=1900,
        max_value=2100,
        help_text="Started in or after.",
    )
    start_year_max = FacetBoundFilter(
        facet="start_year",
        bound="high",
        min_value=1900,
        max_value=2100,
        help_text="Started in or before.",
    )
    enrolment_min = FacetBoundFilter(
        facet="enrolment",
        bound="low",
        min_value=0,
        max_value=10_000_000,
        help_text="At least this many participants.",
    )
    enrolment_max = FacetBoundFilter(
        facet="enrolment",
        bound="high",
        min_value=0,
        max_value=10_000_000,
        help_text="At most this many participants.",
    )

    class Meta:
        model = Entry
        fields: list[str] = []


class AdverseEventFilter(django_filters.FilterSet):
    drug = django_filters.CharFilter(
        field_name="drug_slug", validators=[SLUG], max_length=120, help_text="Slug of a drug."
    )
    term = django_filters.CharFilter(
        field_name="term_slug",
        validators=[SLUG],
        max_length=120,
        help_text="Slug of a CTCAE term, e.g. palmar-plantar-erythrodysesthesia-syndrome.",
    )
    organ_class = django_filters.CharFilter(
        field_name="system_organ_class",
        lookup_expr="iexact",
        max_length=200,
        help_text="System organ class, any case, e.g. Gastrointestinal disorders.",
    )
    grade = django_filters.ChoiceFilter(
        choices=GRADES,
        method="filter_grade",
        help_text="Only rows with figures for this grade; min_incidence then applies to it.",
    )
    min_incidence = django_filters.NumberFilter(
        method="filter_min_incidence",
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text="Incidence in % that the reported range reaches (upper bound, or the single "
        "figure), any grade unless grade says otherwise.",
    )

    class Meta:
        model = PublishedAdverseEvent
        fields: list[str] = []

    def _column(self) -> str:
        return INCIDENCE_COLUMNS[self.form.cleaned_data.get("grade") or "any"]

    def filter_grade(self, queryset, name, value):
        column = INCIDENCE_COLUMNS[value]
        return queryset.filter(
            Q(**{f"{column}_low__isnull": False}) | Q(**{f"{column}_high__isnull": False})
        )

    def filter_min_incidence(self, queryset, name, value):
        column = self._column()
        return queryset.filter(
            Q(**{f"{column}_high__gte": value})
            | Q(**{f"{column}_high__isnull": True, f"{column}_low__gte": value})
        )


class CitationFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(field_name="key", validators=[SLUG], max_length=120)
    pmid = django_filters.CharFilter(field_name="pmid", validators=[PMID], help_text="PubMed id.")
    doi = LowerCaseCharFilter(
        field_name="doi",
        max_length=200,
        help_text="DOI, any case, e.g. 10.1056/NEJMoa0708857.",
    )
    year = IntegerFilter(field_name="year", min_value=1800, max_value=2100)
    year_min = IntegerFilter(field_name="year", lookup_expr="gte", min_value=1800, max_value=2100)
    year_max = IntegerFilter(field_name="year", lookup_expr="lte", min_value=1800, max_value=2100)
    kind = django_filters.ChoiceFilter(field_name="kind", choices=Citation.Kind.choices)

    class Meta:
        model = PublishedCitation
        fields: list[str] = []


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment compared in UTC: any offset ISO 8601 allows (+16:31 included) names
    a moment, while PostgreSQL refuses offsets beyond 15:59 as a literal's time zone."""

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


def updated_since(field_name: str, what: str) -> django_filters.IsoDateTimeFilter:
    return MomentFilter(
        field_name=field_name,
        lookup_expr="gte",
        help_text=f"Only {what} published at or after this moment (ISO 8601), e.g. "
        "2025-01-31T00:00:00Z: what changed since a mirror last looked.",
    )


class DrugListFilter(DrugFilter):
    updated_since = updated_since("current__published_at", "drugs whose current version was")


class TrialListFilter(TrialFilter):
    updated_since = updated_since("current__published_at", "trials whose current version was")


class AdverseEventListFilter(AdverseEventFilter):
    updated_since = updated_since("publication__published_at", "rows of a drug version")


class CitationListFilter(CitationFilter):
    updated_since = updated_since("publication__published_at", "sources as cited by a version")


class StrictOrderingFilter(OrderingFilter):
    """DRF's ordering filter, but an unknown field is a 400 rather than silently ignored."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = self.get_valid_fields(queryset, view, {"request": request})
            names = {name for name, _ in valid}
            unknown = [field for field in fields if field.lstrip("-") not in names]
            if unknown or len(fields) != 1:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Order by one of: {', '.join(sorted(names))} "
                            "(prefix - for descending)."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        [parameter] = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", [])
        parameter["description"] = "Order by this field; prefix - for descending."
        parameter["schema"]["enum"] = [f"{sign}{field}" for field in fields for sign in ("", "-")]
        return [parameter]

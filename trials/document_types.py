"""The shape of a trial document, declared once (see monographs/document_types.py)."""

from typing import Literal, NotRequired

from typing_extensions import TypedDict

from monographs.document_types import ConditionReference, DrugReference, Reference
from monographs.editorial.documents import Number, SourcedRow, StatedPlaces


class Intervention(TypedDict):
    drug: DrugReference | None
    name: str
    dose: str
    frequency: str
    route: str


class Arm(SourcedRow):
    label: str
    role: str
    participants: int | None
    interventions_given: str
    description: str
    interventions: list[Intervention]


class Outcome(SourcedRow, StatedPlaces):
    measure: str
    measure_label: str
    label: str
    arm: str | None
    comparator_arm: str | None
    statistic: str
    value: Number | None
    #: Where the result is a range, its high end; a bound qualifies the end it names.
    value_high: NotRequired[Number | None]
    value_bound: NotRequired[str]
    unit: str
    count: int | None
    denominator: int | None
    ci_level: Number | None
    ci_low: Number | None
    ci_high: Number | None
    range_low: Number | None
    range_high: Number | None
    hazard_ratio: Number | None
    hazard_ratio_ci_low: Number | None
    hazard_ratio_ci_high: Number | None
    p_value: Number | None
    p_value_relation: str
    test_statistic_name: str
    test_statistic_value: Number | None
    degrees_of_freedom: int | None
    timepoint: str
    is_primary_endpoint: bool


class TrialAdverseEventTerm(TypedDict):
    slug: str
    name: str
    system_organ_class: str


class TrialAdverseEvent(SourcedRow, StatedPlaces):
    term: TrialAdverseEventTerm
    arm: str | None
    grade_scope: str
    count: int | None
    denominator: int | None
    percent: Number | None
    #: The high end of a range ("5-11 %"); a bound qualifies the end it names.
    percent_high: Number | None
    percent_bound: str


class PublicationLink(TypedDict):
    citation: str
    role: str
    number: int


class TrialDocument(TypedDict):
    """A trial as frozen at publication."""

    schema_version: int
    kind: Literal["trial"]
    slug: str
    title: str
    acronym: str
    nct_id: str | None
    other_registry_ids: list[str]
    phase: str
    phase_label: str
    design: str
    design_label: str
    #: True, False, or null where the source does not say.
    randomised: bool | None
    masking: str
    placebo_controlled: bool | None
    conditions: list[ConditionReference]
    drugs: list[DrugReference]
    line_of_therapy: str
    population: str
    regions: list[str]
    start_date: str | None
    start_date_precision: str
    end_date: str | None
    end_date_precision: str
    enrolment: int | None
    sponsor: str
    summary: str
    summary_html: str
    next_review_due: str | None
    #: The source rows name when they name none of their own (marked `inherited`).
    default_source: NotRequired[str]
    arms: list[Arm]
    outcomes: list[Outcome]
    adverse_events: list[TrialAdverseEvent]
    publications: list[PublicationLink]
    references: list[Reference]
    unknown_citation_keys: list[str]

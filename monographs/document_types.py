"""The shape of a drug document, declared once.

The builder (documents.py) returns it, restore and facets read it, and the API's OpenAPI
schema describes its `document` member from it; a test checks every document of the seed
and synthetic corpora against it, so the declaration and the builder cannot drift apart.
Versions frozen by earlier releases may lack members added since.
"""

from typing import Literal, NotRequired

from typing_extensions import TypedDict

from monographs.editorial.documents import Number, SourcedRow, StatedPlaces


class DrugReference(TypedDict):
    slug: str
    name: str


class ConditionReference(TypedDict):
    slug: str
    name: str
    abbreviation: str


class CitedWork(TypedDict):
    """A work a source cites: numbered as in its reference list, or credited unnumbered."""

    position: int | None
    key: str
    vancouver: str


class Reference(TypedDict):
    """One entry of a document's reference list (Citation.as_reference), numbered."""

    key: str
    kind: str
    kind_label: str
    authors: list[str]
    authors_incomplete: bool
    group_author: str
    title: str
    journal: str
    year: int | None
    month: str
    volume: str
    issue: str
    pages: str
    article_number: str
    pmid: str | None
    pmcid: str | None
    doi: str | None
    issn: str
    url: str
    publisher: str
    accessed_on: str | None
    abstract: str
    note: str
    number: int
    vancouver: str
    #: How far to rely on the source, where the editors assessed it (Citation.Standing).
    standing: NotRequired[str]
    standing_label: NotRequired[str]
    translated_from: NotRequired[str]
    #: The works the source cites, as far as our records hold them.
    reference_list: NotRequired[list[CitedWork]]


class Identifiers(TypedDict):
    atc_code: str | None
    drugbank_id: str | None
    unii: str | None
    rxcui: str | None
    ncit_code: str | None


class Name(SourcedRow):
    name: str
    kind: str


class Target(SourcedRow):
    symbol: str
    name: str
    aliases: list[str]
    location: str
    action: str
    target_note: str


class Approval(SourcedRow):
    agency: str
    indication: str
    condition: str | None
    year: int | None
    date: str | None


class Formulation(SourcedRow):
    dosage_form: str
    strength: str
    route: str


class Section(TypedDict):
    id: int
    kind: str
    title: str
    body: str
    html: str
    default_source: NotRequired[str]


class DoseRegimen(SourcedRow, StatedPlaces):
    indication: str
    condition: str | None
    dose_amount: Number | None
    dose_unit: str
    frequency: str
    route: str
    daily_dose_amount: Number | None
    instructions: str
    adjustment: str


class Pharmacokinetic(SourcedRow, StatedPlaces):
    parameter: str
    value: Number | None
    range_low: Number | None
    range_high: Number | None
    unit: str
    qualifier: str
    population: str
    pk_note: str


class Interaction(SourcedRow, StatedPlaces):
    interacting_drug: DrugReference | None
    interacting_agent: str
    effect: str
    mechanism: str
    management: str
    severity: str
    effect_measure: str
    #: [low, high] of the quantitative change; equal ends for one figure, nulls for none.
    change: list[Number | None]
    change_unit: str


class Warning(SourcedRow):
    topic: str
    description: str
    monitoring: str
    action: str


class Contraindication(SourcedRow):
    condition: str
    kind: str
    contraindication_note: str


class SpecialPopulation(SourcedRow):
    population: str
    recommendation: str


class DrugAdverseEventTerm(TypedDict):
    slug: str
    name: str
    system_organ_class: str
    synonyms: list[str]


class DrugAdverseEvent(SourcedRow, StatedPlaces):
    term: DrugAdverseEventTerm
    context: str
    #: [low, high] incidence in percent; a bound ("<", "<=", ...) qualifies the end it names.
    any_grade: list[Number | None]
    any_grade_bound: str
    grade_3_plus: list[Number | None]
    grade_3_plus_bound: str
    grade_3_plus_scope: str
    frequency_band: str
    management: str


class ResistanceMechanism(SourcedRow):
    name: str
    kind: str
    pathway: str
    description: str


class SubsequentTherapy(SourcedRow):
    condition: ConditionReference
    therapy_drug: DrugReference | None
    therapy: str
    setting: str


class Question(SourcedRow):
    question: str
    answer: str
    answer_html: str
    audience: str


class DrugDocument(TypedDict):
    """A drug monograph as frozen at publication."""

    schema_version: int
    kind: Literal["drug"]
    slug: str
    title: str
    inn: str
    drug_class: str
    summary: str
    identifiers: Identifiers
    next_review_due: str | None
    default_source: NotRequired[str]
    names: list[Name]
    targets: list[Target]
    approvals: list[Approval]
    formulations: list[Formulation]
    sections: list[Section]
    dose_regimens: list[DoseRegimen]
    pharmacokinetics: list[Pharmacokinetic]
    interactions: list[Interaction]
    warnings: list[Warning]
    contraindications: list[Contraindication]
    special_populations: list[SpecialPopulation]
    adverse_events: list[DrugAdverseEvent]
    resistance_mechanisms: list[ResistanceMechanism]
    subsequent_therapies: list[SubsequentTherapy]
    questions: list[Question]
    references: list[Reference]
    #: [@key] citations in the prose that name no citation: a quality check refuses them.
    unknown_citation_keys: list[str]

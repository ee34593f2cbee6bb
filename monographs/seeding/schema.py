"""What a seed file may contain: record kinds, their fields, types and references.

Most field specs are read off the models, so the seed format cannot drift from the schema:
a new model field becomes a new optional (or required) seed field. What the models cannot
say is written here: which foreign keys are references by natural key (a drug by slug, a
citation by key, an arm by label), which rows carry a `key`, and how records nest.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db import models

from monographs.models import (
    AdverseEventTerm,
    Approval,
    Citation,
    CitationLink,
    Condition,
    Contraindication,
    DoseRegimen,
    Drug,
    DrugAdverseEvent,
    DrugInteraction,
    DrugName,
    DrugTarget,
    DrugWarning,
    Formulation,
    MonographSection,
    PharmacokineticParameter,
    QuestionAnswer,
    ResistanceMechanism,
    SpecialPopulation,
    SubsequentTherapy,
    Target,
)
from monographs.richtext import is_markdown_field
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication


class Kind(StrEnum):
    TEXT = "text"
    KEY = "key"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    PARTIAL_DATE = "partial date"
    TEXT_LIST = "list of texts"
    CHOICE = "choice"
    REFERENCE = "reference"
    REFERENCE_LIST = "list of references"
    RECORDS = "list of records"
    RECORD = "record"


class Reference(StrEnum):
    """What a reference names, and by which natural key."""

    CITATION = "citation"  # Citation.key
    DRUG = "drug"  # Drug.slug
    TRIAL = "trial"  # Trial.slug
    CONDITION = "condition"  # Condition.slug
    TARGET = "target"  # Target.symbol
    TERM = "adverse-event term"  # AdverseEventTerm.slug
    ARM = "arm"  # Arm.label within the record's trial


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    reference: Reference | None = None
    record: "RecordSpec | None" = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    markdown: bool = False


@dataclass(frozen=True)
class RecordSpec:
    """A kind of record: its fields, the model it becomes, and the field that names it."""

    name: str
    fields: dict[str, FieldSpec]
    model: type[models.Model] | None = None
    identity: str = ""
    keyed: bool = False  # rows named by a `key` of their own, stored as the seed key
    extra: dict[str, str] = field(default_factory=dict)


ROOT_EDITORIAL_FIELDS = (
    "uid",
    "status",
    "lock_version",
    "publish_at",
    "next_review_due",
    "created_at",
    "updated_at",
)
PERCENT = {"minimum": Decimal(0), "maximum": Decimal(100)}


def fields_from_model(
    model: type[models.Model],
    *,
    exclude: tuple[str, ...] = (),
    references: dict[str, Reference] | None = None,
) -> dict[str, FieldSpec]:
    """Seed fields for a model's editable fields; foreign keys must be named in `references`."""
    references = references or {}
    specs: dict[str, FieldSpec] = {}
    for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        name = model_field.name
        if model_field.primary_key or name in exclude:
            continue
        if model_field.is_relation:
            if name not in references:
                raise LookupError(
                    f"{model.__name__}.{name} needs a reference kind or an exclusion."
                )
            kind = Kind.REFERENCE_LIST if model_field.many_to_many else Kind.REFERENCE
            specs[name] = FieldSpec(
                kind,
                required=not model_field.null and not model_field.many_to_many,
                reference=references[name],
            )
            continue
        required = not model_field.blank and not model_field.has_default()
        if model_field.choices:
            choices = tuple(str(value) for value, _label in model_field.flatchoices)
            specs[name] = FieldSpec(Kind.CHOICE, required=required, choices=choices)
        elif isinstance(model_field, models.BooleanField):
            specs[name] = FieldSpec(Kind.BOOLEAN)
        elif isinstance(model_field, models.DecimalField):
            specs[name] = FieldSpec(Kind.DECIMAL, required=required)
        elif isinstance(model_field, models.IntegerField):
            positive = isinstance(
                model_field, models.PositiveIntegerField | models.PositiveSmallIntegerField
            )
            specs[name] = FieldSpec(
                Kind.INTEGER, required=required, minimum=Decimal(0) if positive else None
            )
        elif isinstance(model_field, models.DateTimeField):
            raise LookupError(f"{model.__name__}.{name}: date-times are not seeded.")
        elif isinstance(model_field, models.DateField):
            specs[name] = FieldSpec(Kind.DATE, required=required)
        elif isinstance(model_field, models.JSONField):
            specs[name] = FieldSpec(Kind.TEXT_LIST)
        else:
            specs[name] = FieldSpec(
                Kind.TEXT, required=required, markdown=is_markdown_field(model, name)
            )
    return specs


def _sourced_row(
    model: type[models.Model],
    name: str,
    *,
    parent: str,
    identity: str = "key",
    references: dict[str, Reference] | None = None,
    overrides: dict[str, FieldSpec] | None = None,
    extra: dict[str, FieldSpec] | None = None,
) -> RecordSpec:
    """A row of a drug or a trial. Rows without a natural identity carry a `key`."""
    specs = fields_from_model(
        model,
        exclude=(parent, "seed_key"),
        references={"citation": Reference.CITATION, **(references or {})},
    )
    keyed = identity == "key"
    if keyed:
        specs = {"key": FieldSpec(Kind.KEY, required=True), **specs}
    specs.update(overrides or {})
    specs.update(extra or {})
    return RecordSpec(name, specs, model=model, identity=identity, keyed=keyed)


CITATION_LINK = RecordSpec(
    "cited work",
    {
        "citation": FieldSpec(Kind.REFERENCE, required=True, reference=Reference.CITATION),
        "position": FieldSpec(Kind.INTEGER, minimum=Decimal(1)),
    },
    model=CitationLink,
    identity="citation",
)
CITATION = RecordSpec(
    "citation",
    {
        **fields_from_model(Citation, exclude=("cited_works",)),
        "year": FieldSpec(Kind.INTEGER, minimum=Decimal(1800), maximum=Decimal(2100)),
        "cites": FieldSpec(Kind.RECORDS, record=CITATION_LINK),
    },
    model=Citation,
    identity="key",
)
CONDITION = RecordSpec("condition", fields_from_model(Condition), model=Condition, identity="slug")
TARGET = RecordSpec("target", fields_from_model(Target), model=Target, identity="symbol")
TERM = RecordSpec(
    "adverse-event term",
    fields_from_model(AdverseEventTerm),
    model=AdverseEventTerm,
    identity="slug",
)
SOURCE = RecordSpec(
    "source",
    {
        "document": FieldSpec(Kind.TEXT),
        "citation": FieldSpec(Kind.RECORD, required=True, record=CITATION),
    },
)

DRUG = RecordSpec(
    "drug",
    fields_from_model(
        Drug,
        exclude=(*ROOT_EDITORIAL_FIELDS, "targets"),
        references={"default_citation": Reference.CITATION},
    ),
    model=Drug,
    identity="slug",
)
DRUG_ROWS: dict[str, RecordSpec] = {
    "names": _sourced_row(DrugName, "name", parent="drug", identity="name"),
    "targets": _sourced_row(
        DrugTarget,
        "drug target",
        parent="drug",
        identity="target",
        references={"target": Reference.TARGET},
    ),
    "approvals": _sourced_row(
        Approval,
        "approval",
        parent="drug",
        references={"condition": Reference.CONDITION},
        overrides={
            "year": FieldSpec(
                Kind.INTEGER, required=True, minimum=Decimal(1900), maximum=Decimal(2100)
            )
        },
    ),
    "formulations": _sourced_row(Formulation, "formulation", parent="drug"),
    "sections": RecordSpec(
        "section",
        fields_from_model(
            MonographSection,
            exclude=("drug",),
            references={"default_citation": Reference.CITATION},
        ),
        model=MonographSection,
        identity="kind",
    ),
    "dose_regimens": _sourced_row(
        DoseRegimen,
        "dose regimen",
        parent="drug",
        references={"condition": Reference.CONDITION},
    ),
    "pharmacokinetics": _sourced_row(
        PharmacokineticParameter, "pharmacokinetic parameter", parent="drug"
    ),
    "interactions": _sourced_row(
        DrugInteraction,
        "interaction",
        parent="drug",
        references={"interacting_drug": Reference.DRUG},
    ),
    "warnings": _sourced_row(DrugWarning, "warning", parent="drug"),
    "contraindications": _sourced_row(Contraindication, "contraindication", parent="drug"),
    "special_populations": _sourced_row(SpecialPopulation, "special population", parent="drug"),
    "adverse_events": _sourced_row(
        DrugAdverseEvent,
        "adverse event",
        parent="drug",
        references={"term": Reference.TERM},
        overrides={
            name: FieldSpec(Kind.DECIMAL, **PERCENT)
            for name in ("any_grade_low", "any_grade_high", "grade_3_plus_low", "grade_3_plus_high")
        },
    ),
    "resistance_mechanisms": _sourced_row(
        ResistanceMechanism, "resistance mechanism", parent="drug"
    ),
    "subsequent_therapies": _sourced_row(
        SubsequentTherapy,
        "subsequent therapy",
        parent="drug",
        references={"condition": Reference.CONDITION, "therapy_drug": Reference.DRUG},
    ),
    "questions": _sourced_row(QuestionAnswer, "question", parent="drug"),
}
DRUG_CONTENT = RecordSpec(
    "drug content",
    {
        "drug": FieldSpec(Kind.REFERENCE, required=True, reference=Reference.DRUG),
        **{name: FieldSpec(Kind.RECORDS, record=spec) for name, spec in DRUG_ROWS.items()},
    },
    identity="drug",
)

INTERVENTION = RecordSpec(
    "intervention",
    fields_from_model(Intervention, exclude=("arm",), references={"drug": Reference.DRUG}),
    model=Intervention,
)
TRIAL_PUBLICATION = RecordSpec(
    "publication",
    fields_from_model(
        TrialPublication, exclude=("trial",), references={"citation": Reference.CITATION}
    ),
    model=TrialPublication,
    identity="citation",
)
TRIAL_ROWS: dict[str, RecordSpec] = {
    "publications": TRIAL_PUBLICATION,
    "arms": _sourced_row(
        Arm,
        "arm",
        parent="trial",
        identity="label",
        extra={"interventions": FieldSpec(Kind.RECORDS, record=INTERVENTION)},
    ),
    "outcomes": _sourced_row(
        Outcome,
        "outcome",
        parent="trial",
        references={"arm": Reference.ARM, "comparator_arm": Reference.ARM},
        overrides={
            "p_value": FieldSpec(Kind.DECIMAL, minimum=Decimal(0), maximum=Decimal(1)),
            "ci_level": FieldSpec(Kind.INTEGER, minimum=Decimal(1), maximum=Decimal(99)),
        },
    ),
    "adverse_events": _sourced_row(
        TrialAdverseEvent,
        "adverse event",
        parent="trial",
        references={"arm": Reference.ARM, "term": Reference.TERM},
        overrides={
            name: FieldSpec(Kind.DECIMAL, **PERCENT) for name in ("percent", "percent_high")
        },
    ),
}
_trial_fields = fields_from_model(
    Trial,
    exclude=(*ROOT_EDITORIAL_FIELDS, "start_date_precision", "end_date_precision", "publications"),
    references={
        "conditions": Reference.CONDITION,
        "drugs": Reference.DRUG,
        "default_citation": Reference.CITATION,
    },
)
_trial_fields["start_date"] = FieldSpec(Kind.PARTIAL_DATE)
_trial_fields["end_date"] = FieldSpec(Kind.PARTIAL_DATE)
TRIAL = RecordSpec(
    "trial",
    {
        **_trial_fields,
        **{name: FieldSpec(Kind.RECORDS, record=spec) for name, spec in TRIAL_ROWS.items()},
    },
    model=Trial,
    identity="slug",
)
TRIAL_CONTENT = RecordSpec(
    "trial content",
    {
        "trial": FieldSpec(Kind.REFERENCE, required=True, reference=Reference.TRIAL),
        **{
            name: FieldSpec(Kind.RECORDS, record=TRIAL_ROWS[name])
            for name in ("publications", "outcomes", "adverse_events")
        },
    },
    identity="trial",
)

SEED_FILE = RecordSpec(
    "seed file",
    {
        "source": FieldSpec(Kind.RECORD, required=True, record=SOURCE),
        "conditions": FieldSpec(Kind.RECORDS, record=CONDITION),
        "targets": FieldSpec(Kind.RECORDS, record=TARGET),
        "adverse_event_terms": FieldSpec(Kind.RECORDS, record=TERM),
        "citations": FieldSpec(Kind.RECORDS, record=CITATION),
        "drugs": FieldSpec(Kind.RECORDS, record=DRUG),
        "drug_content": FieldSpec(Kind.RECORDS, record=DRUG_CONTENT),
        "trials": FieldSpec(Kind.RECORDS, record=TRIAL),
        "trial_content": FieldSpec(Kind.RECORDS, record=TRIAL_CONTENT),
    },
)

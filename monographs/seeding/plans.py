"""A seed plan: every row to write, with where each came from, and the problems found on the way."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from monographs.models import (
    AdverseEventTerm,
    Citation,
    CitationLink,
    Condition,
    Drug,
    SectionKind,
    Target,
)
from monographs.seeding import schema
from monographs.seeding.errors import SeedError
from monographs.seeding.reading import SeedFile
from monographs.seeding.schema import RecordSpec, Reference
from trials.models import (
    Arm,
    DatePrecision,
    Outcome,
    Trial,
    TrialAdverseEvent,
    TrialPublication,
)

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
SEED_KEY_MAX_LENGTH = 200

# Where each kind of reference is declared, and how it is found in the database.
REFERENCE_MODELS: dict[Reference, tuple[type[models.Model], str]] = {
    Reference.CITATION: (Citation, "key"),
    Reference.DRUG: (Drug, "slug"),
    Reference.TRIAL: (Trial, "slug"),
    Reference.CONDITION: (Condition, "slug"),
    Reference.TARGET: (Target, "symbol"),
    Reference.TERM: (AdverseEventTerm, "slug"),
}
REFERENCE_HINTS = {
    Reference.CITATION: "declare it under 'citations' (or as a file's source) or fix the key",
    Reference.DRUG: (
        "declare it under 'drugs' in one seed file and load that file too, or fix the slug"
    ),
    Reference.TRIAL: (
        "declare it under 'trials' in one seed file and load that file too, or fix the slug"
    ),
    Reference.CONDITION: "add it to seeds/vocabulary/conditions.yaml, or fix the slug",
    Reference.TARGET: "add it to seeds/vocabulary/targets.yaml, or fix the symbol",
    Reference.TERM: "add it to seeds/vocabulary/adverse_event_terms.yaml, or fix the slug",
}
# The order rows are written in: what is referred to comes before what refers to it.
MODEL_ORDER: tuple[type[models.Model], ...] = (
    Condition,
    Target,
    AdverseEventTerm,
    Citation,
    CitationLink,
    Drug,
    Trial,
    *(spec.model for spec in schema.DRUG_ROWS.values()),
    TrialPublication,
    Arm,
    Outcome,
    TrialAdverseEvent,
)
DECLARED_KINDS: dict[type[models.Model], Reference] = {
    model: reference for reference, (model, _field) in REFERENCE_MODELS.items()
}
SECTION_ORDER = {value: index for index, value in enumerate(SectionKind.values, start=1)}


@dataclass(frozen=True)
class Ref:
    """A reference by natural key, resolved to a row only when the plan is written."""

    kind: Reference
    key: str | tuple[str, str]

    def __str__(self) -> str:
        if self.kind == Reference.ARM:
            trial, label = self.key
            return f"arm '{label}' of trial '{trial}'"
        return f"{self.kind} '{self.key}'"


@dataclass
class Record:
    """A record that passed the schema: typed values, nested records, and where it is."""

    spec: RecordSpec
    values: dict[str, Any]
    records: dict[str, list["Record"]]
    nested: dict[str, "Record"]
    path: str
    line: int
    field_lines: dict[str, int]

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    @property
    def identity_value(self) -> Any:
        return self.values.get(self.spec.identity) if self.spec.identity else None


@dataclass(eq=False)
class PlannedRow:
    """One row to create or update: how to find it, and what it should hold."""

    model: type[models.Model]
    file: SeedFile
    record: Record
    identity: dict[str, Any]
    values: dict[str, Any]
    many: dict[str, list[Ref]] = field(default_factory=dict)
    interventions: list[tuple[Record, dict[str, Any]]] = field(default_factory=list)
    root: Ref | None = None
    block: Record | None = None  # the drug_content, trial or trial_content record it is in

    @property
    def reference(self) -> Ref | None:
        """The natural key others use to refer to this row, if it can be referred to."""
        if self.model is Arm:
            trial = self.identity["trial"]
            return Ref(Reference.ARM, (trial.key, self.identity["label"]))
        kind = DECLARED_KINDS.get(self.model)
        if kind is None:
            return None
        _model, key_field = REFERENCE_MODELS[kind]
        return Ref(kind, self.identity[key_field])


@dataclass
class SeedPlan:
    """Everything the seed files say, checked and ready to write."""

    files: list[SeedFile]
    rows: list[PlannedRow]

    def rows_of(self, model: type[models.Model]) -> list[PlannedRow]:
        return [row for row in self.rows if row.model is model]


class SeedProblems:
    """Collects errors; each says file, line, record and field."""

    def __init__(self) -> None:
        self.errors: list[SeedError] = []

    def add(self, seed_file: SeedFile, line: int | None, record: str, name: str, problem: str):
        self.errors.append(SeedError(seed_file.name, line, record, name, problem))

    def at(self, row: PlannedRow, name: str, problem: str) -> None:
        line = row.record.line_of(name) if name else row.record.line
        self.add(row.file, line, row.record.path, name, problem)


def described(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def seed_number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        written = getattr(raw, "text", "").replace("_", "")
        try:
            return Decimal(written) if written else Decimal(repr(raw))
        except InvalidOperation:
            return Decimal(repr(raw))
    if isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def partial_date(raw: Any) -> tuple[datetime.date, str] | None:
    """'2005', '2005-03' or '2005-03-14' (or a YAML date) with the precision it was given at."""
    if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
        return raw, DatePrecision.DAY
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    try:
        if re.fullmatch(r"\d{4}", raw):
            return datetime.date(int(raw), 1, 1), DatePrecision.YEAR
        if re.fullmatch(r"\d{4}-\d{2}", raw):
            year, month = raw.split("-")
            return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
        return datetime.date.fromisoformat(raw), DatePrecision.DAY
    except ValueError:
        return None


def spec_default(model: type[models.Model], name: str) -> Any:
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return None
    return model_field.get_default()


def row_field(row: PlannedRow, name: str) -> Any:
    if name in row.identity:
        return row.identity[name]
    return row.values.get(name)

"""Checking seed files and turning them into a plan: every row to write, nothing written yet.

All files are checked before anything is written, and every problem is reported at once with
its file, line, record and field, so one run tells a curator everything that needs fixing.
Checks come in layers: YAML syntax and duplicate keys (reading), types and allowed fields
(the schema), references between records and files, duplicates, the number rules a reader
relies on (percentages, intervals, counts), and finally the models' own validation.
"""

import datetime
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from monographs.models import (
    AdverseEventTerm,
    Citation,
    CitationLink,
    Condition,
    Drug,
    MonographSection,
    SectionKind,
    Target,
)
from monographs.models.base import CONSTRAINT_RULES
from monographs.richtext import citation_keys
from monographs.seeding import schema
from monographs.seeding.errors import SeedError, SeedFilesInvalid
from monographs.seeding.reading import LineMapping, SeedFile, seed_file_read, seed_paths_collect
from monographs.seeding.schema import FieldSpec, Kind, RecordSpec, Reference
from trials.checks import arms_exceeding_enrolment
from trials.models import (
    Arm,
    DatePrecision,
    Intervention,
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


class _Problems:
    """Collects errors; each says file, line, record and field."""

    def __init__(self) -> None:
        self.errors: list[SeedError] = []

    def add(self, seed_file: SeedFile, line: int | None, record: str, name: str, problem: str):
        self.errors.append(SeedError(seed_file.name, line, record, name, problem))

    def at(self, row: PlannedRow, name: str, problem: str) -> None:
        line = row.record.line_of(name) if name else row.record.line
        self.add(row.file, line, row.record.path, name, problem)


def _describe(value: Any) -> str:
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


def _number(raw: Any) -> Decimal | None:
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


def _partial_date(raw: Any) -> tuple[datetime.date, str] | None:
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


class _SchemaChecker:
    """Checks one file's records against their specs, converting values to Python types."""

    def __init__(self, seed_file: SeedFile, problems: _Problems) -> None:
        self.file = seed_file
        self.problems = problems

    def error(self, line: int, path: str, name: str, problem: str) -> None:
        self.problems.add(self.file, line, path, name, problem)

    def record(self, data: Any, spec: RecordSpec, path: str, line: int) -> Record | None:
        if not isinstance(data, LineMapping):
            self.error(
                line,
                path,
                "",
                f"must be a mapping of fields, got {_describe(data)}: "
                f"write the {spec.name} as 'field: value' lines.",
            )
            return None
        record = Record(spec, {}, {}, {}, path, data.line, dict(data.key_lines))
        for name in data:
            if name not in spec.fields:
                close = difflib.get_close_matches(str(name), list(spec.fields), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "remove it"
                allowed = ", ".join(spec.fields)
                self.error(
                    data.line_of(name),
                    path,
                    str(name),
                    f"is not a field of this {spec.name}: {hint} (allowed: {allowed}).",
                )
        for name, field_spec in spec.fields.items():
            if name not in data or data[name] is None:
                if field_spec.required:
                    self.error(
                        data.line,
                        path,
                        name,
                        f"is required: add '{name}: ...' to this {spec.name}.",
                    )
                continue
            self.value(record, name, field_spec, data[name], data.line_of(name))
        return record

    def records(self, data: Any, spec: RecordSpec, path: str, line: int) -> list[Record]:
        if not isinstance(data, list):
            self.error(
                line,
                path,
                "",
                f"must be a list of {spec.name} records (lines starting with "
                f"'- '), got {_describe(data)}.",
            )
            return []
        records: list[Record] = []
        seen: dict[Any, int] = {}
        for index, item in enumerate(data, start=1):
            label = index
            if isinstance(item, LineMapping) and spec.identity and item.get(spec.identity):
                label = item[spec.identity]
            item_line = item.line if isinstance(item, LineMapping) else line
            record = self.record(item, spec, f"{path}[{label}]", item_line)
            if record is None:
                continue
            identity = record.identity_value
            if identity is not None:
                hashable = identity if not isinstance(identity, list) else tuple(identity)
                if hashable in seen:
                    self.error(
                        record.line_of(spec.identity),
                        record.path,
                        spec.identity,
                        f"duplicate {spec.identity} '{identity}' (first used on line "
                        f"{seen[hashable]}): give each {spec.name} its own {spec.identity}.",
                    )
                    continue
                seen[hashable] = record.line_of(spec.identity)
            records.append(record)
        return records

    def value(self, record: Record, name: str, spec: FieldSpec, raw: Any, line: int) -> None:
        path = record.path
        child_path = f"{path}.{name}" if path else name
        if spec.kind == Kind.RECORDS:
            record.records[name] = self.records(raw, spec.record, child_path, line)
            return
        if spec.kind == Kind.RECORD:
            nested = self.record(raw, spec.record, child_path, line)
            if nested is not None:
                record.nested[name] = nested
            return
        converted, problem = self.convert(raw, spec)
        if problem:
            self.error(line, path, name, problem)
            return
        record.values[name] = converted

    def convert(self, raw: Any, spec: FieldSpec) -> tuple[Any, str]:
        kind = spec.kind
        if kind in (Kind.TEXT, Kind.KEY, Kind.REFERENCE):
            if isinstance(raw, int) and not isinstance(raw, bool):
                raw = str(raw)
            if not isinstance(raw, str):
                return None, (
                    f"must be text, got {_describe(raw)}: put it in quotes "
                    "(YAML reads yes/no/on/off as booleans and 2008-11-19 as a date)."
                )
            if kind == Kind.KEY and not KEY_PATTERN.match(raw):
                return None, (
                    f"'{raw}' is not a valid key: use lowercase letters, digits and hyphens, "
                    "e.g. 'os-sorafenib'."
                )
            if spec.required and not raw.strip():
                return None, "must not be empty."
            return raw, ""
        if kind == Kind.CHOICE:
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                raw = str(raw)
            if not isinstance(raw, str) or raw not in spec.choices:
                return None, (
                    f"{_describe(raw)} is not allowed: use one of {', '.join(spec.choices)}."
                )
            return raw, ""
        if kind == Kind.BOOLEAN:
            if not isinstance(raw, bool):
                return None, f"must be true or false, got {_describe(raw)}."
            return raw, ""
        if kind in (Kind.INTEGER, Kind.DECIMAL):
            number = _number(raw)
            if number is None:
                return None, f"must be a number, got {_describe(raw)}: write digits, e.g. 10.7."
            if kind == Kind.INTEGER and number != number.to_integral_value():
                return None, f"must be a whole number, got {raw}."
            if spec.minimum is not None and number < spec.minimum:
                return None, (
                    f"{raw} is below the allowed minimum of {spec.minimum}: "
                    "check the figure against the source."
                )
            if spec.maximum is not None and number > spec.maximum:
                return None, (
                    f"{raw} is above the allowed maximum of {spec.maximum}: "
                    "check the figure against the source."
                )
            return (int(number) if kind == Kind.INTEGER else number), ""
        if kind == Kind.DATE:
            parsed = _partial_date(raw)
            if parsed is None or parsed[1] != DatePrecision.DAY:
                return None, f"must be a date written YYYY-MM-DD, got {_describe(raw)}."
            return parsed[0], ""
        if kind == Kind.PARTIAL_DATE:
            parsed = _partial_date(raw)
            if parsed is None:
                return None, (
                    f"must be a date written YYYY, YYYY-MM or YYYY-MM-DD, got {_describe(raw)}."
                )
            return parsed, ""
        if kind in (Kind.TEXT_LIST, Kind.REFERENCE_LIST):
            if not isinstance(raw, list):
                return None, f"must be a list (in [brackets] or '- ' lines), got {_describe(raw)}."
            items = []
            for item in raw:
                if isinstance(item, int) and not isinstance(item, bool):
                    item = str(item)
                if not isinstance(item, str) or not item.strip():
                    return None, f"every item must be non-empty text, got {_describe(item)}."
                items.append(item)
            if kind == Kind.REFERENCE_LIST and len(set(items)) != len(items):
                return None, "names the same entry twice: list each once."
            return items, ""
        raise AssertionError(f"unhandled field kind {kind}")  # pragma: no cover


class _Planner:
    """Turns checked records into planned rows, file by file."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.rows: list[PlannedRow] = []

    def file(self, seed_file: SeedFile, record: Record) -> None:
        source = record.nested.get("source")
        source_citation = source.nested.get("citation") if source else None
        default_citation = None
        if source_citation is not None:
            self.citation(seed_file, source_citation)
            if source_citation.values.get("key"):
                default_citation = Ref(Reference.CITATION, source_citation.values["key"])
        for name, spec in (
            ("conditions", schema.CONDITION),
            ("targets", schema.TARGET),
            ("adverse_event_terms", schema.TERM),
        ):
            for item in record.records.get(name, []):
                self.add(self.row(seed_file, item, spec, identity=[spec.identity]))
        for item in record.records.get("citations", []):
            self.citation(seed_file, item)
        for item in record.records.get("drugs", []):
            self.add(self.row(seed_file, item, schema.DRUG, identity=["slug"]))
        for item in record.records.get("drug_content", []):
            if item.values.get("drug"):
                self.drug_content(seed_file, item, default_citation)
        declared_trials = set()
        for item in record.records.get("trials", []):
            declared_trials.add(item.values.get("slug"))
            self.trial(seed_file, item, default_citation, declared=True)
        for item in record.records.get("trial_content", []):
            if not item.values.get("trial"):
                continue
            if item.values["trial"] in declared_trials:
                self.problems.add(
                    seed_file,
                    item.line_of("trial"),
                    item.path,
                    "trial",
                    f"the trial '{item.values['trial']}' is declared in this same file: "
                    "put these rows in its own record under 'trials'.",
                )
                continue
            self.trial(seed_file, item, default_citation, declared=False)

    def add(self, row: PlannedRow | None) -> None:
        if row is not None:
            self.rows.append(row)

    def citation(self, seed_file: SeedFile, record: Record) -> None:
        self.add(self.row(seed_file, record, schema.CITATION, identity=["key"]))
        if not record.values.get("key"):
            return
        citing = Ref(Reference.CITATION, record.values["key"])
        for link in record.records.get("cites", []):
            if not link.values.get("citation"):
                continue
            self.add(
                self.row(
                    seed_file,
                    link,
                    schema.CITATION_LINK,
                    identity=["citing", "cited"],
                    fixed={
                        "citing": citing,
                        "cited": Ref(Reference.CITATION, link.values["citation"]),
                    },
                    skip=("citation",),
                )
            )

    def drug_content(self, seed_file: SeedFile, record: Record, citation: Ref | None) -> None:
        drug = Ref(Reference.DRUG, record.values["drug"])
        for name, spec in schema.DRUG_ROWS.items():
            for index, item in enumerate(record.records.get(name, []), start=1):
                self.add(
                    self.child(
                        seed_file,
                        item,
                        spec,
                        parent=("drug", drug),
                        root=drug,
                        index=index,
                        citation=citation,
                        block=record,
                    )
                )

    def trial(
        self, seed_file: SeedFile, record: Record, citation: Ref | None, *, declared: bool
    ) -> None:
        slug = record.values.get("slug") if declared else record.values.get("trial")
        if not slug:
            return
        trial = Ref(Reference.TRIAL, slug)
        if declared:
            self.add(self.row(seed_file, record, schema.TRIAL, identity=["slug"], root=trial))
        for name, spec in schema.TRIAL_ROWS.items():
            for index, item in enumerate(record.records.get(name, []), start=1):
                self.add(
                    self.child(
                        seed_file,
                        item,
                        spec,
                        parent=("trial", trial),
                        root=trial,
                        index=index,
                        citation=citation,
                        block=record,
                    )
                )

    def child(
        self,
        seed_file: SeedFile,
        record: Record,
        spec: RecordSpec,
        *,
        parent: tuple[str, Ref],
        root: Ref,
        index: int,
        citation: Ref | None,
        block: Record,
    ) -> PlannedRow | None:
        parent_field, parent_ref = parent
        fixed: dict[str, Any] = {parent_field: parent_ref}
        identity = [parent_field]
        if spec.keyed:
            identity.append("seed_key")
        else:
            identity.append(spec.identity)
        if "seed_key" in {f.name for f in spec.model._meta.concrete_fields}:
            key = record.values.get(spec.identity)
            seed_key = f"{seed_file.file_id}:{key}"
            if len(seed_key) > SEED_KEY_MAX_LENGTH:
                self.problems.add(
                    seed_file,
                    record.line_of(spec.identity),
                    record.path,
                    spec.identity,
                    f"is too long to identify the row (file id and key may have at most "
                    f"{SEED_KEY_MAX_LENGTH} characters together): shorten it.",
                )
                return None
            fixed["seed_key"] = seed_key
        if "citation" in spec.fields and "citation" not in record.values:
            fixed["citation"] = citation
        if "position" in spec.fields and "position" not in record.values:
            if spec.model is MonographSection:
                fixed["position"] = SECTION_ORDER.get(record.values.get("kind"), index)
            else:
                fixed["position"] = index
        row = self.row(seed_file, record, spec, identity=identity, fixed=fixed, root=root)
        if row is not None:
            row.block = block
        if row is not None and spec.model is Arm:
            for item in record.records.get("interventions", []):
                values = {
                    name: item.values.get(name, spec_default(Intervention, name))
                    for name in schema.INTERVENTION.fields
                }
                self.intervention_check(seed_file, item, values)
                if values.get("drug") is not None:
                    values["drug"] = Ref(Reference.DRUG, values["drug"])
                row.interventions.append((item, values))
        return row

    def intervention_check(self, seed_file: SeedFile, item: Record, values: dict) -> None:
        """An intervention names a drug or something else, and fits the model's fields."""
        if not values.get("drug") and not values.get("name"):
            self.problems.add(
                seed_file, item.line, item.path, "drug", "give either 'drug' or 'name'."
            )
        instance = Intervention(**{k: v for k, v in values.items() if k != "drug"})
        try:
            instance.full_clean(
                exclude=["arm", "drug"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.problems.add(
                        seed_file,
                        item.line_of(name),
                        item.path,
                        "" if name == NON_FIELD_ERRORS else name,
                        f"{message.rstrip('.')}: correct it in the seed file.",
                    )

    def row(
        self,
        seed_file: SeedFile,
        record: Record,
        spec: RecordSpec,
        *,
        identity: list[str],
        fixed: dict[str, Any] | None = None,
        skip: tuple[str, ...] = (),
        root: Ref | None = None,
    ) -> PlannedRow | None:
        model = spec.model
        trial_slug = fixed["trial"].key if fixed and "trial" in fixed else None
        values: dict[str, Any] = {}
        many: dict[str, list[Ref]] = {}
        for name, field_spec in spec.fields.items():
            if name in skip or field_spec.kind in (Kind.RECORDS, Kind.RECORD):
                continue
            if spec.keyed and name == "key":
                continue
            raw = record.values.get(name)
            if field_spec.kind == Kind.REFERENCE_LIST:
                many[name] = [Ref(field_spec.reference, key) for key in raw or []]
            elif field_spec.kind == Kind.REFERENCE:
                if raw is None:
                    values[name] = None
                elif field_spec.reference == Reference.ARM:
                    values[name] = Ref(Reference.ARM, (trial_slug, raw))
                else:
                    values[name] = Ref(field_spec.reference, raw)
            elif field_spec.kind == Kind.PARTIAL_DATE:
                day, precision = raw if raw is not None else (None, DatePrecision.DAY)
                values[name] = day
                values[f"{name}_precision"] = precision
            elif name in record.values:
                values[name] = raw
            else:
                values[name] = spec_default(model, name)
        values.update(fixed or {})
        if model is Drug or model is Trial:
            root = Ref(DECLARED_KINDS[model], values.get("slug"))
        missing = [name for name in identity if values.get(name) is None]
        if missing:
            return None  # the schema already reported the missing identity field
        identity_values = {name: values.pop(name) for name in identity}
        return PlannedRow(
            model=model,
            file=seed_file,
            record=record,
            identity=identity_values,
            values=values,
            many=many,
            root=root,
        )


def spec_default(model: type[models.Model], name: str) -> Any:
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return None
    return model_field.get_default()


def _row_field(row: PlannedRow, name: str) -> Any:
    if name in row.identity:
        return row.identity[name]
    return row.values.get(name)


def _check_declarations(plan: SeedPlan, problems: _Problems, *, database: bool) -> None:
    """Each drug, trial, citation and vocabulary entry is declared once, and unique stays unique."""
    unique_fields: dict[type[models.Model], tuple[str, ...]] = {
        Drug: ("inn", "drugbank_id", "unii", "rxcui", "ncit_code"),
        Trial: ("nct_id",),
        Citation: ("pmid", "pmcid", "doi"),
        Condition: ("name",),
        AdverseEventTerm: ("name",),
    }
    for model, reference in DECLARED_KINDS.items():
        _model, key_field = REFERENCE_MODELS[reference]
        seen: dict[Any, PlannedRow] = {}
        for row in plan.rows_of(model):
            key = row.identity[key_field]
            if key in seen:
                first = seen[key]
                problems.at(
                    row,
                    key_field,
                    f"the {reference} '{key}' is declared twice (first in {first.file.name}, "
                    f"line {first.record.line}): declare it once and refer to it by "
                    f"{key_field} elsewhere.",
                )
            else:
                seen[key] = row
        for unique_field in unique_fields.get(model, ()):
            by_value: dict[Any, PlannedRow] = {}
            for row in seen.values():
                value = _row_field(row, unique_field)
                if value in (None, ""):
                    continue
                if value in by_value:
                    first = by_value[value]
                    problems.at(
                        row,
                        unique_field,
                        f"'{value}' is already used by {reference} '{first.identity[key_field]}' "
                        f"({first.file.name}, line {first.record.line}): it must be unique.",
                    )
                else:
                    by_value[value] = row
            if database and by_value:
                taken = model.objects.filter(**{f"{unique_field}__in": list(by_value)}).values_list(
                    unique_field, key_field
                )
                for value, owner in taken:
                    row = by_value[value]
                    if owner != row.identity[key_field]:
                        problems.at(
                            row,
                            unique_field,
                            f"'{value}' is already used by the {reference} '{owner}' in the "
                            "database: it must be unique; fix the value or the existing entry.",
                        )


def _check_natural_rows(plan: SeedPlan, problems: _Problems) -> None:
    """Rows identified by their content (a drug's name, a section kind) appear once per parent."""
    seen: dict[tuple, PlannedRow] = {}
    for row in plan.rows:
        if row.model in DECLARED_KINDS or "seed_key" in row.identity:
            continue
        key = (row.model, *sorted((name, value) for name, value in row.identity.items()))
        if key in seen:
            first = seen[key]
            problems.at(
                row,
                row.record.spec.identity or "",
                f"the same {row.record.spec.name} is already given in {first.file.name} "
                f"(line {first.record.line}): keep it in one file only.",
            )
        else:
            seen[key] = row


def _check_blocks(plan_files: list[tuple[SeedFile, Record]], problems: _Problems) -> None:
    """A file contributes to each drug or trial at most once."""
    for seed_file, record in plan_files:
        for collection, name in (("drug_content", "drug"), ("trial_content", "trial")):
            seen: dict[str, int] = {}
            for item in record.records.get(collection, []):
                key = item.values.get(name)
                if key in seen:
                    problems.add(
                        seed_file,
                        item.line_of(name),
                        item.path,
                        name,
                        f"this file already has a {collection} block for '{key}' (line "
                        f"{seen[key]}): merge the two blocks.",
                    )
                else:
                    seen[key] = item.line_of(name)


def _references(plan: SeedPlan) -> Iterable[tuple[PlannedRow, Record, str, Ref]]:
    """Every reference with where to report it; a row's parent is reported at its block."""
    for row in plan.rows:
        for name, value in [*row.identity.items(), *row.values.items()]:
            if isinstance(value, Ref):
                if row.block is not None and name in ("drug", "trial") and name in row.identity:
                    yield row, row.block, name, value
                else:
                    yield row, row.record, name, value
        for name, refs in row.many.items():
            for ref in refs:
                yield row, row.record, name, ref
        for record, values in row.interventions:
            if isinstance(values.get("drug"), Ref):
                yield row, record, "drug", values["drug"]


def _check_references(plan: SeedPlan, problems: _Problems, *, database: bool) -> None:
    """Every reference names something declared in the loaded files or already stored."""
    known: dict[Reference, set] = defaultdict(set)
    for row in plan.rows:
        if row.reference is not None:
            known[row.reference.kind].add(row.reference.key)
    wanted: dict[Reference, set] = defaultdict(set)
    for _row, _record, _name, ref in _references(plan):
        if ref.key not in known[ref.kind]:
            wanted[ref.kind].add(ref.key)
    for row in plan.rows:
        for name in _markdown_fields(row):
            for key in citation_keys(_row_field(row, name) or ""):
                if key not in known[Reference.CITATION]:
                    wanted[Reference.CITATION].add(key)
    if database:
        for kind, keys in wanted.items():
            if kind == Reference.ARM:
                trials = {trial for trial, _label in keys}
                known[kind] |= set(
                    Arm.objects.filter(trial__slug__in=trials).values_list("trial__slug", "label")
                )
                continue
            model, key_field = REFERENCE_MODELS[kind]
            known[kind] |= set(
                model.objects.filter(**{f"{key_field}__in": keys}).values_list(key_field, flat=True)
            )
    arm_labels: dict[str, list[str]] = defaultdict(list)
    for trial, label in sorted(known[Reference.ARM]):
        arm_labels[trial].append(label)
    reported: set[tuple[str, str, int, str]] = set()
    for row, record, name, ref in _references(plan):
        if ref.key in known[ref.kind]:
            continue
        where = (row.file.name, record.path, record.line, name)
        if where in reported:
            continue
        reported.add(where)
        if ref.kind == Reference.ARM:
            trial, label = ref.key
            labels = ", ".join(f"'{label}'" for label in arm_labels.get(trial, [])) or "none"
            hint = f"use the label of one of the trial's arms ({labels})"
            problem = f"names an unknown arm '{label}' of trial '{trial}': {hint}."
        else:
            problem = f"names an unknown {ref.kind} '{ref.key}': {REFERENCE_HINTS[ref.kind]}."
        problems.add(row.file, record.line_of(name), record.path, name, problem)
    for row in plan.rows:
        for name in _markdown_fields(row):
            for key in dict.fromkeys(citation_keys(_row_field(row, name) or "")):
                if key not in known[Reference.CITATION]:
                    problems.at(
                        row,
                        name,
                        f"cites [@{key}], which is not a known citation: "
                        f"{REFERENCE_HINTS[Reference.CITATION]}.",
                    )


def _markdown_fields(row: PlannedRow) -> list[str]:
    return [
        name
        for name, spec in row.record.spec.fields.items()
        if spec.markdown and _row_field(row, name)
    ]


def _check_enrolment(plan: SeedPlan, problems: _Problems) -> None:
    arms: dict[str, list[int | None]] = defaultdict(list)
    for row in plan.rows_of(Arm):
        arms[row.identity["trial"].key].append(row.values.get("participants"))
    for row in plan.rows_of(Trial):
        excess = arms_exceeding_enrolment(row.values.get("enrolment"), arms[row.identity["slug"]])
        if excess:
            problems.at(row, "enrolment", excess)


def _check_model_rules(row: PlannedRow, problems: _Problems) -> None:
    """The model's own validation (formats, lengths, choices, clean()) on an unsaved copy.

    Relations are left out: they are checked above by natural key, since what they point
    to may not exist until the plan is written. The database check constraints are not
    asked row by row (a query each, and the number rules above say the same in plainer
    words); they still guard every write, and a refused write rolls the whole load back.
    The cleaned values replace the planned ones, so what is written is exactly what was
    validated (e.g. blank identifiers become NULL).
    """
    model = row.model
    names = [
        name for name in [*row.identity, *row.values] if not model._meta.get_field(name).is_relation
    ]
    instance = model(**{name: _row_field(row, name) for name in names})
    relations = [f.name for f in model._meta.get_fields() if f.is_relation and f.concrete]
    try:
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            yaml_name = "" if name == NON_FIELD_ERRORS else name.removesuffix("_precision")
            for message in messages:
                problems.at(row, yaml_name, f"{message.rstrip('.')}: correct it in the seed file.")
        return
    for name in names:
        value = getattr(instance, model._meta.get_field(name).attname)
        if name in row.identity:
            row.identity[name] = value
        else:
            row.values[name] = value
    _check_constraint_rules(row, instance, problems)


def _check_constraint_rules(row: PlannedRow, instance: models.Model, problems: _Problems) -> None:
    """The model's check constraints, in the sentences the admin shows beside a field.

    The rules are the models' own (monographs.models.base), so a seed file, the admin and the
    database refuse the same rows. Relations are named by natural key and not resolved yet:
    each stands in as a placeholder id, one per key, so a rule asking whether a relation is
    chosen, or whether two are the same row, answers as it will once the plan is written.
    """
    placeholders: dict[Ref, int] = {}
    for model_field in row.model._meta.concrete_fields:
        ref = _row_field(row, model_field.name) if model_field.many_to_one else None
        if isinstance(ref, Ref):
            placeholder = -placeholders.setdefault(ref, len(placeholders) + 1)
            setattr(instance, model_field.attname, placeholder)
    for constraint in row.model._meta.constraints:
        rule = CONSTRAINT_RULES.get(constraint.name)
        if isinstance(constraint, models.CheckConstraint) and rule and rule.broken(instance):
            field_name = rule.field if rule.field in row.record.spec.fields else ""
            problems.at(row, field_name, f"{rule.explain(instance)} Correct it in the seed file.")


def seeds_plan(
    *,
    paths: list[Path] | None = None,
    seeds_dir: Path | None = None,
    database_references: bool = True,
) -> SeedPlan:
    """Read and check seed files; the plan, or SeedFilesInvalid listing every problem.

    database_references: whether references may name entries already stored (loading one
    file on top of the others) or must all be declared in the files read (building fixtures).
    """
    problems = _Problems()
    files: list[SeedFile] = []
    checked: list[tuple[SeedFile, Record]] = []
    for path in seed_paths_collect(paths=paths, seeds_dir=seeds_dir):
        seed_file, read_errors = seed_file_read(path=path, seeds_dir=seeds_dir)
        files.append(seed_file)
        problems.errors.extend(read_errors)
        if any(error.line is None or not error.field for error in read_errors):
            continue
        record = _SchemaChecker(seed_file, problems).record(
            seed_file.data, schema.SEED_FILE, "", seed_file.data.line or 1
        )
        if record is not None:
            checked.append((seed_file, record))
    if not files:
        problems.errors.append(SeedError("seeds/", None, "", "", "no seed files found."))
    planner = _Planner(problems)
    for seed_file, record in checked:
        planner.file(seed_file, record)
    order = {model: index for index, model in enumerate(MODEL_ORDER)}
    plan = SeedPlan(files=files, rows=sorted(planner.rows, key=lambda row: order[row.model]))
    _check_blocks(checked, problems)
    _check_declarations(plan, problems, database=database_references)
    _check_natural_rows(plan, problems)
    _check_references(plan, problems, database=database_references)
    _check_enrolment(plan, problems)
    for row in plan.rows:
        _check_model_rules(row, problems)
    if problems.errors:
        raise SeedFilesInvalid(_sorted_errors(problems.errors, files))
    return plan


def _sorted_errors(errors: list[SeedError], files: list[SeedFile]) -> list[SeedError]:
    order = {seed_file.name: index for index, seed_file in enumerate(files)}
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=lambda e: (order.get(e.file, len(order)), e.line or 0))

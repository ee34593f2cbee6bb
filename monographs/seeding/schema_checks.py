"""Schema checks of seed records: types and allowed fields, each problem at its file and line."""

import difflib
from typing import Any

from monographs.seeding.plans import (
    KEY_PATTERN,
    Record,
    SeedProblems,
    described,
    partial_date,
    seed_number,
)
from monographs.seeding.reading import LineMapping, SeedFile
from monographs.seeding.schema import FieldSpec, Kind, RecordSpec
from trials.models import (
    DatePrecision,
)


class SchemaChecker:
    """Checks one file's records against their specs, converting values to Python types."""

    def __init__(self, seed_file: SeedFile, problems: SeedProblems) -> None:
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
                f"must be a mapping of fields, got {described(data)}: "
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
                f"'- '), got {described(data)}.",
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
                    f"must be text, got {described(raw)}: put it in quotes "
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
                    f"{described(raw)} is not allowed: use one of {', '.join(spec.choices)}."
                )
            return raw, ""
        if kind == Kind.BOOLEAN:
            if not isinstance(raw, bool):
                return None, f"must be true or false, got {described(raw)}."
            return raw, ""
        if kind in (Kind.INTEGER, Kind.DECIMAL):
            number = seed_number(raw)
            if number is None:
                return None, f"must be a number, got {described(raw)}: write digits, e.g. 10.7."
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
            parsed = partial_date(raw)
            if parsed is None or parsed[1] != DatePrecision.DAY:
                return None, f"must be a date written YYYY-MM-DD, got {described(raw)}."
            return parsed[0], ""
        if kind == Kind.PARTIAL_DATE:
            parsed = partial_date(raw)
            if parsed is None:
                return None, (
                    f"must be a date written YYYY, YYYY-MM or YYYY-MM-DD, got {described(raw)}."
                )
            return parsed, ""
        if kind in (Kind.TEXT_LIST, Kind.REFERENCE_LIST):
            if not isinstance(raw, list):
                return None, f"must be a list (in [brackets] or '- ' lines), got {described(raw)}."
            items = []
            for item in raw:
                if isinstance(item, int) and not isinstance(item, bool):
                    item = str(item)
                if not isinstance(item, str) or not item.strip():
                    return None, f"every item must be non-empty text, got {described(item)}."
                items.append(item)
            if kind == Kind.REFERENCE_LIST and len(set(items)) != len(items):
                return None, "names the same entry twice: list each once."
            return items, ""
        raise AssertionError(f"unhandled field kind {kind}")  # pragma: no cover

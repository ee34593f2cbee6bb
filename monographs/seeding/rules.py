"""The rules a seed plan is checked against once planned."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from monographs.models import AdverseEventTerm, Citation, Condition, Drug
from monographs.models.base import CONSTRAINT_RULES
from monographs.richtext import citation_keys
from monographs.seeding.plans import (
    DECLARED_KINDS,
    REFERENCE_HINTS,
    REFERENCE_MODELS,
    PlannedRow,
    Record,
    Ref,
    SeedPlan,
    SeedProblems,
    row_field,
)
from monographs.seeding.reading import SeedFile
from monographs.seeding.schema import Reference
from trials.checks import arms_exceeding_enrolment
from trials.models import (
    Arm,
    Trial,
)


def check_declarations(plan: SeedPlan, problems: SeedProblems, *, database: bool) -> None:
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
                value = row_field(row, unique_field)
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


def check_natural_rows(plan: SeedPlan, problems: SeedProblems) -> None:
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


def check_blocks(plan_files: list[tuple[SeedFile, Record]], problems: SeedProblems) -> None:
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


def check_references(plan: SeedPlan, problems: SeedProblems, *, database: bool) -> None:
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
            for key in citation_keys(row_field(row, name) or ""):
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
            for key in dict.fromkeys(citation_keys(row_field(row, name) or "")):
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
        if spec.markdown and row_field(row, name)
    ]


def check_enrolment(plan: SeedPlan, problems: SeedProblems) -> None:
    arms: dict[str, list[int | None]] = defaultdict(list)
    for row in plan.rows_of(Arm):
        arms[row.identity["trial"].key].append(row.values.get("participants"))
    for row in plan.rows_of(Trial):
        excess = arms_exceeding_enrolment(row.values.get("enrolment"), arms[row.identity["slug"]])
        if excess:
            problems.at(row, "enrolment", excess)


def check_model_rules(row: PlannedRow, problems: SeedProblems) -> None:
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
    instance = model(**{name: row_field(row, name) for name in names})
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


def _check_constraint_rules(
    row: PlannedRow, instance: models.Model, problems: SeedProblems
) -> None:
    """The model's check constraints, in the sentences the admin shows beside a field.

    The rules are the models' own (monographs.models.base), so a seed file, the admin and the
    database refuse the same rows. Relations are named by natural key and not resolved yet:
    each stands in as a placeholder id, one per key, so a rule asking whether a relation is
    chosen, or whether two are the same row, answers as it will once the plan is written.
    """
    placeholders: dict[Ref, int] = {}
    for model_field in row.model._meta.concrete_fields:
        ref = row_field(row, model_field.name) if model_field.many_to_one else None
        if isinstance(ref, Ref):
            placeholder = -placeholders.setdefault(ref, len(placeholders) + 1)
            setattr(instance, model_field.attname, placeholder)
    for constraint in row.model._meta.constraints:
        rule = CONSTRAINT_RULES.get(constraint.name)
        if isinstance(constraint, models.CheckConstraint) and rule and rule.broken(instance):
            field_name = rule.field if rule.field in row.record.spec.fields else ""
            problems.at(row, field_name, f"{rule.explain(instance)} Correct it in the seed file.")

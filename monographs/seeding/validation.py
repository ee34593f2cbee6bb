"""Checking seed files and turning them into a plan: every row to write, nothing written yet.

All files are checked before anything is written, and every problem is reported at once with
its file, line, record and field, so one run tells a curator everything that needs fixing.
Checks come in layers: YAML syntax and duplicate keys (reading), types and allowed fields
(the schema, schema_checks.py), references between records and files, duplicates, the number
rules a reader relies on (percentages, intervals, counts), and finally the models' own
validation (rules.py). planner.py turns checked records into the rows of plans.py.
"""

from pathlib import Path

from monographs.seeding import schema
from monographs.seeding.errors import SeedError, SeedFilesInvalid
from monographs.seeding.planner import Planner
from monographs.seeding.plans import MODEL_ORDER, Record, SeedPlan, SeedProblems
from monographs.seeding.reading import SeedFile, seed_file_read, seed_paths_collect
from monographs.seeding.rules import (
    check_blocks,
    check_declarations,
    check_enrolment,
    check_model_rules,
    check_natural_rows,
    check_references,
)
from monographs.seeding.schema_checks import SchemaChecker


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
    problems = SeedProblems()
    files: list[SeedFile] = []
    checked: list[tuple[SeedFile, Record]] = []
    for path in seed_paths_collect(paths=paths, seeds_dir=seeds_dir):
        seed_file, read_errors = seed_file_read(path=path, seeds_dir=seeds_dir)
        files.append(seed_file)
        problems.errors.extend(read_errors)
        if any(error.line is None or not error.field for error in read_errors):
            continue
        record = SchemaChecker(seed_file, problems).record(
            seed_file.data, schema.SEED_FILE, "", seed_file.data.line or 1
        )
        if record is not None:
            checked.append((seed_file, record))
    if not files:
        problems.errors.append(SeedError("seeds/", None, "", "", "no seed files found."))
    planner = Planner(problems)
    for seed_file, record in checked:
        planner.file(seed_file, record)
    order = {model: index for index, model in enumerate(MODEL_ORDER)}
    plan = SeedPlan(files=files, rows=sorted(planner.rows, key=lambda row: order[row.model]))
    check_blocks(checked, problems)
    check_declarations(plan, problems, database=database_references)
    check_natural_rows(plan, problems)
    check_references(plan, problems, database=database_references)
    check_enrolment(plan, problems)
    for row in plan.rows:
        check_model_rules(row, problems)
    if problems.errors:
        raise SeedFilesInvalid(_sorted_errors(problems.errors, files))
    return plan


def _sorted_errors(errors: list[SeedError], files: list[SeedFile]) -> list[SeedError]:
    order = {seed_file.name: index for index, seed_file in enumerate(files)}
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=lambda e: (order.get(e.file, len(order)), e.line or 0))

"""Django fixtures built from the seeds: the working copy exactly as `load_seeds --draft` leaves it.

The seeds are written into the current database inside a transaction that is then rolled
back, and the rows they produced are dumped. Drugs, trials, citations and vocabulary are
named by natural key (slug, key, symbol); other rows get ids numbered 1, 2, ... in a stable
order, so the files change only when the seeds do. Roots are dumped as drafts with a fixed
timestamp and no review date: publications and editorial events are history, not content,
and are never part of the fixtures.
"""

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from monographs.editorial.models import Status
from monographs.models import (
    AdverseEventTerm,
    Citation,
    CitationLink,
    Condition,
    Drug,
    MonographSection,
    Target,
)
from monographs.seeding import schema
from monographs.seeding.loading import LoadReport, seeds_load
from monographs.seeding.validation import seeds_plan
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication

FIXTURE_TIMESTAMP = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
ROOT_DEFAULTS = {
    "status": Status.DRAFT,
    "lock_version": 0,
    "publish_at": None,
    "next_review_due": None,
    "created_at": FIXTURE_TIMESTAMP,
    "updated_at": FIXTURE_TIMESTAMP,
}
DRUG_ROW_MODELS = [spec.model for spec in schema.DRUG_ROWS.values()]
# File name -> models in the order they are written (loaddata reads the files in name order).
FIXTURE_FILES: dict[str, list[type[models.Model]]] = {
    "01_vocabulary.json": [Condition, Target, AdverseEventTerm],
    "02_citations.json": [Citation, CitationLink],
    "03_drugs.json": [Drug, *DRUG_ROW_MODELS],
    "04_trials.json": [Trial, TrialPublication, Arm, Intervention, Outcome, TrialAdverseEvent],
}


def _sort_key(model: type[models.Model]) -> Callable[[models.Model], tuple]:
    """A stable order for a model's rows that does not depend on database ids."""
    if hasattr(model, "natural_key"):
        return lambda row: row.natural_key()
    if model is CitationLink:
        return lambda row: (row.citing.key, row.position or 0, row.cited.key)
    if model is TrialPublication:
        return lambda row: (row.trial.slug, row.citation.key)
    if model is Intervention:
        return lambda row: (row.arm.trial.slug, row.arm.position, row.arm.label, row.pk)
    if model is MonographSection:
        return lambda row: (row.drug.slug, row.position, row.kind)
    parent = "trial" if model in (Arm, Outcome, TrialAdverseEvent) else "drug"
    return lambda row: (getattr(row, parent).slug, getattr(row, "position", 0), row.seed_key)


def _with_relations(model: type[models.Model]) -> models.QuerySet:
    """Rows with what their natural keys need, fetched in a few queries instead of one a row."""
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    if model is Intervention:
        related.append("arm__trial")
    many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    return model.objects.select_related(*related).prefetch_related(*many)


def _dumped(
    model: type[models.Model], report: LoadReport, arm_ids: dict[int, int]
) -> list[dict[str, Any]]:
    rows = sorted(_with_relations(model).filter(pk__in=report.row_pks[model]), key=_sort_key(model))
    dumped = serializers.serialize(
        "python", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    numbered = not hasattr(model, "natural_key")
    for number, (row, entry) in enumerate(zip(rows, dumped, strict=True), start=1):
        if numbered:
            entry["pk"] = number
            if model is Arm:
                arm_ids[row.pk] = number
        fields = entry["fields"]
        for name, value in ROOT_DEFAULTS.items():
            if name in fields:
                fields[name] = value
        for name in ("arm", "comparator_arm"):
            if fields.get(name) is not None:
                fields[name] = arm_ids[fields[name]]
    return dumped


def fixtures_render(*, seeds_dir: Path | None = None) -> dict[str, str]:
    """The fixture files' contents, by file name, built from every file under seeds/."""
    plan = seeds_plan(seeds_dir=seeds_dir, database_references=False)
    rendered: dict[str, str] = {}
    with transaction.atomic():
        report = seeds_load(plan=plan, publish=False, record_events=False)
        arm_ids: dict[int, int] = {}
        for name, file_models in FIXTURE_FILES.items():
            entries = [entry for model in file_models for entry in _dumped(model, report, arm_ids)]
            text = json.dumps(entries, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False)
            rendered[name] = text + "\n"
        transaction.set_rollback(True)
    return rendered


def fixtures_write(*, output_dir: Path, seeds_dir: Path | None = None) -> list[Path]:
    """Write the fixture files, replacing any stale ones; returns the paths written."""
    rendered = fixtures_render(seeds_dir=seeds_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    for stale in output_dir.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
    written = []
    for name, text in rendered.items():
        path = output_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

"""The seeded content of the database as plain data, free of ids and timestamps.

Two databases hold the same content when their snapshots are equal, however their rows
were numbered: foreign keys are replaced by natural keys (an arm by its trial and label).
"""

import json
from typing import Any

from django.core import serializers
from django.db import models

from monographs.seeding.fixtures import FIXTURE_FILES, ROOT_DEFAULTS
from trials.models import Arm

CONTENT_MODELS: list[type[models.Model]] = [
    model for file_models in FIXTURE_FILES.values() for model in file_models
]


def content_snapshot() -> dict[str, list[str]]:
    arms = {arm.pk: [arm.trial.slug, arm.label] for arm in Arm.objects.select_related("trial")}
    snapshot: dict[str, list[str]] = {}
    for model in CONTENT_MODELS:
        related = [f.name for f in model._meta.concrete_fields if f.is_relation]
        rows = serializers.serialize(
            "python",
            model.objects.select_related(*related),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        canonical = []
        for row in rows:
            fields: dict[str, Any] = row["fields"]
            for name in ROOT_DEFAULTS:
                fields.pop(name, None)
            for name in ("arm", "comparator_arm"):
                if fields.get(name) is not None:
                    fields[name] = arms[fields[name]]
            canonical.append(json.dumps(fields, sort_keys=True, default=str))
        snapshot[model._meta.label] = sorted(canonical)
    return snapshot


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in CONTENT_MODELS}

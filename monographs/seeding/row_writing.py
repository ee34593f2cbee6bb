"""Writing a seed plan's rows: each found by its identity, created, or updated where it differs."""

from decimal import Decimal
from typing import Any

from django.db import models

from monographs.editorial import registry
from monographs.editorial.identity import seeded_uid
from monographs.models import Drug
from monographs.models.base import StatedPrecision, places_of
from monographs.seeding.plans import (
    REFERENCE_MODELS,
    PlannedRow,
    Ref,
)
from monographs.seeding.schema import Reference
from trials.models import Arm, Intervention, Trial

ROOT_MODELS = {Reference.DRUG: Drug, Reference.TRIAL: Trial}
INTERVENTION_FIELDS = ("drug", "name", "dose", "frequency", "route")


class Resolver:
    """Natural keys to rows: filled as rows are written, falling back to the database."""

    def __init__(self) -> None:
        self.rows: dict[Ref, models.Model] = {}

    def remember(self, ref: Ref | None, instance: models.Model) -> None:
        if ref is not None:
            self.rows[ref] = instance

    def get(self, ref: Ref) -> models.Model:
        if ref not in self.rows:
            if ref.kind == Reference.ARM:
                trial, label = ref.key
                self.rows[ref] = Arm.objects.get(
                    trial=self.get(Ref(Reference.TRIAL, trial)), label=label
                )
            else:
                model, key_field = REFERENCE_MODELS[ref.kind]
                self.rows[ref] = model.objects.get(**{key_field: ref.key})
        return self.rows[ref]

    def value(self, value: Any) -> Any:
        return self.get(value) if isinstance(value, Ref) else value


def _differs(instance: models.Model, name: str, wanted: Any) -> bool:
    model_field = instance._meta.get_field(name)
    current = getattr(instance, model_field.attname)
    if model_field.is_relation:
        return current != (wanted.pk if wanted is not None else None)
    return current != wanted


def _identity_key(model: type[models.Model], identity: dict[str, Any]) -> tuple:
    """An identity as plain values (ids for relations), to match rows fetched in bulk."""
    key = []
    for name, value in sorted(identity.items()):
        if model._meta.get_field(name).is_relation:
            value = value.pk if value is not None else None
        key.append(value)
    return tuple(key)


def existing_rows(
    model: type[models.Model], rows: list[PlannedRow], resolver: Resolver
) -> dict[tuple, models.Model]:
    """The stored rows the planned ones may match, fetched in one query per model."""
    names = sorted(rows[0].identity)
    lookups = {}
    for name in names:
        values = {resolver.value(row.identity[name]) for row in rows}
        if model._meta.get_field(name).is_relation:
            lookups[f"{name}__in"] = [value.pk for value in values]
        else:
            lookups[f"{name}__in"] = list(values)
    existing: dict[tuple, models.Model] = {}
    for instance in model.objects.filter(**lookups).order_by():
        key = tuple(getattr(instance, model._meta.get_field(name).attname) for name in names)
        existing.setdefault(key, instance)
    return existing


def row_write(
    row: PlannedRow, resolver: Resolver, existing: dict[tuple, models.Model]
) -> tuple[models.Model, str]:
    identity = {name: resolver.value(value) for name, value in row.identity.items()}
    values = {name: resolver.value(value) for name, value in row.values.items()}
    if issubclass(row.model, StatedPrecision):
        values["stated_places"] = _stated_places(values)
    instance = existing.get(_identity_key(row.model, identity))
    if instance is None:
        instance = row.model(**identity, **values)
        if row.model in ROOT_MODELS.values():
            instance.uid = seeded_uid(kind=registry.kind_of(instance), slug=instance.slug)
        instance.save()
        outcome = "created"
    else:
        changed = [name for name, value in values.items() if _differs(instance, name, value)]
        for name in changed:
            setattr(instance, name, values[name])
        if changed:
            instance.save()
        outcome = "changed" if changed else "unchanged"
    if _many_write(row, instance, resolver) and outcome == "unchanged":
        outcome = "changed"
    if (
        row.model is Arm
        and _interventions_write(row, instance, resolver)
        and outcome == "unchanged"
    ):
        outcome = "changed"
    return instance, outcome


def _stated_places(values: dict[str, Any]) -> dict[str, int]:
    """The places of each figure written with trailing zeros in the YAML (8.0, 2.50).

    A figure without them reads the same from the stored decimal, so only these are kept.
    """
    return {
        name: places_of(value)
        for name, value in sorted(values.items())
        if isinstance(value, Decimal) and places_of(value) > places_of(value.normalize())
    }


def _many_write(row: PlannedRow, instance: models.Model, resolver: Resolver) -> bool:
    changed = False
    for name, refs in row.many.items():
        wanted = {resolver.get(ref).pk for ref in refs}
        manager = getattr(instance, name)
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(wanted)
            changed = True
    return changed


def _interventions_write(row: PlannedRow, arm: Arm, resolver: Resolver) -> bool:
    """Interventions are an arm's value: when any differs, the arm's list is written afresh."""
    wanted = [
        tuple(
            resolver.value(values[name]).pk if name == "drug" and values[name] else values[name]
            for name in INTERVENTION_FIELDS
        )
        for _record, values in row.interventions
    ]
    current = list(
        Intervention.objects.filter(arm=arm)
        .order_by("id")
        .values_list("drug_id", "name", "dose", "frequency", "route")
    )
    if current == wanted:
        return False
    Intervention.objects.filter(arm=arm).delete()
    Intervention.objects.bulk_create(
        Intervention(
            arm=arm, drug_id=drug_id, name=name, dose=dose, frequency=frequency, route=route
        )
        for drug_id, name, dose, frequency, route in wanted
    )
    return True

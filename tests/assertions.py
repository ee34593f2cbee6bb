"""Assertions shared by the model tests: the database itself refuses a row."""

import pytest
from django.db import IntegrityError, transaction


def assert_insert_refused(factory_class, **values) -> None:
    """Creating the row (no model validation runs) is refused and nothing is added.

    Related rows the factory makes on the way are rolled back with it.
    """
    model = factory_class._meta.model
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        factory_class(**values)
    assert model.objects.count() == before


def assert_update_refused(instance, **values) -> None:
    """A queryset update (which skips save() and validation) is refused; the row is unchanged."""
    model = type(instance)
    before = model.objects.count()
    stored = {field: getattr(instance, field) for field in values}
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=instance.pk).update(**values)
    instance.refresh_from_db()
    assert {field: getattr(instance, field) for field in values} == stored
    assert model.objects.count() == before


def assert_update_accepted(instance, **values) -> None:
    """A queryset update stores exactly the given values."""
    model = type(instance)
    assert model.objects.filter(pk=instance.pk).update(**values) == 1
    instance.refresh_from_db()
    assert {field: getattr(instance, field) for field in values} == values

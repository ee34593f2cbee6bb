"""Read tables: every publish writes each of their indexes, so none may repeat another."""

import pytest
from django.db import connection

from monographs.api.models import (
    PublishedAdverseEvent,
    PublishedCitation,
    PublishedDocument,
    PublishedTrialDrug,
    PublishedTrialListing,
)

pytestmark = pytest.mark.django_db

READ_TABLES = (
    PublishedAdverseEvent,
    PublishedCitation,
    PublishedDocument,
    PublishedTrialDrug,
    PublishedTrialListing,
)


def indexed_columns(model) -> list[tuple[str, ...]]:
    """The leading columns of each index (unique constraints and the primary key included)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        tuple(details["columns"])
        for details in constraints.values()
        if (details["index"] or details["unique"] or details["primary_key"])
        and details["columns"]
        # PostgreSQL's varchar_pattern_ops copy of an index is for LIKE and counts as its own.
        and not any("pattern_ops" in option for option in details.get("options") or [])
    ]


@pytest.mark.parametrize("model", READ_TABLES, ids=lambda model: model.__name__)
def test_no_index_repeats_another_or_the_start_of_another(model):
    indexes = indexed_columns(model)

    repeated = [
        (shorter, longer)
        for position, shorter in enumerate(indexes)
        for other, longer in enumerate(indexes)
        if position != other
        and longer[: len(shorter)] == shorter
        and (len(shorter) < len(longer) or position > other)
    ]

    assert repeated == []

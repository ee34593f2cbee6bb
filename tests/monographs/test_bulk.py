"""rows_insert: COPY on PostgreSQL, bulk_create elsewhere, and the same rows either way."""

import random
from typing import Any

import pytest
from django.db import connection, models, transaction
from django.db.models import JSONField, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monographs.api.models import PublishedAdverseEvent
from monographs.bulk import rows_insert
from monographs.editorial.models import EditorialEvent
from monographs.loadtest.synthetic.drugs import Vocabulary
from monographs.loadtest.synthetic.trials import trial_plan
from monographs.models import Citation, Drug
from monographs.publishing.models import Publication
from tests.factories import (
    AdverseEventTermFactory,
    ConditionFactory,
    DrugFactory,
    TargetFactory,
)
from tests.performance.conftest import without_ids
from trials.documents import build_trial_document
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication

pytestmark = pytest.mark.django_db

TRIAL_TABLES = (Citation, Trial, Arm, TrialPublication, Intervention, Outcome, TrialAdverseEvent)


def copy_values(model, rows):
    """rows_insert as the generator calls it: the rows nothing reads back as field values."""
    rows_insert(model=model, rows=rows)


def copy_instances(model, rows):
    rows_insert(model=model, rows=[model(**row) if isinstance(row, dict) else row for row in rows])


def orm_insert(model, rows):
    model.objects.bulk_create([model(**row) if isinstance(row, dict) else row for row in rows])


def stored(model: type[models.Model], trial: Trial) -> list[dict[str, Any]]:
    """A trial's rows as stored, without keys or times, which differ from write to write."""
    kept = [
        field.attname
        for field in model._meta.concrete_fields
        if not (field.primary_key or field.is_relation or isinstance(field, models.DateTimeField))
    ]
    owner = {Citation: "trial_publications__trial_id", Trial: "pk", Intervention: "arm__trial_id"}
    rows = model.objects.filter(**{owner.get(model, "trial_id"): trial.pk}).order_by("pk")
    return list(rows.values(*kept))


@pytest.fixture
def vocabulary() -> Vocabulary:
    return Vocabulary(
        conditions=[ConditionFactory()],
        targets=[TargetFactory()],
        terms=[AdverseEventTermFactory() for _ in range(6)],
    )


def written_trial(insert, drug: Drug, vocabulary: Vocabulary) -> tuple[dict[str, list], dict]:
    """Write one synthetic trial, its unsaved rows pointing at each other, with `insert`;
    return its rows and document as stored, then roll the write back."""
    plan = trial_plan(
        random.Random(7),
        index=1,
        drugs=[drug],
        conditions=vocabulary.conditions,
        vocabulary=vocabulary,
    )
    by_model = {
        Citation: [plan.citation],
        Trial: [plan.trial],
        Arm: plan.arms,
        **{model: [v for m, v in plan.rows if m is model] for model in TRIAL_TABLES[3:]},
    }
    with transaction.atomic():
        for model in TRIAL_TABLES:
            insert(model, by_model[model])
        saved = [plan.citation, plan.trial, *plan.arms]
        assert all(row.pk and not row._state.adding for row in saved)
        rows = {model.__name__: stored(model, plan.trial) for model in TRIAL_TABLES}
        document = without_ids(build_trial_document(plan.trial))
        transaction.set_rollback(True)
    return rows, document


@pytest.mark.parametrize("insert", [copy_values, copy_instances])
def test_rows_insert_stores_what_bulk_create_stores(insert, vocabulary):
    drug = DrugFactory()
    copied_rows, copied_document = written_trial(insert, drug, vocabulary)
    created_rows, created_document = written_trial(orm_insert, drug, vocabulary)

    assert copied_rows == created_rows
    assert all(copied_rows.values())
    assert copied_document == created_document
    assert copied_document["arms"] and copied_document["outcomes"]
    assert copied_document["adverse_events"][0]["term"]["slug"]


def test_rows_insert_sets_automatic_times_and_keeps_given_keys():
    trial = Trial(slug="kept", title="Kept", nct_id="NCT09999999", phase="3", design="single_arm")
    trial.pk = 424242

    rows_insert(model=Trial, rows=[trial])
    event = rows_insert(model=EditorialEvent, rows=[EditorialEvent(kind="trial", root_id=1)])[0]

    stored_trial = Trial.objects.get(pk=424242)
    assert stored_trial.created_at is not None and stored_trial.updated_at is not None
    assert EditorialEvent.objects.get(pk=event.pk).created_at == event.created_at


def test_rows_insert_is_one_statement_per_call_on_postgresql():
    terms = [AdverseEventTermFactory() for _ in range(3)]
    trial = Trial.objects.create(slug="one", title="One", phase="3", design="single_arm")
    rows = [TrialAdverseEvent(trial=trial, term=term, position=n) for n, term in enumerate(terms)]
    rows_insert(model=TrialAdverseEvent, rows=rows[:1])  # the table's sequence is now known

    with CaptureQueriesContext(connection) as captured:
        rows_insert(model=TrialAdverseEvent, rows=rows[1:])

    statements = [query["sql"] for query in captured.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 2  # the keys, then the COPY
        assert statements[-1].startswith('COPY "trials_trialadverseevent"')
    else:
        assert len(statements) == 1 and statements[0].startswith("INSERT")
    assert sorted(TrialAdverseEvent.objects.values_list("pk", flat=True)) == sorted(
        row.pk for row in rows
    )


def test_json_is_stored_as_json_none_as_null_and_encoded_text_as_given():
    publication = Publication.objects.create(
        kind="drug",
        root_id=1,
        slug="x",
        title="X",
        version=1,
        schema_version=1,
        document={},
        published_at=timezone.now(),
    )
    rows = [
        PublishedAdverseEvent(publication=publication, sort_key="a", source={"citation": "k"}),
        PublishedAdverseEvent(publication=publication, sort_key="b", source=None),
        PublishedAdverseEvent(
            publication=publication, sort_key="c", source=Value(None, output_field=JSONField())
        ),
    ]
    document = {"slug": "y", "title": "Ünïcode", "list": [1, 2.5, None]}
    encoded = Publication(
        kind="drug",
        root_id=2,
        slug="y",
        title="Y",
        version=1,
        schema_version=1,
        document=document,
        published_at=timezone.now(),
    )

    rows_insert(model=PublishedAdverseEvent, rows=rows)
    rows_insert(
        model=Publication, rows=[encoded], encoded={"document": lambda p: p.canonical_document}
    )

    sources = PublishedAdverseEvent.objects.order_by("sort_key")
    assert list(sources.values_list("source", flat=True)) == [{"citation": "k"}, None, None]
    assert list(sources.filter(source__isnull=True).values_list("sort_key", flat=True)) == ["b"]
    assert Publication.objects.get(pk=encoded.pk).document == document


def test_rows_insert_refuses_what_bulk_create_refuses():
    unsaved = Trial(slug="unsaved", title="Unsaved", phase="3", design="single_arm")

    with pytest.raises(ValueError):
        rows_insert(model=Arm, rows=[Arm(trial=unsaved, label="A")])
    with pytest.raises(ValueError):
        rows_insert(model=Arm, rows=[{"trial": unsaved, "label": "A"}])
    with pytest.raises(ValueError, match="no field lable"):
        rows_insert(model=Arm, rows=[{"trial_id": 1, "lable": "A"}])
    with pytest.raises(ValueError, match="no column for documnet"):
        rows_insert(model=Publication, rows=[], encoded={"documnet": str})

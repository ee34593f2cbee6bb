"""Trial documents: alone or by the hundred, the same document in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ArmFactory, DrugFactory, OutcomeFactory
from tests.site.corpus import trial_with_results
from trials.documents import build_trial_document, build_trial_documents
from trials.models import Trial

pytestmark = pytest.mark.django_db


def test_a_batch_of_documents_is_each_document_built_alone():
    drugs = [DrugFactory(), DrugFactory()]
    trials = [trial_with_results(drugs=drugs), trial_with_results(drugs=drugs[:1])]

    documents = build_trial_documents(Trial.objects.all())

    assert documents == {trial.pk: build_trial_document(trial) for trial in trials}
    document = documents[trials[0].pk]
    assert [d["slug"] for d in document["drugs"]] == sorted(d.slug for d in drugs)
    assert [arm["label"] for arm in document["arms"]] == ["Sorafenib", "Placebo"]
    assert document["arms"][0]["interventions"][0]["drug"]["slug"] in {d.slug for d in drugs}
    assert document["outcomes"][0]["comparator_arm"] == "Placebo"
    assert document["adverse_events"][0]["arm"] == "Sorafenib"
    assert document["references"][0]["number"] == 1


def test_documents_cost_the_same_queries_for_one_trial_or_many():
    drug = DrugFactory()
    trial_with_results(drugs=[drug])
    with CaptureQueriesContext(connection) as one:
        build_trial_documents(Trial.objects.all())
    for _ in range(4):
        trial_with_results(drugs=[drug])

    with CaptureQueriesContext(connection) as five:
        documents = build_trial_documents(Trial.objects.all())

    assert len(documents) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_an_outcome_may_name_an_arm_of_another_trial():
    trial = trial_with_results(drugs=[DrugFactory()])
    elsewhere = ArmFactory(label="Pooled control arm")
    OutcomeFactory(trial=trial, arm=elsewhere, comparator_arm=None)

    document = build_trial_document(trial)

    assert document["outcomes"][-1]["arm"] == "Pooled control arm"

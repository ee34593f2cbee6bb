"""A trial's default source stands for every arm, outcome and adverse event that names none,
as a drug's does for its rows; the editor sees on each row which source it inherits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monographs.editorial.documents import document_hash
from tests.factories import (
    ArmFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
    OutcomeFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    UserFactory,
)
from trials.documents import build_trial_document
from trials.models import Outcome
from trials.restore import trial_restore_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial():
    """Rows without a source under a trial with a default; one outcome with its own."""
    report, own = CitationFactory(key="sharp-2008"), CitationFactory(key="sharp-update-2012")
    trial = TrialFactory(default_citation=report)
    arm = ArmFactory(trial=trial, citation=None)
    OutcomeFactory(trial=trial, arm=arm, citation=None, position=0)
    OutcomeFactory(trial=trial, arm=arm, citation=own, position=1)
    TrialAdverseEventFactory(trial=trial, arm=arm, citation=None)
    return trial


def test_rows_take_the_trials_default_and_keep_their_own(trial):
    document = build_trial_document(trial)

    inherited, kept = (outcome["source"] for outcome in document["outcomes"])
    assert (inherited["citation"], inherited["inherited"]) == ("sharp-2008", True)
    assert kept["citation"] == "sharp-update-2012" and "inherited" not in kept
    assert document["arms"][0]["source"]["inherited"] is True
    assert document["adverse_events"][0]["source"]["citation"] == "sharp-2008"
    assert document["default_source"] == "sharp-2008"
    cited = {r["key"]: r["number"] for r in document["references"]}
    assert inherited["number"] == cited["sharp-2008"]


def test_a_trial_without_a_default_is_unchanged_by_it():
    plain = TrialFactory()
    OutcomeFactory(trial=plain, citation=None)
    document = build_trial_document(plain)

    assert "default_source" not in document
    assert document["outcomes"][0]["source"] is None
    assert document_hash(document) == document_hash(build_trial_document(plain))


def test_restoring_keeps_inherited_sources_inherited(trial):
    document = build_trial_document(trial)
    Outcome.objects.filter(trial=trial).update(citation=CitationFactory(key="later"))
    trial.default_citation = None
    trial.save()

    trial_restore_document(trial=trial, document=document)

    trial.refresh_from_db()
    assert trial.default_citation.key == "sharp-2008"
    assert Outcome.objects.filter(trial=trial, citation__isnull=True).count() == 1
    assert build_trial_document(trial) == document | {
        "outcomes": build_trial_document(trial)["outcomes"]
    }


def test_each_row_in_the_editor_shows_the_source_it_inherits(client, trial):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = reverse("admin:trials_trial_change_part", args=[trial.pk, "outcomes"])
    client.get(page)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(page).content.decode()

    inherits = 'data-placeholder="inherits sharp-2008 (default source)"'
    assert html.count(inherits) == 3  # each row's box (one names its own) and a new row's
    trial.default_citation = None
    trial.save()
    assert 'data-placeholder="no source: cite one"' in client.get(page).content.decode()
    assert len(queries) <= 40


def test_a_drug_row_shows_its_sections_default_before_the_drugs(client):
    drug = DrugFactory(default_citation=CitationFactory(key="label-2020"))
    MonographSectionFactory(
        drug=drug, kind="adverse_events", default_citation=CitationFactory(key="ae-pool")
    )
    DrugAdverseEventFactory(drug=drug, citation=None)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get(
        reverse("admin:monographs_drug_change_part", args=[drug.pk, "adverse-events"])
    ).content.decode()

    assert "inherits ae-pool (default source)" in html and "label-2020" not in html


def test_an_inherited_source_counts_for_the_figures_check(trial):
    from trials.checks import trial_checks

    def unsourced() -> list[str]:
        findings = trial_checks(build_trial_document(trial))
        return [f.where for f in findings if f.code == "figure_without_source"]

    assert unsourced() == []
    trial.default_citation = None
    trial.save()
    assert sorted(unsourced()) == ["Adverse event row 1", "Arm row 1", "Outcome row 1"]

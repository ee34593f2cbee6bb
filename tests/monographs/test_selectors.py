"""drug_trials: the trials a monograph page lists, read in order from the studied-drug index,
with the parts of their documents the page shows."""

import datetime
import importlib

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from monographs.api.models import PublishedTrialDrug
from monographs.editorial.roles import REVIEWER
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry
from monographs.selectors import DRUG_PAGE_TRIAL_MEMBERS, drug_trials
from tests.factories import UserFactory
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db


def reviewer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER))
    return user


def dated_trial(drugs, title: str, start: datetime.date | None):
    return published_trial(drugs=drugs, title=title, start_date=start, end_date=None)


def titles(trials) -> list[str]:
    return [trial.title for trial in trials]


@pytest.fixture
def drug():
    return published_drug(inn="sorafenib", slug="sorafenib")


def test_latest_started_first_then_title_and_undated_last(drug):
    for title, start in (
        ("Alpha", datetime.date(2015, 3, 1)),
        ("Beta", datetime.date(2019, 6, 1)),
        ("Gamma", datetime.date(2019, 6, 1)),
        ("Delta", None),
        ("Epsilon", datetime.date(2019, 1, 1)),
    ):
        dated_trial([drug], title, start)
    dated_trial([published_drug()], "Other drug", None)

    assert titles(drug_trials(slug="sorafenib")) == ["Gamma", "Beta", "Epsilon", "Alpha", "Delta"]
    assert titles(drug_trials(slug="sorafenib", limit=2)) == ["Gamma", "Beta"]
    assert drug_trials(slug="no-such-drug") == []


def test_only_the_current_version_of_a_live_trial_counts(drug):
    other = published_drug()
    moved = dated_trial([drug], "Moved", datetime.date(2020, 1, 1))
    dated_trial([drug, other], "Kept", datetime.date(2018, 1, 1))
    withdrawn = dated_trial([drug], "Withdrawn", datetime.date(2022, 1, 1))
    moved.drugs.set([other])
    root_import_publish(root=moved, note="Drug corrected")
    root_withdraw(root=withdrawn, user=reviewer(), reason="Retracted by the sponsor.")

    assert titles(drug_trials(slug="sorafenib")) == ["Kept"]
    assert titles(drug_trials(slug=other.slug)) == ["Moved", "Kept"]
    assert drug_trials(slug="sorafenib")[0].document_members["title"] == "Kept"


def test_each_trial_comes_with_the_members_a_drug_page_shows_not_its_whole_document(
    drug, django_assert_num_queries
):
    trial = dated_trial([drug], "Results", datetime.date(2020, 1, 1))
    document = Entry.objects.get(kind="trial", slug=trial.slug).current.document

    with django_assert_num_queries(1):
        [listed] = drug_trials(slug="sorafenib", named=["sorafenib"])
        members = listed.document_members

    # SQLite's JSON_EXTRACT gives a string that reads as a number (phase "3") as the number.
    assert {**members, "phase": str(members["phase"])} == {
        member: document.get(member) for member in DRUG_PAGE_TRIAL_MEMBERS
    }
    assert members["outcomes"] == document["outcomes"] != []
    assert "document" in listed.current.get_deferred_fields()


def test_a_trial_publication_indexes_each_drug_once(drug):
    trial = dated_trial([drug], "Dated", datetime.date(2021, 5, 4))

    rows = PublishedTrialDrug.objects.filter(publication__slug=trial.slug)
    assert list(rows.values_list("drug_slug", "start_date", "title")) == [
        ("sorafenib", "2021-05-04", trial.title)
    ]
    assert not PublishedTrialDrug.objects.filter(publication__kind="drug").exists()


def test_the_migration_indexes_trials_published_before_it(drug):
    dated_trial([drug], "Earlier", datetime.date(2012, 1, 1))
    dated_trial([drug], "Later", datetime.date(2016, 1, 1))
    expected = sorted(PublishedTrialDrug.objects.values_list("publication", "drug_slug"))
    PublishedTrialDrug.objects.all().delete()

    migration = importlib.import_module("monographs.api.migrations.0003_published_trial_drugs")
    state = MigrationLoader(connection).project_state(("public_api", "0003_published_trial_drugs"))
    migration.fill_from_existing_publications(state.apps, None)

    assert sorted(PublishedTrialDrug.objects.values_list("publication", "drug_slug")) == expected
    assert titles(drug_trials(slug="sorafenib")) == ["Later", "Earlier"]

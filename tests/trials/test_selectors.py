"""The trial list's order and its filter options, read from live publications only."""

import datetime
import importlib

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from monographs.api.models import PublishedTrialListing
from monographs.editorial.roles import REVIEWER
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry
from tests.factories import UserFactory
from tests.site.corpus import published_drug, published_trial
from trials.models import Trial
from trials.selectors import (
    TRIAL_LIST_MEMBERS,
    trial_count,
    trial_filter_options,
    trial_list,
    trial_list_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sorafenib():
    return published_drug(inn="sorafenib", slug="sorafenib")


def reviewer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER))
    return user


def dated_trial(drugs, title: str, start: datetime.date | None, **values) -> Trial:
    return published_trial(drugs=drugs, title=title, start_date=start, end_date=None, **values)


def test_latest_started_first_then_title_and_undated_last(sorafenib):
    for title, start in (
        ("beta", datetime.date(2019, 6, 1)),
        ("Alpha", datetime.date(2019, 1, 1)),
        ("Delta", None),
        ("Gamma", datetime.date(2012, 3, 1)),
        ("Epsilon", datetime.date(2021, 1, 1)),
    ):
        dated_trial([sorafenib], title, start)

    assert [entry.title for entry in trial_list(facets={})] == [
        "Epsilon",
        "Alpha",
        "beta",
        "Gamma",
        "Delta",
    ]


def test_filters_keep_the_order(sorafenib):
    other = published_drug(inn="lenvatinib", slug="lenvatinib")
    dated_trial([sorafenib], "Older", datetime.date(2010, 1, 1))
    dated_trial([sorafenib, other], "Newer", datetime.date(2020, 1, 1))
    dated_trial([other], "Elsewhere", datetime.date(2022, 1, 1))

    assert [entry.title for entry in trial_list(facets={"drug": "sorafenib"})] == [
        "Newer",
        "Older",
    ]


def test_options_count_live_trials_and_label_drugs_by_their_published_name(sorafenib):
    other = published_drug(inn="lenvatinib", slug="lenvatinib")
    dated_trial([sorafenib], "One", None, phase=Trial.Phase.PHASE_3)
    dated_trial([sorafenib, other], "Two", None, phase=Trial.Phase.PHASE_3)
    withdrawn = dated_trial([other], "Gone", None, phase=Trial.Phase.PHASE_2)
    root_withdraw(root=withdrawn, user=reviewer(), reason="Entered twice.")

    options = trial_filter_options()

    assert [(option.label, option.entries) for option in options["drug"]] == [
        ("Lenvatinib", 1),
        ("Sorafenib", 2),
    ]
    assert [(option.value, option.entries) for option in options["phase"]] == [
        (Trial.Phase.PHASE_3, 2)
    ]
    assert sum(option.entries for option in options["condition"]) == 2


def test_each_trial_publication_has_its_place_in_the_list(sorafenib):
    trial = dated_trial([sorafenib], "Zeta Study", datetime.date(2019, 6, 1))
    dated_trial([sorafenib], "Undated", None)
    trial.title = "Alpha Study"
    trial.save()
    root_import_publish(root=trial, note="Retitled")

    rows = PublishedTrialListing.objects.order_by("publication_id")
    assert list(rows.values_list("start_year", "sort_title")) == [
        ("2019", "zeta study"),
        ("", "undated"),
        ("2019", "alpha study"),
    ]
    assert not PublishedTrialListing.objects.filter(publication__kind="drug").exists()
    assert [entry.title for entry in trial_list(facets={})] == ["Alpha Study", "Undated"]


def test_the_migration_lists_trials_published_before_it(sorafenib):
    for title, start in (("Earlier", datetime.date(2012, 1, 1)), ("Later", None)):
        dated_trial([sorafenib], title, start)
    listed = PublishedTrialListing.objects.values_list("publication", "start_year")
    expected = sorted(listed)
    PublishedTrialListing.objects.all().delete()
    assert list(trial_list(facets={})) == []

    migration = importlib.import_module("monographs.api.migrations.0005_published_trial_listing")
    listing = ("public_api", "0005_published_trial_listing")
    state = MigrationLoader(connection).project_state(listing)
    migration.fill_from_existing_publications(state.apps, None)

    assert sorted(listed.all()) == expected
    assert [entry.title for entry in trial_list(facets={})] == ["Earlier", "Later"]


def test_a_page_of_trials_shows_some_members_of_each_document_not_all_of_it(
    sorafenib, django_assert_num_queries
):
    for title, year in (("One", 2010), ("Two", 2011), ("Three", 2012)):
        dated_trial([sorafenib], title, datetime.date(year, 1, 1))

    with django_assert_num_queries(1):
        page = trial_list_page(trial_list(facets={"drug": "sorafenib"})[1:3])

    assert [entry.title for entry in page] == ["Two", "One"]
    for entry in page:
        document = Entry.objects.get(pk=entry.pk).current.document
        members = entry.document_members
        # SQLite's JSON_EXTRACT gives a string that reads as a number (phase "3") as the number.
        assert {**members, "phase": str(members["phase"])} == {
            member: document.get(member) for member in TRIAL_LIST_MEMBERS
        }
        assert "document" in entry.current.get_deferred_fields()
    assert page[-1].document_members["conditions"] == document["conditions"] != []


def test_the_count_is_of_live_trials_with_every_chosen_value(sorafenib):
    other = published_drug(inn="lenvatinib", slug="lenvatinib")
    dated_trial([sorafenib], "One", None, phase=Trial.Phase.PHASE_3)
    dated_trial([sorafenib, other], "Two", None, phase=Trial.Phase.PHASE_2)
    withdrawn = dated_trial([sorafenib], "Gone", None, phase=Trial.Phase.PHASE_3)
    root_withdraw(root=withdrawn, user=reviewer(), reason="Entered twice.")

    for facets, expected in (
        ({}, 2),
        ({"drug": "sorafenib"}, 2),
        ({"drug": "sorafenib", "phase": Trial.Phase.PHASE_3}, 1),
        ({"drug": "lenvatinib", "phase": Trial.Phase.PHASE_3}, 0),
    ):
        assert trial_count(facets=facets) == expected == trial_list(facets=facets).count()

"""The trial list's order and its filter options, read from live publications only."""

import datetime

import pytest
from django.contrib.auth.models import Group

from monographs.editorial.roles import REVIEWER
from monographs.editorial.services import root_withdraw
from tests.factories import UserFactory
from tests.site.corpus import published_drug, published_trial
from trials.models import Trial
from trials.selectors import trial_filter_options, trial_list

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

"""Quality checks of a trial document: a percentage must agree with its count and denominator."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monographs.figures import rounding_tolerance
from tests.factories import (
    AdverseEventTermFactory,
    ArmFactory,
    OutcomeFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    UserFactory,
)
from trials.checks import trial_checks
from trials.documents import build_trial_document

pytestmark = pytest.mark.django_db

CODE = "percent_disagrees_with_count"


def percent_findings(trial):
    findings = trial_checks(build_trial_document(trial), drug_slugs=set())
    return [f for f in findings if f.code == CODE]


@pytest.fixture
def trial():
    trial = TrialFactory()
    ArmFactory(trial=trial, label="Sorafenib", participants=467)
    return trial


def an_adverse_event(trial, **figures):
    return TrialAdverseEventFactory(
        trial=trial,
        arm=trial.arms.get(),
        term=AdverseEventTermFactory(name="Hand-foot skin reaction"),
        **figures,
    )


@pytest.mark.parametrize(
    ("stated", "tolerance"),
    [(18, "0.5"), (17.6, "0.05"), (17.56, "0.005"), (Decimal("71"), "0.5"), (0.5, "0.05")],
)
def test_the_tolerance_is_half_a_unit_of_the_figure_as_stated(stated, tolerance):
    assert rounding_tolerance(stated) == Decimal(tolerance)


def test_a_percentage_that_is_not_the_count_over_the_denominator_is_a_warning(trial):
    an_adverse_event(trial, count=82, denominator=467, percent=Decimal("71"))

    (finding,) = percent_findings(trial)

    assert finding.level == "warning"
    assert finding.message.startswith("The percentage 71 % does not match 82/467, which is 17.6 %")
    assert "Hand-foot skin reaction" in finding.where and "Sorafenib" in finding.where


@pytest.mark.parametrize("stated", ["17.6", "18", "17.56"])
def test_the_percentage_rounded_as_the_source_rounds_it_passes(trial, stated):
    an_adverse_event(trial, count=82, denominator=467, percent=Decimal(stated))

    assert percent_findings(trial) == []


@pytest.mark.parametrize(
    "figures",
    [
        {"count": None, "denominator": 467, "percent": Decimal("71")},
        {"count": 82, "denominator": None, "percent": Decimal("71")},
        {
            "count": 82,
            "denominator": 467,
            "percent": None,
            "percent_high": Decimal("8"),
            "percent_bound": "le",
        },
        {"count": 82, "denominator": 467, "percent": Decimal("5"), "percent_high": Decimal("8")},
    ],
)
def test_nothing_is_compared_without_all_three_figures_or_for_a_range(trial, figures):
    an_adverse_event(trial, **figures)

    assert percent_findings(trial) == []


def test_an_outcome_in_percent_is_checked_against_its_count_too(trial):
    OutcomeFactory(
        trial=trial,
        arm=trial.arms.get(),
        measure="ORR",
        value=Decimal("25"),
        unit="%",
        count=7,
        denominator=299,
        ci_low=None,
        ci_high=None,
    )

    (finding,) = percent_findings(trial)

    assert "The value 25 % does not match 7/299, which is 2.3 %" in finding.message


def test_the_warning_is_shown_on_the_trial_edit_page(client, trial):
    an_adverse_event(trial, count=82, denominator=467, percent=Decimal("71"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:trials_trial_change", args=(trial.pk,)))

    assert "The percentage 71 % does not match 82/467" in response.content.decode()

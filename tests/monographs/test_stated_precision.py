"""Figures keep the decimal places typed in the admin: 8.0 stays 8.0, not 8.0000 or 8."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from monographs.models import Drug, DrugAdverseEvent, PharmacokineticParameter
from monographs.models.base import as_stated
from tests.admin_forms import change_form_data
from tests.factories import (
    AdverseEventTermFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    OutcomeFactory,
    PharmacokineticParameterFactory,
    UserFactory,
)
from trials.models import Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("stored", "places", "shown"),
    [
        ("8.0000", 1, "8.0"),
        ("8.0000", None, "8"),
        ("6.4000", None, "6.4"),
        ("800.000", None, "800"),
        ("0.0005800", 5, "0.00058"),
        ("17.60", 2, "17.60"),
    ],
)
def test_a_figure_is_written_with_its_stated_places(stored, places, shown):
    assert as_stated(Decimal(stored), places) == shown


def inputs(response, name: str) -> str:
    """The value the page's input holds, as the browser shows it."""
    return response.context["adminform"].form[name].as_widget().split(' value="')[1].split('"')[0]


def test_a_figure_typed_as_8_0_is_shown_as_8_0_again(logged_in):
    row = PharmacokineticParameterFactory(value=Decimal("6.4"), range_low=None, range_high=None)
    url = reverse("admin:monographs_pharmacokineticparameter_change", args=(row.pk,))
    page = logged_in.get(url)
    assert inputs(page, "value") == "6.4"  # not 6.4000, as the database column stores it

    saved = logged_in.post(url, change_form_data(page) | {"value": "8.0"})

    assert saved.status_code == 302
    row = PharmacokineticParameter.objects.get(pk=row.pk)
    assert row.stated_places == {"value": 1}
    assert row.stated("value") == "8.0"
    assert inputs(logged_in.get(url), "value") == "8.0"


def test_only_the_places_changing_is_a_change_and_an_untouched_page_is_not(logged_in):
    drug = DrugFactory()
    DrugAdverseEventFactory(
        drug=drug, term=AdverseEventTermFactory(), any_grade_low=Decimal("8"), position=0
    )
    drug_admin = admin.site._registry[Drug]
    part = next(p for p in drug_admin.parts if p.slug == "adverse-events")
    url = drug_admin.part_url(drug, part)
    page = logged_in.get(url)
    data = change_form_data(page)
    assert data["adverse_events-0-any_grade_low"] == "8"
    lock_version = Drug.objects.get(pk=drug.pk).lock_version

    logged_in.post(url, data)
    untouched = Drug.objects.get(pk=drug.pk).lock_version
    logged_in.post(
        url, change_form_data(logged_in.get(url)) | {"adverse_events-0-any_grade_low": "8.0"}
    )

    assert untouched == lock_version
    assert Drug.objects.get(pk=drug.pk).lock_version == lock_version + 1
    row = DrugAdverseEvent.objects.get(drug=drug)
    assert row.stated_places["any_grade_low"] == 1
    assert change_form_data(logged_in.get(url))["adverse_events-0-any_grade_low"] == "8.0"


def test_a_trial_outcome_keeps_its_places_through_its_part(logged_in):
    outcome = OutcomeFactory(value=Decimal("10.7"), ci_low=Decimal("9.4"), ci_high=Decimal("13.3"))
    url = reverse("admin:trials_trial_change_part", args=(outcome.trial.pk, "outcomes"))
    data = change_form_data(logged_in.get(url))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and value == str(outcome.pk)
    )

    logged_in.post(
        url, data | {f"outcomes-{index}-ci_high": "13.30", f"outcomes-{index}-value": "11.0"}
    )

    outcome = Outcome.objects.get(pk=outcome.pk)
    assert (outcome.stated("value"), outcome.stated("ci_low"), outcome.stated("ci_high")) == (
        "11.0",
        "9.4",
        "13.30",
    )

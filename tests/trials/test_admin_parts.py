"""The trial editor in parts: design, arms, outcomes and adverse events each a page of their
own, bounded in queries and in the fields they post, all under the trial's one lock."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.admin_forms import change_form_data, fields_posted
from tests.factories import (
    AdverseEventTermFactory,
    ArmFactory,
    OutcomeFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    UserFactory,
)
from trials.models import Outcome, Trial

pytestmark = pytest.mark.django_db

PART_QUERY_CEILING = 40


@pytest.fixture
def long_trial():
    """Eight arms, 60 outcomes and 120 adverse-event rows: more than one page could post."""
    trial = TrialFactory(enrolment=4000)
    arms = [ArmFactory(trial=trial, label=f"Arm {n}", participants=400) for n in range(8)]
    for n in range(60):
        OutcomeFactory(trial=trial, arm=arms[n % 8], position=n)
    for n in range(120):
        TrialAdverseEventFactory(
            trial=trial, arm=arms[n % 8], term=AdverseEventTermFactory(), position=n
        )
    return trial


def test_every_part_of_a_long_trial_opens_bounded_and_saves(client, long_trial):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    trial_admin = admin.site._registry[Trial]
    measured = {}

    for part in trial_admin.parts:
        url = trial_admin.part_url(long_trial, part)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        measured[part.slug] = (fields_posted(response), len(queries))
        lock_version = Trial.objects.get(pk=long_trial.pk).lock_version
        data = change_form_data(response)
        if part.slug == "outcomes":
            data["outcomes-0-timepoint"] = "at 12 months"

        saved = client.post(url, data)

        assert saved.status_code == 302, (part.slug, saved.context and saved.context["errors"])
        changed = Trial.objects.get(pk=long_trial.pk).lock_version - lock_version
        assert changed == (part.slug == "outcomes"), part.slug

    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert {slug: m for slug, m in measured.items() if m[0] >= limit} == {}
    assert {slug: m for slug, m in measured.items() if m[1] > PART_QUERY_CEILING} == {}
    assert Outcome.objects.get(trial=long_trial, position=0).timepoint == "at 12 months"
    assert Outcome.objects.filter(trial=long_trial).count() == 60

"""Two publishes changing the same stored page at once, on PostgreSQL: the second to render it
reads what the first committed (the pages' entries are locked, among others), so neither
trial goes missing from it."""

import pytest

from monographs.editorial.services.publish import root_import_publish
from monographs.publishing.models import Entry
from monographs.site.models import StoredPage
from monographs.views.drugs import drug_page_render
from tests.monographs.editorial.test_concurrency import run_together
from tests.site.corpus import published_drug, trial_with_results
from trials.models import Trial

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_trials_of_one_drug_published_at_once_both_show_on_its_stored_page():
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    first = trial_with_results(drugs=[drug], slug="sharp", acronym="SHARP")
    second = trial_with_results(drugs=[drug], slug="asia-pacific", acronym="ASIAPAC")

    outcomes = run_together(
        lambda: root_import_publish(root=Trial.objects.get(pk=first.pk), note="at once"),
        lambda: root_import_publish(root=Trial.objects.get(pk=second.pk), note="at once"),
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    entry = Entry.objects.select_related("current").get(kind="drug", slug="sorafenib")
    stored = bytes(StoredPage.objects.get(entry=entry).body)
    assert b"SHARP" in stored
    assert b"ASIAPAC" in stored
    assert stored == drug_page_render(entry=entry).body

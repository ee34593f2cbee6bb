"""An editor imports a trial by NCT number and its paper by PMID, reviews the draft, submits it.

The registry and PubMed are a replay server on 127.0.0.1 serving the sample payloads.
"""

import re

import pytest
from django.contrib.auth.models import Group

from monographs.editorial.models import Status
from monographs.editorial.roles import EDITOR
from monographs.models import Citation
from monographs.publishing.models import Publication
from tests.factories import UserFactory
from tests.importing.replay import replay  # noqa: F401 (the fixture)
from trials.models import Trial, TrialPublication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "importing-password-2026"


def test_editor_imports_a_trial_and_its_paper_reviews_and_submits(page, replay, screenshot):  # noqa: F811
    replay.add_sample("/ctgov/api/v2/studies/NCT00105443", "study_with_results.json")
    replay.add_sample("/eutils/efetch.fcgi", "pubmed_efetch.xml", "text/xml")
    editor = UserFactory(username="editor-ivy", is_staff=True, password=PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITOR))

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "editor-ivy")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto("/admin/trials/trial/")
    page.click("text=Import from NCT number")
    page.fill("#id_nct_id", "NCT00105443")
    page.click("#trial-import-form input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/trials/trial/\d+/change/$"))
    assert "Created draft trial SHARP" in page.locator(".messagelist").inner_text()
    screenshot("trial-imported")

    page.click("text=add PMID 18650514 and link it to this trial")
    page.click("#citation-import-form input[name=preview]")
    page.wait_for_selector("#import-preview")
    assert "Llovet JM" in page.locator("#import-preview").inner_text()
    screenshot("paper-preview")
    page.click("input[name=confirm]")
    page.wait_for_url(re.compile(r"/admin/trials/trial/\d+/change/$"))
    assert "Linked to SHARP" in page.locator(".messagelist").inner_text()

    change_url = page.url
    page.click("text=Review changes")
    page.wait_for_load_state()
    diff = page.locator(".editorial-diff").inner_text()
    assert "Overall Survival (OS)" in diff and "Hepatic failure" in diff
    screenshot("draft-review")

    page.goto(change_url)
    page.click("form[data-transition=submit] button[type=submit]")
    page.wait_for_load_state()
    assert "In review" in page.locator(".editorial-panel").inner_text()

    trial = Trial.objects.get()
    assert trial.status == Status.IN_REVIEW
    paper = Citation.objects.get(pmid="18650514")
    assert TrialPublication.objects.filter(trial=trial, citation=paper).exists()
    assert not Publication.objects.exists()

"""The whole review cycle through the real admin in Chromium, ending on the public page."""

import pytest

from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services.publish import root_import_publish
from monographs.publishing.models import Publication
from tests.browser.staff import click_transition, log_in, staff
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_TEXT = "Sorafenib blocks RAF kinases."
NEW_TEXT = "Sorafenib blocks RAF kinases and VEGF receptors on endothelial cells."


def test_editor_submits_reviewer_reads_the_diff_approves_and_publishes(page, screenshot):
    staff("editor-eve", EDITOR)
    staff("reviewer-ray", REVIEWER)
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    citation = CitationFactory()
    MonographSectionFactory(drug=drug, kind="mechanism", body=f"{OLD_TEXT} [@{citation.key}]")
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=citation)
    root_import_publish(root=drug, note="Initial release")
    change_url = f"/admin/monographs/drug/{drug.pk}/change/"

    log_in(page, "editor-eve")
    page.goto(change_url)
    page.click("nav.editorial-parts >> text=Mechanism and targets")
    page.wait_for_load_state()
    body = page.locator("textarea[name$='-body']").first
    body.fill(f"{NEW_TEXT} [@{citation.key}]")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert page.locator(".messagelist .success, .messagelist .info").count() >= 1
    click_transition(page, "submit")
    assert "In review" in page.locator(".editorial-panel").inner_text()
    screenshot("editor-submitted")

    page.goto("/drugs/sorafenib/")
    assert OLD_TEXT in page.content()
    assert "endothelial" not in page.content()

    log_in(page, "reviewer-ray")
    page.goto(change_url)
    page.click("text=Review changes")
    page.wait_for_load_state()
    inserted = page.locator(".editorial-diff ins").all_inner_texts()
    assert any("endothelial" in text for text in inserted), inserted
    screenshot("reviewer-diff")

    page.goto(change_url)
    click_transition(page, "approve")
    click_transition(page, "publish")
    assert Publication.objects.filter(slug="sorafenib").count() == 2

    page.goto("/drugs/sorafenib/")
    assert NEW_TEXT in page.inner_text("main")
    screenshot("public-page-updated")

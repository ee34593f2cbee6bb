"""The whole review cycle through the real admin in Chromium, ending on the public page."""

import re

import pytest
from django.contrib.auth.models import Group

from monographs.editorial.models import Publication
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services import root_import_publish
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "review-cycle-password-2026"
OLD_TEXT = "Sorafenib blocks RAF kinases."
NEW_TEXT = "Sorafenib blocks RAF kinases and VEGF receptors on endothelial cells."


def staff(username: str, group: str):
    user = UserFactory(username=username, is_staff=True, password=PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def click_transition(page, name: str) -> None:
    page.click(f"form[data-transition={name}] button[type=submit]")
    page.wait_for_load_state()


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

"""The closed review loop in Chromium: a comment on a section sent back, fixed, approved,
scheduled, moved and published by the scheduler, with the email of each step."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from monographs.editorial.models import ReviewComment, Status
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services.publish import publications_publish_due, root_import_publish
from monographs.models import Drug
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

LIVE_TEXT = "Sorafenib blocks RAF kinases."
FIRST_DRAFT = "Sorafenib blocks RAF kinases and VEGF receptors."
FIXED = "Sorafenib blocks RAF kinases and VEGFR-1, VEGFR-2 and VEGFR-3 on endothelial cells."
COMMENT = "Name the VEGF receptors it blocks."


def mail_since(count: int) -> list[tuple[str, list[str]]]:
    return sorted((m.subject, m.to) for m in mail.outbox[count:])


def public_text(page) -> str:
    page.goto("/drugs/sorafenib/")
    return page.inner_text("main")


def test_a_comment_sends_it_back_then_it_is_scheduled_moved_and_published(page, screenshot):
    page.set_viewport_size({"width": 1366, "height": 900})
    eve, ray = staff("editor-eve", EDITOR), staff("reviewer-ray", REVIEWER)
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    citation = CitationFactory()
    MonographSectionFactory(drug=drug, kind="mechanism", body=f"{LIVE_TEXT} [@{citation.key}]")
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=citation)
    root_import_publish(root=drug, note="Initial release")
    mechanism_url = f"/admin/monographs/drug/{drug.pk}/change/mechanism/"
    name = str(drug)
    mail.outbox.clear()

    # The editor rewrites the mechanism and submits it with a note.
    log_in(page, "editor-eve")
    page.goto(mechanism_url)
    page.locator("textarea[name$='-body']").first.fill(f"{FIRST_DRAFT} [@{citation.key}]")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    page.fill("#id_submit_comment", "Mechanism: VEGF added.")
    click_transition(page, "submit")
    assert "In review" in page.locator(".editorial-panel").inner_text()
    assert mail_since(0) == [(f"Review requested: '{name}'", [ray.email])]
    assert LIVE_TEXT in public_text(page) and "VEGF" not in public_text(page)

    # The reviewer reads the note on the review page, comments on the section, sends it back.
    log_in(page, "reviewer-ray")
    page.goto(f"/admin/monographs/drug/{drug.pk}/review/")
    assert "Mechanism: VEGF added." in page.locator(".editorial-panel").inner_text()
    page.select_option("#id_comment_part", "mechanism")
    page.fill("#id_comment_body", COMMENT)
    page.click(".editorial-comment-form button[type=submit]")
    page.wait_for_load_state()
    assert COMMENT in page.locator(".editorial-comments").inner_text()
    page.fill("#id_request_changes_comment", "See my comment on the mechanism.")
    click_transition(page, "request_changes")
    screenshot("reviewer-commented-and-sent-back")
    sent = len(mail.outbox)
    assert mail_since(1) == [
        (f"Changes requested: '{name}'", [eve.email]),
        (f"Comment on '{name}'", [eve.email]),
    ]

    # The editor finds the comment in that section, fixes the text, resolves it, resubmits.
    log_in(page, "editor-eve")
    page.goto(mechanism_url)
    comments = page.locator(".editorial-comments")
    assert COMMENT in comments.inner_text() and "about" not in comments.inner_text()
    assert "See my comment on the mechanism." in page.locator(".editorial-panel").inner_text()
    screenshot("editor-sees-the-comment-in-its-section")
    page.locator("textarea[name$='-body']").first.fill(f"{FIXED} [@{citation.key}]")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    page.click(".editorial-comment__resolve button")
    page.wait_for_load_state()
    assert "resolved by editor-eve" in page.locator(".editorial-comments").inner_text()
    click_transition(page, "submit")
    assert ReviewComment.objects.get().resolved_by == eve
    assert mail_since(sent) == [(f"Review requested: '{name}'", [ray.email])]

    # The reviewer approves for a time, then moves it: no new approval round.
    log_in(page, "reviewer-ray")
    page.goto(f"/admin/monographs/drug/{drug.pk}/change/")
    first = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    moved = first + datetime.timedelta(days=1)
    page.fill("#id_approve_publish_at", f"{first:%Y-%m-%dT%H:%M}")
    sent = len(mail.outbox)
    click_transition(page, "approve")
    assert mail_since(sent) == [(f"Approved: '{name}'", [eve.email])]
    page.fill("#id_schedule_publish_at", f"{moved:%Y-%m-%dT%H:%M}")
    sent = len(mail.outbox)
    click_transition(page, "schedule")
    panel = page.locator(".editorial-panel").inner_text()
    assert f"{moved:%Y-%m-%d %H:%M} UTC" in panel
    screenshot("reviewer-moved-the-schedule")
    assert mail_since(sent) == [(f"Publish time changed: '{name}'", [eve.email])]
    drug.refresh_from_db()
    assert (drug.status, drug.publish_at) == (Status.APPROVED, moved)
    page.goto("/admin/")
    assert name in page.locator("[data-list='scheduled-publications']").inner_text()
    screenshot("dashboard-scheduled")
    assert "VEGFR-2" not in public_text(page)

    # Its time comes: the scheduler publishes what was approved, and tells both.
    sent = len(mail.outbox)
    assert publications_publish_due(now=first + datetime.timedelta(minutes=1)).published == []
    run = publications_publish_due(now=moved)
    assert [p.version for p in run.published] == [2]
    assert mail_since(sent) == [
        (f"Published: '{name}'", [eve.email]),
        (f"Published: '{name}'", [ray.email]),
    ]
    assert FIXED in public_text(page)
    screenshot("public-page-published")
    assert Publication.objects.filter(slug="sorafenib").count() == 2
    assert Drug.objects.get(pk=drug.pk).status == Status.PUBLISHED

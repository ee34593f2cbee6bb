"""The workflow through the admin: buttons, transitions, stale saves, timeline, review, preview.

Rules are the services' (tested in test_services.py); these tests check that the admin shows
exactly what the services allow and reports what they say.
"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from monographs.editorial.actions import actions_available
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.selectors import dashboard_for
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.review import (
    revision_approve,
    revision_request_changes,
    revision_submit,
)
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import Drug, DrugAdverseEvent, MonographSection
from monographs.publishing.models import Entry, Publication
from tests.admin_forms import change_form_data
from tests.factories import DoseRegimenFactory, DrugFactory

pytestmark = pytest.mark.django_db

EXPECTED_BUTTONS = {
    (Status.DRAFT, "editor"): {"submit"},
    (Status.DRAFT, "reviewer"): set(),
    (Status.IN_REVIEW, "editor"): set(),
    (Status.IN_REVIEW, "reviewer"): {"request_changes", "approve"},
    (Status.CHANGES_REQUESTED, "editor"): {"submit"},
    (Status.CHANGES_REQUESTED, "reviewer"): set(),
    (Status.APPROVED, "editor"): set(),
    (Status.APPROVED, "reviewer"): {"request_changes", "publish", "schedule"},
    (Status.PUBLISHED, "editor"): set(),
    (Status.PUBLISHED, "reviewer"): {"withdraw"},
    (Status.WITHDRAWN, "editor"): set(),
    (Status.WITHDRAWN, "reviewer"): set(),
}


def url(drug, view: str, *args) -> str:
    return reverse(f"admin:monographs_drug_{view}", args=(drug.pk, *args))


def part_url(drug, part: str) -> str:
    """A part of the drug's editor: its identity is the change page, the rest have their own."""
    return url(drug, "change_part", part)


def bring_to(status, drug, *, editor, reviewer) -> None:
    """Walk a drafted drug to `status` through the services."""
    if status == Status.DRAFT:
        return
    revision_submit(root=drug, user=editor)
    if status == Status.CHANGES_REQUESTED:
        revision_request_changes(root=drug, user=reviewer, comment="Add the PK table.")
    if status in (Status.APPROVED, Status.PUBLISHED, Status.WITHDRAWN):
        revision_approve(root=drug, user=reviewer)
    if status in (Status.PUBLISHED, Status.WITHDRAWN):
        root_publish(root=drug, user=reviewer)
    if status == Status.WITHDRAWN:
        root_withdraw(root=drug, user=reviewer, reason="Superseded.")


def buttons(response) -> set[str]:
    return set(re.findall(r'data-transition="([a-z_]+)"', response.content.decode()))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def transition(client, drug, name: str, **data):
    return client.post(url(drug, "transition", name), data, follow=True)


@pytest.mark.parametrize(("status", "role"), sorted(EXPECTED_BUTTONS))
def test_the_buttons_are_exactly_the_transitions_the_user_may_take(
    client, drafted_drug, editor, reviewer, status, role, django_assert_max_num_queries
):
    bring_to(status, drafted_drug, editor=editor, reviewer=reviewer)
    user = {"editor": editor, "reviewer": reviewer}[role]
    client.force_login(user)

    with django_assert_max_num_queries(60):
        response = client.get(url(drafted_drug, "change"))

    assert response.status_code == 200
    available = {t.name for t in actions_available(root=drafted_drug, user=user)}
    assert buttons(response) == available == EXPECTED_BUTTONS[(status, role)]


def test_a_reviewer_sees_a_drug_out_of_review_read_only_with_the_workflow_panel(
    client, drafted_drug, editor, reviewer
):
    bring_to(Status.APPROVED, drafted_drug, editor=editor, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.get(url(drafted_drug, "change"))

    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert buttons(response) == {"request_changes", "publish", "schedule"}


def test_a_reviewer_may_edit_a_drug_in_review_with_the_workflow_panel(
    client, drafted_drug, editor, reviewer
):
    revision_submit(root=drafted_drug, user=editor)
    client.force_login(reviewer)

    response = client.get(url(drafted_drug, "change"))

    assert response.context["has_change_permission"] is True
    assert 'name="_save"' in response.content.decode()
    assert buttons(response) == {"request_changes", "approve"}


def test_submit_request_changes_approve_publish_and_withdraw_through_the_admin(
    client, drafted_drug, editor, reviewer
):
    client.force_login(editor)
    response = transition(client, drafted_drug, "submit", comment="Ready.")
    assert response.redirect_chain[-1][0] == url(drafted_drug, "change")
    assert "submitted for review" in messages_of(response)[0]

    client.force_login(reviewer)
    transition(client, drafted_drug, "request_changes", comment="Cite the label for the dose.")
    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.CHANGES_REQUESTED

    client.force_login(editor)
    transition(client, drafted_drug, "submit")
    client.force_login(reviewer)
    transition(client, drafted_drug, "approve", comment="Checked.")
    response = transition(client, drafted_drug, "publish")
    assert "published as v1" in messages_of(response)[0]
    response = transition(client, drafted_drug, "withdraw", reason="A safety review is pending.")

    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.WITHDRAWN
    entry = Entry.objects.get(kind="drug", root_id=drafted_drug.pk)
    assert entry.withdrawal_reason == "A safety review is pending."
    actions = list(
        EditorialEvent.objects.of_root(kind="drug", root_id=drafted_drug.pk).values_list(
            "action", "user__username", "comment"
        )
    )
    assert actions[-6:] == [
        ("submitted", editor.username, "Ready."),
        ("changes_requested", reviewer.username, "Cite the label for the dose."),
        ("submitted", editor.username, ""),
        ("approved", reviewer.username, "Checked."),
        ("published", reviewer.username, ""),
        ("withdrawn", reviewer.username, "A safety review is pending."),
    ]


def test_approve_with_a_publish_at_time_schedules_it_and_publish_now_is_refused(
    client, drafted_drug, editor, reviewer
):
    revision_submit(root=drafted_drug, user=editor)
    client.force_login(reviewer)
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    response = transition(
        client, drafted_drug, "approve", publish_at=tomorrow.strftime("%Y-%m-%dT%H:%M")
    )
    assert "goes live at" in messages_of(response)[0]
    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.APPROVED
    assert drafted_drug.publish_at.replace(second=0, microsecond=0) == tomorrow.replace(
        second=0, microsecond=0
    )

    response = transition(client, drafted_drug, "publish")

    assert "is scheduled to go live" in messages_of(response)[0]
    assert not Publication.objects.filter(kind="drug", root_id=drafted_drug.pk).exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("request_changes", {"comment": "  "}, "a comment is required"),
        ("withdraw", {"reason": ""}, "Give the reason for withdrawing"),
        ("approve", {"publish_at": "next tuesday"}, "Publish at (UTC): Enter a valid date/time."),
        ("approve", {}, None),
    ],
)
def test_a_refused_transition_shows_the_services_message_and_changes_nothing(
    client, drafted_drug, editor, reviewer, name, data, message
):
    bring_to(Status.IN_REVIEW, drafted_drug, editor=editor, reviewer=reviewer)
    if name == "withdraw":
        revision_approve(root=drafted_drug, user=reviewer)
        root_publish(root=drafted_drug, user=reviewer)
    client.force_login(reviewer)
    before = Drug.objects.get(pk=drafted_drug.pk).status
    events = EditorialEvent.objects.count()

    response = transition(client, drafted_drug, name, **data)

    if message is None:
        assert Drug.objects.get(pk=drafted_drug.pk).status == Status.APPROVED
        return
    assert message in " ".join(messages_of(response))
    assert Drug.objects.get(pk=drafted_drug.pk).status == before
    assert EditorialEvent.objects.count() == events


def test_a_transition_the_user_may_not_take_is_refused_with_the_reason(
    client, drafted_drug, editor, second_editor
):
    revision_submit(root=drafted_drug, user=editor)
    client.force_login(second_editor)

    response = transition(client, drafted_drug, "approve")

    assert "may not approve" in messages_of(response)[0]
    assert Drug.objects.get(pk=drafted_drug.pk).status == Status.IN_REVIEW


def test_four_eyes_the_admin_refuses_approving_your_own_edit(client, drafted_drug, superuser):
    root_record_edit(root=drafted_drug, user=superuser)
    revision_submit(root=drafted_drug, user=superuser)
    client.force_login(superuser)

    page = client.get(url(drafted_drug, "change"))
    response = transition(client, drafted_drug, "approve")

    assert "approve" not in buttons(page)
    assert "four-eyes" in messages_of(response)[0]
    assert Drug.objects.get(pk=drafted_drug.pk).status == Status.IN_REVIEW


def test_approval_refused_by_quality_checks_lists_every_error(
    client, drafted_drug, editor, reviewer
):
    DoseRegimenFactory(drug=drafted_drug, citation=None)
    root_record_edit(root=drafted_drug, user=editor)
    revision_submit(root=drafted_drug, user=editor)
    client.force_login(reviewer)

    page = client.get(url(drafted_drug, "change"))
    response = transition(client, drafted_drug, "approve")

    assert "Dose regimen row 1" in page.content.decode()
    message = messages_of(response)[0]
    assert "Quality checks found errors" in message
    assert "<br>• Dose regimen row 1: has figures but no source" in message
    assert Drug.objects.get(pk=drafted_drug.pk).status == Status.IN_REVIEW


def test_transition_urls_accept_only_post_and_only_known_names(client, drafted_drug, editor):
    client.force_login(editor)

    assert client.get(url(drafted_drug, "transition", "submit")).status_code == 405
    response = transition(client, drafted_drug, "promote")

    assert "no transition called 'promote'" in messages_of(response)[0]


def test_saving_the_change_form_records_one_edit_and_starts_a_draft(
    client, drafted_drug, editor, reviewer
):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    live = Entry.objects.get(kind="drug", root_id=drafted_drug.pk).current
    client.force_login(editor)
    data = change_form_data(client.get(url(drafted_drug, "change")))
    data["summary"] = "Edited after publication."
    events = EditorialEvent.objects.count()

    response = client.post(url(drafted_drug, "change"), data)
    section = change_form_data(client.get(part_url(drafted_drug, "mechanism")))
    section["sections-0-body"] = "Blocks RAF and VEGFR."
    section_response = client.post(part_url(drafted_drug, "mechanism"), section)

    assert (response.status_code, section_response.status_code) == (302, 302)
    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.DRAFT
    assert drafted_drug.summary == "Edited after publication."
    assert MonographSection.objects.get(drug=drafted_drug).body == "Blocks RAF and VEGFR."
    assert EditorialEvent.objects.count() == events + 2
    assert EditorialEvent.objects.last().action == EditorialEvent.Action.EDITED
    entry = Entry.objects.get(kind="drug", root_id=drafted_drug.pk)
    assert entry.current == live
    assert entry.current.document["summary"] != "Edited after publication."


def test_saving_without_changes_records_nothing(client, drafted_drug, editor):
    client.force_login(editor)
    data = change_form_data(client.get(url(drafted_drug, "change")))
    events = EditorialEvent.objects.count()

    response = client.post(url(drafted_drug, "change"), data)

    assert response.status_code == 302
    assert EditorialEvent.objects.count() == events


def test_an_inline_only_change_is_an_edit_of_the_root(client, drafted_drug, editor, reviewer):
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)
    client.force_login(editor)
    data = change_form_data(client.get(part_url(drafted_drug, "adverse-events")))
    data["adverse_events-0-any_grade_high"] = "50"

    client.post(part_url(drafted_drug, "adverse-events"), {**data, "confirm_approved_edit": "on"})

    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.DRAFT
    assert DrugAdverseEvent.objects.get(drug=drafted_drug).any_grade_high == 50
    assert "Edited during review" in EditorialEvent.objects.last().comment


def test_the_second_of_two_concurrent_saves_is_refused_and_nothing_is_lost(
    client, drafted_drug, editor, second_editor
):
    client.force_login(editor)
    first = change_form_data(client.get(url(drafted_drug, "change")))
    client.force_login(second_editor)
    second = change_form_data(client.get(part_url(drafted_drug, "mechanism")))
    assert first["lock_version"] == second["lock_version"]

    client.force_login(editor)
    first["summary"] = "The first editor's summary."
    assert client.post(url(drafted_drug, "change"), first).status_code == 302
    client.force_login(second_editor)
    second["sections-0-body"] = "The second editor's section."
    # Another part of the same drug: one lock for the whole drug, whichever part is saved.
    response = client.post(part_url(drafted_drug, "mechanism"), second)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved" in html and "Your changes were not saved" in html
    assert "The second editor&#x27;s section." in html
    drafted_drug.refresh_from_db()
    assert drafted_drug.summary == "The first editor's summary."
    assert MonographSection.objects.get(drug=drafted_drug).body != "The second editor's section."


def test_a_save_after_a_submit_made_while_the_form_was_open_sends_the_revision_back(
    client, drafted_drug, editor
):
    client.force_login(editor)
    data = change_form_data(client.get(url(drafted_drug, "change")))
    revision_submit(root=drafted_drug, user=editor)

    response = client.post(url(drafted_drug, "change"), data | {"summary": "Late edit."})

    assert response.status_code == 302
    event = EditorialEvent.objects.last()
    assert (event.action, event.from_status, event.to_status) == (
        EditorialEvent.Action.EDITED,
        Status.IN_REVIEW,
        Status.DRAFT,
    )
    assert "Edited during review" in event.comment


def test_a_row_saved_on_its_own_page_is_an_edit_of_its_drug(client, drafted_drug, editor):
    row = DrugAdverseEvent.objects.get(drug=drafted_drug)
    row_url = reverse("admin:monographs_drugadverseevent_change", args=(row.pk,))
    client.force_login(editor)
    data = change_form_data(client.get(row_url))
    lock_version = Drug.objects.get(pk=drafted_drug.pk).lock_version
    data["any_grade_high"] = "60"

    assert client.post(row_url, data).status_code == 302

    drug = Drug.objects.get(pk=drafted_drug.pk)
    assert drug.lock_version == lock_version + 1
    assert EditorialEvent.objects.last().action == EditorialEvent.Action.EDITED
    stale = client.post(row_url, data | {"any_grade_high": "70"})
    assert "Someone else saved" in stale.content.decode()
    assert DrugAdverseEvent.objects.get(pk=row.pk).any_grade_high == 60


def test_the_timeline_lists_every_event_with_who_and_the_comment(
    client, drafted_drug, editor, reviewer, django_assert_max_num_queries
):
    bring_to(Status.CHANGES_REQUESTED, drafted_drug, editor=editor, reviewer=reviewer)
    client.force_login(editor)

    response = client.get(url(drafted_drug, "change"))

    timeline = response.content.decode().split('id="editorial-timeline-heading"')[1]
    assert re.findall(r'data-action="([a-z_]+)"', timeline) == [
        "changes_requested",
        "submitted",
        "created",
    ]
    assert "Add the PK table." in timeline
    assert reviewer.username in timeline


def test_the_review_page_diffs_the_draft_against_the_live_version(
    client, drafted_drug, editor, reviewer, django_assert_max_num_queries
):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    section = MonographSection.objects.get(drug=drafted_drug)
    section.body = "Blocks RAF-1 kinases and VEGF receptors in tumour cells and vessels."
    section.save()
    root_record_edit(root=drafted_drug, user=editor)
    client.force_login(reviewer)

    with django_assert_max_num_queries(50):
        response = client.get(url(drafted_drug, "review"))

    assert response.status_code == 200
    assert (response.context["old_label"], response.context["new_label"]) == (
        "v1",
        "Working copy (draft)",
    )
    changes = response.context["changes"]
    assert [c.key for c in changes] == ["sections"]
    assert "<ins>" in response.content.decode()


def test_any_two_versions_can_be_compared(client, drafted_drug, editor, reviewer):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    drafted_drug.summary = "Second version summary."
    drafted_drug.save()
    root_record_edit(root=drafted_drug, user=editor)
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)
    root_publish(root=drafted_drug, user=reviewer)
    client.force_login(editor)

    response = client.get(url(drafted_drug, "review"), {"from": "1", "to": "2"})

    changes = response.context["changes"]
    assert [(c.key, [f.name for f in c.fields]) for c in changes] == [("overview", ["summary"])]
    same = client.get(url(drafted_drug, "review"), {"from": "2", "to": "draft"})
    assert same.context["changes"] == []
    assert "No differences" in same.content.decode()


def test_restore_from_the_review_page_makes_a_draft(client, drafted_drug, editor, reviewer):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    drafted_drug.summary = "Changed later."
    drafted_drug.save()
    root_record_edit(root=drafted_drug, user=editor)
    client.force_login(editor)
    review = client.get(url(drafted_drug, "review"))
    assert url(drafted_drug, "restore", 1) in review.content.decode()

    asked = client.post(url(drafted_drug, "restore", 1))
    assert asked.status_code == 200 and "What will change" in asked.content.decode()
    assert Drug.objects.get(pk=drafted_drug.pk).summary == "Changed later."

    response = client.post(url(drafted_drug, "restore", 1), {"confirmed": "yes"}, follow=True)

    assert "The content of v1 is now the working copy" in messages_of(response)[0]
    drafted_drug.refresh_from_db()
    assert drafted_drug.summary == "A multikinase inhibitor."
    assert drafted_drug.status == Status.DRAFT


def test_reviewers_cannot_restore(client, drafted_drug, editor, reviewer):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    client.force_login(reviewer)

    review = client.get(url(drafted_drug, "review"))
    response = client.post(url(drafted_drug, "restore", 1), follow=True)

    assert url(drafted_drug, "restore", 1) not in review.content.decode()
    assert "may not restore" in messages_of(response)[0]


def test_the_preview_renders_the_draft_for_staff_and_is_never_cached(
    client, drafted_drug, editor, reviewer, django_assert_max_num_queries
):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    section = MonographSection.objects.get(drug=drafted_drug)
    section.body = "An unreviewed sentence."
    section.save()
    root_record_edit(root=drafted_drug, user=editor)
    client.force_login(reviewer)

    with django_assert_max_num_queries(40):
        response = client.get(url(drafted_drug, "preview"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "An unreviewed sentence." in html
    assert "Preview, not public." in html
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control
    assert "private" in cache_control
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.parametrize("view", ["review", "preview"])
def test_review_and_preview_are_refused_to_anonymous_visitors(client, drafted_drug, view):
    response = client.get(url(drafted_drug, view))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_review_and_preview_are_refused_to_logged_in_non_staff(client, drafted_drug):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=False))

    assert client.get(url(drafted_drug, "preview")).status_code == 302


def test_submit_selected_reports_each_success_and_failure(client, drafted_drug, editor, reviewer):
    other = DrugFactory(summary="Another drug.")
    root_record_edit(root=other, user=editor, created=True)
    revision_submit(root=other, user=editor)
    client.force_login(editor)

    response = client.post(
        reverse("admin:monographs_drug_changelist"),
        {"action": "submit_selected", "_selected_action": [drafted_drug.pk, other.pk]},
        follow=True,
    )

    texts = messages_of(response)
    assert any(f"Cannot submit for review '{other}'" in text for text in texts)
    assert any(f"Submitted for review: {drafted_drug} (1)." == text for text in texts)
    assert Drug.objects.get(pk=drafted_drug.pk).status == Status.IN_REVIEW


def test_publish_selected_publishes_the_approved_ones(client, drafted_drug, editor, reviewer):
    bring_to(Status.APPROVED, drafted_drug, editor=editor, reviewer=reviewer)
    draft = DrugFactory(summary="Still a draft.")
    root_record_edit(root=draft, user=editor, created=True)
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:monographs_drug_changelist"),
        {"action": "publish_selected", "_selected_action": [drafted_drug.pk, draft.pk]},
        follow=True,
    )

    assert any(f"Published: {drafted_drug} (1)." == text for text in messages_of(response))
    assert Entry.objects.filter(kind="drug", root_id=drafted_drug.pk).exists()
    assert not Entry.objects.filter(kind="drug", root_id=draft.pk).exists()


def test_bulk_actions_are_offered_by_role(client, editor, reviewer):
    changelist = reverse("admin:monographs_drug_changelist")
    DrugFactory()

    client.force_login(editor)
    editor_actions = dict(client.get(changelist).context["action_form"].fields["action"].choices)
    client.force_login(reviewer)
    reviewer_actions = dict(client.get(changelist).context["action_form"].fields["action"].choices)

    assert "submit_selected" in editor_actions and "publish_selected" not in editor_actions
    assert "publish_selected" in reviewer_actions and "submit_selected" not in reviewer_actions


def test_the_dashboard_lists_each_users_work(
    client, drafted_drug, editor, reviewer, second_editor, django_assert_max_num_queries
):
    sent_back = DrugFactory(summary="Sent back.")
    root_record_edit(root=sent_back, user=editor, created=True)
    revision_submit(root=sent_back, user=editor)
    revision_request_changes(root=sent_back, user=reviewer, comment="Sources, please.")
    in_review = DrugFactory(summary="In review.")
    root_record_edit(root=in_review, user=second_editor, created=True)
    revision_submit(root=in_review, user=second_editor)
    overdue = DrugFactory(summary="Overdue.")
    root_record_edit(root=overdue, user=second_editor, created=True)
    bring_to(Status.PUBLISHED, overdue, editor=second_editor, reviewer=reviewer)
    Drug.objects.filter(pk=overdue.pk).update(next_review_due=datetime.date(2020, 1, 1))
    scheduled = DrugFactory(summary="Scheduled.")
    root_record_edit(root=scheduled, user=second_editor, created=True)
    revision_submit(root=scheduled, user=second_editor)
    revision_approve(
        root=scheduled, user=reviewer, publish_at=timezone.now() + datetime.timedelta(days=2)
    )

    mine = dashboard_for(user=editor)
    theirs = dashboard_for(user=reviewer)

    assert [i.root for i in mine.my_drafts.items] == [drafted_drug]
    assert [i.root for i in mine.changes_requested.items] == [sent_back]
    assert mine.awaiting_my_review.items == []
    assert [i.root for i in theirs.awaiting_my_review.items] == [in_review]
    assert [i.root for i in theirs.overdue_reviews.items] == [overdue]
    assert [i.root for i in theirs.scheduled.items] == [scheduled]

    client.force_login(reviewer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert "Awaiting my review (1)" in html
    assert reverse("admin:monographs_drug_change", args=[in_review.pk]) in html


def test_the_review_of_a_never_published_root_shows_everything_as_new(
    client, drafted_drug, reviewer
):
    client.force_login(reviewer)

    response = client.get(url(drafted_drug, "review"))

    assert response.context["old_label"] == "Nothing published"
    assert {row.state for change in response.context["changes"] for row in change.rows} == {"added"}
    assert "Nothing published yet" in response.content.decode()


def test_a_trial_has_the_same_workflow_pages(client, editor, reviewer):
    from tests.factories import ArmFactory, CitationFactory, TrialFactory, TrialPublicationFactory

    trial = TrialFactory(acronym="SHARP", summary="An unreviewed trial summary.")
    citation = CitationFactory()
    TrialPublicationFactory(trial=trial, citation=citation)
    ArmFactory(trial=trial, citation=citation)
    root_record_edit(root=trial, user=editor, created=True)
    client.force_login(editor)
    change = reverse("admin:trials_trial_change", args=[trial.pk])

    assert buttons(client.get(change)) == {"submit"}
    client.post(reverse("admin:trials_trial_transition", args=[trial.pk, "submit"]))
    client.force_login(reviewer)
    preview = client.get(reverse("admin:trials_trial_preview", args=[trial.pk]))
    review = client.get(reverse("admin:trials_trial_review", args=[trial.pk]))

    assert buttons(client.get(change)) == {"request_changes", "approve"}
    assert "An unreviewed trial summary." in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]
    assert review.status_code == 200


def test_adding_a_drug_records_its_creation_as_a_draft(client, editor):
    client.force_login(editor)
    add = reverse("admin:monographs_drug_add")
    data = change_form_data(client.get(add)) | {"inn": "cabozantinib", "slug": "cabozantinib"}

    response = client.post(add, data)

    assert response.status_code == 302
    drug = Drug.objects.get(slug="cabozantinib")
    assert (drug.status, drug.lock_version) == (Status.DRAFT, 1)
    event = EditorialEvent.objects.of_root(kind="drug", root_id=drug.pk).get()
    assert (event.action, event.user) == (EditorialEvent.Action.CREATED, editor)

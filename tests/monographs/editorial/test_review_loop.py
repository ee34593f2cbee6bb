"""The closed review loop through the services: who is emailed at each step, comments on a
part or row, the notes a reviewer and an editor read, scheduling, and the dashboards."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from monographs.editorial.actions import ScheduleAction, workflow_action
from monographs.editorial.exceptions import (
    EditorialError,
    EditorialPermissionDenied,
    FourEyesViolation,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, NotificationPreference, Status
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.selectors import dashboard_for, review_comments, review_notes
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import publications_publish_due, root_publish
from monographs.editorial.services.review import (
    review_comment_add,
    review_comment_resolve,
    revision_approve,
    revision_request_changes,
    revision_submit,
)
from monographs.editorial.services.schedule import root_schedule
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import Drug
from tests.factories import DrugFactory
from tests.monographs.editorial.conftest import member_of

pytestmark = pytest.mark.django_db
Action = EditorialEvent.Action


def later(**delta) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(**delta)).replace(second=0, microsecond=0)


def sent(outbox) -> list[tuple[str, list[str]]]:
    return sorted((message.subject, message.to) for message in outbox)


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    """Run what the step queued for after its commit, and hand back the mail it sent."""

    class Run:
        def __call__(self, step, **kwargs):
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                step(**kwargs)
            return sent(mail.outbox)

    return Run()


@pytest.fixture
def approved_drug(drafted_drug, editor, reviewer):
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)
    return drafted_drug


class TestWhoIsEmailed:
    def test_a_submission_goes_to_every_reviewer_but_not_the_editors_of_it(
        self, mailed, drafted_drug, editor, second_editor, reviewer, second_reviewer
    ):
        both = member_of(EDITOR, username="dual-dana")
        both.groups.add(*reviewer.groups.all())
        root_record_edit(root=drafted_drug, user=both)

        mails = mailed(revision_submit, root=drafted_drug, user=editor, comment="PK table added.")

        name = str(drafted_drug)
        assert mails == [
            (f"Review requested: '{name}'", ["reviewer-raj@example.org"]),
            (f"Review requested: '{name}'", ["reviewer-rita@example.org"]),
        ]
        assert "PK table added." in mail.outbox[0].body
        assert f"/admin/monographs/drug/{drafted_drug.pk}/review/" in mail.outbox[0].body

    def test_each_step_of_the_loop_tells_the_right_people(
        self, mailed, drafted_drug, editor, reviewer, second_reviewer
    ):
        name = str(drafted_drug)
        editor_mail, rita = ["editor-ann@example.org"], ["reviewer-rita@example.org"]
        revision_submit(root=drafted_drug, user=editor)

        assert mailed(
            revision_request_changes, root=drafted_drug, user=reviewer, comment="Cite the label."
        ) == [(f"Changes requested: '{name}'", editor_mail)]
        assert "Cite the label." in mail.outbox[0].body
        revision_submit(root=drafted_drug, user=editor)
        assert mailed(revision_approve, root=drafted_drug, user=reviewer) == [
            (f"Approved: '{name}'", editor_mail)
        ]
        # The approver is told when a colleague moves the schedule, the editor too.
        assert mailed(
            root_schedule, root=drafted_drug, user=second_reviewer, publish_at=later(days=1)
        ) == sorted(
            [(f"Publish time changed: '{name}'", editor_mail)]
            + [(f"Publish time changed: '{name}'", rita)]
        )
        assert mailed(root_schedule, root=drafted_drug, user=reviewer, publish_at=None) == [
            (f"Publication no longer scheduled: '{name}'", editor_mail)
        ]
        assert mailed(root_publish, root=drafted_drug, user=second_reviewer) == sorted(
            [(f"Published: '{name}'", editor_mail), (f"Published: '{name}'", rita)]
        )
        assert mailed(
            root_withdraw, root=drafted_drug, user=second_reviewer, reason="Label withdrawn."
        ) == [(f"Withdrawn: '{name}'", rita)]

    def test_an_edit_after_approval_tells_the_approver_that_the_schedule_is_cancelled(
        self, mailed, approved_drug, editor, reviewer
    ):
        when = later(days=3)
        root_schedule(root=approved_drug, user=reviewer, publish_at=when)

        mails = mailed(root_record_edit, root=approved_drug, user=editor)

        assert mails == [(f"Your approval of '{approved_drug}' is void", [reviewer.email])]
        edit = EditorialEvent.objects.filter(root_id=approved_drug.pk).latest("id")
        assert f"scheduled for {when:%Y-%m-%d %H:%M} UTC is cancelled" in edit.comment
        approved_drug.refresh_from_db()
        assert (approved_drug.status, approved_drug.publish_at) == (Status.DRAFT, None)

    def test_the_scheduler_publishing_tells_the_editors_and_the_approver(
        self, mailed, approved_drug, editor, reviewer
    ):
        when = later(hours=1)
        root_schedule(root=approved_drug, user=reviewer, publish_at=when)

        mails = mailed(publications_publish_due, now=when)

        assert [to for _, to in mails] == [[editor.email], [reviewer.email]]
        assert "by the scheduler" in mail.outbox[0].body

    def test_whoever_opted_out_or_has_no_address_is_not_emailed(
        self, mailed, drafted_drug, editor, reviewer, second_reviewer
    ):
        NotificationPreference.objects.create(user=reviewer, email=False)
        second_reviewer.email = ""
        second_reviewer.save()

        assert mailed(revision_submit, root=drafted_drug, user=editor) == []

    def test_a_step_rolled_back_sends_nothing(
        self, django_capture_on_commit_callbacks, drafted_drug, editor
    ):
        mail.outbox.clear()
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            revision_submit(root=drafted_drug, user=editor)
            raise RuntimeError("the request failed after the submit")

        assert mail.outbox == []
        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.DRAFT


class TestScheduling:
    def test_a_reviewer_sets_moves_and_clears_the_time_and_the_approval_stands(
        self, approved_drug, reviewer
    ):
        first, moved = later(days=1), later(days=2)

        root_schedule(root=approved_drug, user=reviewer, publish_at=first)
        root_schedule(root=approved_drug, user=reviewer, publish_at=moved)
        approved_drug.refresh_from_db()
        assert (approved_drug.status, approved_drug.publish_at) == (Status.APPROVED, moved)
        root_schedule(root=approved_drug, user=reviewer, publish_at=None)

        approved_drug.refresh_from_db()
        assert (approved_drug.status, approved_drug.publish_at) == (Status.APPROVED, None)
        events = EditorialEvent.objects.filter(root_id=approved_drug.pk).order_by("id")
        assert [e.action for e in events][-3:] == [
            Action.SCHEDULED,
            Action.SCHEDULED,
            Action.UNSCHEDULED,
        ]
        assert f"(was {first:%Y-%m-%d %H:%M} UTC)" in events[len(events) - 2].comment
        # Publishing by hand works at once: no new approval round.
        assert root_publish(root=approved_drug, user=reviewer).version == 1

    def test_a_time_in_the_past_is_refused_and_nothing_changes(self, approved_drug, reviewer):
        past = timezone.now() - datetime.timedelta(minutes=1)

        with pytest.raises(TransitionNotAllowed, match="is in the past"):
            root_schedule(root=approved_drug, user=reviewer, publish_at=past)

        approved_drug.refresh_from_db()
        assert approved_drug.publish_at is None

    def test_approving_with_a_time_in_the_past_is_refused(self, drafted_drug, editor, reviewer):
        revision_submit(root=drafted_drug, user=editor)

        with pytest.raises(TransitionNotAllowed, match="is in the past"):
            revision_approve(
                root=drafted_drug, user=reviewer, publish_at=timezone.now() - datetime.timedelta(1)
            )

        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.IN_REVIEW

    def test_only_an_approved_revision_is_scheduled_by_whoever_may_publish_it(
        self, drafted_drug, approved_drug, editor
    ):
        assert not ScheduleAction(root=approved_drug, user=editor).is_available()
        with pytest.raises(EditorialPermissionDenied):
            root_schedule(root=approved_drug, user=editor, publish_at=later(days=1))
        root_record_edit(root=approved_drug, user=editor)
        with pytest.raises(TransitionNotAllowed, match="only an approved revision"):
            ScheduleAction(root=approved_drug, user=editor).check()

    def test_four_eyes_hold_for_the_schedule(self, drafted_drug, reviewer, second_reviewer):
        both = member_of(EDITOR, username="dual-dana")
        both.groups.add(*reviewer.groups.all())
        root_record_edit(root=drafted_drug, user=both)
        revision_submit(root=drafted_drug, user=both)
        revision_approve(root=drafted_drug, user=second_reviewer)

        with pytest.raises(FourEyesViolation):
            workflow_action("schedule", root=drafted_drug, user=both).execute(
                publish_at=later(days=1)
            )

    def test_the_same_time_again_is_refused_as_a_no_op(self, approved_drug, reviewer):
        when = later(days=1)
        root_schedule(root=approved_drug, user=reviewer, publish_at=when)

        with pytest.raises(TransitionNotAllowed, match="already scheduled"):
            root_schedule(root=approved_drug, user=reviewer, publish_at=when)


class TestComments:
    def test_a_comment_on_a_part_and_row_is_listed_there_until_resolved(
        self, drafted_drug, editor, reviewer
    ):
        on_row = review_comment_add(
            root=drafted_drug,
            user=reviewer,
            part="adverse-events",
            row="Hand-foot skin reaction",
            body="Give the grade 3 incidence.",
        )
        review_comment_add(root=drafted_drug, user=reviewer, part="mechanism", body="Cite it.")

        assert review_comments(root=drafted_drug, part="adverse-events") == [on_row]
        resolved = review_comment_resolve(comment=on_row, user=editor)

        assert (resolved.resolved_by, resolved.is_resolved) == (editor, True)
        with pytest.raises(EditorialError, match="already resolved by editor-ann"):
            review_comment_resolve(comment=on_row, user=reviewer)
        # Open comments come first.
        assert [c.part for c in review_comments(root=drafted_drug)] == [
            "mechanism",
            "adverse-events",
        ]

    def test_commenting_is_not_an_edit_and_leaves_an_approval_standing(
        self, approved_drug, reviewer
    ):
        events = EditorialEvent.objects.count()

        review_comment_add(root=approved_drug, user=reviewer, body="Fine as it is.")

        approved_drug.refresh_from_db()
        assert approved_drug.status == Status.APPROVED
        assert EditorialEvent.objects.count() == events

    def test_an_empty_comment_or_an_outsider_is_refused(self, drafted_drug, reviewer):
        outsider = member_of(REVIEWER, username="outsider-olga")
        outsider.groups.clear()

        with pytest.raises(EditorialError, match="empty"):
            review_comment_add(root=drafted_drug, user=reviewer, body="  ")
        with pytest.raises(EditorialPermissionDenied):
            review_comment_add(root=drafted_drug, user=outsider, body="Hello.")


class TestCommentsAreEmailed:
    def test_a_reviewer_comment_goes_to_the_editors_of_the_draft(
        self, mailed, drafted_drug, editor, second_editor, reviewer, second_reviewer
    ):
        revision_submit(root=drafted_drug, user=editor)

        mails = mailed(
            review_comment_add,
            root=drafted_drug,
            user=reviewer,
            part="adverse-events",
            row="Hand-foot skin reaction",
            body="Give the grade 3 incidence.",
        )

        assert mails == [(f"Comment on '{drafted_drug}'", [editor.email])]
        body = mail.outbox[0].body
        assert "Give the grade 3 incidence." in body
        assert "reviewer-rita commented on Adverse events (row: Hand-foot skin reaction)" in body
        assert f"/admin/monographs/drug/{drafted_drug.pk}/review/" in body

    def test_an_editor_comment_goes_to_the_reviewers_who_took_part(
        self, mailed, drafted_drug, editor, reviewer, second_reviewer
    ):
        revision_submit(root=drafted_drug, user=editor)
        revision_request_changes(root=drafted_drug, user=reviewer, comment="Cite the label.")

        mails = mailed(review_comment_add, root=drafted_drug, user=editor, body="Done, see AE.")

        assert mails == [(f"Comment on '{drafted_drug}'", [reviewer.email])]

    def test_before_any_reviewer_took_part_an_editor_comment_goes_to_every_reviewer(
        self, mailed, drafted_drug, editor, reviewer, second_reviewer
    ):
        mails = mailed(review_comment_add, root=drafted_drug, user=editor, body="Look first.")

        assert [to for _, to in mails] == [[second_reviewer.email], [reviewer.email]]

    def test_whoever_opted_out_is_not_emailed_and_a_refused_comment_sends_nothing(
        self, mailed, drafted_drug, editor, reviewer
    ):
        NotificationPreference.objects.create(user=editor, email=False)

        assert mailed(review_comment_add, root=drafted_drug, user=reviewer, body="Fix it.") == []
        with pytest.raises(EditorialError):
            mailed(review_comment_add, root=drafted_drug, user=reviewer, body=" ")
        assert mail.outbox == []


def test_the_notes_are_the_latest_since_the_last_publication(drafted_drug, editor, reviewer):
    revision_submit(root=drafted_drug, user=editor, comment="First go.")
    revision_request_changes(root=drafted_drug, user=reviewer, comment="Add the dose table.")
    comment = review_comment_add(root=drafted_drug, user=reviewer, part="dosing", body="Here.")
    revision_submit(root=drafted_drug, user=editor, comment="Dose table added.")

    notes = review_notes(root=drafted_drug)

    assert notes.submitted.comment == "Dose table added."
    assert notes.remark.comment == "Add the dose table."
    assert notes.comment == comment
    revision_approve(root=drafted_drug, user=reviewer)
    root_publish(root=drafted_drug, user=reviewer)
    after = review_notes(root=drafted_drug)
    assert (after.submitted, after.remark) == (None, None)


class TestDashboards:
    def build(self, *, editor, reviewer, copies: int) -> dict[str, list[Drug]]:
        made: dict[str, list[Drug]] = {}
        for n in range(copies):
            for state in ("draft", "submitted", "sent_back", "ready", "scheduled", "overdue"):
                drug = DrugFactory(summary=f"{state} {n}.")
                made.setdefault(state, []).append(drug)
                root_record_edit(root=drug, user=editor, created=True)
                if state == "draft":
                    continue
                revision_submit(root=drug, user=editor)
                if state == "sent_back":
                    revision_request_changes(root=drug, user=reviewer, comment="No.")
                if state in ("ready", "scheduled", "overdue"):
                    revision_approve(
                        root=drug,
                        user=reviewer,
                        publish_at=later(days=n + 1) if state == "scheduled" else None,
                    )
                if state == "overdue":
                    root_publish(root=drug, user=reviewer)
                    Drug.objects.filter(pk=drug.pk).update(
                        next_review_due=datetime.date(2020, 1, 1)
                    )
        return made

    def test_every_stage_has_its_list(self, editor, reviewer):
        made = self.build(editor=editor, reviewer=reviewer, copies=2)

        mine, theirs = dashboard_for(user=editor), dashboard_for(user=reviewer)

        def roots(work):
            return sorted(item.root.pk for item in work.items)

        def pks(state):
            return sorted(drug.pk for drug in made[state])

        assert roots(mine.my_drafts) == pks("draft")
        assert roots(mine.my_submissions) == pks("submitted")
        assert roots(mine.changes_requested) == pks("sent_back")
        assert mine.awaiting_my_review.items == []
        assert roots(theirs.awaiting_my_review) == pks("submitted")
        assert theirs.my_submissions.items == []
        assert roots(theirs.ready_to_publish) == pks("ready")
        assert [i.root.pk for i in theirs.scheduled.items] == [d.pk for d in made["scheduled"]]
        assert roots(theirs.overdue_reviews) == pks("overdue")

    def test_the_queries_do_not_grow_with_the_entries(
        self, editor, reviewer, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def fresh(user):
            return type(user).objects.get(pk=user.pk)  # an empty permission cache

        self.build(editor=editor, reviewer=reviewer, copies=1)
        reader = fresh(reviewer)
        with CaptureQueriesContext(connection) as few:
            dashboard_for(user=reader)
        self.build(editor=editor, reviewer=reviewer, copies=4)
        reader = fresh(reviewer)

        with django_assert_num_queries(len(few)):
            dashboard = dashboard_for(user=reader)

        assert dashboard.scheduled.total == 5

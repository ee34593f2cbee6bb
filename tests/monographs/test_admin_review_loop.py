"""The review loop in the admin: dashboards, comments where they belong, the notes in the
workflow panel, scheduling buttons, the warning before editing an approved entry, and each
user's notification preference. The rules are the services' (tests/monographs/editorial)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from monographs.editorial.models import NotificationPreference, ReviewComment, Status
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.review import (
    review_comment_add,
    revision_approve,
    revision_request_changes,
    revision_submit,
)
from monographs.editorial.services.schedule import root_schedule
from monographs.models import DrugAdverseEvent, Formulation
from tests.admin_forms import change_form_data
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    FormulationFactory,
    MonographSectionFactory,
)
from tests.monographs.editorial.conftest import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return member_of(EDITOR, username="editor-ann")


@pytest.fixture
def reviewer(db):
    return member_of(REVIEWER, username="reviewer-rita")


def drafted(editor, **kwargs):
    drug = DrugFactory(**kwargs)
    citation = CitationFactory()
    MonographSectionFactory(drug=drug, kind="mechanism", body=f"Blocks RAF [@{citation.key}].")
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=citation)
    root_record_edit(root=drug, user=editor, created=True)
    return drug


@pytest.fixture
def drug(editor):
    return drafted(editor, summary="A multikinase inhibitor.")


def url(drug, view: str, *args) -> str:
    return reverse(f"admin:monographs_drug_{view}", args=(drug.pk, *args))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def later(**delta) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(**delta)).replace(second=0, microsecond=0)


class TestEditingAnApprovedEntry:
    def test_the_page_warns_first_and_a_save_waits_for_the_confirmation(
        self, client, drug, editor, reviewer, django_capture_on_commit_callbacks
    ):
        revision_submit(root=drug, user=editor)
        revision_approve(root=drug, user=reviewer)
        root_schedule(root=drug, user=reviewer, publish_at=later(days=2))
        client.force_login(editor)
        page = url(drug, "change_part", "adverse-events")
        opened = client.get(page)
        warning = "Saving a change sends it back to review, cancels its scheduled publication"
        assert warning in opened.content.decode()
        data = change_form_data(opened)
        data["adverse_events-0-any_grade_high"] = "50"

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(page, data)

        assert refused.status_code == 200
        assert "Tick &#x27;Save anyway&#x27;" in refused.content.decode()
        drug.refresh_from_db()
        assert drug.status == Status.APPROVED and drug.publish_at is not None
        assert DrugAdverseEvent.objects.get(drug=drug).any_grade_high != 50
        assert mail.outbox == []

        with django_capture_on_commit_callbacks(execute=True):
            saved = client.post(page, {**data, "confirm_approved_edit": "on"})

        assert saved.status_code == 302
        drug.refresh_from_db()
        assert (drug.status, drug.publish_at) == (Status.DRAFT, None)
        assert [m.to for m in mail.outbox] == [[reviewer.email]]

    def test_a_draft_is_saved_without_a_question(self, client, drug, editor):
        client.force_login(editor)
        page = url(drug, "change")
        opened = client.get(page)
        data = change_form_data(opened)
        data["summary"] = "Changed in draft."

        response = client.post(page, data)

        assert "Save anyway" not in opened.content.decode()
        assert response.status_code == 302


@pytest.fixture
def scheduled(drug, editor, reviewer):
    FormulationFactory(drug=drug)
    revision_submit(root=drug, user=editor)
    revision_approve(root=drug, user=reviewer)
    root_schedule(root=drug, user=reviewer, publish_at=later(days=2))
    return drug


DELETE_PAGE_QUERIES = 12
WARNING = "Saving a change sends it back to review, cancels its scheduled publication"


class TestAddingOrDeletingARowOfAnApprovedEntry:
    """A row added or deleted is an edit like any other: the same warning, the same email."""

    def assert_refused_then_saved(self, post, drug, reviewer, capture, *, confirm: str):
        mail.outbox.clear()
        with capture(execute=True):
            refused = post({})
        assert refused.status_code == 200
        assert "Save anyway" in refused.content.decode()
        drug.refresh_from_db()
        assert drug.status == Status.APPROVED and drug.publish_at is not None
        assert mail.outbox == []
        with capture(execute=True):
            saved = post({confirm: "on"})
        assert saved.status_code == 302
        drug.refresh_from_db()
        assert (drug.status, drug.publish_at) == (Status.DRAFT, None)
        assert [m.to for m in mail.outbox] == [[reviewer.email]]

    def test_a_row_added_or_deleted_on_the_entry_page(
        self, client, scheduled, editor, reviewer, django_capture_on_commit_callbacks
    ):
        client.force_login(editor)
        page = url(scheduled, "change")
        opened = client.get(page)
        data = change_form_data(opened)
        data.update(
            {
                "formulations-TOTAL_FORMS": "2",
                "formulations-1-dosage_form": "oral suspension",
                "formulations-1-route": "oral",
            }
        )

        def post(extra):
            return client.post(page, {**data, **extra})

        self.assert_refused_then_saved(
            post, scheduled, reviewer, django_capture_on_commit_callbacks,
            confirm="confirm_approved_edit",
        )  # fmt: skip
        assert scheduled.formulations.count() == 2

    def test_a_row_deleted_on_the_entry_page(
        self, client, scheduled, editor, reviewer, django_capture_on_commit_callbacks
    ):
        client.force_login(editor)
        page = url(scheduled, "change")
        data = change_form_data(client.get(page))
        data["formulations-0-DELETE"] = "on"

        def post(extra):
            return client.post(page, {**data, **extra})

        self.assert_refused_then_saved(
            post, scheduled, reviewer, django_capture_on_commit_callbacks,
            confirm="confirm_approved_edit",
        )  # fmt: skip
        assert not scheduled.formulations.exists()

    def test_a_row_added_on_its_own_page(
        self, client, scheduled, editor, reviewer, django_capture_on_commit_callbacks
    ):
        client.force_login(editor)
        page = reverse("admin:monographs_formulation_add")
        data = {"drug": scheduled.pk, "dosage_form": "oral suspension", "route": "oral"}

        def post(extra):
            return client.post(page, {**data, **extra})

        self.assert_refused_then_saved(
            post, scheduled, reviewer, django_capture_on_commit_callbacks,
            confirm="confirm_approved_edit",
        )  # fmt: skip
        assert scheduled.formulations.count() == 2

    def test_a_row_deleted_on_its_own_page(
        self,
        client,
        scheduled,
        editor,
        reviewer,
        django_capture_on_commit_callbacks,
        django_assert_max_num_queries,
    ):
        client.force_login(editor)
        row = scheduled.formulations.get()
        page = reverse("admin:monographs_formulation_delete", args=[row.pk])
        client.get(page)
        with django_assert_max_num_queries(DELETE_PAGE_QUERIES):
            opened = client.get(page).content.decode()
        assert WARNING in opened

        def post(extra):
            return client.post(page, {"post": "yes", "csrfmiddlewaretoken": "as sent", **extra})

        self.assert_refused_then_saved(
            post, scheduled, reviewer, django_capture_on_commit_callbacks,
            confirm="confirm_approved_edit",
        )  # fmt: skip
        assert not Formulation.objects.filter(pk=row.pk).exists()

    def test_rows_deleted_from_the_list(
        self,
        client,
        scheduled,
        editor,
        reviewer,
        django_capture_on_commit_callbacks,
        django_assert_max_num_queries,
    ):
        client.force_login(editor)
        row = scheduled.formulations.get()
        page = reverse("admin:monographs_formulation_changelist")
        action = {"action": "delete_selected", "_selected_action": [row.pk]}
        client.get(page)
        with django_assert_max_num_queries(DELETE_PAGE_QUERIES):
            asked = client.post(page, action).content.decode()
        assert WARNING in asked

        def post(extra):
            return client.post(page, {**action, "post": "yes", "csrfmiddlewaretoken": "x", **extra})

        self.assert_refused_then_saved(
            post, scheduled, reviewer, django_capture_on_commit_callbacks,
            confirm="confirm_approved_edit",
        )  # fmt: skip
        assert not Formulation.objects.filter(pk=row.pk).exists()


class TestComments:
    def test_a_comment_on_a_part_is_shown_in_that_part_and_on_the_review_page(
        self, client, drug, editor, reviewer, django_assert_max_num_queries
    ):
        revision_submit(root=drug, user=editor, comment="Mechanism rewritten.")
        client.force_login(reviewer)
        review = url(drug, "review")

        added = client.post(
            url(drug, "comment"),
            {"part": "mechanism", "row": "", "body": "Which VEGF receptors?", "next": review},
        )

        assert added["Location"] == review
        client.force_login(editor)
        with django_assert_max_num_queries(60):
            mechanism = client.get(url(drug, "change_part", "mechanism")).content.decode()
        identity = client.get(url(drug, "change")).content.decode()

        def comments(html: str) -> str:
            return html.split('id="editorial-comments-heading"')[1].split("</section>")[0]

        assert "Which VEGF receptors?" in comments(mechanism)
        assert "Which VEGF receptors?" not in comments(identity)
        on_review = client.get(review).content.decode()
        assert "about Mechanism and targets" in on_review
        assert "Mechanism rewritten." in on_review  # the submit note

    def test_a_comment_is_resolved_with_who_and_when(self, client, drug, editor, reviewer):
        comment = review_comment_add(
            root=drug, user=reviewer, part="adverse-events", row="Rash", body="Grade 3?"
        )
        client.force_login(editor)

        client.post(url(drug, "comment_resolve", comment.pk))

        comment.refresh_from_db()
        assert comment.resolved_by == editor and comment.resolved_at is not None
        page = client.get(url(drug, "change_part", "adverse-events")).content.decode()
        assert "resolved by editor-ann" in page

    def test_an_empty_comment_is_refused_with_a_message(self, client, drug, reviewer):
        client.force_login(reviewer)

        response = client.post(url(drug, "comment"), {"part": "dosing", "body": ""}, follow=True)

        assert not ReviewComment.objects.exists()
        assert any("Comment: This field is required." in m for m in messages_of(response))

    def test_a_comment_of_another_entry_cannot_be_resolved_here(
        self, client, drug, editor, reviewer
    ):
        other = drafted(editor, summary="Another.")
        comment = review_comment_add(root=other, user=reviewer, body="Elsewhere.")
        client.force_login(editor)

        assert client.post(url(drug, "comment_resolve", comment.pk)).status_code == 404


def test_the_workflow_panel_shows_the_submit_note_and_the_latest_remark(
    client, drug, editor, reviewer
):
    revision_submit(root=drug, user=editor, comment="Ready for a look.")
    revision_request_changes(root=drug, user=reviewer, comment="Cite the SmPC.")
    client.force_login(editor)

    html = client.get(url(drug, "change")).content.decode()
    panel = html.split('aria-labelledby="editorial-workflow-heading"')[1].split("</section>")[0]

    assert "Ready for a look." in panel
    assert "Cite the SmPC." in panel


class TestSchedulingInTheAdmin:
    def transition(self, client, drug, publish_at: str):
        return client.post(url(drug, "transition", "schedule"), {"publish_at": publish_at})

    def test_a_reviewer_sets_moves_and_clears_the_time(self, client, drug, editor, reviewer):
        revision_submit(root=drug, user=editor)
        revision_approve(root=drug, user=reviewer)
        client.force_login(reviewer)
        first, moved = later(days=1), later(days=2)

        self.transition(client, drug, f"{first:%Y-%m-%dT%H:%M}")
        drug.refresh_from_db()
        assert drug.publish_at == first
        page = client.get(url(drug, "change")).content.decode()
        assert f'value="{first:%Y-%m-%dT%H:%M}"' in page  # the form offers the time to move
        self.transition(client, drug, f"{moved:%Y-%m-%dT%H:%M}")
        drug.refresh_from_db()
        assert (drug.status, drug.publish_at) == (Status.APPROVED, moved)
        self.transition(client, drug, "")
        drug.refresh_from_db()
        assert (drug.status, drug.publish_at) == (Status.APPROVED, None)

    def test_a_time_in_the_past_is_refused_with_a_clear_message(
        self, client, drug, editor, reviewer
    ):
        revision_submit(root=drug, user=editor)
        revision_approve(root=drug, user=reviewer)
        client.force_login(reviewer)
        past = timezone.now() - datetime.timedelta(hours=2)

        response = client.post(
            url(drug, "transition", "schedule"),
            {"publish_at": f"{past:%Y-%m-%dT%H:%M}"},
            follow=True,
        )

        assert any("is in the past" in m for m in messages_of(response))
        drug.refresh_from_db()
        assert drug.publish_at is None


class TestDashboardPage:
    def test_each_list_links_to_the_entry_s_editor_in_bounded_queries(
        self, client, editor, reviewer, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def make(n: int) -> list:
            drugs = []
            for i in range(n):
                submitted = drafted(editor, summary=f"Submitted {i}.")
                revision_submit(root=submitted, user=editor)
                ready = drafted(editor, summary=f"Ready {i}.")
                revision_submit(root=ready, user=editor)
                revision_approve(root=ready, user=reviewer)
                drugs += [submitted, ready]
            return drugs

        first = make(1)
        client.force_login(reviewer)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("admin:index"))
        make(5)

        with django_assert_num_queries(len(few)):
            response = client.get(reverse("admin:index"))

        html = response.content.decode()
        assert "Awaiting my review (6)" in html
        assert "Approved, ready to publish (6)" in html
        for drug in first:
            assert reverse("admin:monographs_drug_change", args=[drug.pk]) in html
        client.force_login(editor)
        assert "My submissions (6)" in client.get(reverse("admin:index")).content.decode()


class TestNotificationPreference:
    def test_a_user_turns_workflow_email_off_for_themselves_only(self, client, editor, reviewer):
        client.force_login(editor)

        listed = client.get(reverse("admin:editorial_notificationpreference_changelist"))
        own = NotificationPreference.objects.get(user=editor)
        change = reverse("admin:editorial_notificationpreference_change", args=[own.pk])
        assert change in listed.content.decode()
        assert client.get(change).status_code == 200
        client.post(change, {"email": ""})

        own.refresh_from_db()
        assert own.email is False
        theirs = NotificationPreference.objects.create(user=reviewer)
        page = reverse("admin:editorial_notificationpreference_change", args=[theirs.pk])
        assert client.get(page).status_code in (302, 403, 404)

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from monographs.editorial.actions import actions_available, workflow_action
from monographs.editorial.exceptions import (
    ConcurrentEditError,
    EditorialPermissionDenied,
    FourEyesViolation,
    QualityCheckFailed,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services.edits import root_check_lock_version, root_record_edit
from monographs.editorial.services.publish import (
    publications_publish_due,
    root_import_publish,
    root_publish,
)
from monographs.editorial.services.review import (
    revision_approve,
    revision_request_changes,
    revision_submit,
)
from monographs.editorial.services.revisions import revision_editor_ids
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import DrugAdverseEvent, MonographSection, SearchDocument
from monographs.publishing.models import Entry, Publication
from tests.factories import TrialFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db


def publish_through_review(drug, *, editor, reviewer):
    revision_submit(root=drug, user=editor)
    revision_approve(root=drug, user=reviewer)
    return root_publish(root=drug, user=reviewer)


def bring_to(status, drug, *, editor, reviewer):
    """Walk a freshly drafted drug to `status` through the services themselves."""
    if status == Status.DRAFT:
        return
    if status == Status.WITHDRAWN:
        publish_through_review(drug, editor=editor, reviewer=reviewer)
        root_withdraw(root=drug, user=reviewer, reason="Superseded by a corrected monograph.")
        return
    revision_submit(root=drug, user=editor)
    if status == Status.CHANGES_REQUESTED:
        revision_request_changes(root=drug, user=reviewer, comment="Add the PK table.")
    if status in (Status.APPROVED, Status.PUBLISHED):
        revision_approve(root=drug, user=reviewer)
    if status == Status.PUBLISHED:
        root_publish(root=drug, user=reviewer)


def run_transition(name, drug, user):
    """Every transition through the one action the admin, commands and API use."""
    action = workflow_action(name, root=drug, user=user)
    return action.execute(comment="Cite the label.", reason="Safety review pending.")


SOURCE_STATE = {
    "submit": Status.DRAFT,
    "request_changes": Status.IN_REVIEW,
    "approve": Status.IN_REVIEW,
    "publish": Status.APPROVED,
    "withdraw": Status.PUBLISHED,
}
ALLOWED = {
    "editor": {"submit"},
    "reviewer": {"request_changes", "approve", "publish", "withdraw"},
    "superuser": {"submit", "request_changes", "approve", "publish", "withdraw"},
    "staff_without_role": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("transition", sorted(SOURCE_STATE))
def test_permission_matrix(role, transition, drafted_drug, editor, reviewer, superuser, request):
    from tests.factories import UserFactory

    actor = {
        "editor": request.getfixturevalue("second_editor"),
        "reviewer": request.getfixturevalue("second_reviewer"),
        "superuser": superuser,
        "staff_without_role": UserFactory(is_staff=True),
    }[role]
    bring_to(SOURCE_STATE[transition], drafted_drug, editor=editor, reviewer=reviewer)
    events_before = EditorialEvent.objects.count()

    if transition in ALLOWED[role]:
        run_transition(transition, drafted_drug, actor)
        assert EditorialEvent.objects.count() == events_before + 1
        assert EditorialEvent.objects.last().user == actor
    else:
        with pytest.raises(EditorialPermissionDenied, match="may not"):
            run_transition(transition, drafted_drug, actor)
        assert EditorialEvent.objects.count() == events_before
        drafted_drug.refresh_from_db()
        assert drafted_drug.status == SOURCE_STATE[transition]


@pytest.mark.parametrize(
    ("transition", "wrong_state"),
    [
        ("approve", Status.DRAFT),
        ("publish", Status.IN_REVIEW),
        ("submit", Status.APPROVED),
        ("request_changes", Status.DRAFT),
        ("publish", Status.CHANGES_REQUESTED),
    ],
)
def test_illegal_moves_are_refused_with_the_current_state(
    transition, wrong_state, drafted_drug, editor, reviewer, superuser
):
    bring_to(wrong_state, drafted_drug, editor=editor, reviewer=reviewer)
    with pytest.raises(TransitionNotAllowed, match=Status(wrong_state).label.lower()):
        run_transition(transition, drafted_drug, superuser)
    drafted_drug.refresh_from_db()
    assert drafted_drug.status == wrong_state


def test_withdraw_needs_a_live_publication(drafted_drug, reviewer):
    with pytest.raises(TransitionNotAllowed, match="no live publication"):
        root_withdraw(root=drafted_drug, user=reviewer, reason="Duplicate entry.")


def test_four_eyes_nobody_approves_or_publishes_what_they_edited(drafted_drug, superuser, reviewer):
    root_record_edit(root=drafted_drug, user=superuser)
    revision_submit(root=drafted_drug, user=superuser)
    assert superuser.pk in revision_editor_ids(root=drafted_drug)

    with pytest.raises(FourEyesViolation, match="four-eyes"):
        revision_approve(root=drafted_drug, user=superuser)
    revision_approve(root=drafted_drug, user=reviewer)
    with pytest.raises(FourEyesViolation):
        root_publish(root=drafted_drug, user=superuser)
    assert root_publish(root=drafted_drug, user=reviewer).version == 1


def test_edits_before_the_last_publication_do_not_count_for_four_eyes(
    drafted_drug, editor, reviewer, superuser
):
    root_record_edit(root=drafted_drug, user=superuser)
    publish_through_review(drafted_drug, editor=editor, reviewer=reviewer)
    root_record_edit(root=drafted_drug, user=editor)
    assert revision_editor_ids(root=drafted_drug) == {editor.pk}
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=superuser)


def test_buttons_match_the_rules(drafted_drug, editor, reviewer):
    assert [t.name for t in actions_available(root=drafted_drug, user=editor)] == ["submit"]
    assert actions_available(root=drafted_drug, user=reviewer) == []
    revision_submit(root=drafted_drug, user=editor)
    assert [t.name for t in actions_available(root=drafted_drug, user=reviewer)] == [
        "request_changes",
        "approve",
    ]
    assert actions_available(root=drafted_drug, user=editor) == []


def test_draft_over_live_published_version_stays_until_the_next_is_published(
    drafted_drug, editor, reviewer
):
    first = publish_through_review(drafted_drug, editor=editor, reviewer=reviewer)
    live_document = Entry.objects.get(kind="drug", root_id=drafted_drug.pk).current.document

    section = MonographSection.objects.get(drug=drafted_drug)
    section.body = "Rewritten mechanism, not yet reviewed."
    section.save()
    root_record_edit(root=drafted_drug, user=editor)

    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.DRAFT
    entry = Entry.objects.get(kind="drug", root_id=drafted_drug.pk)
    assert entry.current_id == first.pk
    assert entry.current.document == live_document
    assert "not yet reviewed" not in str(Publication.objects.current().values("document"))

    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)
    second = root_publish(root=drafted_drug, user=reviewer)

    entry.refresh_from_db()
    assert (second.version, entry.current_id) == (2, second.pk)
    assert "not yet reviewed" in second.document["sections"][0]["body"]
    first.refresh_from_db()
    assert first.document == live_document


def test_editing_during_review_voids_the_approval(drafted_drug, editor, reviewer):
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(
        root=drafted_drug, user=reviewer, publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    root_record_edit(root=drafted_drug, user=editor)
    drafted_drug.refresh_from_db()
    assert (drafted_drug.status, drafted_drug.publish_at) == (Status.DRAFT, None)
    assert "reviewed again" in EditorialEvent.objects.last().comment


def test_publication_records_who_approved_and_who_published(drafted_drug, editor, reviewer):
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)
    publication = root_publish(root=drafted_drug, user=reviewer, comment="First release")
    assert (publication.approved_by, publication.published_by) == (reviewer, reviewer)
    assert publication.change_note == "First release"
    assert len(publication.content_hash) == 64


def test_every_transition_is_an_event_with_from_and_to(drafted_drug, editor, reviewer):
    bring_to(Status.PUBLISHED, drafted_drug, editor=editor, reviewer=reviewer)
    events = EditorialEvent.objects.of_root(kind="drug", root_id=drafted_drug.pk)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("created", "", "draft"),
        ("submitted", "draft", "in_review"),
        ("approved", "in_review", "approved"),
        ("published", "approved", "published"),
    ]
    assert events.last().publication.version == 1


def test_events_and_publications_cannot_be_changed(drafted_drug, editor, reviewer):
    publication = publish_through_review(drafted_drug, editor=editor, reviewer=reviewer)
    for queryset, change in (
        (Publication.objects.filter(pk=publication.pk), {"title": "rewritten"}),
        (EditorialEvent.objects.all(), {"comment": "rewritten"}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.delete()
    publication.refresh_from_db()
    assert publication.title == drafted_drug.inn


def test_blocking_quality_errors_stop_approval_and_publishing(drafted_drug, editor, reviewer):
    DrugAdverseEvent.objects.filter(drug=drafted_drug).update(citation=None)
    revision_submit(root=drafted_drug, user=editor)
    with pytest.raises(QualityCheckFailed, match="no source"):
        revision_approve(root=drafted_drug, user=reviewer)
    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.IN_REVIEW
    assert not Publication.objects.exists()


def test_trial_with_arms_above_enrolment_cannot_be_approved(editor, reviewer):
    from tests.factories import ArmFactory, TrialPublicationFactory

    trial = TrialFactory(enrolment=100)
    ArmFactory(trial=trial, label="Sorafenib", participants=80)
    ArmFactory(trial=trial, label="Placebo", participants=80)
    TrialPublicationFactory(trial=trial)
    root_record_edit(root=trial, user=editor, created=True)
    revision_submit(root=trial, user=editor)
    with pytest.raises(QualityCheckFailed, match="more than the enrolment of 100"):
        revision_approve(root=trial, user=reviewer)


def test_withdraw_then_republish(drafted_drug, editor, reviewer):
    publish_through_review(drafted_drug, editor=editor, reviewer=reviewer)
    with pytest.raises(TransitionNotAllowed, match="reason"):
        root_withdraw(root=drafted_drug, user=reviewer, reason="  ")
    entry = root_withdraw(root=drafted_drug, user=reviewer, reason="Label withdrawn by agency.")
    assert entry.is_withdrawn and not Publication.objects.current().exists()

    root_record_edit(root=drafted_drug, user=editor)
    publication = publish_through_review(drafted_drug, editor=editor, reviewer=reviewer)
    entry.refresh_from_db()
    assert (entry.is_withdrawn, entry.current_id, publication.version) == (False, publication.pk, 2)


def test_scheduled_publication_waits_for_its_time(drafted_drug, editor, reviewer):
    publish_at = timezone.now() + datetime.timedelta(hours=2)
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer, publish_at=publish_at)
    with pytest.raises(TransitionNotAllowed, match="scheduled"):
        root_publish(root=drafted_drug, user=reviewer)

    assert publications_publish_due(now=publish_at - datetime.timedelta(minutes=1)).published == []
    [publication] = publications_publish_due(now=publish_at).published
    assert (publication.published_by, publication.approved_by) == (reviewer, reviewer)
    drafted_drug.refresh_from_db()
    assert (drafted_drug.status, drafted_drug.publish_at) == (Status.PUBLISHED, None)


def test_a_scheduled_revision_changed_after_approval_is_not_published_nor_holds_back_others(
    editor, reviewer
):
    from tests.factories import AdverseEventTermFactory, CitationFactory, DrugFactory

    publish_at = timezone.now() + datetime.timedelta(minutes=5)
    broken, sound = DrugFactory(summary="x"), DrugFactory(summary="y")
    for drug in (broken, sound):
        DrugAdverseEvent.objects.create(
            drug=drug, term=AdverseEventTermFactory(), any_grade_low=5, citation=CitationFactory()
        )
        root_record_edit(root=drug, user=editor, created=True)
        revision_submit(root=drug, user=editor)
        revision_approve(root=drug, user=reviewer, publish_at=publish_at)
    DrugAdverseEvent.objects.filter(drug=broken).update(citation=None)

    run = publications_publish_due(now=publish_at + datetime.timedelta(minutes=1))

    assert [p.slug for p in run.published] == [sound.slug]
    failed = [(root.pk, "changed after it was approved" in reason) for root, reason in run.failed]
    assert failed == [(broken.pk, True)]
    broken.refresh_from_db()
    assert broken.status == Status.IN_REVIEW
    assert not Entry.objects.filter(kind="drug", root_id=broken.pk).exists()


def test_next_review_defaults_to_twelve_months(drafted_drug, editor, reviewer):
    publication = publish_through_review(drafted_drug, editor=editor, reviewer=reviewer)
    drafted_drug.refresh_from_db()
    expected = publication.published_at.date() + datetime.timedelta(days=365)
    assert drafted_drug.next_review_due == expected
    assert publication.document["next_review_due"] == expected.isoformat()


def test_import_publish_is_idempotent(drafted_drug):
    first = root_import_publish(root=drafted_drug, note="Seed records")
    again = root_import_publish(root=drafted_drug, note="Seed records")
    assert first.pk == again.pk
    assert Publication.objects.count() == 1


def test_stale_form_save_is_refused(drafted_drug, editor, second_editor):
    opened_at = drafted_drug.lock_version
    root_check_lock_version(root=drafted_drug, expected_lock_version=opened_at)
    root_record_edit(root=drafted_drug, user=editor)
    with pytest.raises(ConcurrentEditError, match="Someone else saved"):
        root_check_lock_version(root=drafted_drug, expected_lock_version=opened_at)


def test_a_trial_publishes_with_the_longest_title_its_form_accepts():
    """Entries, publications and search rows hold a 500-character trial title and acronym."""
    from tests.factories import TrialPublicationFactory

    title = ("A randomised phase 3 trial " + "of sorafenib " * 40)[:499] + "."
    trial = TrialFactory(title=title, acronym="A" * 50)
    TrialPublicationFactory(trial=trial)

    publication = root_import_publish(root=trial, note="Registry import")

    entry = Entry.objects.get(current=publication)
    assert len(title) == Trial._meta.get_field("title").max_length
    assert publication.title == entry.title == title
    assert SearchDocument.objects.get(slug=entry.slug).title == f"{'A' * 50}: {title}"

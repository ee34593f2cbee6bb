"""The editorial workflow: every state change of a root goes through these functions.

The admin, the commands, the API and the tests all call them, so each rule (states,
permissions, four eyes, quality checks, immutability) is written once.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from monographs.bulk import rows_insert
from monographs.editorial import registry
from monographs.editorial.cache import published_generation_bump
from monographs.editorial.checks import Finding, drug_slugs_resolve, has_errors
from monographs.editorial.commit_stamp import stamp_at_commit
from monographs.editorial.documents import document_hash, text_hash
from monographs.editorial.exceptions import (
    ApprovalVoid,
    ConcurrentEditError,
    EditorialError,
    EditorialPermissionDenied,
    FourEyesViolation,
    QualityCheckFailed,
    TransitionNotAllowed,
)
from monographs.editorial.models import (
    EditorialEvent,
    Entry,
    Facet,
    Publication,
    RetiredSlug,
    ReviewComment,
    Revision,
    Status,
)
from monographs.editorial.notifications import comment_notify, event_notify
from monographs.editorial.projections import (
    project_published,
    project_withdrawn,
    projections_run,
)
from monographs.editorial.shared import shared_records_changed

Action = EditorialEvent.Action
REVIEW_INTERVAL = timedelta(days=365)
EDITING_ACTIONS = (Action.CREATED, Action.EDITED, Action.RESTORED, Action.SUBMITTED)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    action: str


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            "Submit for review",
            frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
            Status.IN_REVIEW,
            "monographs.submit_revision",
            Action.SUBMITTED,
        ),
        Transition(
            "request_changes",
            "Request changes",
            frozenset({Status.IN_REVIEW, Status.APPROVED}),
            Status.CHANGES_REQUESTED,
            "monographs.review_revision",
            Action.CHANGES_REQUESTED,
        ),
        Transition(
            "approve",
            "Approve",
            frozenset({Status.IN_REVIEW}),
            Status.APPROVED,
            "monographs.review_revision",
            Action.APPROVED,
        ),
        Transition(
            "publish",
            "Publish",
            frozenset({Status.APPROVED}),
            Status.PUBLISHED,
            "monographs.publish_revision",
            Action.PUBLISHED,
        ),
        Transition(
            "withdraw",
            "Withdraw",
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            "monographs.withdraw_entry",
            Action.WITHDRAWN,
        ),
    )
}
FOUR_EYES_TRANSITIONS = {"approve", "publish"}


def root_identity(root: models.Model) -> tuple[str, int]:
    return registry.kind_of(root), root.pk


def _lock(root: models.Model) -> models.Model:
    """Re-read the root under a row lock: concurrent transitions queue instead of racing."""
    return type(root).objects.select_for_update().get(pk=root.pk)


def _record(
    *,
    root: models.Model,
    action: str,
    user: AbstractBaseUser | None,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    publication: Publication | None = None,
    revision: Revision | None = None,
) -> EditorialEvent:
    kind, root_id = root_identity(root)
    event = EditorialEvent.objects.create(
        kind=kind,
        root_id=root_id,
        action=action,
        user=user,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        publication=publication,
        revision=revision,
    )
    if action in (Action.PUBLISHED, Action.WITHDRAWN):
        stamp_at_commit(connection=transaction.get_connection(), event_ids=[event.pk])
    # Every path to a timeline event (admin, commands, API, tests) notifies from here.
    event_notify(event=event)
    return event


def _status_move(
    *,
    root: models.Model,
    to_status: str,
    action: str,
    user: AbstractBaseUser | None,
    comment: str = "",
    unschedule: bool = False,
    publication: Publication | None = None,
    revision: Revision | None = None,
) -> None:
    """Move a locked root to a status and record the move on its timeline, in one place."""
    from_status = root.status
    root.status = to_status
    if unschedule:
        root.publish_at = None
    root.save(update_fields=["status", "publish_at", "updated_at"])
    _record(
        root=root,
        action=action,
        user=user,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        publication=publication,
        revision=revision,
    )


def revision_keep(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    note: str = "",
    document: dict | None = None,
) -> Revision:
    """Keep the root's whole document as it stands now (built unless given).

    A document equal to the root's latest revision reuses it: a save that changed nothing
    the document holds adds no history.
    """
    kind_name, root_id = root_identity(root)
    if document is None:
        document = registry.root_kind(kind_name).build_document(root)
    content_hash = document_hash(document)
    latest = revision_latest(kind=kind_name, root_id=root_id)
    if latest is not None and latest.content_hash == content_hash:
        return latest
    return Revision.objects.create(
        kind=kind_name,
        root_id=root_id,
        document=document,
        content_hash=content_hash,
        created_by=user,
        note=note,
    )


def revision_latest(*, kind: str, root_id: int) -> Revision | None:
    return Revision.objects.filter(kind=kind, root_id=root_id).order_by("-id").first()


def revision_editor_ids(*, root: models.Model) -> set[int]:
    """Users who wrote the current revision (the four-eyes rule): see revision_editors_by_root."""
    kind, root_id = root_identity(root)
    return revision_editors_by_root(kind=kind, root_ids=[root_id]).get(root_id, set())


def revision_editors_by_root(
    *, kind: str, root_ids: list[int], before_event_id: int | None = None
) -> dict[int, set[int]]:
    """Who wrote each root's current revision: every user who edited it (or a record it
    uses) since it was last published. Whoever did may not approve or publish it.

    before_event_id asks who had written it when that event happened (a publication's
    notice goes to the editors of what was published, though publishing starts afresh).
    """
    events = EditorialEvent.objects.filter(kind=kind, root_id__in=root_ids)
    if before_event_id is not None:
        events = events.filter(id__lt=before_event_id)
    events = (
        events.filter(action__in=(*EDITING_ACTIONS, Action.PUBLISHED))
        .order_by("root_id", "created_at", "id")
        .values_list("root_id", "action", "user_id")
    )
    editors: dict[int, set[int]] = defaultdict(set)
    for root_id, action, user_id in events:
        if action == Action.PUBLISHED:
            editors[root_id] = set()
        elif user_id is not None:
            editors[root_id].add(user_id)
    return editors


def _check_allowed(
    *, root: models.Model, user: AbstractBaseUser | None, transition: Transition
) -> None:
    if root.status not in transition.sources:
        allowed = ", ".join(sorted(Status(s).label.lower() for s in transition.sources))
        raise TransitionNotAllowed(
            f"Cannot {transition.label.lower()} '{root}': it is "
            f"{Status(root.status).label.lower()}, and this is allowed only when {allowed}."
        )
    if user is not None and not user.has_perm(transition.permission):
        raise EditorialPermissionDenied(
            f"{user.get_username()} may not {transition.label.lower()}: "
            f"that needs the permission '{transition.permission}'."
        )
    if (
        user is not None
        and transition.name in FOUR_EYES_TRANSITIONS
        and user.pk in revision_editor_ids(root=root)
    ):
        raise FourEyesViolation(
            f"{user.get_username()} edited this revision of '{root}', so someone else "
            f"must {transition.label.lower()} it (four-eyes rule)."
        )


def transition_check(*, root: models.Model, user: AbstractBaseUser | None, name: str) -> None:
    """Raise the EditorialError saying why this user may not take this transition now."""
    _check_allowed(root=root, user=user, transition=TRANSITIONS[name])


def _transition(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    name: str,
    comment: str = "",
    revision: Revision | None = None,
) -> models.Model:
    transition = TRANSITIONS[name]
    locked = _lock(root)
    _check_allowed(root=locked, user=user, transition=transition)
    _status_move(
        root=locked,
        to_status=transition.target,
        action=transition.action,
        user=user,
        comment=comment,
        revision=revision,
    )
    root.status = locked.status
    return locked


def root_editable_by(*, root: models.Model, user: AbstractBaseUser) -> bool:
    """Who may change the working copy: whoever may change the model, and a reviewer while
    the root is in review, so a typo is fixed rather than sent back. A reviewer who edits
    becomes one of the revision's editors, so the four-eyes rule keeps them from approving it.
    """
    permission = f"{root._meta.app_label}.change_{root._meta.model_name}"
    if user.has_perm(permission):
        return True
    return root.status == Status.IN_REVIEW and user.has_perm(TRANSITIONS["approve"].permission)


def reviewer_edit_stays_in_review(*, from_status: str, user: AbstractBaseUser | None) -> bool:
    """A reviewer's edit during review is part of the review: the root stays in review (for
    another reviewer to approve); anyone else's edit takes the submission back to a draft."""
    return (
        from_status == Status.IN_REVIEW
        and user is not None
        and user.has_perm(TRANSITIONS["approve"].permission)
    )


def four_eyes_notice(*, root: models.Model, user: AbstractBaseUser) -> str:
    """What to tell a reviewer who edited the revision now waiting for review or publication."""
    if root.status not in (Status.IN_REVIEW, Status.APPROVED):
        return ""
    if not user.has_perm(TRANSITIONS["approve"].permission):
        return ""
    if user.pk not in revision_editor_ids(root=root):
        return ""
    step = "approve" if root.status == Status.IN_REVIEW else "publish"
    return (
        f"You edited this revision, so you cannot {step} it: another reviewer must "
        f"(four-eyes rule). Your edits are in its history beside the editor's."
    )


def root_check_lock_version(*, root: models.Model, expected_lock_version: int) -> None:
    """Refuse a save made from a stale copy; locks the row until the saving transaction ends."""
    current = (
        type(root)
        .objects.select_for_update()
        .filter(pk=root.pk)
        .values_list("lock_version", flat=True)
        .first()
    )
    if current is not None and current != expected_lock_version:
        raise ConcurrentEditError(
            f"Someone else saved '{root}' while you were editing it. Your changes were not "
            "saved: open the page again, then re-apply them."
        )


@transaction.atomic
def root_record_edit(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    created: bool = False,
    document: dict | None = None,
):
    """Note that the working copy changed: a new revision starts, and any approval is void.

    Call it in the transaction that saved the root or one of its children. The live
    publication is untouched: editing a published root starts a new draft beside it. The
    document as saved is kept as a revision, so nothing typed is lost to a later save; a
    bulk writer that has built the documents of many roots at once may pass this one's.
    """
    locked = _lock(root)
    from_status, scheduled_for = locked.status, locked.publish_at
    in_review = reviewer_edit_stays_in_review(from_status=from_status, user=user)
    if not in_review and locked.status != Status.CHANGES_REQUESTED:
        locked.status = Status.DRAFT
    if from_status == Status.APPROVED:
        locked.publish_at = None
    locked.lock_version += 1
    locked.save(update_fields=["status", "lock_version", "publish_at", "updated_at"])
    root.status, root.lock_version, root.publish_at = (
        locked.status,
        locked.lock_version,
        locked.publish_at,
    )
    comment = ""
    if in_review:
        comment = (
            "Edited by a reviewer during review: it stays in review, and another reviewer "
            "must approve it (four-eyes rule)."
        )
    elif from_status in (Status.IN_REVIEW, Status.APPROVED):
        comment = "Edited during review: the revision must be submitted and reviewed again."
    if from_status == Status.APPROVED and scheduled_for is not None:
        comment = (
            f"Edited after approval: the publication scheduled for "
            f"{scheduled_for:%Y-%m-%d %H:%M} UTC is cancelled, and the revision must be "
            "submitted and reviewed again."
        )
    kind_name, root_id = root_identity(locked)
    shown_before = (
        Revision.objects.filter(kind=kind_name, root_id=root_id)
        .order_by("-id")
        .values_list("document__slug", "document__title")
        .first()
    )
    revision = revision_keep(root=locked, user=user, document=document)
    _record(
        root=locked,
        action=Action.CREATED if created else Action.EDITED,
        user=user,
        from_status="" if created else from_status,
        to_status=locked.status,
        comment=comment,
        revision=revision,
    )
    # Other entries show this one by its slug and title (an interacting drug, a trial's
    # drug): a change to those is an edit of theirs too.
    shown_now = (revision.document["slug"], revision.document["title"])
    if not created and (shown_before is None or tuple(shown_before) != shown_now):
        shared_records_changed(records=[locked], user=user)


@transaction.atomic
def root_shared_edit(
    *, root: models.Model, user: AbstractBaseUser | None, note: str, document: dict
) -> None:
    """A shared record this root uses changed its document: count it as an edit of the root.

    The editor's own form is not stale (none of the root's rows changed), so the lock
    version stays; the approval, if any, is void, and a published root gets a new draft.
    """
    locked = _lock(root)
    from_status = locked.status
    if from_status in (Status.APPROVED, Status.IN_REVIEW):
        locked.status = Status.IN_REVIEW
        note = f"{note} It must be reviewed again."
    elif from_status in (Status.PUBLISHED, Status.WITHDRAWN):
        locked.status = Status.DRAFT
    locked.publish_at = None if from_status == Status.APPROVED else locked.publish_at
    locked.save(update_fields=["status", "publish_at", "updated_at"])
    root.status, root.publish_at = locked.status, locked.publish_at
    _record(
        root=locked,
        action=Action.EDITED,
        user=user,
        from_status=from_status,
        to_status=locked.status,
        comment=note,
        revision=revision_keep(root=locked, user=user, note=note, document=document),
    )


@transaction.atomic
def revision_submit(*, root: models.Model, user: AbstractBaseUser, comment: str = ""):
    return _transition(root=root, user=user, name="submit", comment=comment)


@transaction.atomic
def revision_request_changes(*, root: models.Model, user: AbstractBaseUser, comment: str):
    if not comment.strip():
        raise TransitionNotAllowed("Say what should change: a comment is required.")
    return _transition(root=root, user=user, name="request_changes", comment=comment)


@transaction.atomic
def revision_approve(
    *,
    root: models.Model,
    user: AbstractBaseUser,
    comment: str = "",
    publish_at: datetime | None = None,
    reviewed_hash: str = "",
    now: datetime | None = None,
):
    """Approve the document as it stands, after the quality checks: approving freezes it.

    The approved document is kept as a revision; publishing publishes exactly that one.
    reviewed_hash is the hash of the document the reviewer was shown (diff, preview): when
    the working copy no longer builds to it, the approval is refused, so nobody approves
    content they did not see. publish_at schedules the publication.
    """
    now = now or timezone.now()
    publish_at_refuse_past(publish_at=publish_at, now=now)
    locked = _lock(root)
    _check_allowed(root=locked, user=user, transition=TRANSITIONS["approve"])
    kind = registry.root_kind(registry.kind_of(locked))
    document = kind.build_document(locked)
    if reviewed_hash and reviewed_hash != document_hash(document):
        raise TransitionNotAllowed(
            f"'{locked}' changed while you were reviewing it (an edit, or a citation or term it "
            "uses). Nothing was approved: look at the review again, then approve what you see."
        )
    if _review_date_renew(root=locked, now=now):
        # The approval sets the next review a year on; that date is its own doing.
        root.next_review_due = locked.next_review_due
        document = kind.build_document(locked)
    _refuse_on_errors(kind.checks(document))
    slug_refuse_taken(kind=kind.kind, root_id=locked.pk, slug=document["slug"])
    revision = revision_keep(root=locked, user=user, document=document, note="Approved")
    locked = _transition(root=locked, user=user, name="approve", comment=comment, revision=revision)
    if publish_at is not None:
        locked.publish_at = publish_at
        locked.save(update_fields=["publish_at"])
    root.status, root.publish_at = locked.status, locked.publish_at
    return locked


def approved_edit_warning(*, root: models.Model) -> str:
    """What saving an edit would undo, for a root approved now ("" when nothing would).

    An edit voids the approval and cancels any scheduled publication (root_record_edit), so
    the editor is told before saving, and the approver is told after (by the event).
    """
    current = type(root).objects.filter(pk=root.pk).values("status", "publish_at").first()
    if current is None or current["status"] != Status.APPROVED:
        return ""
    approval = _approval(root)
    approver = approval.user.get_username() if approval and approval.user_id else "a reviewer"
    scheduled = (
        f" and goes live at {current['publish_at']:%Y-%m-%d %H:%M} UTC"
        if current["publish_at"]
        else ""
    )
    cancels = ", cancels its scheduled publication" if current["publish_at"] else ""
    return (
        f"'{root}' is approved by {approver}{scheduled}. Saving a change sends it back to "
        f"review{cancels} and tells {approver}. Tick 'Save anyway' and save again to go ahead."
    )


def publish_at_refuse_past(*, publish_at: datetime | None, now: datetime) -> None:
    """A publish time is a moment to come: one already past would publish at once, unasked."""
    if publish_at is not None and publish_at <= now:
        raise TransitionNotAllowed(
            f"The publish time {publish_at:%Y-%m-%d %H:%M} UTC is in the past (it is now "
            f"{now:%Y-%m-%d %H:%M} UTC). Choose a later time, or leave it empty to publish by hand."
        )


def schedule_check(*, root: models.Model, user: AbstractBaseUser | None) -> None:
    """Setting, moving or clearing the publish time is deciding when to publish: whoever may
    publish this approved revision (permission and four eyes) may, with no new approval."""
    transition = TRANSITIONS["publish"]
    if root.status != Status.APPROVED:
        raise TransitionNotAllowed(
            f"Cannot set the publish time of '{root}': it is "
            f"{Status(root.status).label.lower()}, and only an approved revision is scheduled."
        )
    _check_allowed(root=root, user=user, transition=transition)


@transaction.atomic
def root_schedule(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    publish_at: datetime | None,
    now: datetime | None = None,
) -> models.Model:
    """Set, move or clear (None) the time an approved revision goes live on its own.

    The approval stands: the document does not change, only when it is published. A time
    in the past is refused; the timeline records the old and the new time.
    """
    now = now or timezone.now()
    publish_at_refuse_past(publish_at=publish_at, now=now)
    locked = _lock(root)
    schedule_check(root=locked, user=user)
    before = locked.publish_at
    if before == publish_at:
        raise TransitionNotAllowed(
            f"'{locked}' is already "
            + (f"scheduled for {before:%Y-%m-%d %H:%M} UTC." if before else "unscheduled.")
        )
    locked.publish_at = publish_at
    locked.save(update_fields=["publish_at", "updated_at"])
    if publish_at is None:
        action = Action.UNSCHEDULED
        comment = f"No longer goes live at {before:%Y-%m-%d %H:%M} UTC: it is published by hand."
    else:
        action = Action.SCHEDULED
        comment = f"Goes live at {publish_at:%Y-%m-%d %H:%M} UTC" + (
            f" (was {before:%Y-%m-%d %H:%M} UTC)." if before else "."
        )
    _record(
        root=locked,
        action=action,
        user=user,
        from_status=locked.status,
        to_status=locked.status,
        comment=comment,
    )
    root.publish_at = locked.publish_at
    return locked


def _may_comment(*, root: models.Model, user: AbstractBaseUser) -> None:
    allowed = (TRANSITIONS["submit"].permission, TRANSITIONS["request_changes"].permission)
    if not any(user.has_perm(permission) for permission in allowed):
        raise EditorialPermissionDenied(
            f"{user.get_username()} may not comment on '{root}': that is for its editors "
            "and reviewers."
        )


@transaction.atomic
def review_comment_add(
    *, root: models.Model, user: AbstractBaseUser, body: str, part: str = "", row: str = ""
) -> ReviewComment:
    """A remark on a part (and perhaps a row) of the working copy; the other side is emailed."""
    _may_comment(root=root, user=user)
    if not body.strip():
        raise EditorialError("Write the comment: it is empty.")
    kind, root_id = root_identity(root)
    comment = ReviewComment.objects.create(
        kind=kind, root_id=root_id, part=part, row=row.strip(), body=body.strip(), author=user
    )
    comment_notify(comment=comment)
    return comment


@transaction.atomic
def review_comment_resolve(*, comment: ReviewComment, user: AbstractBaseUser) -> ReviewComment:
    """Mark a remark dealt with; who and when are kept, and it stays listed as resolved."""
    locked = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    root = registry.root_kind(locked.kind).model.objects.get(pk=locked.root_id)
    _may_comment(root=root, user=user)
    if locked.is_resolved:
        raise EditorialError(
            f"This comment was already resolved by {locked.resolved_by} "
            f"at {locked.resolved_at:%Y-%m-%d %H:%M} UTC."
        )
    locked.resolved_by, locked.resolved_at = user, timezone.now()
    locked.save(update_fields=["resolved_by", "resolved_at"])
    comment.resolved_by, comment.resolved_at = locked.resolved_by, locked.resolved_at
    return locked


def revision_check(*, root: models.Model) -> list[Finding]:
    """Quality findings for the root's current working copy."""
    kind = registry.root_kind(registry.kind_of(root))
    return kind.checks(kind.build_document(root))


def _refuse_on_errors(findings: list[Finding]) -> None:
    if has_errors(findings):
        raise QualityCheckFailed(findings)


def _approval(root: models.Model) -> EditorialEvent | None:
    """The approval the root's current status rests on: its latest APPROVED event."""
    kind, root_id = root_identity(root)
    return (
        EditorialEvent.objects.of_root(kind=kind, root_id=root_id)
        .filter(action=Action.APPROVED)
        .select_related("user", "revision")
        .order_by("-created_at", "-id")
        .first()
    )


def root_approval_void(
    *, root: models.Model, user: AbstractBaseUser | None, reason: str
) -> models.Model:
    """An approved (or in-review) root's content changed under it: back to review.

    The approver is told (by the event, which says why) and any publish-at time is cleared;
    the review diff then shows the change against what was approved.
    """
    locked = _lock(root)
    from_status = locked.status
    if from_status not in (Status.APPROVED, Status.IN_REVIEW):
        return locked
    _status_move(
        root=locked,
        to_status=Status.IN_REVIEW,
        action=Action.APPROVAL_VOID,
        user=user,
        comment=reason,
        unschedule=True,
        revision=revision_keep(root=locked, user=user),
    )
    root.status, root.publish_at = locked.status, None
    return locked


def slug_holder(*, kind: str, slug: str, root_id: int | None) -> Entry | None:
    """Another root's entry that answers at this slug: live, withdrawn, or by a past name.

    A slug once public stays with its entry for good, so no link or mirror ever lands on a
    different entry than the one it was made for.
    """
    entry = Entry.objects.filter(kind=kind, slug=slug).exclude(root_id=root_id).first()
    if entry is not None:
        return entry
    retired = (
        RetiredSlug.objects.filter(kind=kind, slug=slug)
        .exclude(entry__root_id=root_id)
        .select_related("entry")
        .first()
    )
    return retired.entry if retired is not None else None


def slug_taken_message(*, holder: Entry, slug: str) -> str:
    state = "withdrawn" if holder.is_withdrawn else "published"
    if holder.slug != slug:
        return (
            f"The address '{slug}' belonged to '{holder.title}' (now at '{holder.slug}') and "
            "still leads there. Choose another slug."
        )
    return (
        f"The address '{slug}' belongs to the {state} entry '{holder.title}'. Choose another "
        "slug: a public entry is only ever taken down by withdrawing it."
    )


def slug_refuse_taken(*, kind: str, root_id: int | None, slug: str) -> None:
    holder = slug_holder(kind=kind, slug=slug, root_id=root_id)
    if holder is not None:
        raise TransitionNotAllowed(slug_taken_message(holder=holder, slug=slug))


def _facet_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _freeze(
    *,
    root: models.Model,
    document: dict,
    published_by: AbstractBaseUser | None,
    approved_by: AbstractBaseUser | None,
    comment: str,
    now: datetime,
) -> Publication:
    """Write publication vN of exactly this document, its facets, and point the Entry at it.

    A slug another entry answers at is refused, never taken from it: removing anything from
    the public record is a withdrawal, recorded with its reason.
    """
    kind_name, root_id = root_identity(root)
    kind = registry.root_kind(kind_name)
    _refuse_on_errors(kind.checks(document))
    slug_refuse_taken(kind=kind_name, root_id=root_id, slug=document["slug"])
    last = Publication.objects.of_root(kind=kind_name, root_id=root_id).aggregate(
        last=Max("version")
    )["last"]
    publication = Publication.objects.create(
        kind=kind_name,
        root_id=root_id,
        slug=document["slug"],
        title=document["title"],
        version=(last or 0) + 1,
        schema_version=document["schema_version"],
        document=document,
        content_hash=document_hash(document),
        published_at=now,
        published_by=published_by,
        approved_by=approved_by,
        change_note=comment,
    )
    Facet.objects.bulk_create(
        Facet(publication=publication, name=name, value=value, number=_facet_number(value))
        for name, value in kind.facets(document)
    )
    entry = Entry.objects.select_for_update().filter(kind=kind_name, root_id=root_id).first()
    if entry is None:
        entry = Entry.objects.create(
            kind=kind_name,
            root_id=root_id,
            uid=root.uid,
            slug=document["slug"],
            title=document["title"],
            current=publication,
            first_published_at=now,
            last_published_at=now,
        )
    else:
        _slugs_retire(entries=[entry], new_slugs={entry.pk: document["slug"]}, now=now)
        entry.slug = document["slug"]
        entry.title = document["title"]
        entry.current = publication
        entry.last_published_at = now
        entry.withdrawn_at = None
        entry.withdrawal_reason = ""
        entry.save()
    with projections_run():
        project_published(publications=[publication], entries=[entry])
    transaction.on_commit(published_generation_bump, robust=True)
    return publication


def _slugs_retire(*, entries: list[Entry], new_slugs: dict[int, str], now: datetime) -> None:
    """Entries published under a new slug keep their old one, which then redirects to them."""
    renamed = [entry for entry in entries if entry.slug != new_slugs[entry.pk]]
    if not renamed:
        return
    RetiredSlug.objects.filter(
        entry__in=renamed, slug__in=[new_slugs[entry.pk] for entry in renamed]
    ).delete()
    RetiredSlug.objects.bulk_create(
        RetiredSlug(entry=entry, kind=entry.kind, slug=entry.slug, retired_at=now)
        for entry in renamed
    )


def _publish_stale_message(root: models.Model, approval: EditorialEvent | None) -> str:
    if approval is None or approval.revision_id is None:
        return (
            f"'{root}' has no approved document on record (it was approved before approvals "
            "kept one). Nothing was published: review and approve it again."
        )
    return (
        f"'{root}' changed after it was approved (an edit, or a citation, term or linked "
        "entry it uses). Nothing was published: it is back in review, and the review shows "
        "what changed since the approval."
    )


def root_publish(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    comment: str = "",
    now: datetime | None = None,
) -> Publication:
    """Publish the approved document as the next version; the previous one becomes history.

    What goes live is the document the reviewer approved, never the working copy as it
    stands: when the working copy no longer builds to it, the approval is void, the root
    goes back to review (that is kept), and ApprovalVoid says so. user=None is the
    scheduler acting for the approver (see publications_publish_due).
    """
    now = now or timezone.now()
    void_reason = ""
    with transaction.atomic():
        locked = _lock(root)
        _check_allowed(root=locked, user=user, transition=TRANSITIONS["publish"])
        if user is not None and locked.publish_at and locked.publish_at > now:
            raise TransitionNotAllowed(
                f"'{locked}' is scheduled to go live at {locked.publish_at:%Y-%m-%d %H:%M} UTC; "
                "clear the publish-at time to publish it now."
            )
        approval = _approval(locked)
        approved = approval.revision if approval is not None else None
        kind = registry.root_kind(registry.kind_of(locked))
        if approved is None or document_hash(kind.build_document(locked)) != approved.content_hash:
            void_reason = _publish_stale_message(locked, approval)
            root_approval_void(root=locked, user=None, reason=void_reason)
        else:
            publication = _freeze(
                root=locked,
                document=approved.document,
                published_by=user or approval.user,
                approved_by=approval.user,
                comment=comment,
                now=now,
            )
            _mark_published(
                root=locked,
                user=user,
                comment=comment or ("Published at its scheduled time." if user is None else ""),
                publication=publication,
                revision=approved,
            )
    root.status, root.publish_at, root.next_review_due = (
        locked.status,
        None,
        locked.next_review_due,
    )
    if void_reason:
        raise ApprovalVoid(void_reason)
    return publication


@transaction.atomic
def root_import_publish(
    *, root: models.Model, user: AbstractBaseUser | None = None, note: str
) -> Publication:
    """Publish content curated and reviewed outside the admin (the seed records).

    Idempotent: when the document equals the current publication, nothing new is written.
    """
    kind_name, root_id = root_identity(root)
    kind = registry.root_kind(kind_name)
    locked = _lock(root)
    entry = Entry.objects.filter(kind=kind_name, root_id=root_id).select_related("current").first()
    document = None
    if entry and not entry.is_withdrawn and locked.status == Status.PUBLISHED:
        document = kind.build_document(locked)
        if entry.current.content_hash == document_hash(document):
            return entry.current
    now = timezone.now()
    # Built once, after the review date it carries is renewed (a first publish always is).
    if _review_date_renew(root=locked, now=now) or document is None:
        document = kind.build_document(locked)
    publication = _freeze(
        root=locked,
        document=document,
        published_by=user,
        approved_by=user,
        comment=note,
        now=now,
    )
    _mark_published(root=locked, user=user, comment=note, publication=publication)
    root.status = Status.PUBLISHED
    return publication


def _mark_published(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    comment: str,
    publication: Publication,
    revision: Revision | None = None,
) -> None:
    """The working copy is now what is live: its status says so and its timeline records it."""
    _status_move(
        root=root,
        to_status=Status.PUBLISHED,
        action=Action.PUBLISHED,
        user=user,
        comment=comment,
        unschedule=True,
        publication=publication,
        revision=revision,
    )


def _review_date_renew(*, root: models.Model, now: datetime) -> bool:
    """A root whose review is due is reviewed now: its next review is a year on.

    Returns whether the date moved (it is part of the document, which must then be rebuilt).
    """
    today = timezone.localdate(now)
    if root.next_review_due is not None and root.next_review_due > today:
        return False
    root.next_review_due = today + REVIEW_INTERVAL
    root.save(update_fields=["next_review_due"])
    return True


def roots_import_publish_bulk(
    *,
    kind: str,
    roots: models.QuerySet,
    user: AbstractBaseUser | None = None,
    note: str,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """root_import_publish for many roots at once: a corpus load, a migration, a benchmark.

    Each root gets exactly what publishing it alone would give it (document, checks,
    version, facets, entry, event, projections), written with a fixed number of queries per
    batch. Each batch is one transaction and any error in it refuses the whole batch; what
    projections leave to finish (search rows of the terms the roots mention) is finished
    once, after the last batch, or by the caller's own projections_run or
    projections_deferred around several calls. progress(n) is called after each batch.
    Returns how many new publications were written (unchanged roots are skipped).
    """
    root_kind = registry.root_kind(kind)
    pks = list(roots.order_by("pk").values_list("pk", flat=True))
    published = 0
    with projections_run():
        for start in range(0, len(pks), batch_size):
            batch = pks[start : start + batch_size]
            with transaction.atomic():
                published += _publish_batch(root_kind=root_kind, pks=batch, user=user, note=note)
            if progress is not None:
                progress(len(batch))
    transaction.on_commit(published_generation_bump, robust=True)
    return published


def _publish_batch(
    *,
    root_kind: registry.RootKind,
    pks: list[int],
    user: AbstractBaseUser | None,
    note: str,
) -> int:
    """Freeze one batch of roots as root_import_publish would; returns how many it published."""
    kind, model = root_kind.kind, root_kind.model
    now = timezone.now()
    today = timezone.localdate(now)
    roots = {root.pk: root for root in model.objects.select_for_update().filter(pk__in=pks)}
    entries = {
        entry.root_id: entry
        for entry in Entry.objects.select_for_update(of=("self",))
        .filter(kind=kind, root_id__in=pks)
        .select_related("current")
        .defer("current__document")
    }
    documents = root_kind.build_documents(model.objects.filter(pk__in=pks))
    unchanged = {
        pk
        for pk, entry in entries.items()
        if not entry.is_withdrawn
        and roots[pk].status == Status.PUBLISHED
        and entry.current.content_hash == document_hash(documents[pk])
    }
    to_publish = [pk for pk in pks if pk in roots and pk not in unchanged]
    if not to_publish:
        return 0
    review_due = [
        pk
        for pk in to_publish
        if roots[pk].next_review_due is None or roots[pk].next_review_due <= today
    ]
    if review_due:
        model.objects.filter(pk__in=review_due).update(next_review_due=today + REVIEW_INTERVAL)
        documents |= root_kind.build_documents(model.objects.filter(pk__in=review_due))
    _slugs_refuse_taken(kind=kind, slugs={pk: documents[pk]["slug"] for pk in to_publish})
    drug_slugs = drug_slugs_resolve()
    for pk in to_publish:
        findings = root_kind.checks(documents[pk], drug_slugs=drug_slugs)
        if has_errors(findings):
            raise QualityCheckFailed(
                [replace(f, where=f"{kind} '{documents[pk]['slug']}': {f.where}") for f in findings]
            )
    last_versions = dict(
        Publication.objects.filter(kind=kind, root_id__in=to_publish)
        .values("root_id")
        .annotate(last=Max("version"))
        .values_list("root_id", "last")
    )
    publications = [
        Publication(
            kind=kind,
            root_id=pk,
            slug=documents[pk]["slug"],
            title=documents[pk]["title"],
            version=last_versions.get(pk, 0) + 1,
            schema_version=documents[pk]["schema_version"],
            document=documents[pk],
            published_at=now,
            published_by=user,
            approved_by=user,
            change_note=note,
        )
        for pk in to_publish
    ]
    for publication in publications:
        publication.content_hash = text_hash(publication.canonical_document)
    rows_insert(
        model=Publication,
        rows=publications,
        encoded={"document": lambda publication: publication.canonical_document},
    )
    by_root = {publication.root_id: publication for publication in publications}
    rows_insert(
        model=Facet,
        rows=[
            {
                "publication_id": publication.pk,
                "name": name,
                "value": value,
                "number": _facet_number(value),
            }
            for publication in publications
            for name, value in root_kind.facets(publication.document)
        ],
    )
    existing = [entries[pk] for pk in to_publish if pk in entries]
    _slugs_retire(
        entries=existing,
        new_slugs={entry.pk: by_root[entry.root_id].slug for entry in existing},
        now=now,
    )
    for entry in existing:
        publication = by_root[entry.root_id]
        entry.slug, entry.title, entry.current = publication.slug, publication.title, publication
        entry.last_published_at = now
        entry.withdrawn_at, entry.withdrawal_reason = None, ""
    Entry.objects.bulk_update(
        existing,
        ["slug", "title", "current", "last_published_at", "withdrawn_at", "withdrawal_reason"],
    )
    new_roots = [pk for pk in to_publish if pk not in entries]
    created = rows_insert(
        model=Entry,
        rows=[
            Entry(
                kind=kind,
                root_id=pk,
                uid=roots[pk].uid,
                slug=by_root[pk].slug,
                title=by_root[pk].title,
                current=by_root[pk],
                first_published_at=now,
                last_published_at=now,
            )
            for pk in new_roots
        ],
    )
    model.objects.filter(pk__in=to_publish).update(
        status=Status.PUBLISHED, publish_at=None, updated_at=now
    )
    events = rows_insert(
        model=EditorialEvent,
        rows=[
            EditorialEvent(
                kind=kind,
                root_id=pk,
                action=Action.PUBLISHED,
                user=user,
                from_status=roots[pk].status,
                to_status=Status.PUBLISHED,
                comment=note,
                publication=by_root[pk],
            )
            for pk in to_publish
        ],
    )
    stamp_at_commit(
        connection=transaction.get_connection(), event_ids=[event.pk for event in events]
    )
    project_published(publications=publications, entries=existing + created)
    return len(publications)


def _slugs_refuse_taken(*, kind: str, slugs: dict[int, str]) -> None:
    """slug_refuse_taken for a batch of roots (root id -> slug), in two queries."""
    holders = {
        slug: (root_id, title)
        for slug, root_id, title in Entry.objects.filter(
            kind=kind, slug__in=slugs.values()
        ).values_list("slug", "root_id", "title")
    }
    for slug, root_id, title in RetiredSlug.objects.filter(
        kind=kind, slug__in=slugs.values()
    ).values_list("slug", "entry__root_id", "entry__title"):
        holders.setdefault(slug, (root_id, title))
    taken = [
        f"'{slug}' belongs to '{holders[slug][1]}'"
        for pk, slug in slugs.items()
        if slug in holders and holders[slug][0] != pk
    ]
    if taken:
        raise TransitionNotAllowed(
            f"Nothing was published: {'; '.join(taken)}. Choose other slugs: a public entry "
            "is only ever taken down by withdrawing it."
        )


def withdraw_check(*, root: models.Model, user: AbstractBaseUser) -> Entry:
    """A live entry can always be withdrawn by whoever may withdraw, whatever its working
    copy is doing: pulling unsafe content must never wait for a pending draft."""
    kind_name, root_id = root_identity(root)
    entry = Entry.objects.filter(kind=kind_name, root_id=root_id).first()
    if entry is None or entry.is_withdrawn:
        raise TransitionNotAllowed(f"'{root}' has no live publication to withdraw.")
    transition = TRANSITIONS["withdraw"]
    if not user.has_perm(transition.permission):
        raise EditorialPermissionDenied(
            f"{user.get_username()} may not withdraw: that needs '{transition.permission}'."
        )
    return entry


@transaction.atomic
def root_withdraw(*, root: models.Model, user: AbstractBaseUser, reason: str) -> Entry:
    """Take a published entry off the public site; its page then says why (HTTP 410)."""
    if not reason.strip():
        raise TransitionNotAllowed("Give the reason for withdrawing: readers will see it.")
    locked = _lock(root)
    withdraw_check(root=locked, user=user)
    kind_name, root_id = root_identity(root)
    entry = Entry.objects.select_for_update().get(kind=kind_name, root_id=root_id)
    entry.withdrawn_at = timezone.now()
    entry.withdrawal_reason = reason
    entry.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    with projections_run():
        project_withdrawn(entry=entry)
    transaction.on_commit(published_generation_bump, robust=True)
    from_status = locked.status
    if locked.status == Status.PUBLISHED:
        locked.status = Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    _record(
        root=locked,
        action=Action.WITHDRAWN,
        user=user,
        from_status=from_status,
        to_status=locked.status,
        comment=reason,
        publication=entry.current,
    )
    root.status = locked.status
    return entry


def _restore_permission_check(*, root: models.Model, user: AbstractBaseUser) -> None:
    permission = f"{root._meta.app_label}.change_{root._meta.model_name}"
    if not user.has_perm(permission):
        raise EditorialPermissionDenied(
            f"{user.get_username()} may not restore '{root}': that needs '{permission}'."
        )


def _restore_document(
    *,
    root: models.Model,
    user: AbstractBaseUser,
    document: dict,
    what: str,
    publication: Publication | None = None,
) -> models.Model:
    """Make the working copy say what `document` says, as a new draft.

    The working copy it replaces is kept as a revision first, so a restore never destroys
    work: the replaced draft stays in the root's history and can itself be restored.
    """
    kind_name, _root_id = root_identity(root)
    kind = registry.root_kind(kind_name)
    locked = _lock(root)
    from_status = locked.status
    revision_keep(root=locked, user=user, note=f"The working copy before {what} was restored")
    kind.restore(locked, document)
    locked.refresh_from_db()
    locked.status = Status.DRAFT
    locked.publish_at = None
    locked.lock_version += 1
    locked.save(update_fields=["status", "lock_version", "publish_at", "updated_at"])
    _record(
        root=locked,
        action=Action.RESTORED,
        user=user,
        from_status=from_status,
        to_status=Status.DRAFT,
        comment=f"Restored the content of {what}.",
        publication=publication,
        revision=revision_keep(root=locked, user=user, note=f"Restored {what}"),
    )
    root.refresh_from_db()
    return locked


@transaction.atomic
def root_restore_version(*, root: models.Model, user: AbstractBaseUser, version: int):
    """Make a new draft whose content is publication vK: history is never rewritten.

    The live publication stays as it is; the restored content goes through review and is
    published as the next version like any other edit.
    """
    _restore_permission_check(root=root, user=user)
    kind_name, root_id = root_identity(root)
    publication = (
        Publication.objects.of_root(kind=kind_name, root_id=root_id).filter(version=version).first()
    )
    if publication is None:
        raise TransitionNotAllowed(f"'{root}' has no published version {version} to restore.")
    return _restore_document(
        root=root,
        user=user,
        document=publication.document,
        what=f"v{version}",
        publication=publication,
    )


@transaction.atomic
def root_restore_revision(*, root: models.Model, user: AbstractBaseUser, revision_id: int):
    """Make a new draft whose content is one of the root's revisions (a draft or approved one).

    Like restoring a version, this only ever adds history: the draft it replaces is kept.
    """
    _restore_permission_check(root=root, user=user)
    kind_name, root_id = root_identity(root)
    revision = Revision.objects.filter(kind=kind_name, root_id=root_id, pk=revision_id).first()
    if revision is None:
        raise TransitionNotAllowed(f"'{root}' has no revision {revision_id} to restore.")
    return _restore_document(
        root=root, user=user, document=revision.document, what=f"revision {revision_id}"
    )


@dataclass
class ScheduledRun:
    published: list[Publication]
    failed: list[tuple[models.Model, str]]


def publications_publish_due(*, now: datetime | None = None) -> ScheduledRun:
    """Publish every approved revision whose publish-at time has come (run from cron).

    Each root is published in its own transaction: one revision failing its checks is
    reported and stays approved, and does not hold back the others.
    """
    now = now or timezone.now()
    run = ScheduledRun(published=[], failed=[])
    for kind in registry.all_kinds():
        due = kind.model.objects.filter(status=Status.APPROVED, publish_at__lte=now)
        for root in due.order_by("publish_at", "pk"):
            try:
                run.published.append(root_publish(root=root, user=None, now=now))
            except EditorialError as error:
                run.failed.append((root, str(error)))
    return run

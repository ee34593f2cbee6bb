"""Review: submitting, requesting changes, approving after the quality checks, and the
remarks reviewers and editors leave on parts of the working copy."""

from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from monographs.editorial import registry
from monographs.editorial.documents import document_hash
from monographs.editorial.exceptions import (
    EditorialError,
    EditorialPermissionDenied,
    TransitionNotAllowed,
)
from monographs.editorial.models import ReviewComment
from monographs.editorial.notifications import comment_notify
from monographs.editorial.services.revisions import revision_keep, root_identity
from monographs.editorial.services.schedule import publish_at_refuse_past
from monographs.editorial.services.transitions import (
    TRANSITIONS,
    findings_refuse_errors,
    root_lock,
    root_transition,
    transition_check_allowed,
)
from monographs.publishing.slugs import slug_refuse_taken

REVIEW_INTERVAL = timedelta(days=365)


@transaction.atomic
def revision_submit(*, root: models.Model, user: AbstractBaseUser, comment: str = ""):
    return root_transition(root=root, user=user, name="submit", comment=comment)


@transaction.atomic
def revision_request_changes(*, root: models.Model, user: AbstractBaseUser, comment: str):
    if not comment.strip():
        raise TransitionNotAllowed("Say what should change: a comment is required.")
    return root_transition(root=root, user=user, name="request_changes", comment=comment)


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
    locked = root_lock(root)
    transition_check_allowed(root=locked, user=user, transition=TRANSITIONS["approve"])
    kind = registry.root_kind(registry.kind_of(locked))
    document = kind.build_document(locked)
    if reviewed_hash and reviewed_hash != document_hash(document):
        raise TransitionNotAllowed(
            f"'{locked}' changed while you were reviewing it (an edit, or a citation or term it "
            "uses). Nothing was approved: look at the review again, then approve what you see."
        )
    if root_review_date_renew(root=locked, now=now):
        # The approval sets the next review a year on; that date is its own doing.
        root.next_review_due = locked.next_review_due
        document = kind.build_document(locked)
    findings_refuse_errors(kind.checks(document))
    slug_refuse_taken(kind=kind.kind, root_id=locked.pk, slug=document["slug"])
    revision = revision_keep(root=locked, user=user, document=document, note="Approved")
    locked = root_transition(
        root=locked, user=user, name="approve", comment=comment, revision=revision
    )
    if publish_at is not None:
        locked.publish_at = publish_at
        locked.save(update_fields=["publish_at"])
    root.status, root.publish_at = locked.status, locked.publish_at
    return locked


def root_review_date_renew(*, root: models.Model, now: datetime) -> bool:
    """A root whose review is due is reviewed now: its next review is a year on.

    Returns whether the date moved (it is part of the document, which must then be rebuilt).
    """
    today = timezone.localdate(now)
    if root.next_review_due is not None and root.next_review_due > today:
        return False
    root.next_review_due = today + REVIEW_INTERVAL
    root.save(update_fields=["next_review_due"])
    return True


def review_comment_permission_check(*, root: models.Model, user: AbstractBaseUser) -> None:
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
    review_comment_permission_check(root=root, user=user)
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
    review_comment_permission_check(root=root, user=user)
    if locked.is_resolved:
        raise EditorialError(
            f"This comment was already resolved by {locked.resolved_by} "
            f"at {locked.resolved_at:%Y-%m-%d %H:%M} UTC."
        )
    locked.resolved_by, locked.resolved_at = user, timezone.now()
    locked.save(update_fields=["resolved_by", "resolved_at"])
    comment.resolved_by, comment.resolved_at = locked.resolved_by, locked.resolved_at
    return locked

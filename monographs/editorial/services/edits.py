"""Edits of the working copy, the root's own or a shared record's it uses.

An edit starts a new draft beside whatever is live, and voids any approval: what a reviewer
approved must be what is published.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from monographs.editorial.exceptions import (
    ConcurrentEditError,
)
from monographs.editorial.models import EditorialEvent, Revision, Status
from monographs.editorial.services.revisions import revision_keep, root_identity
from monographs.editorial.services.transitions import (
    approval_current,
    event_record,
    reviewer_edit_stays_in_review,
    root_lock,
)
from monographs.editorial.shared import shared_records_changed

Action = EditorialEvent.Action


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
    locked = root_lock(root)
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
    event_record(
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
    locked = root_lock(root)
    from_status = locked.status
    if from_status in (Status.APPROVED, Status.IN_REVIEW):
        locked.status = Status.IN_REVIEW
        note = f"{note} It must be reviewed again."
    elif from_status in (Status.PUBLISHED, Status.WITHDRAWN):
        locked.status = Status.DRAFT
    locked.publish_at = None if from_status == Status.APPROVED else locked.publish_at
    locked.save(update_fields=["status", "publish_at", "updated_at"])
    root.status, root.publish_at = locked.status, locked.publish_at
    event_record(
        root=locked,
        action=Action.EDITED,
        user=user,
        from_status=from_status,
        to_status=locked.status,
        comment=note,
        revision=revision_keep(root=locked, user=user, note=note, document=document),
    )


def approved_edit_warning(*, root: models.Model) -> str:
    """What saving an edit would undo, for a root approved now ("" when nothing would).

    An edit voids the approval and cancels any scheduled publication (root_record_edit), so
    the editor is told before saving, and the approver is told after (by the event).
    """
    current = type(root).objects.filter(pk=root.pk).values("status", "publish_at").first()
    if current is None or current["status"] != Status.APPROVED:
        return ""
    approval = approval_current(root)
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

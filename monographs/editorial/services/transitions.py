"""The editorial workflow's states and the moves between them.

Every state change of a root goes through here (the admin, the commands, the API and the
tests all call these services), so each rule (states, permissions, four eyes, quality
checks) is written once, and each move is a line on the root's timeline.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from monographs.editorial.checks import Finding, has_errors
from monographs.editorial.exceptions import (
    EditorialPermissionDenied,
    FourEyesViolation,
    QualityCheckFailed,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Revision, Status
from monographs.editorial.notifications import event_notify
from monographs.editorial.services.revisions import (
    revision_editor_ids,
    revision_keep,
    root_identity,
)
from monographs.publishing.commit_stamp import stamp_at_commit
from monographs.publishing.models import Publication

Action = EditorialEvent.Action


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
            "editorial.submit_revision",
            Action.SUBMITTED,
        ),
        Transition(
            "request_changes",
            "Request changes",
            frozenset({Status.IN_REVIEW, Status.APPROVED}),
            Status.CHANGES_REQUESTED,
            "editorial.review_revision",
            Action.CHANGES_REQUESTED,
        ),
        Transition(
            "approve",
            "Approve",
            frozenset({Status.IN_REVIEW}),
            Status.APPROVED,
            "editorial.review_revision",
            Action.APPROVED,
        ),
        Transition(
            "publish",
            "Publish",
            frozenset({Status.APPROVED}),
            Status.PUBLISHED,
            "editorial.publish_revision",
            Action.PUBLISHED,
        ),
        Transition(
            "withdraw",
            "Withdraw",
            frozenset({Status.PUBLISHED}),
            Status.WITHDRAWN,
            "editorial.withdraw_entry",
            Action.WITHDRAWN,
        ),
    )
}


FOUR_EYES_TRANSITIONS = {"approve", "publish"}


def root_lock(root: models.Model) -> models.Model:
    """Re-read the root under a row lock: concurrent transitions queue instead of racing."""
    return type(root).objects.select_for_update().get(pk=root.pk)


def event_record(
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


def root_status_move(
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
    event_record(
        root=root,
        action=action,
        user=user,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        publication=publication,
        revision=revision,
    )


def transition_check_allowed(
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
    transition_check_allowed(root=root, user=user, transition=TRANSITIONS[name])


def root_transition(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    name: str,
    comment: str = "",
    revision: Revision | None = None,
) -> models.Model:
    transition = TRANSITIONS[name]
    locked = root_lock(root)
    transition_check_allowed(root=locked, user=user, transition=transition)
    root_status_move(
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


def approval_current(root: models.Model) -> EditorialEvent | None:
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
    locked = root_lock(root)
    from_status = locked.status
    if from_status not in (Status.APPROVED, Status.IN_REVIEW):
        return locked
    root_status_move(
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


def findings_refuse_errors(findings: list[Finding]) -> None:
    if has_errors(findings):
        raise QualityCheckFailed(findings)

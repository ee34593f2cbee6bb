"""Workflow emails: who is told what when an entry moves through review.

Every notice follows from a timeline event (services._record calls event_notify), so the
admin, the commands, the API and the tests all notify the same way. Mail leaves only once
the transaction that wrote the event has committed: a refused or rolled-back step tells
nobody. Users who opted out (NotificationPreference.email = False), users without an address
and whoever took the step are never sent anything.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from monographs.editorial import registry
from monographs.editorial.models import EditorialEvent, ReviewComment, Status

Action = EditorialEvent.Action
log = logging.getLogger(__name__)

REVIEW_PERMISSION = ("editorial", "review_revision")
OPT_OUT = "You can stop these emails under 'Notification preferences' in the admin."


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    recipients: frozenset[int]


def event_notify(*, event: EditorialEvent) -> None:
    """Send this event's notices once its transaction commits (nothing for a plain edit)."""
    if _notifies(event):
        transaction.on_commit(partial(_send_for, event.pk), robust=True)


def comment_notify(*, comment: ReviewComment) -> None:
    """Tell the other side of the review about a comment, once its transaction commits."""
    transaction.on_commit(partial(_send_for_comment, comment.pk), robust=True)


def _notifies(event: EditorialEvent) -> bool:
    if event.action in (Action.EDITED, Action.APPROVAL_VOID):
        return event.from_status == Status.APPROVED
    return event.action in (
        Action.SUBMITTED,
        Action.CHANGES_REQUESTED,
        Action.APPROVED,
        Action.PUBLISHED,
        Action.WITHDRAWN,
        Action.SCHEDULED,
        Action.UNSCHEDULED,
    )


def _send_for(event_id: int) -> None:
    event = EditorialEvent.objects.select_related("user", "publication").get(pk=event_id)
    root = registry.root_kind(event.kind).model.objects.filter(pk=event.root_id).first()
    if root is None:
        return
    notice = event_notice(event=event, root=root)
    if notice is None:
        return
    _send(notice, what=event.action)


def _send_for_comment(comment_id: int) -> None:
    comment = ReviewComment.objects.select_related("author").get(pk=comment_id)
    root = registry.root_kind(comment.kind).model.objects.filter(pk=comment.root_id).first()
    if root is None:
        return
    notice = comment_notice(comment=comment, root=root)
    if notice is not None:
        _send(notice, what="comment")


def _send(notice: Notice, *, what: str) -> None:
    users = notification_recipients(user_ids=notice.recipients)
    messages = [EmailMessage(notice.subject, notice.body, None, [user.email]) for user in users]
    if messages:
        sent = get_connection().send_messages(messages)
        log.info("workflow email %s: %s of %s sent", what, sent, len(messages))


def notification_recipients(*, user_ids: Iterable[int]) -> list[AbstractBaseUser]:
    """Active users among these with an address who did not opt out of workflow email."""
    return list(
        get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .exclude(email="")
        .exclude(notification_preference__email=False)
        .order_by("pk")
    )


def reviewer_ids() -> set[int]:
    """Everyone who may review: the permission through a group, their own, or a superuser."""
    app_label, codename = REVIEW_PERMISSION
    perm = Q(permissions__content_type__app_label=app_label, permissions__codename=codename)
    users = get_user_model().objects.filter(is_active=True)
    return set(
        users.filter(
            Q(is_superuser=True)
            | Q(
                user_permissions__content_type__app_label=app_label,
                user_permissions__codename=codename,
            )
            | Q(groups__in=_groups_with(perm))
        ).values_list("pk", flat=True)
    )


def _groups_with(perm: Q) -> models.QuerySet:
    from django.contrib.auth.models import Group

    return Group.objects.filter(perm).values("pk")


def _approver_id(event: EditorialEvent) -> int | None:
    """Who gave the approval this event concerns: the latest one before it."""
    return (
        EditorialEvent.objects.filter(
            kind=event.kind, root_id=event.root_id, action=Action.APPROVED, id__lt=event.pk
        )
        .order_by("-id")
        .values_list("user_id", flat=True)
        .first()
    )


def _editor_ids(event: EditorialEvent) -> set[int]:
    from monographs.editorial.services.revisions import revision_editors_by_root

    editors = revision_editors_by_root(
        kind=event.kind, root_ids=[event.root_id], before_event_id=event.pk
    )
    return editors.get(event.root_id, set())


REVIEWING_ACTIONS = (
    Action.CHANGES_REQUESTED,
    Action.APPROVED,
    Action.SCHEDULED,
    Action.UNSCHEDULED,
)


def _reviewers_of(*, kind: str, root_id: int, editors: set[int]) -> set[int]:
    """The reviewers who took part in this entry's review (a step or a comment); every
    reviewer when none has yet, as a submission tells them all. Its editors are left out."""
    reviewers = reviewer_ids() - editors
    acted = set(
        EditorialEvent.objects.filter(
            kind=kind, root_id=root_id, action__in=REVIEWING_ACTIONS, user_id__in=reviewers
        ).values_list("user_id", flat=True)
    ) | set(
        ReviewComment.objects.filter(
            kind=kind, root_id=root_id, author_id__in=reviewers
        ).values_list("author_id", flat=True)
    )
    return acted or reviewers


def comment_notice(*, comment: ReviewComment, root: models.Model) -> Notice | None:
    """A comment goes to the other side: a reviewer's to the draft's editors, an editor's to
    the entry's reviewers (the author is never told of their own comment)."""
    from monographs.editorial.services.revisions import revision_editors_by_root

    editors = revision_editors_by_root(kind=comment.kind, root_ids=[comment.root_id]).get(
        comment.root_id, set()
    )
    author = comment.author
    from_reviewer = author.pk not in editors and author.pk in reviewer_ids()
    if from_reviewer:
        recipients = editors
    else:
        recipients = _reviewers_of(kind=comment.kind, root_id=comment.root_id, editors=editors)
    recipients = recipients - {author.pk}
    if not recipients:
        return None
    about = f" on {part_label(root, comment.part)}" if comment.part else ""
    row = f" (row: {comment.row})" if comment.row else ""
    link = review_url(root)
    body = (
        f"{author.get_username()} commented{about}{row} of '{root}':\n\n{comment.body}"
        + (f"\n\nReview page: {link}" if link else "")
        + f"\n\n{OPT_OUT}"
    )
    return Notice(subject=f"Comment on '{root}'", body=body, recipients=frozenset(recipients))


def part_label(root: models.Model, part: str) -> str:
    """A part of the root's editor as the editor names it ("Adverse events"), not its slug."""
    model_admin = (
        admin.site.get_model_admin(type(root)) if admin.site.is_registered(type(root)) else None
    )
    labels = dict(model_admin.comment_parts()) if hasattr(model_admin, "comment_parts") else {}
    return labels.get(part, part)


def review_url(root: models.Model) -> str:
    """The review page of the root, absolute when EDITORIAL_SITE_URL says where the admin is."""
    opts = root._meta
    try:
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_review", args=[root.pk])
    except NoReverseMatch:
        return ""
    return settings.EDITORIAL_SITE_URL.rstrip("/") + path


def event_notice(*, event: EditorialEvent, root: models.Model) -> Notice | None:
    """What this event says, and to whom (user ids, the actor left out)."""
    who = event.user.get_username() if event.user_id else "the scheduler"
    note = f"\n\nNote from {who}:\n{event.comment}" if event.comment else ""
    link = review_url(root)
    footer = (f"\n\nReview page: {link}" if link else "") + f"\n\n{OPT_OUT}"
    action = event.action
    if action == Action.SUBMITTED:
        editors = _editor_ids(event)
        recipients = reviewer_ids() - editors
        subject = f"Review requested: '{root}'"
        body = f"{who} submitted '{root}' for review.{note}"
    elif action == Action.CHANGES_REQUESTED:
        recipients = _editor_ids(event)
        subject = f"Changes requested: '{root}'"
        body = f"{who} asked for changes to '{root}' before it can be approved.{note}"
    elif action == Action.APPROVED:
        recipients = _editor_ids(event)
        subject = f"Approved: '{root}'"
        when = (
            f" It goes live at {root.publish_at:%Y-%m-%d %H:%M} UTC."
            if root.status == Status.APPROVED and root.publish_at
            else ""
        )
        body = f"{who} approved '{root}'.{when}{note}"
    elif action == Action.PUBLISHED:
        recipients = _editor_ids(event) | {_approver_id(event)}
        version = f" as v{event.publication.version}" if event.publication_id else ""
        subject = f"Published: '{root}'"
        body = f"'{root}' was published{version} by {who}; readers see it now.{note}"
    elif action == Action.WITHDRAWN:
        live = event.publication
        recipients = _editor_ids(event) | (
            {live.approved_by_id, live.published_by_id} if live is not None else set()
        )
        subject = f"Withdrawn: '{root}'"
        body = f"{who} withdrew '{root}' from the public site.{note}"
    elif action in (Action.SCHEDULED, Action.UNSCHEDULED):
        recipients = _editor_ids(event) | {_approver_id(event)}
        subject = (
            f"Publish time changed: '{root}'"
            if action == Action.SCHEDULED
            else f"Publication no longer scheduled: '{root}'"
        )
        body = f"{who} changed when '{root}' goes live.{note}"
    elif action in (Action.EDITED, Action.APPROVAL_VOID):
        recipients = {_approver_id(event)}
        subject = f"Your approval of '{root}' is void"
        body = (
            f"'{root}' changed after you approved it (by {who}).{note}\n\nThe entry is back in "
            "review: nothing was published, and any scheduled publication is cancelled. Open "
            "its review page to see what changed since you approved it."
        )
    else:
        return None
    recipients = {pk for pk in recipients if pk is not None} - {event.user_id}
    if not recipients:
        return None
    return Notice(subject=subject, body=body + footer, recipients=frozenset(recipients))

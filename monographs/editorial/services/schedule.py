"""When an approved revision goes live on its own: deciding that is deciding to publish."""

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from monographs.editorial.exceptions import (
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services.transitions import (
    TRANSITIONS,
    event_record,
    root_lock,
    transition_check_allowed,
)

Action = EditorialEvent.Action


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
    transition_check_allowed(root=root, user=user, transition=transition)


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
    locked = root_lock(root)
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
    event_record(
        root=locked,
        action=action,
        user=user,
        from_status=locked.status,
        to_status=locked.status,
        comment=comment,
    )
    root.publish_at = locked.publish_at
    return locked

"""Withdrawing a live entry: pulling unsafe content never waits for a pending draft."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from monographs.editorial.exceptions import (
    EditorialPermissionDenied,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services.revisions import root_identity
from monographs.editorial.services.transitions import TRANSITIONS, event_record, root_lock
from monographs.publishing.freeze import entry_withdraw
from monographs.publishing.models import Entry

Action = EditorialEvent.Action


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
    locked = root_lock(root)
    withdraw_check(root=locked, user=user)
    kind_name, root_id = root_identity(root)
    entry = entry_withdraw(kind=kind_name, root_id=root_id, reason=reason, now=timezone.now())
    from_status = locked.status
    if locked.status == Status.PUBLISHED:
        locked.status = Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    event_record(
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

"""Workflow actions: each transition of a root, asked the same way by every caller.

An action is built for one root and one user. `check()` raises the EditorialError that says
why it may not be taken now (state, permission, four eyes, a live entry to withdraw), and
`is_available()` is that check as a yes or no, which is how the admin decides which buttons
to show. `execute(**data)` takes it through the service that holds the rule, and returns
what to tell the user. The admin's buttons and bulk actions, the commands and the tests all
go through these, so a rule lives in one place (the service and the check it shares).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from monographs.editorial.exceptions import EditorialError, EditorialPermissionDenied
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.restore import root_restore_revision, root_restore_version
from monographs.editorial.services.review import (
    revision_approve,
    revision_request_changes,
    revision_submit,
)
from monographs.editorial.services.schedule import root_schedule, schedule_check
from monographs.editorial.services.transitions import TRANSITIONS, transition_check
from monographs.editorial.services.withdrawal import root_withdraw, withdraw_check


@dataclass
class WorkflowAction:
    name: ClassVar[str]
    label: ClassVar[str]
    permission: ClassVar[str]

    root: models.Model
    user: AbstractBaseUser

    def check(self) -> None:
        transition_check(root=self.root, user=self.user, name=self.name)

    def is_available(self) -> bool:
        try:
            self.check()
        except EditorialError:
            return False
        return True

    def execute(self, **data: Any) -> str:
        raise NotImplementedError


class SubmitAction(WorkflowAction):
    name, label = "submit", "Submit for review"
    permission = TRANSITIONS["submit"].permission

    def execute(self, *, comment: str = "", **data: Any) -> str:
        revision_submit(root=self.root, user=self.user, comment=comment)
        return f"'{self.root}' was submitted for review."


class RequestChangesAction(WorkflowAction):
    name, label = "request_changes", "Request changes"
    permission = TRANSITIONS["request_changes"].permission

    def execute(self, *, comment: str = "", **data: Any) -> str:
        revision_request_changes(root=self.root, user=self.user, comment=comment)
        return f"Changes were requested on '{self.root}'."


class ApproveAction(WorkflowAction):
    name, label = "approve", "Approve"
    permission = TRANSITIONS["approve"].permission

    def execute(
        self,
        *,
        comment: str = "",
        publish_at: datetime | None = None,
        reviewed_hash: str = "",
        **data: Any,
    ) -> str:
        revision_approve(
            root=self.root,
            user=self.user,
            comment=comment,
            publish_at=publish_at,
            reviewed_hash=reviewed_hash or "",
        )
        if publish_at:
            return f"'{self.root}' was approved; it goes live at {publish_at:%Y-%m-%d %H:%M} UTC."
        return f"'{self.root}' was approved; it can now be published."


class PublishAction(WorkflowAction):
    name, label = "publish", "Publish"
    permission = TRANSITIONS["publish"].permission

    def execute(self, *, comment: str = "", **data: Any) -> str:
        publication = root_publish(root=self.root, user=self.user, comment=comment)
        return f"'{self.root}' was published as v{publication.version}."


class ScheduleAction(WorkflowAction):
    """Set, move or clear when an approved revision goes live: the approval stands."""

    name, label = "schedule", "Set publish time"
    permission = TRANSITIONS["publish"].permission

    def check(self) -> None:
        schedule_check(root=self.root, user=self.user)

    def execute(self, *, publish_at: datetime | None = None, **data: Any) -> str:
        root_schedule(root=self.root, user=self.user, publish_at=publish_at)
        if publish_at is None:
            return f"'{self.root}' is no longer scheduled: publish it by hand."
        return f"'{self.root}' goes live at {publish_at:%Y-%m-%d %H:%M} UTC."


class WithdrawAction(WorkflowAction):
    """Always offered for a live entry to whoever may withdraw, whatever its working copy."""

    name, label = "withdraw", "Withdraw"
    permission = TRANSITIONS["withdraw"].permission

    def check(self) -> None:
        withdraw_check(root=self.root, user=self.user)

    def execute(self, *, reason: str = "", **data: Any) -> str:
        root_withdraw(root=self.root, user=self.user, reason=reason or "")
        return f"'{self.root}' was withdrawn; its page now says why."


class RestoreAction(WorkflowAction):
    """Make a published version or a kept revision the working copy again, as a new draft.

    The draft it replaces is kept in the history first, so a restore never destroys work.
    """

    name, label = "restore", "Restore as a new draft"
    permission = ""

    def check(self) -> None:
        permission = f"{self.root._meta.app_label}.change_{self.root._meta.model_name}"
        if not self.user.has_perm(permission):
            raise EditorialPermissionDenied(
                f"{self.user.get_username()} may not restore '{self.root}': "
                f"that needs '{permission}'."
            )

    def execute(
        self, *, version: int | None = None, revision: int | None = None, **data: Any
    ) -> str:
        self.check()
        if revision is not None:
            root_restore_revision(root=self.root, user=self.user, revision_id=revision)
            what = f"revision {revision}"
        elif version is not None:
            root_restore_version(root=self.root, user=self.user, version=version)
            what = f"v{version}"
        else:
            raise LookupError("Say which version or revision to restore.")
        return (
            f"The content of {what} is now the working copy of '{self.root}', as a draft; "
            "the draft it replaced is kept in the history. "
            "Submit it for review to publish it again."
        )


#: The buttons of the workflow panel, in the order they are shown.
WORKFLOW_ACTIONS: dict[str, type[WorkflowAction]] = {
    action.name: action
    for action in (
        SubmitAction,
        RequestChangesAction,
        ApproveAction,
        PublishAction,
        ScheduleAction,
        WithdrawAction,
    )
}


def actions_available(*, root: models.Model, user: AbstractBaseUser) -> list[WorkflowAction]:
    """The workflow actions this user may take on this root now: the admin shows exactly these."""
    actions = (action(root=root, user=user) for action in WORKFLOW_ACTIONS.values())
    return [action for action in actions if action.is_available()]


def workflow_action(name: str, *, root: models.Model, user: AbstractBaseUser) -> WorkflowAction:
    try:
        return WORKFLOW_ACTIONS[name](root=root, user=user)
    except KeyError:
        raise LookupError(f"There is no workflow action called '{name}'.") from None

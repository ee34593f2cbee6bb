"""Restoring a published version or a revision as a new draft: history only ever grows."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from monographs.editorial import registry
from monographs.editorial.exceptions import (
    EditorialPermissionDenied,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Revision, Status
from monographs.editorial.services.revisions import revision_keep, root_identity
from monographs.editorial.services.transitions import event_record, root_lock
from monographs.publishing.models import Publication

Action = EditorialEvent.Action


def root_restore_permission_check(*, root: models.Model, user: AbstractBaseUser) -> None:
    permission = f"{root._meta.app_label}.change_{root._meta.model_name}"
    if not user.has_perm(permission):
        raise EditorialPermissionDenied(
            f"{user.get_username()} may not restore '{root}': that needs '{permission}'."
        )


def root_restore_document(
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
    locked = root_lock(root)
    from_status = locked.status
    revision_keep(root=locked, user=user, note=f"The working copy before {what} was restored")
    kind.restore(locked, document)
    locked.refresh_from_db()
    locked.status = Status.DRAFT
    locked.publish_at = None
    locked.lock_version += 1
    locked.save(update_fields=["status", "lock_version", "publish_at", "updated_at"])
    event_record(
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
    root_restore_permission_check(root=root, user=user)
    kind_name, root_id = root_identity(root)
    publication = (
        Publication.objects.of_root(kind=kind_name, root_id=root_id).filter(version=version).first()
    )
    if publication is None:
        raise TransitionNotAllowed(f"'{root}' has no published version {version} to restore.")
    return root_restore_document(
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
    root_restore_permission_check(root=root, user=user)
    kind_name, root_id = root_identity(root)
    revision = Revision.objects.filter(kind=kind_name, root_id=root_id, pk=revision_id).first()
    if revision is None:
        raise TransitionNotAllowed(f"'{root}' has no revision {revision_id} to restore.")
    return root_restore_document(
        root=root, user=user, document=revision.document, what=f"revision {revision_id}"
    )

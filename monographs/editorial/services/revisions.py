"""Revisions: every edit keeps the root's whole document, so nothing typed is lost.

Who wrote the current revision is read from the timeline: the four-eyes rule keeps them from
approving or publishing it.
"""

from collections import defaultdict

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from monographs.editorial import registry
from monographs.editorial.documents import document_hash
from monographs.editorial.models import EditorialEvent, Revision

Action = EditorialEvent.Action
EDITING_ACTIONS = (Action.CREATED, Action.EDITED, Action.RESTORED, Action.SUBMITTED)


def root_identity(root: models.Model) -> tuple[str, int]:
    return registry.kind_of(root), root.pk


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

"""Publishing what was approved, by hand, at its publish-at time, or (for content reviewed
outside the admin) as imported.

The workflow side of publishing: permissions, four eyes, the approval the document rests on,
checks, the root's status and timeline. The publication, entry and projections are written by
monographs.publishing.freeze.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from monographs.bulk import rows_insert
from monographs.editorial import registry
from monographs.editorial.checks import drug_slugs_resolve, has_errors
from monographs.editorial.documents import document_hash
from monographs.editorial.exceptions import (
    ApprovalVoid,
    EditorialError,
    QualityCheckFailed,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Revision, Status
from monographs.editorial.services.review import REVIEW_INTERVAL, root_review_date_renew
from monographs.editorial.services.revisions import root_identity
from monographs.editorial.services.transitions import (
    TRANSITIONS,
    approval_current,
    findings_refuse_errors,
    root_approval_void,
    root_lock,
    root_status_move,
    transition_check_allowed,
)
from monographs.publishing.cache import published_generation_bump
from monographs.publishing.commit_stamp import stamp_at_commit
from monographs.publishing.freeze import publication_freeze, publications_freeze
from monographs.publishing.models import Entry, Publication
from monographs.publishing.projections import project_published, projections_run
from monographs.publishing.slugs import slugs_refuse_taken

Action = EditorialEvent.Action


def publish_stale_message(root: models.Model, approval: EditorialEvent | None) -> str:
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
        locked = root_lock(root)
        transition_check_allowed(root=locked, user=user, transition=TRANSITIONS["publish"])
        if user is not None and locked.publish_at and locked.publish_at > now:
            raise TransitionNotAllowed(
                f"'{locked}' is scheduled to go live at {locked.publish_at:%Y-%m-%d %H:%M} UTC; "
                "clear the publish-at time to publish it now."
            )
        approval = approval_current(locked)
        approved = approval.revision if approval is not None else None
        kind = registry.root_kind(registry.kind_of(locked))
        if approved is None or document_hash(kind.build_document(locked)) != approved.content_hash:
            void_reason = publish_stale_message(locked, approval)
            root_approval_void(root=locked, user=None, reason=void_reason)
        else:
            findings_refuse_errors(kind.checks(approved.document))
            publication = publication_freeze(
                root=locked,
                document=approved.document,
                published_by=user or approval.user,
                approved_by=approval.user,
                comment=comment,
                now=now,
            )
            root_mark_published(
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
    locked = root_lock(root)
    entry = Entry.objects.filter(kind=kind_name, root_id=root_id).select_related("current").first()
    document = None
    if entry and not entry.is_withdrawn and locked.status == Status.PUBLISHED:
        document = kind.build_document(locked)
        if entry.current.content_hash == document_hash(document):
            return entry.current
    now = timezone.now()
    # Built once, after the review date it carries is renewed (a first publish always is).
    if root_review_date_renew(root=locked, now=now) or document is None:
        document = kind.build_document(locked)
    findings_refuse_errors(kind.checks(document))
    publication = publication_freeze(
        root=locked,
        document=document,
        published_by=user,
        approved_by=user,
        comment=note,
        now=now,
    )
    root_mark_published(root=locked, user=user, comment=note, publication=publication)
    root.status = Status.PUBLISHED
    return publication


def root_mark_published(
    *,
    root: models.Model,
    user: AbstractBaseUser | None,
    comment: str,
    publication: Publication,
    revision: Revision | None = None,
) -> None:
    """The working copy is now what is live: its status says so and its timeline records it."""
    root_status_move(
        root=root,
        to_status=Status.PUBLISHED,
        action=Action.PUBLISHED,
        user=user,
        comment=comment,
        unschedule=True,
        publication=publication,
        revision=revision,
    )


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
                published += roots_publish_batch(
                    root_kind=root_kind, pks=batch, user=user, note=note
                )
            if progress is not None:
                progress(len(batch))
    transaction.on_commit(published_generation_bump, robust=True)
    return published


def roots_publish_batch(
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
    slugs_refuse_taken(kind=kind, slugs={pk: documents[pk]["slug"] for pk in to_publish})
    drug_slugs = drug_slugs_resolve()
    for pk in to_publish:
        findings = root_kind.checks(documents[pk], drug_slugs=drug_slugs)
        if has_errors(findings):
            raise QualityCheckFailed(
                [replace(f, where=f"{kind} '{documents[pk]['slug']}': {f.where}") for f in findings]
            )
    publications, moved = publications_freeze(
        root_kind=root_kind,
        roots={pk: roots[pk] for pk in to_publish},
        entries=entries,
        documents=documents,
        published_by=user,
        approved_by=user,
        note=note,
        now=now,
    )
    by_root = {publication.root_id: publication for publication in publications}
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
    project_published(publications=publications, entries=moved)
    return len(publications)


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

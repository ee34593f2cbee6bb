"""Freezing documents into publications, and taking entries down: the public side of the
workflow's publish and withdraw.

The editorial workflow decides when a document may go live (states, permissions, four eyes,
quality checks); these functions write what then becomes public, in the caller's
transaction: the publication, its facets, the entry, retired slugs and the projections.
They never move a root's status nor write its timeline: that is the caller's.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max

from monographs.bulk import rows_insert
from monographs.editorial import registry
from monographs.editorial.documents import text_hash
from monographs.publishing.cache import published_generation_bump
from monographs.publishing.models import Entry, Facet, Publication
from monographs.publishing.projections import project_published, project_withdrawn, projections_run
from monographs.publishing.slugs import slug_refuse_taken, slugs_retire


def facet_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def publication_freeze(
    *,
    root: models.Model,
    document: dict,
    published_by: AbstractBaseUser | None,
    approved_by: AbstractBaseUser | None,
    comment: str,
    now: datetime,
) -> Publication:
    """Write publication vN of exactly this document, its facets, and point the Entry at it.

    The batch of one: a root published alone gets exactly what a corpus load writes for
    it, so the two can never drift apart. A slug another entry answers at is refused, never
    taken from it: removing anything from the public record is a withdrawal, recorded with
    its reason.
    """
    root_kind = registry.root_kind(registry.kind_of(root))
    slug_refuse_taken(kind=root_kind.kind, root_id=root.pk, slug=document["slug"])
    entry = Entry.objects.select_for_update().filter(kind=root_kind.kind, root_id=root.pk).first()
    (publication,), moved = publications_freeze(
        root_kind=root_kind,
        roots={root.pk: root},
        entries={root.pk: entry} if entry is not None else {},
        documents={root.pk: document},
        published_by=published_by,
        approved_by=approved_by,
        note=comment,
        now=now,
    )
    with projections_run():
        project_published(publications=[publication], entries=moved)
    transaction.on_commit(published_generation_bump, robust=True)
    return publication


def publications_freeze(
    *,
    root_kind: registry.RootKind,
    roots: dict[int, models.Model],
    entries: dict[int, Entry],
    documents: dict[int, dict],
    published_by: AbstractBaseUser | None,
    approved_by: AbstractBaseUser | None,
    note: str,
    now: datetime,
) -> tuple[list[Publication], list[Entry]]:
    """Freeze each root's document (id -> root, its locked entry if any, its document) as
    its next publication, with a fixed number of queries however many roots; returns the
    publications and every entry they moved.

    The caller has refused taken slugs and documents that fail their checks. Projections are
    the caller's to run once the roots' timelines are written.
    """
    kind = root_kind.kind
    last_versions = dict(
        Publication.objects.filter(kind=kind, root_id__in=list(roots))
        .values("root_id")
        .annotate(last=Max("version"))
        .values_list("root_id", "last")
    )
    publications = [
        Publication(
            kind=kind,
            root_id=pk,
            slug=documents[pk]["slug"],
            title=documents[pk]["title"],
            version=last_versions.get(pk, 0) + 1,
            schema_version=documents[pk]["schema_version"],
            document=documents[pk],
            published_at=now,
            published_by=published_by,
            approved_by=approved_by,
            change_note=note,
        )
        for pk in roots
    ]
    for publication in publications:
        publication.content_hash = text_hash(publication.canonical_document)
    rows_insert(
        model=Publication,
        rows=publications,
        encoded={"document": lambda publication: publication.canonical_document},
    )
    by_root = {publication.root_id: publication for publication in publications}
    rows_insert(
        model=Facet,
        rows=[
            {
                "publication_id": publication.pk,
                "name": name,
                "value": value,
                "number": facet_number(value),
            }
            for publication in publications
            for name, value in root_kind.facets(publication.document)
        ],
    )
    existing = [entries[pk] for pk in roots if pk in entries]
    slugs_retire(
        entries=existing,
        new_slugs={entry.pk: by_root[entry.root_id].slug for entry in existing},
        now=now,
    )
    for entry in existing:
        publication = by_root[entry.root_id]
        entry.slug, entry.title, entry.current = publication.slug, publication.title, publication
        entry.last_published_at = now
        entry.withdrawn_at, entry.withdrawal_reason = None, ""
    Entry.objects.bulk_update(
        existing,
        ["slug", "title", "current", "last_published_at", "withdrawn_at", "withdrawal_reason"],
    )
    created = rows_insert(
        model=Entry,
        rows=[
            Entry(
                kind=kind,
                root_id=pk,
                uid=root.uid,
                slug=by_root[pk].slug,
                title=by_root[pk].title,
                current=by_root[pk],
                first_published_at=now,
                last_published_at=now,
            )
            for pk, root in roots.items()
            if pk not in entries
        ],
    )
    return publications, existing + created


def entry_withdraw(*, kind: str, root_id: int, reason: str, now: datetime) -> Entry:
    """Take a live entry off the public side; its page then says why (HTTP 410).

    Its publications stay as they are: a withdrawal removes nothing from the record.
    """
    entry = Entry.objects.select_for_update().get(kind=kind, root_id=root_id)
    entry.withdrawn_at = now
    entry.withdrawal_reason = reason
    entry.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    with projections_run():
        project_withdrawn(entry=entry)
    transaction.on_commit(published_generation_bump, robust=True)
    return entry

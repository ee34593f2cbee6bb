"""Public addresses: a slug once public stays with its entry for good.

Publishing under a new slug retires the old one, which then redirects; no other entry may
take a slug an entry answers at, now or by a past name.
"""

from datetime import datetime

from monographs.editorial.exceptions import TransitionNotAllowed
from monographs.publishing.models import Entry, RetiredSlug


def slug_holder(*, kind: str, slug: str, root_id: int | None) -> Entry | None:
    """Another root's entry that answers at this slug: live, withdrawn, or by a past name.

    A slug once public stays with its entry for good, so no link or mirror ever lands on a
    different entry than the one it was made for.
    """
    entry = Entry.objects.filter(kind=kind, slug=slug).exclude(root_id=root_id).first()
    if entry is not None:
        return entry
    retired = (
        RetiredSlug.objects.filter(kind=kind, slug=slug)
        .exclude(entry__root_id=root_id)
        .select_related("entry")
        .first()
    )
    return retired.entry if retired is not None else None


def slug_taken_message(*, holder: Entry, slug: str) -> str:
    state = "withdrawn" if holder.is_withdrawn else "published"
    if holder.slug != slug:
        return (
            f"The address '{slug}' belonged to '{holder.title}' (now at '{holder.slug}') and "
            "still leads there. Choose another slug."
        )
    return (
        f"The address '{slug}' belongs to the {state} entry '{holder.title}'. Choose another "
        "slug: a public entry is only ever taken down by withdrawing it."
    )


def slug_refuse_taken(*, kind: str, root_id: int | None, slug: str) -> None:
    holder = slug_holder(kind=kind, slug=slug, root_id=root_id)
    if holder is not None:
        raise TransitionNotAllowed(slug_taken_message(holder=holder, slug=slug))


def slugs_refuse_taken(*, kind: str, slugs: dict[int, str]) -> None:
    """slug_refuse_taken for a batch of roots (root id -> slug), in two queries."""
    holders = {
        slug: (root_id, title)
        for slug, root_id, title in Entry.objects.filter(
            kind=kind, slug__in=slugs.values()
        ).values_list("slug", "root_id", "title")
    }
    for slug, root_id, title in RetiredSlug.objects.filter(
        kind=kind, slug__in=slugs.values()
    ).values_list("slug", "entry__root_id", "entry__title"):
        holders.setdefault(slug, (root_id, title))
    taken = [
        f"'{slug}' belongs to '{holders[slug][1]}'"
        for pk, slug in slugs.items()
        if slug in holders and holders[slug][0] != pk
    ]
    if taken:
        raise TransitionNotAllowed(
            f"Nothing was published: {'; '.join(taken)}. Choose other slugs: a public entry "
            "is only ever taken down by withdrawing it."
        )


def slugs_retire(*, entries: list[Entry], new_slugs: dict[int, str], now: datetime) -> None:
    """Entries published under a new slug keep their old one, which then redirects to them."""
    renamed = [entry for entry in entries if entry.slug != new_slugs[entry.pk]]
    if not renamed:
        return
    RetiredSlug.objects.filter(
        entry__in=renamed, slug__in=[new_slugs[entry.pk] for entry in renamed]
    ).delete()
    RetiredSlug.objects.bulk_create(
        RetiredSlug(entry=entry, kind=entry.kind, slug=entry.slug, retired_at=now)
        for entry in renamed
    )

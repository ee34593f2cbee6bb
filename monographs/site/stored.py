"""Rendering entry pages again when what they show is published or withdrawn.

Each kind declares (registry) the function that renders its page (the same one its view
calls when no stored copy exists) and the facets through which its publications appear on
other entries' pages (a trial on the pages of the drugs it studies). The projection runs inside the
publishing transaction: a reader sees the new publication and every page it changes at the
same commit, and never a stored page showing a withdrawn or superseded entry. Rendering after
the commit would leave a window in which a drug page still lists a trial just withdrawn.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from monographs.editorial import registry
from monographs.publishing.models import Entry, Facet, Publication, RetiredSlug
from monographs.publishing.prepared import live_current_row_sql, prepared_read_cursor
from monographs.site.compression import deflate_around
from monographs.site.models import StoredPage, StoredPageKey
from monographs.site.rendering import (
    ORIGIN_BYTES,
    Dependence,
    entry_key,
    renderer_fingerprint,
    static_names_ready,
)


def _paged_kinds() -> dict[str, registry.RootKind]:
    """The kinds whose entries have a page of their own to store."""
    return {kind.kind: kind for kind in registry.all_kinds() if kind.page_render_path}


@dataclass(frozen=True)
class ServedPage:
    """What a reader's response needs of a stored page: its body, in one of two encodings."""

    entry_id: int
    content: bytes  # the body, or its compressed pieces when `deflated_index` is set
    deflated_index: str
    etag: str
    keys: str
    rendered_at: datetime


def _stored_page_sql(connection) -> str:
    quote = connection.ops.quote_name
    return live_current_row_sql(
        connection,
        table=StoredPage._meta.db_table,
        columns=(
            f"CASE WHEN %s AND r.{quote('body_deflated_index')} <> ''"
            f" THEN r.{quote('body_deflated')} ELSE r.{quote('body')} END,"
            f" CASE WHEN %s THEN r.{quote('body_deflated_index')} ELSE '' END,"
            f" r.{quote('etag')}, r.{quote('keys')}, r.{quote('rendered_at')},"
            f" r.{quote('entry_id')}"
        ),
        written_by="renderer",
        keyed_by_entry=True,
    )


def stored_page_for(*, kind: str, slug: str, deflated: bool = False) -> ServedPage | None:
    """The stored page of a live entry's current publication, rendered by this code, in one
    query by two unique indexes (entry kind and slug, page entry and publication); None if
    there is none (a withdrawn entry, an unknown or retired slug, a page not rendered yet or
    rendered by other templates). With `deflated`, its compressed pieces when it has them.

    Written as SQL because building the ORM query cost more than running it, on the one read
    every entry page makes; only the encoding the reader takes leaves the database.
    """
    connection = connections[router.db_for_read(StoredPage)]
    with prepared_read_cursor(connection) as cursor:
        cursor.execute(
            _stored_page_sql(connection),
            [deflated, deflated, kind, slug, renderer_fingerprint()],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    content, deflated_index, etag, keys, rendered_at, entry_id = row
    if isinstance(rendered_at, str):  # SQLite: naive UTC text
        rendered_at = parse_datetime(rendered_at)
    if timezone.is_naive(rendered_at):
        rendered_at = rendered_at.replace(tzinfo=UTC)
    return ServedPage(
        entry_id=entry_id,
        content=bytes(content),
        deflated_index=deflated_index or "",
        etag=etag,
        keys=keys,
        rendered_at=rendered_at,
    )


def pages_forget(entries: Q) -> None:
    """Delete the stored pages of the entries selected (a Q on entry_id) and their keys, in
    two statements however many (pages first, while a selection reading keys still can).
    Their readers then go to the response cache and the view: stored pages are answered
    above the cache and never put in it, and what it holds of a live render of one (from
    before it was stored) names the entries it shows, whose keys the same publish or
    withdrawal retires (site.invalidation)."""
    StoredPage.objects.filter(entries).delete()
    StoredPageKey.objects.filter(entries).delete()


def stored_pages_write(*, entries: Iterable[Entry]) -> int:
    """Render the current page of each live entry and store it in place of any older copy."""
    static_names_ready()
    now = timezone.now()
    paged = _paged_kinds()
    rendered = [(entry, paged[entry.kind].page_render(entry=entry)) for entry in entries]
    pages_forget(Q(entry_id__in=[entry.pk for entry, _ in rendered]))
    pages = []
    for entry, page in rendered:
        deflated = deflate_around(page.body, ORIGIN_BYTES)
        pages.append(
            StoredPage(
                entry=entry,
                publication_id=entry.current_id,
                body=page.body,
                body_deflated=deflated.data,
                body_deflated_index=deflated.index(),
                etag=page.etag,
                keys=page.keys,
                rendered_at=now,
                renderer=renderer_fingerprint(),
            )
        )
    StoredPage.objects.bulk_create(pages)
    StoredPageKey.objects.bulk_create(
        StoredPageKey(entry=entry, key=key, dependence=dependence)
        for entry, page in rendered
        for key, dependence in page.dependencies
    )
    return len(pages)


def _locked(entries: QuerySet) -> list[Entry]:
    """The entries with pages, locked until the transaction ends (on PostgreSQL), in one order.

    Two publishes changing the same page then render it one after the other, the second
    reading what the first committed, instead of the last to commit storing what it read
    before the other's change.
    """
    return [
        entry
        for entry in entries.select_related("current")
        .select_for_update(of=("self",))
        .order_by("pk")
        if entry.kind in _paged_kinds()
    ]


def stored_pages_fill(*, missing_only: bool = True, batch_size: int = 50) -> Iterator[int]:
    """Store the pages of live entries (those not stored yet, or all), a batch per
    transaction; yields how many each batch stored. For publications made before pages were
    stored, and after a corpus load, whose batches forget the pages they change."""
    entries = Entry.objects.live().filter(kind__in=list(_paged_kinds())).order_by("pk")
    if missing_only:
        stored = StoredPage.objects.filter(
            publication_id=OuterRef("current_id"), renderer=renderer_fingerprint()
        )
        entries = entries.filter(~Exists(stored))
    pks = list(entries.values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        with transaction.atomic():
            batch = _locked(Entry.objects.live().filter(pk__in=pks[start : start + batch_size]))
            yield stored_pages_write(entries=batch)


def _pages_refresh(*, own: list[int], shown_on: Q, dependents: Q, render: bool) -> int:
    """Render again the live pages of the entries `own`, of those `shown_on` and of those
    whose stored keys match `dependents`, or only forget them (render=False).

    The three are read apart and the pages locked by primary key: ORed in one statement,
    PostgreSQL tested every entry against them (170 ms of a trial's publish at 100,000).
    """
    changed = StoredPageKey.objects.filter(dependents).values_list("entry_id", flat=True)
    shown = Entry.objects.live().filter(shown_on).values_list("pk", flat=True)
    if not render:
        pages_forget(Q(entry_id__in=own) | Q(entry_id__in=shown) | Q(entry_id__in=changed))
        return 0
    direct = {*own, *shown}
    dependent = set(changed) - direct
    if len(direct) + len(dependent) > settings.STORED_PAGES_RENDERED_AT_PUBLISH:
        # A drug named by thousands of trials: rendering them all would hold the publish for
        # minutes. They are forgotten instead, so read live (current, slower) until
        # `render_stored_pages` stores them again; the pages it appears on are rendered now.
        pages_forget(Q(entry_id__in=changed))
        dependent = set()
    return stored_pages_write(
        entries=_locked(Entry.objects.live().filter(pk__in=direct | dependent))
    )


def entries_shown_on(publications: list[Publication]) -> Q:
    """The entries whose pages the publications now appear on (a trial on the drugs it
    studies), as each kind declares (appears_on): those pages change although they may not
    have shown the entry before, so neither their stored render nor their cached response
    can be found by the entry's own key."""
    shown_on = Q(pk__in=[])
    for root_kind in registry.all_kinds():
        of_kind = [
            publication.pk for publication in publications if publication.kind == root_kind.kind
        ]
        for facet, shown_kind in root_kind.appears_on if of_kind else ():
            slugs = Facet.objects.filter(publication_id__in=of_kind, name=facet).values("value")
            shown_on |= Q(kind=shown_kind, slug__in=slugs)
    return shown_on


def stored_pages_after_publish(*, publications: list[Publication], entries: list[Entry]) -> int:
    """Render the entries' own pages and every page that shows them or names them unlinked,
    plus the pages they now appear on; pages linking to an old slug follow a rename.

    An editor's publish (one entry) renders them in its transaction. A batch of a corpus
    load only forgets them, in a fixed number of queries however large the batch: until
    `render_stored_pages` stores them again they are rendered for each reader, current.
    """
    keys = [entry_key(entry.kind, entry.slug) for entry in entries]
    retired = [
        entry_key(kind, slug)
        for kind, slug in RetiredSlug.objects.filter(entry__in=entries).values_list("kind", "slug")
    ]
    return _pages_refresh(
        own=[entry.pk for entry in entries],
        shown_on=entries_shown_on(publications),
        dependents=Q(key__in=keys, dependence__in=[Dependence.SHOWS, Dependence.NAMES])
        | Q(key__in=retired),
        render=len(entries) == 1,
    )


def stored_pages_after_withdrawal(*, entry: Entry) -> int:
    """Forget the entry's own page and render again every page that shows or links to it."""
    pages_forget(Q(entry_id=entry.pk))
    return _pages_refresh(
        own=[],
        shown_on=Q(pk__in=[]),
        dependents=Q(
            key=entry_key(entry.kind, entry.slug),
            dependence__in=[Dependence.SHOWS, Dependence.LINKS],
        ),
        render=True,
    )

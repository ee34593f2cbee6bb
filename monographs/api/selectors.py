"""What a reader may see, read from the editorial tables (Entry, Publication, events) only."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from rest_framework.exceptions import NotFound

from monographs.api.errors import EntryMoved, EntryWithdrawn
from monographs.api.models import PublishedDocument
from monographs.editorial import registry
from monographs.editorial.event_order import HORIZON_SQL
from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Facet, Publication
from monographs.selectors import entry_renamed_to

Action = EditorialEvent.Action
CHANGE_ACTIONS = (Action.PUBLISHED, Action.WITHDRAWN)
MEMBER_PREFIX = "document:"


def entry_list(*, kind: str) -> QuerySet[Entry]:
    """Live entries of one kind with their current version, but not whole documents.

    Lists show a summary; the document, which can be large, is only read on detail pages.
    The facets a summary shows are attached to each page by entries_attach_facets.
    """
    return Entry.objects.live().of_kind(kind).select_related("current").defer("current__document")


def _list_members(kind: str) -> tuple[str, ...]:
    return registry.root_kind(kind).list_members


def entries_attach_facets(entries: list[Entry], *, names: Iterable[str]) -> list[Entry]:
    """Give each entry of a page its summary facets and document members, in one query.

    Done for the page, not in the list's query: there the database would read the document
    of every entry that matches a filter (thousands) before keeping a page of them. Plain
    values rather than Facet rows: a page of 100 trials has over a thousand facets, and a
    model instance for each cost more than the rest of the response.
    """
    publication_ids = [entry.current_id for entry in entries]
    if not publication_ids:
        return entries
    rows = (
        Facet.objects.filter(publication_id__in=publication_ids, name__in=list(names))
        .order_by()
        .values_list("publication_id", "name", "value")
    )
    # Document members a list summary shows (each kind's list_members), read for the page only.
    members = sorted({member for entry in entries for member in _list_members(entry.kind)})
    rows = rows.union(
        *[
            Publication.objects.filter(pk__in=publication_ids)
            .order_by()
            .annotate(
                name=Value(MEMBER_PREFIX + member), value=KeyTextTransform(member, "document")
            )
            .values_list("pk", "name", "value")
            for member in members
        ],
        all=True,
    )
    facets: dict[int, dict[str, list[str]]] = {pk: {} for pk in publication_ids}
    document_members: dict[int, dict[str, str | None]] = {pk: {} for pk in publication_ids}
    for publication_id, name, value in sorted(rows, key=lambda row: (row[0], row[1], row[2] or "")):
        if name.startswith(MEMBER_PREFIX):
            document_members[publication_id][name.removeprefix(MEMBER_PREFIX)] = value
        else:
            facets[publication_id].setdefault(name, []).append(value)
    for entry in entries:
        entry._facets_by_name = facets[entry.current_id]
        for member in _list_members(entry.kind):
            setattr(entry, member, document_members[entry.current_id].get(member))
    return entries


def entry_live_get(*, kind: str, slug: str) -> Entry:
    """The entry a reader asked for: withdrawn answers 410 with its reason, unknown 404.

    With its current version's metadata, not its document: the current document is read by
    current_publication_get, older ones with their version.
    """
    entries = (
        Entry.objects.of_kind(kind)
        .filter(slug=slug)
        .select_related("current")
        .defer("current__document")
    )
    entry = entries.first()
    if entry is None:
        renamed = entry_renamed_to(kind=kind, slug=slug)
        if renamed is not None:
            raise EntryMoved(kind=kind, old_slug=slug, slug=renamed)
        raise NotFound(f"No {kind} is published under the slug '{slug}'.")
    if entry.is_withdrawn:
        raise EntryWithdrawn(
            kind=kind,
            slug=entry.slug,
            title=entry.title,
            withdrawn_at=entry.withdrawn_at,
            reason=entry.withdrawal_reason,
        )
    return entry


def current_publication_get(*, kind: str, slug: str) -> Publication:
    """The current version of a live entry with its stored document text and detail head.

    For the detail DRF serves (readers signed in, ?fields=, a head another code wrote);
    anonymous readers are answered from the same columns by stored_detail, in one statement.
    The publication comes without its parsed document (deferred); document_text is the body.
    Withdrawn and unknown entries answer as entry_live_get does: 410 with the reason, 404.
    """
    entry = (
        Entry.objects.of_kind(kind)
        .filter(slug=slug)
        .select_related("current__published_document")
        .defer("current__document")
        .first()
    )
    if entry is None or entry.is_withdrawn:
        entry_live_get(kind=kind, slug=slug)  # raises NotFound or 410
    publication = entry.current
    try:
        document = publication.published_document
    except PublishedDocument.DoesNotExist:
        raise PublishedDocument.DoesNotExist(
            f"Publication {publication.pk} ({kind} '{slug}' version {publication.version}) "
            "has no PublishedDocument row; read tables are written when it is published."
        ) from None
    publication.document_text = document.body
    publication.detail_head, publication.detail_head_etag = document.head, document.head_etag
    publication.detail_head_renderer = document.head_renderer
    publication.entry_uid = entry.uid
    return publication


def entry_versions(*, entry: Entry) -> QuerySet[Publication]:
    """Every published version of the entry, oldest first, without their documents."""
    return (
        Publication.objects.of_root(kind=entry.kind, root_id=entry.root_id)
        .only("kind", "slug", "version", "published_at", "change_note", "content_hash")
        .order_by("version")
    )


def publication_version_get(*, entry: Entry, version: int) -> Publication:
    publication = (
        Publication.objects.of_root(kind=entry.kind, root_id=entry.root_id)
        .filter(version=version)
        .select_related("published_document")
        .defer("document")
        .first()
    )
    if publication is None:
        raise NotFound(
            f"'{entry.title}' has no version {version}; "
            f"its versions are 1 to {entry.current.version}."
        )
    return publication


def publication_as_of(*, entry: Entry, moment: datetime) -> Publication:
    """The version that was live at that moment, so an analysis can be reproduced later.

    A publication counts from its published_at, a withdrawal from when it was recorded; a
    moment before the first publication, or while the entry was withdrawn, finds nothing.
    """
    event = (
        EditorialEvent.objects.of_root(kind=entry.kind, root_id=entry.root_id)
        .filter(
            Q(action=Action.PUBLISHED, publication__published_at__lte=moment)
            | Q(action=Action.WITHDRAWN, created_at__lte=moment)
        )
        .select_related("publication__published_document")
        .defer("publication__document")
        .order_by("-id")
        .first()
    )
    if event is None or event.publication is None:
        raise NotFound(
            f"'{entry.title}' was not yet published at {moment.isoformat()}; "
            f"it was first published at {entry.first_published_at.isoformat()}."
        )
    if event.action == Action.WITHDRAWN:
        raise NotFound(
            f"'{entry.title}' was withdrawn at {moment.isoformat()} "
            f"(from {event.created_at.isoformat()}: {event.comment})."
        )
    return event.publication


def changes_since(*, token: int, kind: str | None = None) -> QuerySet[EditorialEvent]:
    """Every publication and withdrawal after the token, oldest first; drafts never appear.

    Each change names the slug the entry had then and, for a rename, the slug before it; the
    entry's permanent id ties them together. The token is the event id, which only grows: a
    mirror stores the last token it applied and asks again from there, so it sees each change
    once and in the order it was recorded, even when transactions commit out of id order:
    changes a transaction still open may precede wait until it ends.
    """
    entry = Entry.objects.filter(kind=OuterRef("kind"), root_id=OuterRef("root_id"))
    events = (
        EditorialEvent.objects.filter(action__in=CHANGE_ACTIONS, id__gt=token)
        .exclude(publication=None)
        .select_related("publication")
        .defer("publication__document")
        .annotate(
            entry_slug=Subquery(entry.values("slug")[:1]),
            entry_uid=Subquery(entry.values("uid")[:1]),
            slug_now=F("publication__slug"),
            previous_slug=Subquery(
                Publication.objects.filter(
                    kind=OuterRef("kind"),
                    root_id=OuterRef("root_id"),
                    version=OuterRef("publication__version") - 1,
                ).values("slug")[:1]
            ),
        )
        .order_by("id")
    )
    if kind:
        events = events.filter(kind=kind)
    if connection.vendor == "postgresql":
        # Only what no transaction still in flight can precede (monographs.editorial.event_order).
        events = events.filter(id__lte=RawSQL(HORIZON_SQL, []))
    return events


def change_feed_position() -> int:
    """The token of the last change the feed serves now (0 before any).

    Everything at or below it is visible and will never be preceded by a later commit: the
    point an initial sync starts from, continued with changes_since(token=it).
    """
    return changes_since(token=0).order_by("-id").values_list("id", flat=True).first() or 0


def sync_initial_page(*, after: int, size: int) -> list[Entry]:
    """Live entries after an entry id, in id order, with their current publication whole.

    The pages of an initial sync: each reads the entries as they are when it is asked for,
    so a page may already hold a change made after the sync's starting token; the changes
    after that token, read next, bring the mirror to the same state either way.
    """
    return list(
        Entry.objects.live()
        .filter(id__gt=after)
        .select_related("current")
        .order_by("id")[: size + 1]
    )


def sync_changes_page(*, token: int, size: int) -> list[EditorialEvent]:
    """The change feed's next page after the token, each change with its whole publication."""
    return list(changes_since(token=token).defer(None)[: size + 1])

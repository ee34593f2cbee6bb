"""Writing the search index from live publications, and only from them."""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, F, Q, QuerySet, Value, Window
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.text import capfirst

from monographs.api.models import PublishedCitation
from monographs.editorial import registry
from monographs.models.search import SearchDocument
from monographs.publishing.models import Entry, Facet, Publication
from monographs.richtext import join_words
from monographs.search.postgres import SEARCH_CONFIG
from monographs.search.vocabulary import (
    search_vocabulary_changed,
    spelling_words,
)

Kind = SearchDocument.Kind
MENTIONS_LISTED = 50
# The order entries mentioning a term or reference are listed in, and the index it is read by
# (publishing's entry_live_mentions).
MENTIONS_ORDER = [F("kind").asc(), F("last_published_at").desc(), F("title").asc(), F("id").asc()]
# A value stated in at least this many publications (live or not) is read by a branch of
# its own, planned for that value: for a common one PostgreSQL walks the live entries in the
# listing order (the index entry_live_mentions) until it has its first MENTIONS_LISTED. The
# rarer ones are sorted together, in one window over their few mentions. Planning a branch
# costs about half a millisecond, as much as sorting a hundred mentions: a monograph's
# hundred terms reported by few entries each took 0.1 s as a hundred branches, most of it
# planning, and 8 ms in one window, while a trial's common terms (9,000 trials each at
# 100,000) still take a branch each (2 ms, against 250 ms sorted).
MENTIONS_COMMON = 100
# More common values than this in one read are sorted with the rest, in one window: a branch
# planned for each would cost more (a chunk of a corpus load's references).
MENTIONS_READ_IN_ORDER = 100
# Stands for the value in the statement compiled once for every value read in order.
_BRANCH_VALUE = "\x00mentioned"
BATCH_SIZE = 500


def term_search_fields(term: dict[str, Any], reporter_titles: list[str]) -> dict[str, str]:
    """An adverse-event term as a live document that reports it describes it."""
    return {
        "title": term.get("name") or term["slug"],
        "description": term.get("system_organ_class") or "",
        "names": join_words(term.get("synonyms") or []),
        "body": join_words(
            [term.get("system_organ_class"), "Reported for", *sorted(set(reporter_titles))]
        ),
    }


def reference_search_fields(reference: dict[str, Any], citing_titles: list[str]) -> dict[str, str]:
    authors = list(reference.get("authors") or [])
    # The key is ours, not the reader's: "hcc" in "sorafenib-hcc-web-article-ref-10" must not
    # make every reference of that article a match for HCC.
    names = [reference.get("doi"), reference.get("pmid"), reference.get("pmcid")]
    names += [reference.get("group_author"), *authors]
    description = ". ".join(
        str(p)
        for p in (reference.get("journal") or reference.get("publisher"), reference.get("year"))
        if p
    )
    return {
        "title": reference.get("title", reference["key"]),
        "description": description[:500],
        "names": join_words(names),
        "body": join_words([reference.get("vancouver"), "Cited in", *sorted(set(citing_titles))]),
    }


# Field, weight: titles outrank names and descriptions, which outrank body text.
VECTOR_WEIGHTS = (("title", "A"), ("names", "B"), ("description", "B"), ("body", "C"))
TEXT_FIELDS = ("title", "description", "names", "body")


def _upsert_many(kind: str, rows: list[dict[str, str]]) -> None:
    """Insert or update these rows (a slug, an anchor for a section, the text fields); on
    PostgreSQL with their search vector, in the same statement, so each row is written once
    and its GIN entries once, and with the words misspellings are corrected to."""
    if not rows:
        return
    rows = [{"anchor": "", **row} for row in rows]
    if connection.vendor != "postgresql":
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(kind=kind, **{f: row[f] for f in ("slug", "anchor", *TEXT_FIELDS)})
                for row in rows
            ],
            update_conflicts=True,
            unique_fields=["kind", "slug", "anchor"],
            update_fields=[*TEXT_FIELDS, "updated_at"],
            batch_size=BATCH_SIZE,
        )
        return
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            words = sorted(spelling_words(*(row[f] for row in batch for f in TEXT_FIELDS)))
            cursor.execute(_UPSERT_SQL, [kind, now, json.dumps(batch), words])


def _rows_by_slug(fields_by_slug: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    return [{"slug": slug, **fields} for slug, fields in fields_by_slug.items()]


def _vector_sql() -> str:
    return " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(r.{name}, '')), '{weight}')"
        for name, weight in VECTOR_WEIGHTS
    )


def _name_vector_sql() -> str:
    return " || ".join(
        f"to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(r.{name}, ''))"
        for name in ("title", "names")
    )


# The words of the search vectors, which query prefixes are expanded against (PostgreSQL;
# the table, not a model, is created by migration 0010).
VOCABULARY_TABLE = "monographs_searchword"
# The words as written, which misspellings are corrected to (PostgreSQL; migration 0019).
SPELLING_TABLE = "monographs_searchspelling"


# The rows, their vectors and, in the same statement, the words of their vectors added to
# the vocabulary, in order so that concurrent writers cannot deadlock.
_UPSERT_SQL = f"""
    WITH written AS (
        INSERT INTO {SearchDocument._meta.db_table}
            (kind, slug, anchor, {", ".join(TEXT_FIELDS)}, updated_at, search_vector, name_vector)
        SELECT %s, r.slug, r.anchor, {", ".join(f"r.{name}" for name in TEXT_FIELDS)}, %s,
            {_vector_sql()}, {_name_vector_sql()}
        FROM jsonb_to_recordset(%s::jsonb)
            AS r(slug text, anchor text, {", ".join(f"{name} text" for name in TEXT_FIELDS)})
        ON CONFLICT (kind, slug, anchor) DO UPDATE SET
            {", ".join(f"{name} = EXCLUDED.{name}" for name in TEXT_FIELDS)},
            updated_at = EXCLUDED.updated_at,
            search_vector = EXCLUDED.search_vector,
            name_vector = EXCLUDED.name_vector
        RETURNING search_vector
    ),
    spelled AS (
        INSERT INTO {SPELLING_TABLE} (word)
        SELECT word FROM unnest(%s::text[]) AS word ORDER BY word
        ON CONFLICT DO NOTHING
    )
    INSERT INTO {VOCABULARY_TABLE} (word)
    SELECT DISTINCT word FROM written, unnest(tsvector_to_array(written.search_vector)) AS word
    ORDER BY word
    ON CONFLICT DO NOTHING
"""


def _rows_of(slugs_by_kind: dict[str, set[str]]):
    matches = Q(pk__in=[])
    for kind, slugs in slugs_by_kind.items():
        if slugs:
            matches |= Q(kind=kind, slug__in=slugs)
    return SearchDocument.objects.filter(matches)


@dataclass(frozen=True)
class Mention:
    """A live entry whose current publication mentions a term or a reference."""

    kind: str
    title: str
    publication_id: int


def _search_titles(slugs_by_kind: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """Entries as search names them (a trial as "acronym: title"), from their own rows.

    Their rows are written first (search_index_entries_update), so their documents need not
    be read again: at the end of a bulk run that is a hundred thousand of them.
    """
    matches = Q(pk__in=[])
    for kind, slugs in slugs_by_kind.items():
        matches |= Q(kind=kind, slug__in=slugs)
    rows = SearchDocument.objects.filter(matches, anchor="").values_list("kind", "slug", "title")
    return {(kind, slug): title for kind, slug, title in rows} if slugs_by_kind else {}


def mentions_in_order(facet: str, value: str) -> QuerySet:
    """The live entries whose current publication has this fact, in listing order, each with
    its place in it (`position`) and the value (`facet_value`)."""
    return (
        Entry.objects.live()
        .with_facet(facet, value)
        .annotate(
            facet_value=Value(value, output_field=CharField()),
            position=Window(RowNumber(), order_by=MENTIONS_ORDER),
        )
        .order_by(*MENTIONS_ORDER)
    )


def _live_mentions(facet: str, values: set[str]) -> dict[str, list[Mention]]:
    """Live entries mentioning each value, drugs first, then the most recently published.

    At most MENTIONS_LISTED per value: a term reported by thousands of trials names the
    first of them, so its row, and the work of keeping it current, stay bounded.
    """
    by_value: dict[str, list[Mention]] = defaultdict(list)
    if not values:
        return by_value
    common = _values_common(facet, values)
    rows = [*_mentions_read_in_order(facet, common), *_mentions_sorted(facet, values - common)]
    rows.sort(key=lambda row: (row[0], row[1]))
    slugs_by_kind: dict[str, set[str]] = defaultdict(set)
    for _, _, kind, _, slug, _ in rows:
        slugs_by_kind[kind].add(slug)
    titles = _search_titles(slugs_by_kind)
    for facet_value, _, kind, title, slug, publication_id in rows:
        shown = capfirst(titles.get((kind, slug)) or title)
        by_value[facet_value].append(Mention(kind, shown, publication_id))
    return by_value


_MENTIONS_COLUMNS = ("facet_value", "position", "kind", "title", "slug", "current_id")

_VALUES_COMMON_SQL = f"""
    SELECT stated.value FROM unnest(%s::text[]) AS stated(value)
    WHERE (SELECT count(*) FROM (
        SELECT 1 FROM {Facet._meta.db_table} AS facet
        WHERE facet.name = %s AND facet.value = stated.value
        LIMIT %s
    ) AS counted) >= %s
"""


def _values_common(facet: str, values: set[str]) -> set[str]:
    """The values worth a branch of their own (MENTIONS_COMMON) on PostgreSQL, counted by
    the index of facts up to MENTIONS_COMMON each (a millisecond for a trial's terms, a few
    for a chunk of BATCH_SIZE rare ones); none when more than MENTIONS_READ_IN_ORDER are,
    as planning a branch for each would then cost more than sorting them. Counted for any
    number of values, so that a publish reads as many times whatever its size."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            _VALUES_COMMON_SQL, [sorted(values), facet, MENTIONS_COMMON, MENTIONS_COMMON]
        )
        common = {value for (value,) in cursor.fetchall()}
    return common if len(common) <= MENTIONS_READ_IN_ORDER else set()


def _mentions_read_in_order(facet: str, values: set[str]) -> list[tuple]:
    """One branch per value, each planned for its own value: a common term walks the live
    entries in MENTIONS_ORDER (by the index entry_live_mentions) until it has its first
    MENTIONS_LISTED. At 100,000 trials a trial's terms take 2 ms instead of 250 ms sorting
    the 9,000 trials of each, inside an editor's publish. The branch is compiled once and its
    value bound per branch: built as a queryset each, a hundred values spent a quarter of a
    second in the ORM alone."""
    if not values:
        return []
    branch = mentions_in_order(facet, _BRANCH_VALUE).values_list(*_MENTIONS_COLUMNS)
    sql, params = branch[:MENTIONS_LISTED].query.sql_with_params()
    branches = " UNION ALL ".join([f"({sql})"] * len(values))
    bound = [
        mentioned if param == _BRANCH_VALUE else param
        for mentioned in sorted(values)
        for param in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({branches}) AS mentions", bound)
        return cursor.fetchall()


def _mentions_sorted(facet: str, values: set[str]) -> list[tuple]:
    """Every live mention of the values, numbered in MENTIONS_ORDER per value, in one
    window: a few for each rare value, and thousands of values at once (a corpus's
    references) in one statement."""
    if not values:
        return []
    value = F("current__facets__value")
    return list(
        Entry.objects.live()
        .filter(current__facets__name=facet, current__facets__value__in=values)
        .annotate(
            facet_value=value,
            position=Window(RowNumber(), partition_by=[value], order_by=MENTIONS_ORDER),
        )
        .filter(position__lte=MENTIONS_LISTED)
        .order_by()
        .values_list(*_MENTIONS_COLUMNS)
    )


def _chunked(values: set[str]) -> Iterator[set[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), BATCH_SIZE):
        yield set(ordered[start : start + BATCH_SIZE])


def _refresh_terms(slugs: set[str]) -> None:
    """Rewrite the rows of these terms; a term no live entry reports any more is dropped."""
    for chunk in _chunked(slugs):
        mentions = _live_mentions("term", chunk)
        SearchDocument.objects.filter(
            kind=Kind.ADVERSE_EVENT, slug__in=chunk - set(mentions)
        ).delete()
        if not mentions:
            continue
        first = {slug: entries[0].publication_id for slug, entries in mentions.items()}
        events = dict(
            Publication.objects.filter(pk__in=set(first.values()))
            .annotate(events=KeyTransform("adverse_events", "document"))
            .values_list("pk", "events")
        )
        terms = {
            (publication_id, event["term"]["slug"]): event["term"]
            for publication_id, publication_events in events.items()
            for event in reversed(publication_events or [])
        }
        _upsert_many(
            Kind.ADVERSE_EVENT,
            _rows_by_slug(
                {
                    slug: term_search_fields(
                        terms.get((first[slug], slug)) or {"slug": slug},
                        [m.title for m in entries],
                    )
                    for slug, entries in mentions.items()
                }
            ),
        )


def _refresh_references(keys: set[str]) -> None:
    """Rewrite the rows of these references; one no live entry cites any more is dropped."""
    for chunk in _chunked(keys):
        mentions = _live_mentions("citation", chunk)
        SearchDocument.objects.filter(kind=Kind.REFERENCE, slug__in=chunk - set(mentions)).delete()
        if not mentions:
            continue
        first = {key: entries[0].publication_id for key, entries in mentions.items()}
        references = {
            (publication_id, key): reference
            for publication_id, key, reference in PublishedCitation.objects.filter(
                publication_id__in=set(first.values()), key__in=chunk
            ).values_list("publication_id", "key", "reference")
        }
        _upsert_many(
            Kind.REFERENCE,
            _rows_by_slug(
                {
                    key: reference_search_fields(
                        references.get((first[key], key)) or {"key": key},
                        [m.title for m in entries],
                    )
                    for key, entries in mentions.items()
                }
            ),
        )


@dataclass
class Mentioned:
    """The terms and references some entries mention, whose rows must follow them."""

    terms: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)

    def add(self, document: dict[str, Any] | None) -> None:
        if document:
            self.terms |= {ae["term"]["slug"] for ae in document.get("adverse_events") or []}
            self.keys |= {r["key"] for r in document.get("references") or []}

    def update(self, other: "Mentioned") -> None:
        self.terms |= other.terms
        self.keys |= other.keys


def _previous_publications(entries: list[Entry]) -> dict[tuple[str, int], Publication]:
    later = [entry for entry in entries if entry.current.version > 1]
    if not later:
        return {}
    matches = Q(pk__in=[])
    for entry in later:
        matches |= Q(kind=entry.kind, root_id=entry.root_id, version=entry.current.version - 1)
    return {
        (publication.kind, publication.root_id): publication
        for publication in Publication.objects.filter(matches).only(
            "kind", "root_id", "slug", "document"
        )
    }


@transaction.atomic
def search_index_entries_update(*, entries: list[Entry]) -> Mentioned:
    """The rows of these entries, just published or withdrawn; returns what they mention.

    An entry's rows (a drug's page and its sections) follow its current publication, or go
    when it is withdrawn. The terms and references the entries mention now or mentioned in
    their previous versions are returned for search_index_mentions_refresh.
    """
    previous = _previous_publications(entries)
    stale: dict[str, set[str]] = defaultdict(set)
    fresh: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    sections: dict[str, list[dict[str, str]]] = defaultdict(list)
    mentioned = Mentioned()
    for entry in entries:
        before = previous.get((entry.kind, entry.root_id))
        if before is not None and before.slug != entry.slug:
            stale[entry.kind].add(before.slug)
        root_kind = registry.root_kind(entry.kind)
        if entry.is_withdrawn or root_kind.search_fields is None:
            stale[entry.kind].add(entry.slug)
        else:
            fresh[entry.kind][entry.slug] = root_kind.search_fields(entry.current.document)
            if root_kind.search_sections is not None:
                sections[entry.kind] += root_kind.search_sections(entry.current.document)
        mentioned.add(entry.current.document)
        mentioned.add(before.document if before else None)
    for kind, slugs in fresh.items():
        stale[kind] -= set(slugs)
    if any(stale.values()):
        _rows_of(stale).delete()
    sectioned = {kind: set(fresh[kind]) for kind in fresh if _has_sections(kind)}
    if sectioned:
        # A section the new version no longer has must not stay findable.
        _rows_of(sectioned).exclude(anchor="").delete()
    for kind, fields_by_slug in fresh.items():
        _upsert_many(kind, _rows_by_slug(fields_by_slug))
    for kind, rows in sections.items():
        _upsert_many(kind, rows)
    search_vocabulary_changed()
    return mentioned


def _has_sections(kind: str) -> bool:
    return registry.root_kind(kind).search_sections is not None


@transaction.atomic
def search_index_mentions_refresh(*, mentioned: Mentioned) -> None:
    """Rebuild the rows of these terms and references from the live entries mentioning them."""
    _refresh_terms(mentioned.terms)
    _refresh_references(mentioned.keys)
    search_vocabulary_changed()


def search_index_update(*, entry: Entry) -> None:
    """Bring the index in line with one entry just published or withdrawn."""
    search_index_update_many(entries=[entry])


@transaction.atomic
def search_index_update_many(*, entries: list[Entry]) -> None:
    """Bring the index in line with entries just published or withdrawn, in bounded queries.

    A bulk run may instead call search_index_entries_update per batch and
    search_index_mentions_refresh once at the end, so each term is rebuilt once.
    """
    search_index_mentions_refresh(mentioned=search_index_entries_update(entries=entries))


@transaction.atomic
def search_index_rebuild() -> int:
    """Rebuild the whole index from the live publications; returns the number of rows.

    The vocabulary is rebuilt too, which drops the words no live document holds any more.
    """
    SearchDocument.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {VOCABULARY_TABLE}")
            cursor.execute(f"DELETE FROM {SPELLING_TABLE}")
    mentioned = Mentioned()
    batch: list[Entry] = []
    for entry in Entry.objects.live().select_related("current").iterator(chunk_size=BATCH_SIZE):
        batch.append(entry)
        if len(batch) == BATCH_SIZE:
            mentioned.update(search_index_entries_update(entries=batch))
            batch = []
    mentioned.update(search_index_entries_update(entries=batch))
    search_index_mentions_refresh(mentioned=mentioned)
    return SearchDocument.objects.count()

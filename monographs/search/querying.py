"""Finding live entries: ranked full-text search on PostgreSQL, token matching on SQLite."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, connections, router
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from monographs.editorial import registry
from monographs.models.search import SearchDocument
from monographs.search.vocabulary import (
    SPELLING_MIN_LENGTH,
    SPELLING_THRESHOLD,
    QueryPlan,
    closest_words,
    light_stem,
    needs_correction,
    query_plan,
    search_spelling_words,
)

Kind = SearchDocument.Kind
SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_TOKENS = 10
SQLITE_CANDIDATES = 500
# PostgreSQL ranks at most this many candidate rows (or `limit`, if larger): see entry_search.
CANDIDATES = 100
# A word is searched as the first this many indexed words it is a prefix of.
PREFIX_EXPANSIONS = 32
SNIPPET_CHARACTERS = 220
TOKEN_PATTERN = re.compile(r"[^\W_]+", re.UNICODE)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# A DOI or similar typed whole: the text parser would split it, so it is matched as written.
IDENTIFIER_PATTERN = re.compile(r"(?=\S*[^\w\s])\S{4,}")
START_MARK, STOP_MARK = "\ue000", "\ue001"
KIND_PRIORITY = {Kind.DRUG: 0.03, Kind.TRIAL: 0.02, Kind.ADVERSE_EVENT: 0.01}
# A monograph section trails its page and the other entries a query names, unless the
# query asks about its topic ("sorafenib dose"), when it leads.
SECTION_ASKED_FOR = 1.0
SECTION_NOT_ASKED_FOR = -0.3
# The same on SQLite's scale, where a title match is worth 1.5 rather than about 0.6.
FALLBACK_SECTION_ASKED_FOR = 3.0
FALLBACK_SECTION_NOT_ASKED_FOR = -2.0
SPELLING_TABLE = "monographs_searchspelling"
# The pages of search's own rows (vocabulary); an entry's page is its kind's (registry).
VOCABULARY_URL_NAMES = {
    Kind.ADVERSE_EVENT: "monographs:adverse_event_detail",
    Kind.REFERENCE: "monographs:reference_detail",
}


@dataclass(frozen=True)
class SearchResult:
    kind: str
    slug: str
    title: str
    url: str
    snippet: SafeString
    rank: float
    description: str = ""
    anchor: str = ""

    @property
    def kind_label(self) -> str:
        if self.kind in VOCABULARY_URL_NAMES:
            return Kind(self.kind).label
        return capfirst(registry.root_kind(self.kind).label)


def search_result_url(*, kind: str, slug: str) -> str:
    if kind in VOCABULARY_URL_NAMES:
        return reverse(VOCABULARY_URL_NAMES[kind], args=[slug])
    return registry.root_kind(kind).page_url(slug)


SLUG_PLACEHOLDER = "0-slug-placeholder-0"


class _ResultUrls:
    """Result URLs reversed once per kind and search, not per result: reverse() for each of
    twenty results was a third of a search's time in Python. Slugs are slug characters (the
    URL patterns take nothing else), which reverse() would not have escaped either."""

    def __init__(self) -> None:
        self._templates: dict[str, str] = {}

    def __call__(self, kind: str, slug: str) -> str:
        if kind not in self._templates:
            self._templates[kind] = search_result_url(kind=kind, slug=SLUG_PLACEHOLDER)
        return self._templates[kind].replace(SLUG_PLACEHOLDER, slug)


def query_tokens(query: str) -> list[str]:
    """The words of a query, lower-cased; punctuation and operators are never passed on."""
    return [t.lower() for t in TOKEN_PATTERN.findall((query or "")[:MAX_QUERY_LENGTH])][:MAX_TOKENS]


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    total: int  # every live row matching every word, of the kinds asked for
    # The query as searched when it was corrected: "sorafnib" is searched as "sorafenib".
    suggestion: str | None = None


def entry_search_page(
    *, query: str, kinds: list[str] | None = None, limit: int = 20, offset: int = 0
) -> SearchPage:
    """One page of entry_search's results, `offset` results in, with the number of matches.

    The count is made in the same statement on PostgreSQL (rows whose text holds every
    word), so a page costs one query. Pages are ranked over the candidates of the first
    offset + limit results (at least CANDIDATES), so pages within the first CANDIDATES
    results follow each other exactly; further on a larger set is ranked, and an item near a
    page boundary may move.
    """
    return _search(query=query, kinds=kinds, limit=limit, offset=offset, with_total=True)


def entry_search(
    *, query: str, kinds: list[str] | None = None, limit: int = 20
) -> list[SearchResult]:
    """Live drugs, trials, adverse-event terms and references matching every word, best first.

    Words match as prefixes ('sora' finds sorafenib); on PostgreSQL a prefix that begins more
    than PREFIX_EXPANSIONS indexed words ('ph') stands for the first of them alphabetically.
    Snippets are HTML-safe, with the matched words in <mark>. Unknown kinds are ignored; an
    empty query finds nothing.

    On PostgreSQL, ranking costs a read of each row ranked, and a broad query matches
    thousands, so the best `limit` are chosen from a bounded set of at most CANDIDATES rows
    (or `limit`, if larger) found through indexes alone, in this order: names holding an
    identifier typed whole, titles starting with the query (an exact title first), drugs and
    adverse-event terms whose names hold every word, other rows whose title or names do, then
    any row holding every word. Where more rows match, which of the equally good ones are
    ranked is not defined, but a title or name match is never left out for a mention in the
    text. One query, whatever the size of the index.
    """
    return _search(query=query, kinds=kinds, limit=limit, offset=0, with_total=False).results


def _search(
    *, query: str, kinds: list[str] | None, limit: int, offset: int, with_total: bool
) -> SearchPage:
    """The query with the other wordings the vocabulary knows for its phrases; when nothing
    matches, the same with its misspelt words corrected, and the correction as suggestion."""
    query = CONTROL_CHARACTERS.sub(" ", (query or "")[:MAX_QUERY_LENGTH])
    tokens = query_tokens(query)
    if not tokens or limit <= 0:
        return SearchPage([], 0)
    wanted = [kind for kind in (kinds or []) if kind in Kind.values]
    if kinds and not wanted:
        return SearchPage([], 0)
    options = {"kinds": wanted, "limit": limit, "offset": offset, "with_total": with_total}
    plan = query_plan(tokens)
    page = _run(plan, query=query.strip(), **options)
    if page.results or page.total:
        return page
    corrections = spelling_corrections(
        tokens=[token for token in tokens if needs_correction(token, plan)]
    )
    if not corrections:
        return page
    corrected = [corrections.get(token, token) for token in tokens]
    found = _run(query_plan(corrected), query=" ".join(corrected), **options)
    return SearchPage(found.results, found.total, suggestion=" ".join(corrected))


def _run(
    plan: QueryPlan, *, query: str, kinds: list[str], limit: int, offset: int, with_total: bool
) -> SearchPage:
    if connection.vendor == "postgresql":
        return _postgres_search(
            query=query, plan=plan, kinds=kinds, limit=limit, offset=offset, with_total=with_total
        )
    documents = SearchDocument.objects.all()
    if kinds:
        documents = documents.filter(kind__in=kinds)
    return _fallback_search(documents, plan=plan, limit=limit, offset=offset, with_total=with_total)


_SPELLING_SQL = f"""
    SELECT t.token, (
        SELECT s.word FROM {SPELLING_TABLE} AS s
        WHERE s.word %% t.token AND similarity(s.word, t.token) >= %(threshold)s
        ORDER BY round(similarity(s.word, t.token)::numeric, 6) DESC, s.word COLLATE "C"
        LIMIT 1
    )
    FROM unnest(%(tokens)s::text[]) AS t(token)
    WHERE NOT EXISTS (
        SELECT 1 FROM {SPELLING_TABLE} AS known
        WHERE known.word ~>=~ t.token AND known.word ~<~ (t.token || chr(1114111))
    )
"""


def spelling_corrections(*, tokens: list[str]) -> dict[str, str]:
    """The closest indexed word to each token that begins none (at least SPELLING_MIN_LENGTH
    letters): by trigram similarity, pg_trgm's on PostgreSQL, the same computed in Python
    over the cached words of the index on SQLite."""
    tokens = [t for t in dict.fromkeys(tokens) if len(t) >= SPELLING_MIN_LENGTH]
    if not tokens:
        return {}
    if connection.vendor != "postgresql":
        return closest_words(tokens, search_spelling_words())
    database = connections[router.db_for_read(SearchDocument)]
    with database.cursor() as cursor:
        cursor.execute(_SPELLING_SQL, {"tokens": tokens, "threshold": SPELLING_THRESHOLD})
        return {token: word for token, word in cursor.fetchall() if word}


# The query as a tsquery: each alternative wording (a misspelling corrected, a synonym) OR-ed.
_QUERY_CTE = """\
    WITH q AS MATERIALIZED (
        SELECT (
            SELECT string_agg('(' || alternative.query::text || ')', ' | ')
            FROM unnest(%(alternatives)s::text[]) AS a(words),
                LATERAL monographs_search_query(
                    string_to_array(a.words, ' '), %(config)s::regconfig, %(expansions)s
                ) AS alternative(query)
            WHERE alternative.query IS NOT NULL
        )::tsquery AS query
    )
"""

_HEADLINE_OPTIONS = (
    f"StartSel='{START_MARK}', StopSel='{STOP_MARK}', MaxFragments=2, MinWords=8, MaxWords=28, "
    "FragmentDelimiter=' … '"
)
_KIND_PRIORITY_SQL = " ".join(
    f"WHEN '{kind}' THEN {weight}" for kind, weight in KIND_PRIORITY.items()
)
# One statement, written out rather than built with the ORM, which takes longer to compile
# it than PostgreSQL takes to run it. monographs_search_query turns the words into exact
# indexed words and monographs_search_candidates finds the rows worth ranking (both in
# migration 0010). The rank is the weighted text rank plus what term frequency misses: a
# title that is, starts with or is mostly the query, an identifier typed in full, and
# entries before the vocabulary that describes them. Headlines are computed for the rows
# returned only (PostgreSQL evaluates them after the sort and limit).
_SEARCH_SQL = f"""
{_QUERY_CTE}    , ranked AS (
        SELECT id, kind, slug, anchor, title, description,
            COALESCE(ts_rank(search_vector, q.query), 0)::float8
            + CASE WHEN upper(title) = upper(%(phrase)s) THEN 1.0
                   WHEN starts_with(upper(title), upper(%(phrase)s)) THEN 0.2
                   ELSE 0.0 END
            + CASE WHEN strpos(upper(title), upper(%(phrase)s)) > 0
                   THEN 0.4 * length(%(phrase)s) / greatest(length(title), 1)
                   ELSE 0.0 END
            + CASE kind {_KIND_PRIORITY_SQL} ELSE 0.0 END
            + CASE WHEN anchor = '' THEN 0.0
                   WHEN anchor = ANY (%(sections)s::text[]) THEN {SECTION_ASKED_FOR}
                   ELSE {SECTION_NOT_ASKED_FOR} END
            + CASE WHEN %(identifier)s IS NOT NULL
                        AND strpos(upper(names), upper(%(identifier)s)) > 0
                   THEN 0.5 ELSE 0.0 END
            AS rank
        FROM {SearchDocument._meta.db_table}, q
        WHERE id IN (
            SELECT monographs_search_candidates(
                (SELECT query FROM q), %(phrase)s, %(identifier)s, %(kinds)s::text[], %(size)s
            )
        )
    ), best AS (
        SELECT DISTINCT ON (kind, slug) * FROM ranked ORDER BY kind, slug, rank DESC, anchor
    )
    SELECT best.kind, best.slug, best.anchor, best.title, best.description, best.rank,
        ts_headline(%(config)s::regconfig, doc.body, q.query, %(headline)s) AS body_snippet,
        ts_headline(%(config)s::regconfig, doc.names, q.query, %(headline)s) AS names_snippet
        /*total*/
    FROM best JOIN {SearchDocument._meta.db_table} AS doc ON doc.id = best.id, q
    ORDER BY best.rank DESC, best.title
    LIMIT %(limit)s OFFSET %(offset)s
"""
# The number of matches, in the same statement: computed once (it refers to no row). Pages
# are counted, not their sections: a page's row holds its sections' text, so it matches
# whenever one of them does.
_SEARCH_WITH_TOTAL_SQL = _SEARCH_SQL.replace(
    "/*total*/",
    f""", (SELECT count(*) FROM {SearchDocument._meta.db_table} AS matching
            WHERE matching.search_vector @@ (SELECT query FROM q) AND matching.anchor = ''
              AND (%(kinds)s::text[] IS NULL OR matching.kind = ANY (%(kinds)s::text[]))
        ) AS total""",
)
_SEARCH_COLUMNS = (
    "kind",
    "slug",
    "anchor",
    "title",
    "description",
    "rank",
    "body_snippet",
    "names_snippet",
)


def _postgres_search(
    *,
    query: str,
    plan: QueryPlan,
    kinds: list[str],
    limit: int,
    offset: int = 0,
    with_total: bool = False,
) -> SearchPage:
    identifier = query if IDENTIFIER_PATTERN.fullmatch(query) else None
    parameters = {
        "alternatives": [" ".join(words) for words in plan.alternatives],
        "sections": list(plan.sections),
        "expansions": PREFIX_EXPANSIONS,
        "phrase": " ".join(plan.tokens),
        "identifier": identifier,
        "kinds": kinds or None,
        "size": max(CANDIDATES, offset + limit),
        "limit": limit,
        "offset": offset,
        "config": SEARCH_CONFIG,
        "headline": _HEADLINE_OPTIONS,
    }
    columns = (*_SEARCH_COLUMNS, "total") if with_total else _SEARCH_COLUMNS
    database = connections[router.db_for_read(SearchDocument)]
    with database.cursor() as cursor:
        cursor.execute(_SEARCH_WITH_TOTAL_SQL if with_total else _SEARCH_SQL, parameters)
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        total = rows[0]["total"] if rows and with_total else 0
        if with_total and not rows and offset:
            # Past the last page: no row to carry the count, so it is made on its own.
            cursor.execute(_COUNT_SQL, parameters)
            total = cursor.fetchone()[0]
    results, urls = [], _ResultUrls()
    for row in rows:
        snippet = next(
            (s for s in (row["body_snippet"], row["names_snippet"]) if START_MARK in (s or "")),
            row["description"],
        )
        results.append(
            _result(row, snippet=_marked(snippet or ""), rank=float(row["rank"]), urls=urls)
        )
    return SearchPage(results, total)


_COUNT_SQL = f"""
{_QUERY_CTE}    SELECT count(*) FROM {SearchDocument._meta.db_table} AS matching
     WHERE matching.search_vector @@ (SELECT query FROM q) AND matching.anchor = ''
       AND (%(kinds)s::text[] IS NULL OR matching.kind = ANY (%(kinds)s::text[]))
"""


def _fallback_search(
    documents,
    *,
    plan: QueryPlan,
    limit: int,
    offset: int = 0,
    with_total: bool = False,
) -> SearchPage:
    """SQLite has no ranked full-text search: every word of one of the query's wordings
    must appear somewhere, and matches are ranked here with the same order of weights,
    title over names over body, each row by the wording it matches best."""
    wordings = [[light_stem(token) for token in words] for words in plan.alternatives]
    matches = Q(pk__in=[])
    for stems in wordings:
        every_word = Q()
        for stem in stems:
            every_word &= (
                Q(title__icontains=stem) | Q(names__icontains=stem) | Q(body__icontains=stem)
            )
        matches |= every_word
    documents = documents.filter(matches)
    rows = list(
        documents.values("kind", "slug", "anchor", "title", "description", "names", "body")[
            :SQLITE_CANDIDATES
        ]
    )
    total = sum(1 for row in rows if not row["anchor"])
    if with_total and len(rows) == SQLITE_CANDIDATES:
        total = documents.filter(anchor="").count()
    phrase = " ".join(plan.tokens)
    scored = []
    for row in rows:
        title, body = row["title"].lower(), row["body"].lower()
        # Names and the one-line description (a trial's conditions) weigh the same, as on
        # PostgreSQL.
        names = f"{row['names']} {row['description']}".lower()
        text = f"{title} {names} {body}"
        rank = max(
            (
                _fallback_rank(title, names, body, stems, phrase if i == 0 else " ".join(stems))
                for i, stems in enumerate(wordings)
                if all(stem in text for stem in stems)
            ),
            default=0.0,
        )
        rank += KIND_PRIORITY.get(row["kind"], 0.0)
        if row["anchor"]:
            asked = row["anchor"] in plan.sections
            rank += FALLBACK_SECTION_ASKED_FOR if asked else FALLBACK_SECTION_NOT_ASKED_FOR
        scored.append((rank, row))
    # A page once, as its best row: the page itself or the section that matches best.
    best: dict[tuple[str, str], tuple[float, dict]] = {}
    for rank, row in scored:
        key = (row["kind"], row["slug"])
        if key not in best or (-rank, row["anchor"]) < (-best[key][0], best[key][1]["anchor"]):
            best[key] = (rank, row)
    scored = sorted(best.values(), key=lambda item: (-item[0], item[1]["title"].lower()))
    all_stems = list(dict.fromkeys(stem for stems in wordings for stem in stems))
    results, urls = [], _ResultUrls()
    for rank, row in scored[offset : offset + limit]:
        snippet = _fallback_snippet(row, all_stems)
        results.append(_result(row, snippet=snippet, rank=round(rank, 4), urls=urls))
    return SearchPage(results, total)


def _fallback_rank(title: str, names: str, body: str, stems: list[str], phrase: str) -> float:
    rank = 0.0
    for stem in stems:
        if stem in title:
            rank += 1.0 + (0.5 if re.search(rf"\b{re.escape(stem)}", title) else 0.0)
        if stem in names:
            rank += 0.4
        if stem in body:
            rank += 0.1 + 0.02 * min(body.count(stem), 10)
    if title == phrase:
        rank += 5.0
    elif title.startswith(phrase):
        rank += 1.0
    rank += 2.0 * min(1.0, len(phrase) / max(len(title), 1)) * (phrase in title)
    return rank


def _result(row: dict, *, snippet: SafeString, rank: float, urls: _ResultUrls) -> SearchResult:
    """A section's result links to its place on the page."""
    url = urls(row["kind"], row["slug"])
    return SearchResult(
        kind=row["kind"],
        slug=row["slug"],
        title=row["title"],
        url=f"{url}#{row['anchor']}" if row["anchor"] else url,
        snippet=snippet,
        rank=rank,
        description=row["description"],
        anchor=row["anchor"],
    )


def _marked(text: str) -> SafeString:
    """Escape a headline, then turn the sentinel marks PostgreSQL put in into <mark> tags."""
    return mark_safe(escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>"))


def _fallback_snippet(row: dict, stems: list[str]) -> SafeString:
    for text in (row["body"], row["names"], row["description"]):
        lowered = text.lower()
        present = [stem for stem in stems if stem in lowered]
        if present:
            rarest = min(present, key=lowered.count)
            return highlight(_window(text, lowered.find(rarest)), stems)
    return highlight(_window(row["description"] or row["body"], 0), stems)


def _window(text: str, position: int) -> str:
    start = max(0, position - SNIPPET_CHARACTERS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < position else start
    end = min(len(text), start + SNIPPET_CHARACTERS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > position else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return f"{prefix}{text[start:end].strip()}{suffix}"


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """Escape text and wrap each word that begins with, or contains, a query word in <mark>."""
    escaped = str(escape(text))
    alternatives = "|".join(re.escape(str(escape(w))) for w in sorted(set(words), key=len)[::-1])
    if not alternatives:
        return mark_safe(escaped)
    pattern = re.compile(rf"\w*(?:{alternatives})\w*", re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))


def search_documents_of_kind(kind: str):
    """Index rows of one kind: every adverse-event term or reference some live entry uses."""
    return SearchDocument.objects.filter(kind=kind).only("kind", "slug", "title", "description")

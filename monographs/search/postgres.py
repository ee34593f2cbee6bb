"""Search on PostgreSQL: one hand-written statement ranks, counts and highlights."""

import re
from functools import partial

from django.db import connection, connections, router

from monographs.models.search import SearchDocument
from monographs.publishing.prepared import prepared_read_cursor
from monographs.search.results import (
    KIND_PRIORITY,
    MAX_SEARCH_RESULTS,
    START_MARK,
    STOP_MARK,
    ResultUrls,
    SearchPage,
    marked,
    search_result,
)
from monographs.search.vocabulary import (
    SPELLING_MIN_LENGTH,
    SPELLING_THRESHOLD,
    QueryPlan,
    closest_words,
    search_spelling_words,
)

SEARCH_CONFIG = "english"
# PostgreSQL ranks at most this many candidate rows (or `limit`, if larger): see entry_search.
CANDIDATES = 100
# A word is searched as the first this many indexed words it is a prefix of.
PREFIX_EXPANSIONS = 32
# A DOI or similar typed whole: the text parser would split it, so it is matched as written.
IDENTIFIER_PATTERN = re.compile(r"(?=\S*[^\w\s])\S{4,}")
# A monograph section trails its page and the other entries a query names, unless the
# query asks about its topic ("sorafenib dose"), when it leads.
SECTION_ASKED_FOR = 1.0
SECTION_NOT_ASKED_FOR = -0.3
SPELLING_TABLE = "monographs_searchspelling"


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


# The query as a tsquery: each alternative wording (a misspelling corrected, a synonym) OR-ed;
# and the first, the words as typed, alone.
_QUERY_CTE = """\
    WITH expanded AS MATERIALIZED (
        SELECT a.position, alternative.query
        FROM unnest(%(alternatives)s::text[]) WITH ORDINALITY AS a(words, position),
            LATERAL monographs_search_query(
                string_to_array(a.words, ' '), %(config)s::regconfig, %(expansions)s
            ) AS alternative(query)
        WHERE alternative.query IS NOT NULL
    ), q AS MATERIALIZED (
        SELECT (
            SELECT string_agg('(' || expanded.query::text || ')', ' | ' ORDER BY position)
            FROM expanded
        )::tsquery AS query,
        (SELECT expanded.query FROM expanded WHERE position = 1) AS typed
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
# indexed words (migration 0010) and monographs_search_candidates finds the rows worth
# ranking, those holding the words as typed before those holding another wording only
# (migration 0032). The rank is the weighted text rank plus what term frequency misses: a
# title that is, starts with or is mostly the query, an identifier typed in full, and
# entries before the vocabulary that describes them. Headlines are computed for the rows
# returned only (PostgreSQL evaluates a select list after the sort and limit), and that of a
# row's names only where its text's marks no typed word (the snippet is the text's then):
# ts_headline parses and stems every word it is given.
_SEARCH_SQL = f"""
{_QUERY_CTE}    /*typed pages*/, ranked AS (
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
            + CASE WHEN %(identifier)s::text IS NOT NULL
                        AND strpos(upper(names), upper(%(identifier)s::text)) > 0
                   THEN 0.5 ELSE 0.0 END
            AS rank
        FROM {SearchDocument._meta.db_table}, q
        WHERE id IN (
            SELECT monographs_search_candidates(
                (SELECT query FROM q), (SELECT typed FROM q), /*typed named*/, %(phrase)s,
                %(identifier)s, %(kinds)s::text[], %(size)s
            )
        )
    ), best AS (
        SELECT DISTINCT ON (kind, slug) * FROM ranked ORDER BY kind, slug, rank DESC, anchor
    )
    SELECT page.kind, page.slug, page.anchor, page.title, page.description, page.rank,
        page.body_snippet,
        CASE WHEN strpos(page.body_snippet, '{START_MARK}') = 0
             THEN ts_headline(%(config)s::regconfig, page.names, q.query, %(headline)s)
        END AS names_snippet
        /*total*/
    FROM (
        SELECT best.kind, best.slug, best.anchor, best.title, best.description, best.rank,
            doc.names,
            ts_headline(%(config)s::regconfig, doc.body, q.query, %(headline)s) AS body_snippet
        FROM best JOIN {SearchDocument._meta.db_table} AS doc ON doc.id = best.id, q
        ORDER BY best.rank DESC, best.title
        LIMIT %(limit)s OFFSET %(offset)s
    ) AS page, q
    ORDER BY page.rank DESC, page.title
"""


# The pages whose text holds the words as typed, up to one past MAX_SEARCH_RESULTS (which
# tells "more"), and whether their title or names do too: what the total is counted from,
# and the candidates whose names hold the words (monographs_search_candidates, migration
# 0032), read once for both. Pages are counted, not their sections: a page's row holds its
# sections' text, so it matches whenever one of them does.
_NAMED = "matching.name_vector @@ (SELECT typed FROM q)"
_TYPED_PAGES_CTE = f"""    , typed_pages AS MATERIALIZED (
        SELECT matching.id, {_NAMED} AS named
        FROM {SearchDocument._meta.db_table} AS matching
        WHERE matching.search_vector @@ (SELECT typed FROM q) AND matching.anchor = ''
          AND (%(kinds)s::text[] IS NULL OR matching.kind = ANY (%(kinds)s::text[]))
        LIMIT %(counted)s
    )
"""
_TYPED_NAMED_ARGUMENTS = """(SELECT array_agg(id) FROM (
                    SELECT id FROM typed_pages WHERE named LIMIT %(size)s) AS named),
                (SELECT count(*) < %(counted)s FROM typed_pages)"""

# The number of matches, in the same statement: computed once (it refers to no row). When
# the words as typed match as many pages as are counted, so do all the wordings, and the
# index is not searched for the others (a GIN index finds every row of an OR of wordings
# before a count can stop: for "hepatocellular carcinoma" and its three synonyms, 7,332
# rows in 13.5 ms against 6,852 in 6 ms for the words typed). PostgreSQL runs the second
# count only when the CASE reaches it.
_MATCHES_COUNTED_SQL = f"""(SELECT CASE
            WHEN as_typed.matches = %(counted)s OR cardinality(%(alternatives)s::text[]) = 1
            THEN as_typed.matches
            ELSE (SELECT count(*) FROM (
                SELECT 1 FROM {SearchDocument._meta.db_table} AS matching
                 WHERE matching.search_vector @@ (SELECT query FROM q) AND matching.anchor = ''
                   AND (%(kinds)s::text[] IS NULL OR matching.kind = ANY (%(kinds)s::text[]))
                 LIMIT %(counted)s
            ) AS counted) END
        FROM (SELECT count(*) AS matches FROM typed_pages) AS as_typed)"""
_SEARCH_WITH_TOTAL_SQL = (
    _SEARCH_SQL.replace("/*typed pages*/", _TYPED_PAGES_CTE)
    .replace("/*typed named*/", _TYPED_NAMED_ARGUMENTS)
    .replace("/*total*/", f", {_MATCHES_COUNTED_SQL} AS total")
)
_SEARCH_SQL = (
    _SEARCH_SQL.replace("/*typed pages*/", "")
    .replace("/*typed named*/", "NULL::bigint[], false")
    .replace("/*total*/", "")
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


def postgres_search(
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
        "counted": MAX_SEARCH_RESULTS + 1,
    }
    columns = (*_SEARCH_COLUMNS, "total") if with_total else _SEARCH_COLUMNS
    database = connections[router.db_for_read(SearchDocument)]
    # Planned once per connection when no kind narrows it, which is the plan any words get;
    # a plan for every list of kinds would read every row the words match to find those of
    # the kinds (see migration 0032), so those are planned each time.
    cursor_for = database.cursor if kinds else partial(prepared_read_cursor, database)
    with cursor_for() as cursor:
        cursor.execute(_SEARCH_WITH_TOTAL_SQL if with_total else _SEARCH_SQL, parameters)
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        total = rows[0]["total"] if rows and with_total else 0
        if with_total and not rows and offset:
            # Past the last page: no row to carry the count, so it is made on its own.
            cursor.execute(_COUNT_SQL, parameters)
            total = cursor.fetchone()[0]
    results, urls = [], ResultUrls()
    for row in rows:
        snippet = next(
            (s for s in (row["body_snippet"], row["names_snippet"]) if START_MARK in (s or "")),
            row["description"],
        )
        results.append(
            search_result(row, snippet=marked(snippet or ""), rank=float(row["rank"]), urls=urls)
        )
    return SearchPage(
        results, min(total, MAX_SEARCH_RESULTS), total_exact=total <= MAX_SEARCH_RESULTS
    )


# The count alone (past the last page), where no candidate is named.
_COUNT_SQL = f"""
{_QUERY_CTE}{_TYPED_PAGES_CTE.replace(_NAMED, "false")}    SELECT {_MATCHES_COUNTED_SQL}
"""

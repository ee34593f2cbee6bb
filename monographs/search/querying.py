"""Finding live entries: ranked full-text search on PostgreSQL, token matching on SQLite.

The engines are in postgres.py and fallback.py; both return the results of results.py.
"""

from django.db import connection

from monographs.models.search import SearchDocument
from monographs.search.fallback import fallback_search
from monographs.search.postgres import postgres_search, spelling_corrections
from monographs.search.results import (
    CONTROL_CHARACTERS,
    MAX_QUERY_LENGTH,
    MAX_TOKENS,
    TOKEN_PATTERN,
    Kind,
    SearchPage,
    SearchResult,
)
from monographs.search.vocabulary import (
    QueryPlan,
    needs_correction,
    query_plan,
)


def query_tokens(query: str) -> list[str]:
    """The words of a query, lower-cased; punctuation and operators are never passed on."""
    return [t.lower() for t in TOKEN_PATTERN.findall((query or "")[:MAX_QUERY_LENGTH])][:MAX_TOKENS]


def entry_search_page(
    *,
    query: str,
    kinds: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    with_total: bool = True,
) -> SearchPage:
    """One page of entry_search's results, `offset` results in, with the number of matches
    (`with_total`, up to MAX_SEARCH_RESULTS: no one pages further).

    The count is made in the same statement on PostgreSQL (rows whose text holds every
    word), so a page costs one query. Pages are ranked over the candidates of the first
    offset + limit results (at least CANDIDATES), so pages within the first CANDIDATES
    results follow each other exactly; further on a larger set is ranked, and an item near a
    page boundary may move.
    """
    return _search(query=query, kinds=kinds, limit=limit, offset=offset, with_total=with_total)


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
    any row holding every word; of the last two, rows holding the words as typed before rows
    holding only another wording of them (a synonym, another spelling). Where more rows
    match, which of the equally good ones are ranked is not defined, but a title or name
    match is never left out for a mention in the text. One query, whatever the size of the
    index.
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
    return SearchPage(
        found.results,
        found.total,
        suggestion=" ".join(corrected),
        total_exact=found.total_exact,
    )


def _run(
    plan: QueryPlan, *, query: str, kinds: list[str], limit: int, offset: int, with_total: bool
) -> SearchPage:
    if connection.vendor == "postgresql":
        return postgres_search(
            query=query, plan=plan, kinds=kinds, limit=limit, offset=offset, with_total=with_total
        )
    documents = SearchDocument.objects.all()
    if kinds:
        documents = documents.filter(kind__in=kinds)
    return fallback_search(documents, plan=plan, limit=limit, offset=offset, with_total=with_total)


def search_documents_of_kind(kind: str):
    """Index rows of one kind: every adverse-event term or reference some live entry uses."""
    return SearchDocument.objects.filter(kind=kind).only("kind", "slug", "title", "description")

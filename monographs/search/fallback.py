"""Search on SQLite, used in development: token matching ranked by the same weights."""

import re

from django.db.models import Q
from django.utils.safestring import SafeString

from monographs.search.results import (
    KIND_PRIORITY,
    MAX_SEARCH_RESULTS,
    ResultUrls,
    SearchPage,
    highlight,
    search_result,
)
from monographs.search.vocabulary import (
    QueryPlan,
    light_stem,
)

SQLITE_CANDIDATES = 500
SNIPPET_CHARACTERS = 220
# The same on SQLite's scale, where a title match is worth 1.5 rather than about 0.6.
FALLBACK_SECTION_ASKED_FOR = 3.0
FALLBACK_SECTION_NOT_ASKED_FOR = -2.0


def fallback_search(
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
        total = documents.filter(anchor="")[: MAX_SEARCH_RESULTS + 1].count()
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
    results, urls = [], ResultUrls()
    for rank, row in scored[offset : offset + limit]:
        snippet = _fallback_snippet(row, all_stems)
        results.append(search_result(row, snippet=snippet, rank=round(rank, 4), urls=urls))
    return SearchPage(
        results, min(total, MAX_SEARCH_RESULTS), total_exact=total <= MAX_SEARCH_RESULTS
    )


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

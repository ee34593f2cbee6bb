"""Finding live entries: ranked full-text search on PostgreSQL, token matching on SQLite."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Greatest, Length
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from monographs.models.search import SearchDocument

Kind = SearchDocument.Kind
SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_TOKENS = 10
SQLITE_CANDIDATES = 500
SNIPPET_CHARACTERS = 220
TOKEN_PATTERN = re.compile(r"[^\W_]+", re.UNICODE)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# A DOI or similar typed whole: the text parser would split it, so it is matched as written.
IDENTIFIER_PATTERN = re.compile(r"(?=\S*[^\w\s])\S{4,}")
START_MARK, STOP_MARK = "\ue000", "\ue001"
KIND_PRIORITY = {Kind.DRUG: 0.03, Kind.TRIAL: 0.02, Kind.ADVERSE_EVENT: 0.01}
URL_NAMES = {
    Kind.DRUG: "monographs:drug_detail",
    Kind.TRIAL: "trials:trial_detail",
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

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def search_result_url(*, kind: str, slug: str) -> str:
    return reverse(URL_NAMES[kind], args=[slug])


def query_tokens(query: str) -> list[str]:
    """The words of a query, lower-cased; punctuation and operators are never passed on."""
    return [t.lower() for t in TOKEN_PATTERN.findall((query or "")[:MAX_QUERY_LENGTH])][:MAX_TOKENS]


def entry_search(
    *, query: str, kinds: list[str] | None = None, limit: int = 20
) -> list[SearchResult]:
    """Live drugs, trials, adverse-event terms and references matching every word, best first.

    Words match as prefixes ('sora' finds sorafenib). Snippets are HTML-safe, with the
    matched words in <mark>. Unknown kinds are ignored; an empty query finds nothing.
    """
    query = CONTROL_CHARACTERS.sub(" ", (query or "")[:MAX_QUERY_LENGTH])
    tokens = query_tokens(query)
    if not tokens or limit <= 0:
        return []
    documents = SearchDocument.objects.all()
    wanted = [kind for kind in (kinds or []) if kind in Kind.values]
    if kinds and not wanted:
        return []
    if wanted:
        documents = documents.filter(kind__in=wanted)
    phrase = " ".join(tokens)
    if connection.vendor == "postgresql":
        return _postgres_search(
            documents, query=query.strip(), phrase=phrase, tokens=tokens, limit=limit
        )
    return _fallback_search(documents, phrase=phrase, tokens=tokens, limit=limit)


def _boost(*, phrase: str, identifier: str | None):
    """What term frequency misses: a title that is, starts with or is mostly the query, an
    identifier typed in full, and entries before the vocabulary that describes them."""

    def case(*whens: When) -> Case:
        return Case(*whens, default=Value(0.0), output_field=FloatField())

    boost = (
        case(
            When(title__iexact=phrase, then=Value(1.0)),
            When(title__istartswith=phrase, then=Value(0.2)),
        )
        + case(
            When(
                title__icontains=phrase,
                then=Value(0.4 * len(phrase)) / Greatest(Length("title"), Value(1)),
            )
        )
        + case(*[When(kind=kind, then=Value(weight)) for kind, weight in KIND_PRIORITY.items()])
    )
    if identifier:
        boost += case(When(names__icontains=identifier, then=Value(0.5)))
    return boost


def _postgres_search(documents, *, query: str, phrase: str, tokens: list[str], limit: int):
    tsquery = SearchQuery(
        " & ".join(f"{token}:*" for token in tokens), search_type="raw", config=SEARCH_CONFIG
    )
    matches = Q(search_vector=tsquery)
    identifier = query if IDENTIFIER_PATTERN.fullmatch(query) else None
    if identifier:
        matches |= Q(names__icontains=identifier)
    headline = {
        "config": SEARCH_CONFIG,
        "start_sel": START_MARK,
        "stop_sel": STOP_MARK,
        "max_fragments": 2,
        "min_words": 8,
        "max_words": 28,
        "fragment_delimiter": " … ",
    }
    rows = (
        documents.filter(matches)
        .annotate(
            rank=SearchRank(F("search_vector"), tsquery)
            + _boost(phrase=phrase, identifier=identifier),
            body_snippet=SearchHeadline("body", tsquery, **headline),
            names_snippet=SearchHeadline("names", tsquery, **headline),
        )
        .order_by("-rank", "title")
        .values("kind", "slug", "title", "description", "rank", "body_snippet", "names_snippet")[
            :limit
        ]
    )
    results = []
    for row in rows:
        snippet = next(
            (s for s in (row["body_snippet"], row["names_snippet"]) if START_MARK in (s or "")),
            row["description"],
        )
        results.append(_result(row, snippet=_marked(snippet or ""), rank=float(row["rank"])))
    return results


def _light_stem(token: str) -> str:
    """Enough stemming for substring matching: 'trials' finds 'trial', 'studies' 'study'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _fallback_search(documents, *, phrase: str, tokens: list[str], limit: int):
    """SQLite has no ranked full-text search: every word must appear somewhere, and matches
    are ranked here with the same order of weights, title over names over body."""
    stems = [_light_stem(token) for token in tokens]
    for stem in stems:
        documents = documents.filter(
            Q(title__icontains=stem) | Q(names__icontains=stem) | Q(body__icontains=stem)
        )
    rows = documents.values("kind", "slug", "title", "description", "names", "body")[
        :SQLITE_CANDIDATES
    ]
    scored = []
    for row in rows:
        title, names, body = row["title"].lower(), row["names"].lower(), row["body"].lower()
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
        rank += KIND_PRIORITY.get(row["kind"], 0.0)
        scored.append((rank, row))
    scored.sort(key=lambda item: (-item[0], item[1]["title"].lower()))
    results = []
    for rank, row in scored[:limit]:
        results.append(_result(row, snippet=_fallback_snippet(row, stems), rank=round(rank, 4)))
    return results


def _result(row: dict, *, snippet: SafeString, rank: float) -> SearchResult:
    return SearchResult(
        kind=row["kind"],
        slug=row["slug"],
        title=row["title"],
        url=search_result_url(kind=row["kind"], slug=row["slug"]),
        snippet=snippet,
        rank=rank,
        description=row["description"],
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

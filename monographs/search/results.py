"""What a search finds, as both its engines return it: ranked results with snippet and address."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from monographs.editorial import registry
from monographs.models.search import SearchDocument

Kind = SearchDocument.Kind
MAX_QUERY_LENGTH = 200
MAX_TOKENS = 10
TOKEN_PATTERN = re.compile(r"[^\W_]+", re.UNICODE)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
START_MARK, STOP_MARK = "\ue000", "\ue001"
KIND_PRIORITY = {Kind.DRUG: 0.03, Kind.TRIAL: 0.02, Kind.ADVERSE_EVENT: 0.01}
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


class ResultUrls:
    """Result URLs reversed once per kind and search, not per result: reverse() for each of
    twenty results was a third of a search's time in Python. Slugs are slug characters (the
    URL patterns take nothing else), which reverse() would not have escaped either."""

    def __init__(self) -> None:
        self._templates: dict[str, str] = {}

    def __call__(self, kind: str, slug: str) -> str:
        if kind not in self._templates:
            self._templates[kind] = search_result_url(kind=kind, slug=SLUG_PLACEHOLDER)
        return self._templates[kind].replace(SLUG_PLACEHOLDER, slug)


# Results a search can be paged through: ranking deeper pages costs more and nobody reads
# them. Matches are counted up to there and no further: a broad query matches thousands of
# rows, and counting them all was most of its time (16 of 27 ms for "hepatocellular
# carcinoma" at 100,000 trials).
MAX_SEARCH_RESULTS = 1000


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    # The live pages matching every word, of the kinds asked for, counted up to
    # MAX_SEARCH_RESULTS; more match when total_exact is False.
    total: int
    # The query as searched when it was corrected: "sorafnib" is searched as "sorafenib".
    suggestion: str | None = None
    total_exact: bool = True


def search_result(row: dict, *, snippet: SafeString, rank: float, urls: ResultUrls) -> SearchResult:
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


def marked(text: str) -> SafeString:
    """Escape a headline, then turn the sentinel marks PostgreSQL put in into <mark> tags."""
    return mark_safe(escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>"))


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """Escape text and wrap each word that begins with, or contains, a query word in <mark>."""
    escaped = str(escape(text))
    alternatives = "|".join(re.escape(str(escape(w))) for w in sorted(set(words), key=len)[::-1])
    if not alternatives:
        return mark_safe(escaped)
    pattern = re.compile(rf"\w*(?:{alternatives})\w*", re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))

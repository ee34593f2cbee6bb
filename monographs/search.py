"""Public search over what is live: drugs, trials, adverse-event terms and references.

The index (SearchDocument rows) is written from live publications only, when a root is
published or withdrawn, so nothing unreviewed can be found. PostgreSQL ranks with a stored,
weighted, GIN-indexed tsvector; SQLite, used in development, falls back to case-insensitive
token matching ranked by the same weights (title over names and synonyms over body text).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Greatest, Length
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from monographs.editorial.models import Entry, Publication
from monographs.models.search import SearchDocument
from monographs.richtext import CITATION_PATTERN

Kind = SearchDocument.Kind
SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_TOKENS = 10
SQLITE_CANDIDATES = 500
SNIPPET_CHARACTERS = 220
TOKEN_PATTERN = re.compile(r"[^\W_]+", re.UNICODE)
MARKDOWN_NOISE = re.compile(r"[*_#|`]+|^\s*>+", re.MULTILINE)
CITATION_MARKER = re.compile(r"\s*" + CITATION_PATTERN.pattern)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
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


# --- reading ------------------------------------------------------------------------------


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
        return _postgres_search(documents, query=query.strip(), tokens=tokens, limit=limit)
    return _fallback_search(documents, phrase=phrase, tokens=tokens, limit=limit)


def _postgres_search(documents, *, query: str, tokens: list[str], limit: int):
    phrase = " ".join(tokens)
    tsquery = SearchQuery(
        " & ".join(f"{token}:*" for token in tokens), search_type="raw", config=SEARCH_CONFIG
    )
    matches = Q(search_vector=tsquery)
    identifier = query[:MAX_QUERY_LENGTH]
    looks_like_identifier = len(identifier) >= 4 and not re.search(r"\s", identifier)
    if looks_like_identifier:
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
            + Case(
                When(title__iexact=phrase, then=Value(1.0)),
                When(title__istartswith=phrase, then=Value(0.2)),
                default=Value(0.0),
                output_field=FloatField(),
            )
            + Case(
                When(
                    title__icontains=phrase,
                    then=Value(0.4 * len(phrase)) / Greatest(Length("title"), Value(1)),
                ),
                default=Value(0.0),
                output_field=FloatField(),
            )
            + Case(
                *[
                    When(kind=kind, then=Value(priority))
                    for kind, priority in KIND_PRIORITY.items()
                ],
                default=Value(0.0),
                output_field=FloatField(),
            )
            + (
                Case(
                    When(names__icontains=identifier, then=Value(0.5)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
                if looks_like_identifier
                else Value(0.0)
            ),
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
    return mark_safe(  # noqa: S308 - escaped just here; only <mark> is added
        escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>")
    )


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
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile(rf"\w*(?:{alternatives})\w*", re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


def search_documents_of_kind(kind: str):
    """Index rows of one kind: every adverse-event term or reference some live entry uses."""
    return SearchDocument.objects.filter(kind=kind).only("kind", "slug", "title", "description")


# --- writing ------------------------------------------------------------------------------


def plain_text(markdown_text: str | None) -> str:
    """Markdown as searchable words: citation markers and formatting characters removed."""
    without_citations = CITATION_MARKER.sub("", markdown_text or "")
    return " ".join(MARKDOWN_NOISE.sub(" ", without_citations).split())


def _join(parts: Iterable[Any]) -> str:
    return " ".join(str(p) for p in parts if p not in (None, "", [], {}))


def drug_search_fields(document: dict[str, Any]) -> dict[str, str]:
    identifiers = document.get("identifiers") or {}
    names = [n["name"] for n in document.get("names") or []]
    names += [t["symbol"] for t in document.get("targets") or []]
    names += [alias for t in document.get("targets") or [] for alias in t.get("aliases") or []]
    names += [value for _, value in sorted(identifiers.items()) if value]
    body = [document.get("drug_class"), document.get("summary")]
    body += [f"{s['title']}. {plain_text(s['body'])}" for s in document.get("sections") or []]
    body += [a["indication"] for a in document.get("approvals") or []]
    body += [
        _join([w["topic"], w["description"], w["monitoring"]])
        for w in document.get("warnings") or []
    ]
    body += [
        _join([(i["interacting_drug"] or {}).get("name"), i["interacting_agent"], i["effect"]])
        for i in document.get("interactions") or []
    ]
    body += [ae["term"]["name"] for ae in document.get("adverse_events") or []]
    body += [r["name"] for r in document.get("resistance_mechanisms") or []]
    body += [
        _join([q["question"], plain_text(q["answer"])]) for q in document.get("questions") or []
    ]
    return {
        "title": document["title"],
        "description": (document.get("drug_class") or "")[:500],
        "names": _join(names),
        "body": _join(body),
    }


def trial_search_fields(document: dict[str, Any]) -> dict[str, str]:
    conditions = [c["name"] for c in document.get("conditions") or []]
    names = [document.get("acronym"), document.get("nct_id")]
    names += list(document.get("other_registry_ids") or [])
    names += [c["abbreviation"] for c in document.get("conditions") or []]
    body = [
        document.get("phase_label"),
        document.get("design_label"),
        _join(conditions),
        _join(d["name"] for d in document.get("drugs") or []),
        document.get("line_of_therapy"),
        document.get("population"),
        plain_text(document.get("summary")),
        document.get("sponsor"),
    ]
    body += [arm["label"] for arm in document.get("arms") or []]
    body += sorted({o["measure_label"] for o in document.get("outcomes") or []})
    body += sorted({ae["term"]["name"] for ae in document.get("adverse_events") or []})
    description = " · ".join(
        p for p in (document.get("phase_label"), document.get("design_label"), *conditions) if p
    )
    return {
        "title": _trial_title(document),
        "description": description[:500],
        "names": _join(names),
        "body": _join(body),
    }


def _trial_title(document: dict[str, Any]) -> str:
    acronym = document.get("acronym")
    return f"{acronym}: {document['title']}" if acronym else document["title"]


def term_search_fields(slug: str, mentions: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """An adverse-event term as the live documents that report it describe it."""
    term: dict[str, Any] = {}
    reporters = []
    for kind, document in mentions:
        for ae in document.get("adverse_events") or []:
            if ae["term"]["slug"] == slug:
                term = {**ae["term"], **term} if term else dict(ae["term"])
                if ae["term"].get("synonyms"):
                    term["synonyms"] = ae["term"]["synonyms"]
        title = capfirst(document["title"]) if kind == "drug" else _trial_title(document)
        reporters.append(title)
    return {
        "title": term.get("name", slug),
        "description": term.get("system_organ_class", ""),
        "names": _join(term.get("synonyms") or []),
        "body": _join([term.get("system_organ_class"), "Reported for", *sorted(set(reporters))]),
    }


def reference_search_fields(reference: dict[str, Any], citing_titles: list[str]) -> dict[str, str]:
    authors = list(reference.get("authors") or [])
    names = [reference["key"], reference.get("doi"), reference.get("pmid"), reference.get("pmcid")]
    names += [reference.get("group_author"), *authors]
    description = ". ".join(
        str(p)
        for p in (reference.get("journal") or reference.get("publisher"), reference.get("year"))
        if p
    )
    return {
        "title": reference.get("title", reference["key"]),
        "description": description[:500],
        "names": _join(names),
        "body": _join([reference.get("vancouver"), "Cited in", *sorted(set(citing_titles))]),
    }


def _upsert(kind: str, slug: str, fields: dict[str, str]) -> None:
    SearchDocument.objects.update_or_create(kind=kind, slug=slug, defaults=fields)


def _refresh_vectors(rows) -> None:
    if connection.vendor != "postgresql":
        return
    rows.update(
        search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("names", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def _live_mentions(facet: str, values: set[str]) -> dict[str, list[Entry]]:
    """Live entries whose current publication has one of these facet values, by value."""
    by_value: dict[str, list[Entry]] = defaultdict(list)
    if not values:
        return by_value
    entries = (
        Entry.objects.live()
        .filter(current__facets__name=facet, current__facets__value__in=values)
        .select_related("current")
        .annotate(facet_value=F("current__facets__value"))
        .order_by("-last_published_at", "kind", "title")
    )
    for entry in entries:
        by_value[entry.facet_value].append(entry)
    return by_value


def _refresh_terms(slugs: set[str]) -> None:
    mentions = _live_mentions("term", slugs)
    SearchDocument.objects.filter(kind=Kind.ADVERSE_EVENT, slug__in=slugs - set(mentions)).delete()
    for slug, entries in mentions.items():
        _upsert(
            Kind.ADVERSE_EVENT,
            slug,
            term_search_fields(slug, [(e.kind, e.current.document) for e in entries]),
        )


def _refresh_references(keys: set[str]) -> None:
    mentions = _live_mentions("citation", keys)
    SearchDocument.objects.filter(kind=Kind.REFERENCE, slug__in=keys - set(mentions)).delete()
    for key, entries in mentions.items():
        reference = next(
            r for r in entries[0].current.document.get("references") or [] if r["key"] == key
        )
        titles = [
            capfirst(e.title) if e.kind == "drug" else _trial_title(e.current.document)
            for e in entries
        ]
        _upsert(Kind.REFERENCE, key, reference_search_fields(reference, titles))


def _mentioned(document: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    if not document:
        return set(), set()
    terms = {ae["term"]["slug"] for ae in document.get("adverse_events") or []}
    keys = {r["key"] for r in document.get("references") or []}
    return terms, keys


ENTRY_FIELDS = {"drug": drug_search_fields, "trial": trial_search_fields}


@transaction.atomic
def search_index_update(*, entry: Entry) -> None:
    """Bring the index in line with one entry just published or withdrawn.

    The entry's own row follows its current publication (or goes, when withdrawn); the
    rows of the terms and references it mentions now or mentioned in its previous version
    are rebuilt from every live publication that still mentions them.
    """
    current = entry.current
    previous = (
        Publication.objects.of_root(kind=entry.kind, root_id=entry.root_id)
        .filter(version=current.version - 1)
        .only("slug", "document")
        .first()
    )
    stale_slugs = {entry.slug} | ({previous.slug} if previous else set())
    if entry.is_withdrawn or entry.kind not in ENTRY_FIELDS:
        SearchDocument.objects.filter(kind=entry.kind, slug__in=stale_slugs).delete()
    else:
        SearchDocument.objects.filter(kind=entry.kind, slug__in=stale_slugs - {entry.slug}).delete()
        _upsert(entry.kind, entry.slug, ENTRY_FIELDS[entry.kind](current.document))
    terms, keys = _mentioned(current.document)
    old_terms, old_keys = _mentioned(previous.document if previous else None)
    _refresh_terms(terms | old_terms)
    _refresh_references(keys | old_keys)
    _refresh_vectors(
        SearchDocument.objects.filter(
            Q(kind=entry.kind, slug=entry.slug)
            | Q(kind=Kind.ADVERSE_EVENT, slug__in=terms | old_terms)
            | Q(kind=Kind.REFERENCE, slug__in=keys | old_keys)
        )
    )


@transaction.atomic
def search_index_rebuild() -> int:
    """Rebuild the whole index from the live publications; returns the number of rows."""
    SearchDocument.objects.all().delete()
    terms: set[str] = set()
    keys: set[str] = set()
    for entry in Entry.objects.live().select_related("current").iterator(chunk_size=200):
        if entry.kind in ENTRY_FIELDS:
            _upsert(entry.kind, entry.slug, ENTRY_FIELDS[entry.kind](entry.current.document))
        entry_terms, entry_keys = _mentioned(entry.current.document)
        terms |= entry_terms
        keys |= entry_keys
    _refresh_terms(terms)
    _refresh_references(keys)
    _refresh_vectors(SearchDocument.objects.all())
    return SearchDocument.objects.count()

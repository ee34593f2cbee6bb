"""Writing the search index from live publications, and only from them."""

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.text import capfirst

from monographs.editorial.models import Entry, Publication
from monographs.models.search import SearchDocument
from monographs.richtext import CITATION_PATTERN
from monographs.search.querying import SEARCH_CONFIG

Kind = SearchDocument.Kind
MARKDOWN_NOISE = re.compile(r"[*_#|`]+|^\s*>+", re.MULTILINE)
CITATION_MARKER = re.compile(r"\s*" + CITATION_PATTERN.pattern)


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

"""CSL-JSON (Citation Style Language) files, and Crossref works, which share its shape."""

import json
import re
from typing import Any

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers.common import finish, month_name, year_of
from monographs.importing.records import CitationRecord, vancouver_name
from monographs.models import Citation

Kind = Citation.Kind
CSL_KINDS = {
    "article-journal": Kind.JOURNAL_ARTICLE,
    "article": Kind.JOURNAL_ARTICLE,
    "article-magazine": Kind.JOURNAL_ARTICLE,
    "review": Kind.REVIEW,
    "paper-conference": Kind.CONFERENCE_ABSTRACT,
    "book": Kind.BOOK,
    "chapter": Kind.BOOK,
    "webpage": Kind.WEB_PAGE,
    "post-weblog": Kind.WEB_PAGE,
    "dataset": Kind.REGISTRY_RECORD,
}
# Crossref's work types, named as its REST API names them.
CROSSREF_KINDS = {
    "journal-article": Kind.JOURNAL_ARTICLE,
    "proceedings-article": Kind.CONFERENCE_ABSTRACT,
    "book": Kind.BOOK,
    "book-chapter": Kind.BOOK,
    "monograph": Kind.BOOK,
    "edited-book": Kind.BOOK,
    "reference-entry": Kind.BOOK,
    "posted-content": Kind.JOURNAL_ARTICLE,
    "dataset": Kind.REGISTRY_RECORD,
}
TAGS = re.compile(r"<[^>]+>")


def parse_csl_json(name: str, text: str) -> list[CitationRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
            source=name,
        ) from error
    items = data if isinstance(data, list) else [data]
    records = []
    for number, item in enumerate(items, start=1):
        label = f"record {number}"
        if not isinstance(item, dict):
            raise ImportProblem("is not a CSL-JSON item (an object).", source=name, record=label)
        if item.get("id"):
            label += f" (id {item['id']})"
        record = CitationRecord(source=name, label=label)
        csl_type = str(item.get("type") or "")
        if csl_type not in CSL_KINDS:
            raise record.problem(
                f"unknown record type {csl_type or '(none)'!r}; known types: "
                f"{', '.join(sorted(CSL_KINDS))}.",
                "type",
            )
        record.kind = CSL_KINDS[csl_type]
        fill_from_csl(record, item)
        records.append(record)
    return finish(records)


def crossref_record(message: dict[str, Any], *, source: str, label: str) -> CitationRecord:
    """A Crossref work (the `message` of /works/{doi}) as a record, normalised."""
    record = CitationRecord(source=source, label=label)
    crossref_type = str(message.get("type") or "")
    if crossref_type not in CROSSREF_KINDS:
        raise record.problem(
            f"unknown record type {crossref_type or '(none)'!r}; this desk imports "
            f"{', '.join(sorted(CROSSREF_KINDS))}.",
            "type",
        )
    record.kind = CROSSREF_KINDS[crossref_type]
    fill_from_csl(record, message)
    return finish([record])[0]


def fill_from_csl(record: CitationRecord, item: dict[str, Any]) -> None:
    for person in item.get("author") or []:
        if not isinstance(person, dict):
            raise record.problem(f"author {person!r} is not a name object.", "author")
        if person.get("family"):
            record.authors.append(vancouver_name(person["family"], person.get("given", "")))
        elif person.get("literal") or person.get("name"):
            name = person.get("literal") or person.get("name")
            if re.match(r"^(et\.?\s*al\.?|others)$", name.strip(), re.IGNORECASE):
                record.authors_incomplete = True
            elif record.group_author:
                record.authors.append(name)
            else:
                record.group_author = name
    record.title = " ".join(TAGS.sub("", _first(item.get("title"))).split())
    record.journal = _first(
        item.get("container-title-short")
        or item.get("short-container-title")
        or item.get("journalAbbreviation")
        or item.get("container-title")
    )
    parts = _date_parts(item)
    if not parts:
        raw = next(
            (
                date.get("raw") or date.get("literal")
                for date in (item.get("issued"), item.get("published"))
                if isinstance(date, dict) and (date.get("raw") or date.get("literal"))
            ),
            "",
        )
        record.year = year_of(raw, record, "issued") if raw else None
    else:
        try:
            record.year = int(parts[0])
        except (TypeError, ValueError) as error:
            raise record.problem(f"{parts[0]!r} is not a year.", "issued") from error
        record.month = month_name(parts[1]) if len(parts) > 1 else ""
    record.volume = str(item.get("volume") or "")
    record.issue = str(item.get("issue") or "")
    record.pages = str(item.get("page") or "")
    record.article_number = str(item.get("article-number") or "")
    record.doi = str(item.get("DOI") or "")
    record.pmid = str(item.get("PMID") or "")
    record.pmcid = str(item.get("PMCID") or "")
    record.issn = _first(item.get("ISSN"))
    record.url = str(item.get("URL") or "")
    record.publisher = str(item.get("publisher") or "")
    record.abstract = " ".join(TAGS.sub(" ", str(item.get("abstract") or "")).split())


def _first(value) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _date_parts(item: dict[str, Any]) -> list:
    for name in ("issued", "published-print", "published-online", "published"):
        date = item.get(name) or {}
        parts = (date.get("date-parts") or [[]])[0] if isinstance(date, dict) else []
        if parts and parts[0] is not None:
            return parts
    return []

"""RIS (Research Information Systems) files, read with rispy."""

import re

import rispy

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers.common import finish, month_name, page_range, year_of
from monographs.importing.records import CitationRecord, vancouver_from_inverted
from monographs.models import Citation

Kind = Citation.Kind
RIS_KINDS = {
    "JOUR": Kind.JOURNAL_ARTICLE,
    "EJOUR": Kind.JOURNAL_ARTICLE,
    "JFULL": Kind.JOURNAL_ARTICLE,
    "MGZN": Kind.JOURNAL_ARTICLE,
    "INPR": Kind.JOURNAL_ARTICLE,
    "ABST": Kind.CONFERENCE_ABSTRACT,
    "CONF": Kind.CONFERENCE_ABSTRACT,
    "CPAPER": Kind.CONFERENCE_ABSTRACT,
    "BOOK": Kind.BOOK,
    "EBOOK": Kind.BOOK,
    "EDBOOK": Kind.BOOK,
    "CHAP": Kind.BOOK,
    "ECHAP": Kind.BOOK,
    "ELEC": Kind.WEB_PAGE,
    "WEB": Kind.WEB_PAGE,
    "BLOG": Kind.WEB_PAGE,
    "DBASE": Kind.REGISTRY_RECORD,
    "GOVDOC": Kind.LABEL,
}


TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")


def check_structure(name: str, text: str) -> None:
    """Every record opens with TY and closes with ER; every line inside is 'XX  - value'.

    rispy reads leniently (a stray line is glued to the tag above it, a record without ER is
    dropped), so a damaged file is refused here rather than imported half-right.
    """
    inside, number_of_record = False, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"record {number_of_record + (0 if inside else 1)}"
        if not TAG_LINE.match(line):
            raise ImportProblem(
                f"line {number} is not 'XX  - value': {line[:60]!r}.", source=name, record=where
            )
        tag = line[:2]
        if tag == "TY":
            if inside:
                raise ImportProblem(
                    f"line {number} opens a record before the one above ends with ER.",
                    source=name,
                    record=where,
                )
            inside, number_of_record = True, number_of_record + 1
        elif tag == "ER":
            inside = False
        elif not inside:
            raise ImportProblem(
                f"line {number} ({tag}) is outside a record: records start with TY.",
                source=name,
                record=where,
            )
    if inside:
        raise ImportProblem(
            "the last record does not end with ER; the file may be cut short.",
            source=name,
            record=f"record {number_of_record}",
        )


def parse_ris(name: str, text: str) -> list[CitationRecord]:
    check_structure(name, text)
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as error:  # rispy raises IOError/ValueError subclasses on bad structure
        raise ImportProblem(f"is not a readable RIS file: {error}", source=name) from error
    records = []
    for number, entry in enumerate(entries, start=1):
        label = f"record {number}"
        if entry.get("id"):
            label += f" (ID {entry['id']})"
        record = CitationRecord(source=name, label=label)
        ris_type = str(entry.get("type_of_reference") or "").strip().upper()
        if ris_type not in RIS_KINDS:
            raise record.problem(
                f"unknown record type {ris_type or '(none)'!r}; known types: "
                f"{', '.join(sorted(RIS_KINDS))}.",
                "TY",
            )
        record.kind = RIS_KINDS[ris_type]
        names = entry.get("authors") or entry.get("first_authors") or []
        record.authors = [vancouver_from_inverted(n) for n in names]
        record.title = entry.get("title") or entry.get("primary_title") or ""
        record.journal = (
            entry.get("alternate_title2")  # JA: abbreviated journal
            or entry.get("alternate_title1")  # J2
            or entry.get("journal_name")
            or entry.get("secondary_title")
            or entry.get("alternate_title3")
            or ""
        )
        date = entry.get("year") or entry.get("publication_year") or entry.get("date") or ""
        record.year = year_of(date, record, "PY")
        parts = str(date).split("/")
        record.month = month_name(parts[1]) if len(parts) > 1 else ""
        record.volume = str(entry.get("volume") or "")
        record.issue = str(entry.get("number") or "")
        record.pages = page_range(
            str(entry.get("start_page") or ""), str(entry.get("end_page") or "")
        )
        record.doi = str(entry.get("doi") or "")
        record.issn = str(entry.get("issn") or "").split()[0] if entry.get("issn") else ""
        urls = entry.get("urls") or []
        record.url = urls[0] if urls else ""
        record.publisher = str(entry.get("publisher") or "")
        record.abstract = str(entry.get("abstract") or "")
        accession = str(entry.get("accession_number") or "")
        if accession.isdigit():
            record.pmid = accession
        records.append(record)
    return finish(records)

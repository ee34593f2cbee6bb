"""MEDLINE text files (PubMed's "Save > PubMed format", .nbib): TAG- value lines."""

import re

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers.common import finish, month_name, year_of
from monographs.importing.records import CitationRecord
from monographs.models import Citation

LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*-\s?(.*)$")


def parse_medline(name: str, text: str) -> list[CitationRecord]:
    records, fields, start = [], [], 0
    for number, line in enumerate(text.splitlines() + [""], start=1):
        if not line.strip():
            if fields:
                records.append(_record(name, len(records) + 1, start, fields))
                fields = []
            continue
        if line.startswith("      ") and fields:
            fields[-1][1] += " " + line.strip()
            continue
        match = LINE.match(line)
        if not match:
            raise ImportProblem(
                f"line {number} is neither 'TAG - value' nor a continuation: {line[:60]!r}.",
                source=name,
                record=f"record {len(records) + 1}",
            )
        if not fields:
            start = number
        fields.append([match.group(1), match.group(2).strip()])
    return finish(records)


def _record(name: str, number: int, line: int, fields: list[list[str]]) -> CitationRecord:
    tags: dict[str, list[str]] = {}
    for tag, value in fields:
        tags.setdefault(tag, []).append(value)

    def one(tag: str) -> str:
        return tags.get(tag, [""])[0]

    label = f"record {number} (line {line}" + (f", PMID {one('PMID')})" if one("PMID") else ")")
    record = CitationRecord(source=name, label=label)
    if "PMID" not in tags:
        raise record.problem("has no PMID line; is this a MEDLINE record?", "PMID")
    record.pmid = one("PMID")
    record.title = one("TI")
    record.authors = tags.get("AU", [])
    record.group_author = one("CN")
    record.journal = one("TA") or one("JT")
    date = one("DP")
    record.year = year_of(date, record, "DP")
    pieces = date.split()
    record.month = month_name(pieces[1]) if len(pieces) > 1 else ""
    record.volume = one("VI")
    record.issue = one("IP")
    record.pages = one("PG")
    record.abstract = one("AB")
    record.pmcid = one("PMC")
    for value in tags.get("LID", []) + tags.get("AID", []):
        if value.endswith("[doi]") and not record.doi:
            record.doi = value.removesuffix("[doi]").strip()
    issn = one("IS")
    record.issn = issn.split()[0] if issn else ""
    if {"Review", "Systematic Review"} & set(tags.get("PT", [])):
        record.kind = Citation.Kind.REVIEW
    return record

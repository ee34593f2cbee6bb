"""BibTeX files, read with bibtexparser 2 (LaTeX decoded, names split into their parts)."""

import bibtexparser
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers.common import finish, month_name, year_of
from monographs.importing.records import CitationRecord, vancouver_name
from monographs.models import Citation

Kind = Citation.Kind
BIBTEX_KINDS = {
    "article": Kind.JOURNAL_ARTICLE,
    "inproceedings": Kind.CONFERENCE_ABSTRACT,
    "conference": Kind.CONFERENCE_ABSTRACT,
    "proceedings": Kind.CONFERENCE_ABSTRACT,
    "book": Kind.BOOK,
    "inbook": Kind.BOOK,
    "incollection": Kind.BOOK,
    "online": Kind.WEB_PAGE,
    "electronic": Kind.WEB_PAGE,
    "www": Kind.WEB_PAGE,
    "misc": Kind.WEB_PAGE,
}


def parse_bibtex(name: str, text: str) -> list[CitationRecord]:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", None)
        where = f"the block at line {line + 1}" if line is not None else "a block"
        raise ImportProblem(
            f"is not valid BibTeX: {where} could not be read "
            f"({type(block).__name__}); check its braces and commas.",
            source=name,
        )
    records = []
    for number, entry in enumerate(library.entries, start=1):
        record = CitationRecord(source=name, label=f"record {number} (@{entry.key})")
        entry_type = entry.entry_type.lower()
        if entry_type not in BIBTEX_KINDS:
            raise record.problem(
                f"unknown record type @{entry_type}; known types: "
                f"{', '.join('@' + t for t in sorted(BIBTEX_KINDS))}.",
                "entry type",
            )
        fields = {key.lower(): f.value for key, f in entry.fields_dict.items()}
        record.kind = BIBTEX_KINDS[entry_type]
        if entry_type == "misc" and not fields.get("url") and not fields.get("howpublished"):
            raise record.problem(
                "@misc without a url or howpublished: say what kind of work it is.", "entry type"
            )
        for person in fields.get("author") or []:
            if isinstance(person, str):
                record.authors.append(person)
                continue
            family = " ".join([*person.von, *person.last])
            given = " ".join(person.first)
            if family.lower() == "others":
                record.authors_incomplete = True
            elif person.last and not person.first and len(person.last) == 1 and " " in family:
                record.group_author = family
            else:
                record.authors.append(vancouver_name(family, given))
        record.title = _text(fields.get("title"))
        record.journal = _text(fields.get("journal") or fields.get("booktitle"))
        record.year = year_of(_text(fields.get("year") or fields.get("date")), record, "year")
        record.month = month_name(_text(fields.get("month")))
        record.volume = _text(fields.get("volume"))
        record.issue = _text(fields.get("number") or fields.get("issue"))
        record.pages = _text(fields.get("pages")).replace("--", "-").replace("–", "-")
        record.doi = _text(fields.get("doi"))
        record.pmid = _text(fields.get("pmid"))
        record.pmcid = _text(fields.get("pmcid"))
        record.issn = _text(fields.get("issn")).split(",")[0].strip()
        record.url = _text(fields.get("url"))
        record.publisher = _text(fields.get("publisher"))
        record.abstract = _text(fields.get("abstract"))
        records.append(record)
    return finish(records)


def _text(value) -> str:
    return " ".join(str(value or "").replace("{", "").replace("}", "").split())

"""Reference lists as RIS, BibTeX and CSL-JSON, from the reference dicts frozen in publications."""

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

RIS_TYPES = {
    "journal_article": "JOUR",
    "review": "JOUR",
    "label": "GOVDOC",
    "web_page": "ELEC",
    "registry_record": "DBASE",
    "book": "BOOK",
    "conference_abstract": "CONF",
}
BIBTEX_TYPES = {
    "journal_article": "article",
    "review": "article",
    "book": "book",
    "conference_abstract": "inproceedings",
}
BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")
VANCOUVER_NAME = re.compile(
    r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})(?:\s+(?P<suffix>Jr|Sr|II|III|IV))?$"
)


def page_range(pages: str) -> tuple[str, str]:
    """'378-90' -> ('378', '390'): Vancouver abbreviates the last page, RIS wants it whole."""
    first, _, last = (pages or "").partition("-")
    first, last = first.strip(), last.strip()
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def _ris_line(tag: str, value: Any) -> str:
    return f"{tag}  - {value}\r\n"


def ris_record(reference: dict[str, Any]) -> str:
    lines = [_ris_line("TY", RIS_TYPES.get(reference.get("kind"), "GEN"))]
    lines += [_ris_line("AU", author) for author in reference.get("authors") or []]
    if reference.get("group_author"):
        lines.append(_ris_line("AU", reference["group_author"]))
    if reference.get("authors_incomplete"):
        # RIS has no 'et al.': the list is kept as given and a note says it is incomplete.
        lines.append(_ris_line("N1", "Author list incomplete in the source (et al.)."))
    first, last = page_range(reference.get("pages") or "")
    for tag, value in (
        ("TI", reference.get("title")),
        ("JO", reference.get("journal")),
        ("PY", reference.get("year")),
        ("VL", reference.get("volume")),
        ("IS", reference.get("issue")),
        ("SP", first or reference.get("article_number")),
        ("EP", last),
        ("SN", reference.get("issn")),
        ("PB", reference.get("publisher")),
        ("DO", reference.get("doi")),
        ("AN", f"PMID:{reference['pmid']}" if reference.get("pmid") else None),
        (
            "UR",
            reference.get("url")
            or (f"https://doi.org/{reference['doi']}" if reference.get("doi") else None),
        ),
        ("Y2", reference.get("accessed_on")),
        ("ID", reference.get("key")),
    ):
        if value not in (None, ""):
            lines.append(_ris_line(tag, value))
    lines.append(_ris_line("ER", ""))
    return "".join(lines)


def _bibtex_text(value: Any) -> str:
    return BIBTEX_SPECIAL.sub(r"\\\1", str(value))


def bibtex_name(vancouver_name: str) -> str:
    """'Llovet JM' -> 'Llovet, J. M.', 'Blumenschein GR Jr' -> 'Blumenschein, Jr, G. R.'.

    A name not in Vancouver form (a group, say) is kept whole in braces.
    """
    match = VANCOUVER_NAME.match(vancouver_name.strip())
    if not match:
        return "{" + _bibtex_text(vancouver_name) + "}"
    initials = " ".join(f"{letter}." for letter in match["initials"])
    suffix = f"{match['suffix']}, " if match["suffix"] else ""
    return f"{_bibtex_text(match['family'])}, {suffix}{initials}"


def bibtex_record(reference: dict[str, Any]) -> str:
    entry_type = BIBTEX_TYPES.get(reference.get("kind"), "misc")
    authors = [bibtex_name(a) for a in reference.get("authors") or []]
    if reference.get("group_author"):
        authors.append("{" + _bibtex_text(reference["group_author"]) + "}")
    if reference.get("authors_incomplete") and authors:
        authors.append("others")  # BibTeX styles print 'and others' as 'et al.'
    first, last = page_range(reference.get("pages") or "")
    pages = f"{first}--{last}" if last else first or reference.get("article_number")
    journal_field = "booktitle" if entry_type == "inproceedings" else "journal"
    fields = [
        ("author", " and ".join(authors)),
        ("title", "{" + _bibtex_text(reference.get("title") or "") + "}"),
        (journal_field, _bibtex_text(reference.get("journal") or "")),
        ("year", reference.get("year")),
        ("month", _bibtex_text(reference.get("month") or "")),
        ("volume", _bibtex_text(reference.get("volume") or "")),
        ("number", _bibtex_text(reference.get("issue") or "")),
        ("pages", _bibtex_text(pages or "")),
        ("publisher", _bibtex_text(reference.get("publisher") or "")),
        ("issn", reference.get("issn")),
        ("doi", _bibtex_text(reference.get("doi") or "")),
        ("pmid", reference.get("pmid")),
        ("url", reference.get("url")),
        ("urldate", reference.get("accessed_on")),
    ]
    body = ",\n".join(
        f"  {name} = {{{value}}}" for name, value in fields if value not in (None, "")
    )
    return f"@{entry_type}{{{reference['key']},\n{body}\n}}\n\n"


def ris_lines(references: Iterable[dict[str, Any]]) -> Iterator[str]:
    for reference in references:
        yield ris_record(reference) + "\r\n"


def bibtex_lines(references: Iterable[dict[str, Any]]) -> Iterator[str]:
    for reference in references:
        yield bibtex_record(reference)


CSL_TYPES = {
    "journal_article": "article-journal",
    "review": "article-journal",
    "label": "document",
    "web_page": "webpage",
    "registry_record": "dataset",
    "book": "book",
    "conference_abstract": "paper-conference",
}


def csl_name(vancouver_name: str) -> dict[str, str]:
    """'Llovet JM' -> {'family': 'Llovet', 'given': 'J. M.'}; anything else stays literal."""
    match = VANCOUVER_NAME.match(vancouver_name.strip())
    if not match:
        return {"literal": vancouver_name}
    name = {
        "family": match["family"],
        "given": " ".join(f"{letter}." for letter in match["initials"]),
    }
    if match["suffix"]:
        name["suffix"] = match["suffix"]
    return name


def _date_parts(value: str | None) -> dict[str, list[list[int]]] | None:
    if not value:
        return None
    return {"date-parts": [[int(part) for part in str(value)[:10].split("-")]]}


def csl_item(reference: dict[str, Any]) -> dict[str, Any]:
    """A reference as CSL-JSON. An incomplete author list ends with a literal 'et al.' and
    says so in `note`, since CSL has no field for it."""
    authors = [csl_name(a) for a in reference.get("authors") or []]
    if reference.get("group_author"):
        authors.append({"literal": reference["group_author"]})
    notes = [reference.get("note") or ""]
    if reference.get("authors_incomplete") and authors:
        authors.append({"literal": "et al."})
        notes.insert(0, "Author list incomplete in the source (et al.).")
    item: dict[str, Any] = {
        "id": reference["key"],
        "type": CSL_TYPES.get(reference.get("kind"), "article"),
        "title": reference.get("title"),
        "author": authors,
        "container-title": reference.get("journal"),
        "volume": reference.get("volume"),
        "issue": reference.get("issue"),
        "page": reference.get("pages"),
        "number": reference.get("article_number"),
        "DOI": reference.get("doi"),
        "PMID": reference.get("pmid"),
        "PMCID": reference.get("pmcid"),
        "ISSN": reference.get("issn"),
        "URL": reference.get("url"),
        "publisher": reference.get("publisher"),
        "issued": {"date-parts": [[reference["year"]]]} if reference.get("year") else None,
        "accessed": _date_parts(reference.get("accessed_on")),
        "abstract": reference.get("abstract"),
        "note": " ".join(n for n in notes if n),
    }
    return {name: value for name, value in item.items() if value not in (None, "", [])}


def csl_json_lines(references: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array of CSL items, written one item at a time."""
    yield "["
    for index, reference in enumerate(references):
        yield ("," if index else "") + "\n" + json.dumps(csl_item(reference), ensure_ascii=False)
    yield "\n]\n"

"""Reference files to CitationRecords: RIS, BibTeX, CSL-JSON, PubMed XML and MEDLINE.

Each parser reads the whole file before anything is matched or written, and raises
ImportProblem (naming the file, the record and the field) on what it cannot read.
"""

from pathlib import PurePath

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers.bibtex import parse_bibtex
from monographs.importing.parsers.csl import parse_csl_json
from monographs.importing.parsers.medline import parse_medline
from monographs.importing.parsers.pubmed import parse_pubmed_xml
from monographs.importing.parsers.ris import parse_ris
from monographs.importing.records import CitationRecord

PARSERS = {
    "ris": parse_ris,
    "bibtex": parse_bibtex,
    "csl-json": parse_csl_json,
    "pubmed-xml": parse_pubmed_xml,
    "medline": parse_medline,
}
EXTENSIONS = {
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csl-json",
    ".xml": "pubmed-xml",
    ".nbib": "medline",
    ".medline": "medline",
}
FORMAT_NAMES = "RIS (.ris), BibTeX (.bib), CSL-JSON (.json), PubMed XML (.xml), MEDLINE (.nbib)"


def detect_format(name: str, text: str) -> str:
    """The format of a file, by its extension or, failing that, by how it starts."""
    by_extension = EXTENSIONS.get(PurePath(name).suffix.lower())
    if by_extension:
        return by_extension
    start = text.lstrip()[:200]
    if start.startswith(("TY  -", "TY -")):
        return "ris"
    if start.startswith("@"):
        return "bibtex"
    if start.startswith(("[", "{")):
        return "csl-json"
    if start.startswith("<"):
        return "pubmed-xml"
    if start.startswith("PMID-"):
        return "medline"
    raise ImportProblem(
        f"is not a reference file this desk reads. Use {FORMAT_NAMES}.", source=name
    )


def decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"is not UTF-8 text (byte {error.start}); export it again as UTF-8.", source=name
        ) from error


def parse_file(name: str, data: bytes, *, file_format: str = "") -> list[CitationRecord]:
    """Every record of a file, normalised and checked; raises on the first unreadable one."""
    text = decode(name, data)
    chosen = file_format or detect_format(name, text)
    if chosen not in PARSERS:
        raise ImportProblem(f"unknown format {chosen!r}; use one of {', '.join(PARSERS)}.")
    if chosen == "pubmed-xml":
        records = parse_pubmed_xml(name, data)
    else:
        records = PARSERS[chosen](name, text)
    if not records:
        raise ImportProblem("holds no reference records.", source=name)
    return records


__all__ = ["EXTENSIONS", "FORMAT_NAMES", "PARSERS", "detect_format", "parse_file"]

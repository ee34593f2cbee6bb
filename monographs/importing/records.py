"""A citation as read from outside, before it is matched against the library and saved."""

import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError

from monographs.importing.errors import ImportProblem, ImportProblems
from monographs.models import Citation
from monographs.models.citations import ET_AL
from monographs.validators import validate_doi, validate_issn, validate_pmcid, validate_pmid

DOI_PREFIXES = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
# The fields an import fills; key, note and links stay the editors'.
IMPORTED_FIELDS = (
    "kind", "authors", "authors_incomplete", "group_author", "title", "journal", "year",
    "month", "volume", "issue", "pages", "article_number", "pmid", "pmcid", "doi", "issn",
    "url", "publisher", "abstract",
)  # fmt: skip


@dataclass
class CitationRecord:
    """One bibliographic record, in the library's terms (Vancouver author names)."""

    title: str = ""
    kind: str = Citation.Kind.JOURNAL_ARTICLE
    authors: list[str] = field(default_factory=list)
    authors_incomplete: bool = False
    group_author: str = ""
    journal: str = ""
    year: int | None = None
    month: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    article_number: str = ""
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    issn: str = ""
    url: str = ""
    publisher: str = ""
    abstract: str = ""
    # Where it was read: a file name or a service, and which record in it.
    source: str = ""
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CitationRecord":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def values(self) -> dict[str, Any]:
        """The Citation field values this record carries (empty ones included)."""
        return {name: getattr(self, name) for name in IMPORTED_FIELDS}

    def problem(self, message: str, field_name: str = "") -> ImportProblem:
        return ImportProblem(message, source=self.source, record=self.label, field=field_name)

    def normalise(self) -> "CitationRecord":
        """Tidy identifiers and text, mark a cut author list; raise on what cannot be saved."""
        kept = []
        for name in self.authors:
            name = " ".join(str(name).split())
            if ET_AL.match(name):
                self.authors_incomplete = True
            elif name:
                kept.append(name)
        self.authors = kept
        self.title = " ".join(self.title.split()).rstrip()
        self.doi = DOI_PREFIXES.sub("", self.doi.strip())
        self.pmid = self.pmid.strip()
        self.pmcid = self.pmcid.strip().upper()
        if self.pmcid and not self.pmcid.startswith("PMC"):
            self.pmcid = f"PMC{self.pmcid}"
        for name in ("journal", "volume", "issue", "pages", "month", "publisher", "issn"):
            setattr(self, name, " ".join(str(getattr(self, name) or "").split()))
        self.validate()
        return self

    def validate(self) -> None:
        problems = []
        if not self.title:
            problems.append(self.problem("has no title; a citation needs one.", "title"))
        if self.kind not in Citation.Kind.values:
            problems.append(self.problem(f"unknown kind {self.kind!r}.", "kind"))
        if self.year is not None and not 1800 <= self.year <= 2100:
            problems.append(self.problem(f"year {self.year} is not plausible.", "year"))
        for name, validator in (
            ("doi", validate_doi),
            ("pmid", validate_pmid),
            ("pmcid", validate_pmcid),
            ("issn", validate_issn),
        ):
            value = getattr(self, name)
            if value:
                try:
                    validator(value)
                except ValidationError as error:
                    problems.append(
                        self.problem(f"{value!r}: {' '.join(error.messages)}", name.upper())
                    )
        for f in Citation._meta.get_fields():
            if getattr(f, "max_length", None) and f.name in IMPORTED_FIELDS:
                value = getattr(self, f.name)
                if isinstance(value, str) and len(value) > f.max_length:
                    problems.append(
                        self.problem(
                            f"is {len(value)} characters long; at most {f.max_length} fit.",
                            f.name,
                        )
                    )
        if problems:
            raise problems[0] if len(problems) == 1 else ImportProblems(problems)


def vancouver_name(family: str, given: str = "") -> str:
    """'Llovet', 'Josep M.' -> 'Llovet JM'; 'Abou-Alfa', 'Ghassan K' -> 'Abou-Alfa GK'."""
    family = " ".join(family.split())
    initials = ""
    for part in re.split(r"[\s.]+", given.strip()):
        if not part:
            continue
        pieces = [p for p in part.split("-") if p]
        initials += "".join(p[0].upper() for p in pieces)
    return f"{family} {initials}".strip()


def vancouver_from_inverted(name: str) -> str:
    """'Llovet, Josep M.' or 'Llovet, J. M.' -> 'Llovet JM'; 'Llovet JM' stays as it is."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return vancouver_name(family, given)
    return name


def citation_key(record: CitationRecord, taken: set[str]) -> str:
    """A readable key, e.g. 'llovet-2008-sorafenib-in-advanced-hepatocellular', unique."""
    first = record.authors[0].split(" ")[0] if record.authors else record.group_author
    words = re.findall(r"[a-z0-9]+", _ascii(record.title).lower())
    parts = [_ascii(first).lower() if first else "", str(record.year or "")]
    parts += words[:4]
    base = "-".join(re.sub(r"[^a-z0-9]+", "-", p).strip("-") for p in parts if p)
    base = re.sub(r"-+", "-", base)[:100].strip("-") or "citation"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()

"""Helpers every document builder shares: numbers, sources and the reference list.

A document is a plain, JSON-serialisable dict. The same builder feeds the preview, the
review diff and publishing, so what a reviewer approves is exactly what goes live.
"""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NotRequired

from typing_extensions import TypedDict

from monographs.richtext import citation_keys, render_markdown

SCHEMA_VERSION = 1

# A number as documents freeze it: integral values as int, others as float (as_number). JSON
# has one number type, and so does the schema: declared as float, an int satisfies it.
Number = float


class Source(TypedDict):
    """Where a row's facts come from: a citation of the document's reference list."""

    citation: str
    number: int
    locator: str
    #: True when the row names no source of its own and takes its section's or entry's.
    inherited: NotRequired[bool]


class SourcedRow(TypedDict):
    """What every row of a document carries besides its facts (sourced_fields)."""

    id: int
    source: Source | None
    note: str


class StatedPlaces(TypedDict):
    """Decimal places as the source typed them (8.0 stays 8.0), only where they matter."""

    stated_places: NotRequired[dict[str, int]]


def as_number(value: Decimal | int | float | None) -> int | float | None:
    """Decimals as JSON numbers: integral values as int, others as float (no trailing zeros)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        normalised = value.normalize()
        if normalised == normalised.to_integral_value():
            return int(normalised)
        return float(normalised)
    return value


def stated_places(row: Any) -> dict[str, dict[str, int]]:
    """A row's stated decimal places, as a document member only when it has any.

    Rows typed without significant trailing zeros read the same either way, so their
    documents (and hashes) stay as they were.
    """
    places = getattr(row, "stated_places", None) or {}
    return {"stated_places": dict(sorted(places.items()))} if places else {}


def as_date(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def canonical_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def document_hash(document: dict[str, Any]) -> str:
    return text_hash(canonical_json(document))


def text_hash(text: str) -> str:
    """SHA-256 of a document's canonical JSON text, for a caller that has the text already."""
    return hashlib.sha256(text.encode()).hexdigest()


class References:
    """Collects the citations a document uses, numbered in order of first citation."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._citations: dict[str, Any] = {}

    def cite(self, citation) -> int | None:
        if citation is None:
            return None
        if citation.key not in self._numbers:
            self._numbers[citation.key] = len(self._numbers) + 1
            self._citations[citation.key] = citation
        return self._numbers[citation.key]

    def cite_markdown(self, text: str, citations_by_key: dict[str, Any]) -> None:
        for key in citation_keys(text):
            if key in citations_by_key:
                self.cite(citations_by_key[key])
            else:
                self._numbers.setdefault(key, 0)

    def source(self, row) -> dict[str, Any] | None:
        """The source block of a Sourced row: citation key and number, and where in it."""
        if row.citation_id is None:
            return None
        return self.source_of(row.citation, row.source_locator)

    def source_of(self, citation, locator: str) -> dict[str, Any] | None:
        """The source block of a citation and a place in it, for rows read as values."""
        if citation is None:
            return None
        return {"citation": citation.key, "number": self.cite(citation), "locator": locator}

    @property
    def numbers(self) -> dict[str, int]:
        return {key: number for key, number in self._numbers.items() if number}

    @property
    def unknown_keys(self) -> list[str]:
        return [key for key, number in self._numbers.items() if not number]

    def render(self, text: str) -> str:
        return render_markdown(text, reference_numbers=self.numbers)

    def as_list(self) -> list[dict[str, Any]]:
        from monographs.models.citations import format_vancouver

        references = []
        for key, number in self.numbers.items():
            reference = self._citations[key].as_reference()
            reference["number"] = number
            reference["vancouver"] = format_vancouver(reference)
            references.append(reference)
        return sorted(references, key=lambda reference: reference["number"])


def sourced_fields(row, references: References) -> dict[str, Any]:
    return {
        "id": row.pk,
        "source": references.source(row),
        "note": row.editorial_note,
    }


def source_or_default(
    fields: dict[str, Any], default: Any, references: References
) -> dict[str, Any]:
    """A row naming no source of its own takes its entry's (or section's) default source,
    marked inherited: the row still names none when restored, and the editor sees why."""
    if fields["source"] is None and default is not None:
        fields["source"] = {**references.source_of(default, ""), "inherited": True}
    return fields


def sourced_values(row, citation, references: References) -> dict[str, Any]:
    """sourced_fields of a Sourced row read as values (a named tuple of its columns), whose
    citation the caller looked up: reading thousands of rows, instances cost the most."""
    return {
        "id": row.id,
        "source": references.source_of(citation, row.source_locator),
        "note": row.editorial_note,
    }

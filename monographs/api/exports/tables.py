"""CSV exports of trials, outcomes and adverse events, one row at a time.

Columns are fixed and named like the API fields, so a spreadsheet and a script agree on
what each column means. Lists are joined with "; ".

Values are written as they are: figures with the decimal places their source states (8.0
stays 8.0, 7.90 stays 7.90, a stored 55.00 typed as 55 is 55), codes (slugs, choices,
identifiers, dates) as stored. A comparison sign is written as a word (`p_value_relation`
is `equals`, `less than` or `greater than`) and a design flag as `yes`, `no` or `not
stated`, so no coded cell starts with a character a spreadsheet would run. Only free text
(titles, labels, notes, names) that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading apostrophe, which spreadsheets hide and read as "this is text".
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from monographs.api.models import PublishedAdverseEvent
from monographs.figures import (
    STATED_FIGURES,
    Figure,
    Number,
    outcome_figure,
    plain_number,
    stated_number,
)
from monographs.publishing.models import Entry

CHUNK_SIZE = 100

TRIAL_COLUMNS = [
    "id",
    "slug",
    "acronym",
    "title",
    "nct_id",
    "phase",
    "design",
    "randomised",
    "masking",
    "placebo_controlled",
    "conditions",
    "drugs",
    "line_of_therapy",
    "start_date",
    "end_date",
    "enrolment",
    "sponsor",
    "version",
    "published_at",
]
OUTCOME_COLUMNS = [
    "trial_slug",
    "trial_acronym",
    "nct_id",
    "measure",
    "measure_label",
    "label",
    "arm",
    "comparator_arm",
    "statistic",
    "result",
    "value",
    "value_high",
    "value_bound",
    "unit",
    "count",
    "denominator",
    "ci_level",
    "ci_low",
    "ci_high",
    "range_low",
    "range_high",
    "hazard_ratio",
    "hazard_ratio_ci_low",
    "hazard_ratio_ci_high",
    "p_value_relation",
    "p_value",
    "test_statistic_name",
    "test_statistic_value",
    "degrees_of_freedom",
    "timepoint",
    "is_primary_endpoint",
    "source_citation",
    "source_locator",
    "trial_version",
]
ADVERSE_EVENT_COLUMNS = [
    "drug_slug",
    "drug_name",
    "term_slug",
    "term_name",
    "system_organ_class",
    "context",
    "any_grade",
    "any_grade_low",
    "any_grade_high",
    "any_grade_bound",
    "grade_3_plus",
    "grade_3_plus_low",
    "grade_3_plus_high",
    "grade_3_plus_bound",
    "grade_3_plus_scope",
    "frequency_band",
    "source_citation",
    "source_locator",
    "source_reference",
    "drug_version",
]


class _Line:
    """csv.writer writes into this and gets the line back, so nothing is buffered."""

    def write(self, value: str) -> str:
        return value


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Columns of people's words; every other column is a number or a code, written unchanged.
FREE_TEXT_COLUMNS = {
    "acronym",
    "title",
    "line_of_therapy",
    "sponsor",
    "trial_acronym",
    "label",
    "arm",
    "comparator_arm",
    "statistic",
    "unit",
    "test_statistic_name",
    "timepoint",
    "source_locator",
    "source_reference",
    "drug_name",
    "term_name",
    "system_organ_class",
    "context",
}
RELATION_WORDS = {"=": "equals", "<": "less than", ">": "greater than"}


def spreadsheet_safe(value: Any) -> Any:
    """Free text a spreadsheet would run as a formula is written with a leading apostrophe.

    Numbers stay numbers (a negative figure is data, not a formula); only text is guarded.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def _flag(value: bool | None) -> str:
    return "not stated" if value is None else ("yes" if value else "no")


def _cell(column: str, value: Any) -> Any:
    if column in FREE_TEXT_COLUMNS:
        return spreadsheet_safe(value)
    return "" if value is None else value


def _stated(value: Number | None, places: int | None) -> str:
    """A figure with the places its source states; empty when no figure is given."""
    return "" if value is None else plain_number(stated_number(value, places))


OUTCOME_FIGURES = tuple(STATED_FIGURES["outcomes"])
ADVERSE_EVENT_FIGURES = ("any_grade_low", "any_grade_high", "grade_3_plus_low", "grade_3_plus_high")


def _text(figure: Figure) -> str:
    """A figure as people read it ('5–11%', '<1%'); empty when no figure is given."""
    return "" if figure.is_empty else figure.text()


def _incidence(low: Any, high: Any, bound: str, places: tuple[int | None, int | None]) -> str:
    low, high = (stated_number(n, p) for n, p in zip((low, high), places, strict=True))
    return _text(Figure(low=low, high=high, bound=bound or "", unit="%"))


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(column, row.get(column)) for column in columns])


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _source(item: dict[str, Any]) -> dict[str, Any]:
    return item.get("source") or {}


def in_chunks(entries: QuerySet[Entry]) -> Iterator[Entry]:
    """Entries (with select_related current) in slug order, read CHUNK_SIZE at a time."""
    return entries.order_by("slug").iterator(chunk_size=CHUNK_SIZE)


def trial_rows(entries: Iterable[Entry]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        document = entry.current.document
        yield {
            **{column: document.get(column) for column in TRIAL_COLUMNS},
            "id": str(entry.uid),
            "randomised": _flag(document.get("randomised")),
            "placebo_controlled": _flag(document.get("placebo_controlled")),
            "conditions": _joined(c["slug"] for c in document.get("conditions") or []),
            "drugs": _joined(d["slug"] for d in document.get("drugs") or []),
            "version": entry.current.version,
            "published_at": entry.current.published_at.isoformat(),
        }


def _as_entered(outcome: dict[str, Any], places: dict[str, int]) -> dict[str, Any]:
    return {**outcome, **{n: stated_number(outcome.get(n), places.get(n)) for n in OUTCOME_FIGURES}}


def outcome_rows(entries: Iterable[Entry]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        document = entry.current.document
        for outcome in document.get("outcomes") or []:
            places = outcome.get("stated_places") or {}
            yield {
                **outcome,
                **{name: _stated(outcome.get(name), places.get(name)) for name in OUTCOME_FIGURES},
                "result": _text(outcome_figure(_as_entered(outcome, places))),
                "p_value_relation": RELATION_WORDS.get(outcome.get("p_value_relation") or "", "")
                if outcome.get("p_value") is not None
                else "",
                "trial_slug": document["slug"],
                "trial_acronym": document.get("acronym"),
                "nct_id": document.get("nct_id"),
                "source_citation": _source(outcome).get("citation"),
                "source_locator": _source(outcome).get("locator"),
                "trial_version": entry.current.version,
            }


def adverse_event_rows(rows: QuerySet[PublishedAdverseEvent]) -> Iterator[dict[str, Any]]:
    for row in (
        rows.select_related("publication")
        .defer("publication__document")
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        source = row.source or {}
        places = row.stated_places or {}
        yield {
            **{column: getattr(row, column, None) for column in ADVERSE_EVENT_COLUMNS},
            **{
                name: _stated(getattr(row, name), places.get(name))
                for name in ADVERSE_EVENT_FIGURES
            },
            "any_grade": _incidence(
                row.any_grade_low,
                row.any_grade_high,
                row.any_grade_bound,
                (places.get("any_grade_low"), places.get("any_grade_high")),
            ),
            "grade_3_plus": _incidence(
                row.grade_3_plus_low,
                row.grade_3_plus_high,
                row.grade_3_plus_bound,
                (places.get("grade_3_plus_low"), places.get("grade_3_plus_high")),
            ),
            "source_citation": source.get("citation"),
            "source_locator": source.get("locator"),
            "source_reference": source.get("vancouver"),
            "drug_version": row.publication.version,
        }

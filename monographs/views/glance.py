"""The top of a monograph: what a prescriber looks for first, read from the structured rows.

Each answer is a short line with its numbered source and a link to the section that gives
the whole of it; numbers pass through the one formatter. Only rows the document holds are
used, so a part with nothing to say is left out rather than shown as "none".
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst

from monographs.figures import format_figure, incidence
from monographs.models.content import SectionKind

# How many adverse events "the commonest" lists; the section has them all.
COMMONEST_EVENTS = 5


@dataclass
class GlanceLine:
    """One answer: its lead words, an optional drug link, what follows, and its sources."""

    lead: str
    detail: str = ""
    drug_slug: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GlancePart:
    title: str
    anchor: str
    section_title: str
    lines: list[GlanceLine]


def _distinct_sources(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per reference number, so a line cites each source once."""
    seen: dict[int, dict[str, Any]] = {}
    for row in rows:
        number = (row.get("source") or {}).get("number")
        if number and number not in seen:
            seen[number] = row
    return list(seen.values())


def _dose_lines(document: dict[str, Any]) -> list[GlanceLine]:
    """Regimens with the same dose are one line, naming every indication it is given for."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in document.get("dose_regimens") or []:
        parts = []
        if row.get("dose_amount") is not None:
            parts.append(format_figure(row["dose_amount"], unit=row.get("dose_unit") or ""))
        if row.get("frequency"):
            parts.append(row["frequency"])
        dose = " ".join(parts)
        if row.get("route"):
            dose += f", {row['route']}"
        if row.get("daily_dose_amount") is not None:
            daily = format_figure(row["daily_dose_amount"], unit=row.get("dose_unit") or "")
            dose += f" ({daily} a day)"
        grouped.setdefault(dose, []).append(row)
    return [
        GlanceLine(
            lead=dose,
            detail="; ".join(row.get("indication") or "all indications" for row in rows),
            sources=_distinct_sources(rows),
        )
        for dose, rows in grouped.items()
    ]


def _commonest_event_lines(document: dict[str, Any]) -> list[GlanceLine]:
    """Events with a stated any-grade incidence, highest first, each term once (its highest
    figure, with the population it was measured in)."""
    best: dict[str, tuple[float, dict[str, Any]]] = {}
    for row in document.get("adverse_events") or []:
        figure = incidence(row.get("any_grade"), row.get("any_grade_bound") or "")
        if figure.is_empty:
            continue
        high = figure.span[1] or 0.0
        slug = row["term"]["slug"]
        if slug not in best or high > best[slug][0]:
            best[slug] = (high, row)
    ranked = sorted(best.values(), key=lambda pair: (-pair[0], pair[1]["term"]["name"]))
    return [
        GlanceLine(
            lead=f"{capfirst(row['term']['name'])}: "
            + incidence(row.get("any_grade"), row.get("any_grade_bound") or "").text(),
            detail=row.get("context") or "",
            sources=_distinct_sources([row]),
        )
        for _, row in ranked[:COMMONEST_EVENTS]
    ]


def _monitoring_lines(document: dict[str, Any]) -> list[GlanceLine]:
    return [
        GlanceLine(lead=row["topic"], detail=row["monitoring"], sources=_distinct_sources([row]))
        for row in document.get("warnings") or []
        if row.get("monitoring")
    ]


def _interaction_lines(document: dict[str, Any]) -> list[GlanceLine]:
    lines = []
    for row in document.get("interactions") or []:
        drug = row.get("interacting_drug") or {}
        lead = capfirst(drug.get("name") or row.get("interacting_agent") or "")
        lines.append(
            GlanceLine(
                lead=lead,
                drug_slug=drug.get("slug") or "",
                detail=row.get("management") or row.get("effect") or "",
                sources=_distinct_sources([row]),
            )
        )
    return lines


def _subsequent_lines(document: dict[str, Any]) -> list[GlanceLine]:
    """Options after this drug, one line per indication, in the order the source gives them."""
    by_condition: dict[str, list[dict[str, Any]]] = {}
    for row in document.get("subsequent_therapies") or []:
        condition = row["condition"]
        name = condition["name"]
        if condition.get("abbreviation"):
            name += f" ({condition['abbreviation']})"
        by_condition.setdefault(name, []).append(row)
    return [
        GlanceLine(
            lead=name,
            detail=", ".join(
                (row["therapy_drug"]["name"] if row.get("therapy_drug") else row["therapy"])
                for row in rows
            ),
            sources=_distinct_sources(rows),
        )
        for name, rows in by_condition.items()
    ]


PARTS = (
    ("Usual dose", SectionKind.DOSAGE, _dose_lines),
    ("Commonest adverse events (any grade)", SectionKind.ADVERSE_EVENTS, _commonest_event_lines),
    ("Warnings that need monitoring", SectionKind.WARNINGS, _monitoring_lines),
    ("Interactions to check", SectionKind.INTERACTIONS, _interaction_lines),
    ("If it stops working", SectionKind.SUBSEQUENT_THERAPY, _subsequent_lines),
)


def monograph_glance(
    document: dict[str, Any], *, sections: dict[str, tuple[str, str]]
) -> list[GlancePart]:
    """The at-a-glance answers of a monograph, each pointing at its section.

    `sections` maps a section kind to the (anchor, title) the page gives it (from
    monograph_outline); every part here comes from a table, so its section is on the page.
    """
    parts = []
    for title, kind, lines_of in PARTS:
        lines = lines_of(document)
        if lines and kind in sections:
            anchor, section_title = sections[kind]
            parts.append(
                GlancePart(title=title, anchor=anchor, section_title=section_title, lines=lines)
            )
    return parts

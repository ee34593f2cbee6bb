"""A trial document as readers scan it: outcome rows, adverse events by arm, charts, JSON-LD."""

from collections import defaultdict
from typing import Any

from django.urls import reverse
from django.utils.text import capfirst

from monographs.charts.drawing import responsive
from monographs.charts.estimates import Estimate, estimates_chart
from monographs.charts.incidence import incidence_chart, trial_incidence_rows
from monographs.figures import interval_text, outcome_figure, plain_number, result_is_range
from monographs.stated import is_not_stated, stated_member, stated_text
from monographs.templatetags.public_site import iso_date
from trials.models import Arm, TrialAdverseEvent, TrialPublication

TIME_UNITS = {"months", "month", "weeks", "week", "days", "day", "years", "year"}
ARM_ROLES = dict(Arm.Role.choices)
GRADE_SCOPES = dict(TrialAdverseEvent.GradeScope.choices)
PUBLICATION_ROLES = dict(TrialPublication.Role.choices)
MASKING_LABELS = {
    "open_label": "Open label",
    "single_blind": "Single blind",
    "double_blind": "Double blind",
    "not_stated": "Not stated",
}


def trial_name(document: dict[str, Any]) -> str:
    acronym = document.get("acronym")
    return f"{acronym}: {document['title']}" if acronym else document["title"]


def trial_description(document: dict[str, Any]) -> str:
    """The page's one-line description: 'Phase II single-arm trial in desmoid tumour', with
    any of the two the source does not state named after it rather than left out."""
    lead, missing = [], []
    for name in ("phase", "design"):
        words = stated_member(document, name)
        (missing if is_not_stated(document[name]) else lead).append(words)
    if len(lead) == 2:
        lead[1] = lead[1].lower()
    conditions = ", ".join(c["name"].lower() for c in document.get("conditions") or [])
    text = " ".join([*lead, "trial" if lead else "Trial"])
    if conditions:
        text += f" in {conditions}"
    if missing:
        text += f" ({', '.join(m.lower() for m in missing)})"
    return f"{text}: design, arms, outcomes, adverse events and publications."


def trial_card(document: dict[str, Any]) -> dict[str, str]:
    """A trial's card on the trial list, each line written once here rather than piece by
    piece in the template's loop over 50 cards (the template escapes each line whole, which
    gives the same bytes: the separators hold nothing to escape).
    """
    masking = document["masking"]
    design = stated_member(document, "design")
    if masking != "not_stated" and MASKING_LABELS.get(masking):
        design = f"{design}, {MASKING_LABELS[masking].lower()}"
    start = document.get("start_date")
    enrolment = document.get("enrolment")
    summary = "; ".join(
        f"{c['name']} ({c['abbreviation']})" if c.get("abbreviation") else f"{c['name']}"
        for c in document.get("conditions") or []
    )
    if document.get("drugs"):
        summary += " · " + ", ".join(capfirst(d["name"]) for d in document["drugs"])
    if document.get("nct_id"):
        summary += f" · {document['nct_id']}"
    return {
        "name": trial_name(document),
        "phase": stated_member(document, "phase"),
        "design": design,
        "started": f" · started {iso_date(start, document.get('start_date_precision'))}"
        if start
        else "",
        "enrolment": f" · {enrolment} patients" if enrolment is not None else "",
        "summary": summary,
    }


def _measure_name(outcome: dict[str, Any]) -> str:
    """The measure a row shows, always named: 'Overall survival', or with its label."""
    measure = outcome["measure_label"]
    label = outcome.get("label") or ""
    if not label or label.lower() == measure.lower():
        return measure
    return f"{measure}: {label}"


def median_charts(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Medians by arm, one chart per unit (never two units on one axis), grouped by measure.

    Each chart's caption says what it draws: the unit, and confidence intervals only when
    at least one is drawn.
    """
    by_unit: dict[str, list[Estimate]] = {}
    for outcome in document.get("outcomes") or []:
        unit = (outcome.get("unit") or "").lower()
        figure = outcome_figure(outcome)
        if not (
            outcome.get("arm")
            # A value, or a bound drawn as one; a range result is in the table only.
            and figure.kind in ("value", "upper", "lower")
            and (outcome.get("statistic") or "").lower() == "median"
            and unit in TIME_UNITS
        ):
            continue
        by_unit.setdefault(outcome["unit"], []).append(
            Estimate(
                label=outcome["arm"],
                value=figure.point,
                low=outcome.get("ci_low"),
                high=outcome.get("ci_high"),
                group=_measure_name(outcome),
                bound=figure.bound,
            )
        )
    name = document.get("acronym") or document["title"]
    charts = []
    for unit, estimates in by_unit.items():
        groups = list(dict.fromkeys(e.group for e in estimates))
        estimates.sort(key=lambda e: groups.index(e.group))
        with_ci = [e for e in estimates if e.low is not None and e.high is not None]
        caption = f"Medians by arm, in {unit}"
        if with_ci:
            caption += (
                ", with the confidence intervals the source gives"
                if len(with_ci) == len(estimates)
                else "; a line shows a confidence interval where the source gives one"
            )
        charts.append(
            {
                "svg": responsive(
                    estimates_chart,
                    estimates,
                    title=f"Median outcomes by arm in {name}, in {unit}",
                    unit=unit,
                ),
                "caption": caption + ". The table below gives every outcome with its source.",
            }
        )
    return charts


def outcome_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each outcome as a reader scans it: result, interval, and any comparison between arms."""
    rows = []
    for outcome in document.get("outcomes") or []:
        unit = outcome.get("unit") or ""
        interval = ""
        if outcome.get("ci_low") is not None or outcome.get("ci_high") is not None:
            level = (
                f"{plain_number(outcome['ci_level'])}% CI " if outcome.get("ci_level") else "CI "
            )
            interval = level + interval_text(outcome.get("ci_low"), outcome.get("ci_high"), unit)
        elif not result_is_range(outcome) and (  # else the range is the result itself
            outcome.get("range_low") is not None or outcome.get("range_high") is not None
        ):
            interval = "range " + interval_text(
                outcome.get("range_low"), outcome.get("range_high"), unit
            )
        comparison = ""
        if outcome.get("hazard_ratio") is not None:
            comparison = f"HR {plain_number(outcome['hazard_ratio'])}"
            if outcome.get("hazard_ratio_ci_low") is not None:
                ci = interval_text(
                    outcome["hazard_ratio_ci_low"], outcome.get("hazard_ratio_ci_high")
                )
                comparison += f" (95% CI {ci})"
            if outcome.get("comparator_arm"):
                comparison += f" vs {outcome['comparator_arm']}"
        p_value = ""
        if outcome.get("p_value") is not None:
            relation = outcome.get("p_value_relation") or "="
            p_value = f"p {relation} {plain_number(outcome['p_value'])}"
        if outcome.get("test_statistic_name") and outcome.get("test_statistic_value") is not None:
            freedom = (
                f"({outcome['degrees_of_freedom']})"
                if outcome.get("degrees_of_freedom") is not None
                else ""
            )
            statistic = (
                f"{outcome['test_statistic_name']}{freedom} = "
                f"{plain_number(outcome['test_statistic_value'])}"
            )
            p_value = f"{statistic}; {p_value}" if p_value else statistic
        figure = outcome_figure(outcome)
        result, result_stated = figure.text(), not figure.is_empty
        rows.append(
            {
                "outcome": outcome,
                "measure": _measure_name(outcome),
                "statistic": outcome.get("statistic") or "",
                "result": result,
                # A result the registry gave as a word ('NR') is None, with the word in the note.
                "result_stated": result_stated,
                "interval": interval,
                "comparison": comparison,
                "p_value": p_value,
            }
        )
    return rows


def outcome_columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Which optional outcome columns have anything to show: empty columns are left out."""
    present = {
        "interval": any(row["interval"] for row in rows),
        "comparison": any(row["comparison"] for row in rows),
        "p_value": any(row["p_value"] for row in rows),
        "timepoint": any(row["outcome"].get("timepoint") for row in rows),
    }
    return present | {"count": 3 + sum(present.values())}


def adverse_event_table(document: dict[str, Any]) -> dict[str, Any]:
    """Adverse events pivoted: one row per term, one column per arm and grade."""
    arm_order = [arm["label"] for arm in document.get("arms") or []]
    scope_order = list(GRADE_SCOPES)
    columns: set[tuple[str, str]] = set()
    cells: dict[str, dict[tuple[str, str], dict]] = defaultdict(dict)
    terms: dict[str, dict] = {}
    for ae in document.get("adverse_events") or []:
        column = (stated_text(ae["arm"], fact="arm"), ae["grade_scope"])
        columns.add(column)
        cells[ae["term"]["slug"]][column] = ae
        terms.setdefault(ae["term"]["slug"], ae["term"])

    def column_order(column: tuple[str, str]) -> tuple[int, int]:
        arm, scope = column
        arm_position = arm_order.index(arm) if arm in arm_order else len(arm_order)
        scope_position = scope_order.index(scope) if scope in scope_order else len(scope_order)
        return arm_position, scope_position

    ordered = sorted(columns, key=column_order)
    # What a cell is when the grid is read as cards, on a narrow screen.
    labels = [f"{arm} · {GRADE_SCOPES.get(scope, scope)}" for arm, scope in ordered]
    rows = []
    for slug, term in terms.items():
        row_cells = [cells[slug].get(column) for column in ordered]
        rows.append(
            {
                "term": term,
                "cells": row_cells,
                "labelled": [
                    {"cell": cell, "label": label}
                    for cell, label in zip(row_cells, labels, strict=True)
                ],
            }
        )
    return {
        # Each figure's editorial note (the arm the source leaves unnamed, a bound read from
        # its words), said under the grid with the term and column it belongs to.
        "notes": [
            {"about": f"{row['term']['name']} ({labelled['label']})", "row": labelled["cell"]}
            for row in rows
            for labelled in row["labelled"]
            if labelled["cell"] is not None and labelled["cell"].get("note")
        ],
        "columns": [
            {"arm": arm, "grade": GRADE_SCOPES.get(scope, scope), "key": (arm, scope)}
            for arm, scope in ordered
        ],
        "arms": [
            {"label": arm, "span": sum(1 for a, _ in ordered if a == arm)}
            for arm in dict.fromkeys(a for a, _ in ordered)
        ],
        "rows": rows,
        # An arm and grade the trial gives no figure for, shown as a dash the page explains.
        "has_gaps": any(cell is None for row in rows for cell in row["cells"]),
        "shared_source": _shared_source(
            [cell for row in rows for cell in row["cells"] if cell is not None]
        ),
    }


def _shared_source(cells: list[dict]) -> dict | None:
    """The source of every figure of the grid when they all cite the same place, as a row the
    `source` tag reads: then said once beside the grid, not under each of its figures, where
    the same passage repeated in every cell made the grid twice as tall and wider than the
    page."""
    places = {
        (source.get("number"), source.get("locator") or "")
        for source in ((cell.get("source") or {}) for cell in cells)
    }
    # A reference with no passage needs no line: each cell's marker already says it all.
    if len(cells) < 2 or len(places) != 1:
        return None
    number, locator = next(iter(places))
    if number is None or not locator:
        return None
    return {"source": cells[0]["source"]}


def adverse_event_chart(document: dict[str, Any]) -> dict[str, str] | None:
    rows = trial_incidence_rows(
        (capfirst(ae["term"]["name"]), stated_text(ae["arm"], fact="arm"), ae)
        for ae in document.get("adverse_events") or []
    )
    return incidence_chart(
        rows,
        title=f"Adverse events by arm in {document.get('acronym') or document['title']}, in %",
        after="The table gives every figure with its source.",
    )


def publication_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    references = {r["key"]: r for r in document.get("references") or []}
    return [
        {
            "role": PUBLICATION_ROLES.get(p["role"], p["role"]),
            "reference": references.get(p["citation"]),
            "url": reverse("monographs:reference_detail", args=[p["citation"]]),
        }
        for p in document.get("publications") or []
        if p["citation"] in references
    ]

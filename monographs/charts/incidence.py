"""Bar charts of adverse-event incidence by grade, for a drug or a trial's arms."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from monographs.charts.drawing import (
    ANY_GRADE,
    BOTTOM,
    CHAR_WIDTH,
    GRADE_3_PLUS,
    LABEL_LINE,
    MUTED,
    PLOT_LEFT,
    TOP,
    WIDE,
    Layout,
    linear_axis,
    nice_maximum,
    responsive,
    svg_label,
    svg_root,
    svg_row_head,
    svg_text,
)
from monographs.figures import (
    NOT_STATED,
    Figure,
    trial_incidence,
)
from monographs.models.base import GradeScope

GRADE_SCOPE_LABELS = dict(GradeScope.choices)


@dataclass(frozen=True)
class IncidenceRow:
    """Incidence of one event, in %: any grade and the severe grades the source names."""

    label: str
    any_grade: Figure
    severe: Figure
    severe_scope: str = "Grade ≥3"
    group: str = ""
    # False on the row of an arm's further grade (grade 4 after grade 3): the arm's any-grade
    # figure is on its first row, so this one neither shows nor describes one.
    any_grade_on_row: bool = True


def _bar(
    figure: Figure, *, top: float, height: int, scale: float, colour: str, left: float = PLOT_LEFT
) -> list[str]:
    """A figure drawn as it is stated: a bar to a value, a solid bar and a lighter band for a
    range, an outlined dashed bar for an upper bound (the true figure is somewhere below its
    end), a bar with a dashed open end for a lower bound."""
    kind = figure.kind
    low, high = figure.span
    if low is None:
        return []
    if kind == "upper":
        return [
            f'<rect x="{left}" y="{top:.1f}" width="{max(high * scale, 1.5):.1f}" '
            f'height="{height}" fill="{colour}" fill-opacity="0.12" stroke="{colour}" '
            'stroke-width="1.5" stroke-dasharray="4 2"/>'
        ]
    parts = [
        f'<rect x="{left}" y="{top:.1f}" width="{max(low * scale, 1.5):.1f}" '
        f'height="{height}" fill="{colour}"/>'
    ]
    if kind == "range" and high > low:
        parts.append(
            f'<rect x="{left + low * scale:.1f}" y="{top:.1f}" '
            f'width="{(high - low) * scale:.1f}" height="{height}" fill="{colour}" '
            'fill-opacity="0.35"/>'
        )
    if kind == "lower":
        end = left + low * scale
        parts.append(
            f'<line x1="{end:.1f}" y1="{top + height / 2:.1f}" x2="{end + 18:.1f}" '
            f'y2="{top + height / 2:.1f}" stroke="{colour}" stroke-width="2" '
            'stroke-dasharray="3 2"/>'
        )
    return parts


def _label_text(figure: Figure) -> str:
    return NOT_STATED if figure.is_empty else figure.text()


def _severe_text(row: IncidenceRow) -> str:
    text = _label_text(row.severe)
    return f"{text} ({row.severe_scope.lower()})" if row.severe_scope != "Grade ≥3" else text


# The narrowest plot drawn beside figures so long they would take its room (a count and
# denominator for both grades and a scope): the text then runs past the chart's edge.
MIN_PLOT_WIDTH = 160


def _value_text(row: IncidenceRow) -> str:
    if row.any_grade_on_row:
        return f"{_label_text(row.any_grade)} / {_severe_text(row)}"
    return _severe_text(row)


def drawn_rows(rows: Sequence[IncidenceRow]) -> list[IncidenceRow]:
    """The rows a chart draws: those with a figure to draw."""
    return [r for r in rows if not (r.any_grade.is_empty and r.severe.is_empty)]


def incidence_bars(
    rows: Sequence[IncidenceRow], *, title: str, layout: Layout = WIDE
) -> SafeString:
    """Incidence of adverse events: any grade against grade 3 or higher (or the grades the
    source names), in %, each figure drawn as stated (value, range or bound)."""
    rows = drawn_rows(rows)
    if not rows:
        return mark_safe("")
    figures = [f for r in rows for f in (r.any_grade, r.severe)]
    values = [v for f in figures for v in f.span if v]
    maximum = min(100.0, nice_maximum(max(values, default=1) * 1.05))
    left, right = layout.plot_left, layout.plot_right
    if not layout.label_above:
        # The figures written after the bars, in full: the plot gives way to the longest.
        longest = max(len(_value_text(row)) for row in rows)
        room = int(layout.width - 12 - longest * CHAR_WIDTH - 4)
        right = max(left + MIN_PLOT_WIDTH, min(right, room))
    scale = (right - left) / maximum
    bar = 10
    body: list[str] = [
        f'<rect x="{left}" y="8" width="12" height="12" fill="{ANY_GRADE}"/>',
        svg_text(left + 18, 18, "Any grade"),
        f'<rect x="{left + 100}" y="8" width="12" height="12" fill="{GRADE_3_PLUS}"/>',
        svg_text(left + 118, 18, "Grade ≥3 or as stated"),
    ]
    # The narrow layout has no room beside the first two keys: the others go below them.
    legend_x, legend_y = (left, 30) if layout.label_above else (left + 290, 8)
    if any(f.kind == "range" for f in figures):
        body += [
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" fill="{MUTED}" '
            'fill-opacity="0.35"/>',
            svg_text(legend_x + 18, legend_y + 10, "range"),
        ]
        legend_x += 70
    if any(f.kind == "upper" for f in figures):
        body += [
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" fill="none" '
            f'stroke="{MUTED}" stroke-dasharray="4 2"/>',
            svg_text(legend_x + 18, legend_y + 10, "upper bound"),
        ]
    y = TOP + (legend_y - 8)
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            if group:
                body.append(
                    svg_label(8, y + 10, group, limit=layout.group_limit, font_weight="600")
                )
                y += 20
        value_text = _value_text(row)
        if layout.label_above:
            body.append(svg_row_head(layout, y + 10, row.label, value_text))
            y += LABEL_LINE
        else:
            body.append(svg_label(20 if group else 8, y + bar + 6, row.label))
        for offset, figure, colour in (
            (0, row.any_grade, ANY_GRADE),
            (bar + 2, row.severe, GRADE_3_PLUS),
        ):
            body += _bar(figure, top=y + offset, height=bar, scale=scale, colour=colour, left=left)
        if not layout.label_above:
            body.append(svg_text(right + 12, y + bar + 6, value_text))
        y += 2 * bar + 16
    axis = linear_axis(
        maximum, scale, top=TOP - 4, bottom=y, unit="% of patients", layout=layout, right=right
    )
    description = "; ".join(
        f"{(r.group + ', ') if r.group else ''}{r.label}: "
        + (f"any grade {_said(r.any_grade)}, " if r.any_grade_on_row else "")
        + f"{_scope_words(r.severe_scope)} {_said(r.severe)}"
        for r in rows
    )
    return svg_root(
        title=title,
        description=description,
        height=int(y + BOTTOM + 4),
        body=axis + body,
        layout=layout,
    )


def _scope_words(label: str) -> str:
    return "grade 3 or higher" if label == "Grade ≥3" else label.lower()


def _said(figure: Figure) -> str:
    return NOT_STATED if figure.is_empty else figure.words()


def trial_incidence_rows(cells: Iterable[tuple[str, str, dict]]) -> list[IncidenceRow]:
    """Chart rows from trial adverse-event cells given as (group, arm, cell).

    Each group and arm gets one row: its any-grade figure beside its first other grade
    scope; a further scope for the same arm gets a row of its own, named by its grades.
    A group's rows are drawn together, in the order the groups first come, however the
    cells are interleaved (a term entered for one arm, another term, then the first term
    for the other arm): a chart naming a group twice reads as two different events.
    """
    by_arm: dict[tuple[str, str], dict[str, dict]] = {}
    for group, arm, cell in cells:
        by_arm.setdefault((group, arm), {}).setdefault(cell.get("grade_scope") or "any", cell)
    group_order: dict[str, int] = {}
    for group, _ in by_arm:
        group_order.setdefault(group, len(group_order))
    rows = []
    for (group, arm), scopes in sorted(by_arm.items(), key=lambda item: group_order[item[0][0]]):
        any_grade = trial_incidence(scopes["any"]) if "any" in scopes else Figure()
        others = [(scope, cell) for scope, cell in scopes.items() if scope != "any"]
        first = others[0] if others else ("grade_3_plus", None)
        first_row = IncidenceRow(
            group=group,
            label=arm,
            any_grade=any_grade,
            severe=trial_incidence(first[1]) if first[1] else Figure(),
            severe_scope=GRADE_SCOPE_LABELS.get(first[0], first[0]),
        )
        rows.append(first_row)
        # The arm's any-grade figure (or that it is not stated) goes on its first row drawn.
        carried = bool(drawn_rows([first_row]))
        for scope, cell in others[1:]:
            row = IncidenceRow(
                group=group,
                label=f"{arm} ({GRADE_SCOPE_LABELS.get(scope, scope).lower()})",
                any_grade=Figure(),
                severe=trial_incidence(cell),
                severe_scope=GRADE_SCOPE_LABELS.get(scope, scope),
                any_grade_on_row=not carried,
            )
            rows.append(row)
            carried = carried or bool(drawn_rows([row]))
    return rows


def incidence_caption(rows: Sequence[IncidenceRow], *, after: str = "") -> str:
    """What an incidence chart draws, and nothing it does not."""
    figures = [f for r in rows for f in (r.any_grade, r.severe) if not f.is_empty]
    scopes = {r.severe_scope for r in rows if not r.severe.is_empty}
    severe = (
        "grade 3 or higher"
        if scopes <= {"Grade ≥3"}
        else "grade 3 or higher or the grades the source names (given after each figure)"
    )
    parts = [f"Incidence in % of patients: any grade against {severe}."]
    if any(f.kind == "range" for f in figures):
        parts.append("A lighter band shows a range.")
    if any(f.kind == "upper" for f in figures):
        parts.append("A dashed outline is an upper bound: the figure is at most its end.")
    if any(f.kind == "lower" for f in figures):
        parts.append("A dashed tail marks a lower bound.")
    if after:
        parts.append(after)
    return " ".join(parts)


def incidence_chart(
    rows: Sequence[IncidenceRow], *, title: str, after: str = ""
) -> dict[str, str] | None:
    """An incidence chart with the caption that describes it; None when there is nothing."""
    svg = responsive(incidence_bars, rows, title=title)
    if not svg:
        return None
    return {"svg": svg, "caption": incidence_caption(rows, after=after)}

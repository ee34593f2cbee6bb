"""Server-rendered SVG charts for figures people would rather look at than read.

Each function takes plain rows (built from a publication's document) and returns inline SVG
with a title and a description a screen reader announces; the page keeps the full numbers
in a table beside each chart. No JavaScript, no external fonts or files.

Each chart is drawn twice, for a wide and for a narrow screen (`responsive`); the stylesheet
shows the one that fits, so a phone gets labels above full-width rows at a readable size
instead of a wide drawing shrunk or scrolled sideways out of sight.
"""

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from monographs.figures import (
    LOWER_BOUNDS,
    UPPER_BOUNDS,
    Figure,
    interval_text,
    plain_number,
    trial_incidence,
)
from monographs.models.base import GradeScope

WIDTH = 760
LABEL_WIDTH = 270
VALUE_WIDTH = 190
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - VALUE_WIDTH - 10
ROW_HEIGHT = 30
TOP = 36
BOTTOM = 40
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d9e2ec"
ANY_GRADE = "#1f5f99"
GRADE_3_PLUS = "#b3471a"
POINT = "#1f5f99"


@dataclass(frozen=True)
class Layout:
    """Where a chart's parts go. A narrow layout puts each row's label and figures on a line
    of their own above the row, so the plot can take the whole width of a phone."""

    name: str
    width: int
    plot_left: int
    plot_right: int
    label_above: bool
    label_limit: int = 34
    group_limit: int = 72


WIDE = Layout("wide", WIDTH, PLOT_LEFT, PLOT_RIGHT, label_above=False)
NARROW = Layout("narrow", 360, 14, 340, label_above=True, label_limit=46, group_limit=44)
LABEL_LINE = 18

_ids_of_process = count(1)
_ids: ContextVar[Iterator[int] | None] = ContextVar("chart_ids", default=None)


@contextmanager
def charts_numbered_afresh() -> Iterator[None]:
    """Number the charts drawn inside from 1: a page then renders to the same bytes wherever
    and whenever it is rendered (stored pages, their ETags), not after however many charts
    the process drew before."""
    token = _ids.set(count(1))
    try:
        yield
    finally:
        _ids.reset(token)


GRADE_SCOPE_LABELS = dict(GradeScope.choices)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with an optional interval, e.g. a median and its 95% CI."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    group: str = ""
    detail: str = ""
    bound: str = ""

    @property
    def shown(self) -> str:
        """The value as the source states it: '18', '<8', '>24', '~30'."""
        if self.bound in UPPER_BOUNDS:
            return Figure(high=self.value, bound=self.bound).measure_text()
        return Figure(low=self.value, bound=self.bound).measure_text()


@dataclass(frozen=True)
class IncidenceRow:
    """Incidence of one event, in %: any grade and the severe grades the source names."""

    label: str
    any_grade: Figure
    severe: Figure
    severe_scope: str = "Grade ≥3"
    group: str = ""


def _tick(value: float) -> str:
    """An axis tick: computed, not a figure, so rounded to what the grid needs."""
    return plain_number(round(value, 2))


def _interval(low: float | None, high: float | None) -> str:
    return interval_text(low, high)


def _svg(
    *, title: str, description: str, height: int, body: list[str], layout: Layout = WIDE
) -> SafeString:
    chart_id = f"chart-{next(_ids.get() or _ids_of_process)}"
    head = format_html(
        '<svg class="chart chart--{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="13">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        layout.name,
        layout.width,
        height,
        layout.width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
    )
    return mark_safe(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", **style: str) -> str:
    attributes = {"fill": INK} | {name.replace("_", "-"): value for name, value in style.items()}
    rendered = "".join(f' {name}="{escape(value)}"' for name, value in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{rendered}>{escape(text)}</text>'


def _row_head(layout: Layout, y: float, label: str, value: str, **style: str) -> str:
    """A narrow row's first line: its label, cut to leave room for its figures at the right."""
    limit = max(12, layout.label_limit - len(value) - 2)
    return _label(layout.plot_left, y, label, limit=limit, **style) + _text(
        layout.width - 4, y, value, anchor="end"
    )


def responsive(draw: Callable[..., SafeString], *args, **kwargs) -> SafeString:
    """A chart in both layouts, one after the other; the stylesheet shows the one that fits."""
    wide = draw(*args, layout=WIDE, **kwargs)
    if not wide:
        return wide
    return mark_safe(wide + draw(*args, layout=NARROW, **kwargs))


def _label(x: float, y: float, text: str, *, limit: int = 34, **style: str) -> str:
    """A left-hand label cut to fit; the full text stays in a tooltip title."""
    shown = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    if shown == text:
        return _text(x, y, shown, **style)
    return f"<g><title>{escape(text)}</title>{_text(x, y, shown, **style)}</g>"


def _tick_step(maximum: float) -> float:
    """A round step giving four to six intervals up to the maximum."""
    rough = maximum / 5
    magnitude = 10 ** math.floor(math.log10(rough)) if rough > 0 else 1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= rough:
            return step * magnitude
    return 10 * magnitude


def _nice_maximum(value: float) -> float:
    if value <= 0:
        return 1.0
    step = _tick_step(value)
    return math.ceil(value / step) * step


def _linear_ticks(maximum: float) -> list[float]:
    step = _tick_step(maximum)
    return [step * index for index in range(int(round(maximum / step)) + 1)]


def estimates_chart(
    estimates: Sequence[Estimate], *, title: str, unit: str = "months", layout: Layout = WIDE
) -> SafeString:
    """Medians (or other estimates) by arm with their confidence intervals, grouped by measure.

    Draws a dot per estimate and a horizontal whisker for its interval on a shared axis
    starting at zero, so arms can be compared at a glance.
    """
    if not estimates:
        return mark_safe("")
    highest = max(max(float(e.value), float(e.high or 0)) for e in estimates)
    maximum = _nice_maximum(highest * 1.05)
    left, right = layout.plot_left, layout.plot_right
    scale = (right - left) / maximum
    rows: list[str] = []
    y = TOP
    group = None
    for estimate in estimates:
        if estimate.group != group:
            first_group = group is None
            group = estimate.group
            if group:
                y += 6 if first_group else 16
                rows.append(_label(8, y + 4, group, limit=layout.group_limit, font_weight="600"))
                y += ROW_HEIGHT - 8
        interval = _interval(estimate.low, estimate.high)
        value_text = estimate.shown + (f" ({interval})" if interval else "")
        if layout.label_above:
            rows.append(_row_head(layout, y + 12, estimate.label, value_text))
            y += LABEL_LINE
        centre = y + ROW_HEIGHT / 2
        if not layout.label_above:
            rows.append(_label(20, centre + 4, estimate.label))
        if estimate.low is not None and estimate.high is not None:
            rows.append(
                f'<line x1="{left + float(estimate.low) * scale:.1f}" y1="{centre:.1f}" '
                f'x2="{left + float(estimate.high) * scale:.1f}" y2="{centre:.1f}" '
                f'stroke="{POINT}" stroke-width="2"/>'
            )
            for end in (estimate.low, estimate.high):
                rows.append(
                    f'<line x1="{left + float(end) * scale:.1f}" y1="{centre - 6:.1f}" '
                    f'x2="{left + float(end) * scale:.1f}" y2="{centre + 6:.1f}" '
                    f'stroke="{POINT}" stroke-width="2"/>'
                )
        x = left + float(estimate.value) * scale
        if estimate.bound in UPPER_BOUNDS | LOWER_BOUNDS:
            # A bound is not a point: an open circle, and an arrow the way the value lies.
            tip = x + (-18 if estimate.bound in UPPER_BOUNDS else 18)
            rows.append(
                f'<line x1="{x:.1f}" y1="{centre:.1f}" x2="{tip:.1f}" y2="{centre:.1f}" '
                f'stroke="{POINT}" stroke-width="2"/>'
                f'<path d="M{tip:.1f},{centre - 4:.1f} L{tip + (-5 if tip < x else 5):.1f},'
                f'{centre:.1f} L{tip:.1f},{centre + 4:.1f}" fill="{POINT}"/>'
            )
            rows.append(
                f'<circle cx="{x:.1f}" cy="{centre:.1f}" r="5" fill="white" '
                f'stroke="{POINT}" stroke-width="2"/>'
            )
        else:
            rows.append(f'<circle cx="{x:.1f}" cy="{centre:.1f}" r="5" fill="{POINT}"/>')
        if not layout.label_above:
            rows.append(_text(right + 12, centre + 4, value_text))
        y += ROW_HEIGHT
    height = int(y + BOTTOM)
    axis = _linear_axis(maximum, scale, top=TOP - 8, bottom=y, unit=unit, layout=layout)
    header = [
        _text(
            layout.width - 4 if layout.label_above else right + 12,
            TOP - 14,
            "Value (CI)" if any(e.low is not None for e in estimates) else "Value",
            anchor="end" if layout.label_above else "start",
            font_weight="600",
            fill=MUTED,
        ),
    ]
    description = "; ".join(
        f"{(e.group + ', ') if e.group else ''}{e.label}: {e.shown} {unit}"
        + (f", CI {_interval(e.low, e.high)}" if e.low is not None else "")
        for e in estimates
    )
    return _svg(
        title=title,
        description=description,
        height=height,
        body=axis + header + rows,
        layout=layout,
    )


def _linear_axis(
    maximum: float, scale: float, *, top: float, bottom: float, unit: str, layout: Layout = WIDE
):
    parts = []
    left, right = layout.plot_left, layout.plot_right
    for tick in _linear_ticks(maximum):
        x = left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x, bottom + 16, _tick(tick), anchor="middle", fill=MUTED))
    parts.append(_text((left + right) / 2, bottom + 32, unit, anchor="middle", fill=MUTED))
    return parts


def forest_plot(estimates: Sequence[Estimate], *, title: str, layout: Layout = WIDE) -> SafeString:
    """Hazard ratios with confidence intervals on a log scale, the line of no effect at 1.

    Left of the line favours the first-named arm of each comparison.
    """
    if not estimates:
        return mark_safe("")
    values = [float(v) for e in estimates for v in (e.value, e.low, e.high) if v]
    low_edge = min(0.25, min(values) / 1.2)
    high_edge = max(2.0, max(values) * 1.2)
    log_low, log_high = math.log(low_edge), math.log(high_edge)
    left, right = layout.plot_left, layout.plot_right
    scale = (right - left) / (log_high - log_low)

    def x_of(value: float) -> float:
        return left + (math.log(value) - log_low) * scale

    rows: list[str] = []
    y = TOP
    for estimate in estimates:
        interval = _interval(estimate.low, estimate.high)
        value_text = f"{plain_number(estimate.value)}" + (f" ({interval})" if interval else "")
        if layout.label_above:
            rows.append(_row_head(layout, y + 12, estimate.label, value_text, font_weight="600"))
            if estimate.detail:
                rows.append(
                    _label(left, y + 12 + LABEL_LINE, estimate.detail, limit=50, fill=MUTED)
                )
            y += LABEL_LINE * (2 if estimate.detail else 1)
        centre = y + ROW_HEIGHT / 2
        if not layout.label_above:
            rows.append(_label(8, centre - 2, estimate.label, limit=40, font_weight="600"))
            if estimate.detail:
                rows.append(_label(8, centre + 12, estimate.detail, limit=44, fill=MUTED))
        if estimate.low and estimate.high:
            rows.append(
                f'<line x1="{x_of(estimate.low):.1f}" y1="{centre:.1f}" '
                f'x2="{x_of(estimate.high):.1f}" y2="{centre:.1f}" stroke="{INK}" '
                'stroke-width="2"/>'
            )
        rows.append(
            f'<rect x="{x_of(estimate.value) - 6:.1f}" y="{centre - 6:.1f}" width="12" '
            f'height="12" fill="{POINT}"/>'
        )
        if not layout.label_above:
            rows.append(_text(right + 12, centre + 4, value_text))
        y += ROW_HEIGHT + 10
    bottom = y
    parts = [
        f'<line x1="{x_of(1):.1f}" y1="{TOP - 8}" x2="{x_of(1):.1f}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"/>',
        f'<line x1="{left}" y1="{bottom:.1f}" x2="{right}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        _text(
            layout.width - 4 if layout.label_above else right + 12,
            TOP - 14,
            "HR (95% CI)",
            anchor="end" if layout.label_above else "start",
            font_weight="600",
            fill=MUTED,
        ),
    ]
    for tick in (0.1, 0.25, 0.5, 1, 2, 4, 8):
        if low_edge <= tick <= high_edge:
            parts.append(_text(x_of(tick), bottom + 16, _tick(tick), anchor="middle", fill=MUTED))
    parts.append(_text(x_of(1) - 8, bottom + 34, "← favours first arm", anchor="end", fill=MUTED))
    parts.append(_text(x_of(1) + 8, bottom + 34, "favours second arm →", fill=MUTED))
    description = "; ".join(
        f"{e.label}{(' (' + e.detail + ')') if e.detail else ''}: hazard ratio "
        f"{plain_number(e.value)}" + (f", 95% CI {_interval(e.low, e.high)}" if e.low else "")
        for e in estimates
    )
    return _svg(
        title=title,
        description=description,
        height=int(bottom + BOTTOM + 8),
        body=parts + rows,
        layout=layout,
    )


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


def _severe_text(row: IncidenceRow) -> str:
    text = row.severe.text()
    return f"{text} ({row.severe_scope.lower()})" if row.severe_scope != "Grade ≥3" else text


def incidence_bars(
    rows: Sequence[IncidenceRow], *, title: str, layout: Layout = WIDE
) -> SafeString:
    """Incidence of adverse events: any grade against grade 3 or higher (or the grades the
    source names), in %, each figure drawn as stated (value, range or bound)."""
    rows = [r for r in rows if not (r.any_grade.is_empty and r.severe.is_empty)]
    if not rows:
        return mark_safe("")
    figures = [f for r in rows for f in (r.any_grade, r.severe)]
    values = [v for f in figures for v in f.span if v]
    maximum = min(100.0, _nice_maximum(max(values, default=1) * 1.05))
    left, right = layout.plot_left, layout.plot_right
    scale = (right - left) / maximum
    bar = 10
    body: list[str] = [
        f'<rect x="{left}" y="8" width="12" height="12" fill="{ANY_GRADE}"/>',
        _text(left + 18, 18, "Any grade"),
        f'<rect x="{left + 100}" y="8" width="12" height="12" fill="{GRADE_3_PLUS}"/>',
        _text(left + 118, 18, "Grade ≥3 or as stated"),
    ]
    # The narrow layout has no room beside the first two keys: the others go below them.
    legend_x, legend_y = (left, 30) if layout.label_above else (left + 290, 8)
    if any(f.kind == "range" for f in figures):
        body += [
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" fill="{MUTED}" '
            'fill-opacity="0.35"/>',
            _text(legend_x + 18, legend_y + 10, "range"),
        ]
        legend_x += 70
    if any(f.kind == "upper" for f in figures):
        body += [
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" fill="none" '
            f'stroke="{MUTED}" stroke-dasharray="4 2"/>',
            _text(legend_x + 18, legend_y + 10, "upper bound"),
        ]
    y = TOP + (legend_y - 8)
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            if group:
                body.append(_label(8, y + 10, group, limit=layout.group_limit, font_weight="600"))
                y += 20
        value_text = f"{row.any_grade.text()} / {_severe_text(row)}"
        if layout.label_above:
            body.append(_row_head(layout, y + 10, row.label, value_text))
            y += LABEL_LINE
        else:
            body.append(_label(20 if group else 8, y + bar + 6, row.label))
        for offset, figure, colour in (
            (0, row.any_grade, ANY_GRADE),
            (bar + 2, row.severe, GRADE_3_PLUS),
        ):
            body += _bar(figure, top=y + offset, height=bar, scale=scale, colour=colour, left=left)
        if not layout.label_above:
            body.append(_text(right + 12, y + bar + 6, value_text))
        y += 2 * bar + 16
    axis = _linear_axis(maximum, scale, top=TOP - 4, bottom=y, unit="% of patients", layout=layout)
    description = "; ".join(
        f"{(r.group + ', ') if r.group else ''}{r.label}: "
        f"any grade {_said(r.any_grade)}, {_scope_words(r.severe_scope)} {_said(r.severe)}"
        for r in rows
    )
    return _svg(
        title=title,
        description=description,
        height=int(y + BOTTOM + 4),
        body=axis + body,
        layout=layout,
    )


def _scope_words(label: str) -> str:
    return "grade 3 or higher" if label == "Grade ≥3" else label.lower()


def _said(figure: Figure) -> str:
    return "not reported" if figure.is_empty else figure.words()


def trial_incidence_rows(cells: Iterable[tuple[str, str, dict]]) -> list[IncidenceRow]:
    """Chart rows from trial adverse-event cells given as (group, arm, cell).

    Each group and arm gets one row: its any-grade figure beside its first other grade
    scope; a further scope for the same arm gets a row of its own, named by its grades.
    """
    by_arm: dict[tuple[str, str], dict[str, dict]] = {}
    for group, arm, cell in cells:
        by_arm.setdefault((group, arm), {}).setdefault(cell.get("grade_scope") or "any", cell)
    rows = []
    for (group, arm), scopes in by_arm.items():
        any_grade = trial_incidence(scopes["any"]) if "any" in scopes else Figure()
        others = [(scope, cell) for scope, cell in scopes.items() if scope != "any"]
        first = others[0] if others else ("grade_3_plus", None)
        rows.append(
            IncidenceRow(
                group=group,
                label=arm,
                any_grade=any_grade,
                severe=trial_incidence(first[1]) if first[1] else Figure(),
                severe_scope=GRADE_SCOPE_LABELS.get(first[0], first[0]),
            )
        )
        for scope, cell in others[1:]:
            rows.append(
                IncidenceRow(
                    group=group,
                    label=f"{arm} ({GRADE_SCOPE_LABELS.get(scope, scope).lower()})",
                    any_grade=Figure(),
                    severe=trial_incidence(cell),
                    severe_scope=GRADE_SCOPE_LABELS.get(scope, scope),
                )
            )
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

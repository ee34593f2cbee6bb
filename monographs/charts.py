"""Server-rendered SVG charts for figures people would rather look at than read.

Each function takes plain rows (built from a publication's document) and returns inline SVG
with a title and a description a screen reader announces; the page keeps the full numbers
in a table beside each chart. No JavaScript, no external fonts or files.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
LABEL_WIDTH = 270
VALUE_WIDTH = 150
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

_ids = count(1)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with an optional interval, e.g. a median and its 95% CI."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    group: str = ""
    detail: str = ""


@dataclass(frozen=True)
class IncidenceRow:
    """Incidence of one event, in %, as single values or ranges (low, high)."""

    label: str
    any_grade: tuple[float | None, float | None]
    grade_3_plus: tuple[float | None, float | None]
    group: str = ""


def number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    rounded = round(float(value), digits)
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def _interval(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"{number(low)}–{number(high)}"


def _svg(*, title: str, description: str, height: int, body: list[str]) -> SafeString:
    chart_id = f"chart-{next(_ids)}"
    head = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="13">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        height,
        WIDTH,
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
    estimates: Sequence[Estimate], *, title: str, unit: str = "months"
) -> SafeString:
    """Medians (or other estimates) by arm with their confidence intervals, grouped by measure.

    Draws a dot per estimate and a horizontal whisker for its interval on a shared axis
    starting at zero, so arms can be compared at a glance.
    """
    if not estimates:
        return mark_safe("")
    highest = max(max(e.value, e.high or 0) for e in estimates)
    maximum = _nice_maximum(highest * 1.05)
    scale = (PLOT_RIGHT - PLOT_LEFT) / maximum
    rows: list[str] = []
    y = TOP
    group = None
    for estimate in estimates:
        if estimate.group != group:
            first_group = group is None
            group = estimate.group
            if group:
                y += 6 if first_group else 16
                rows.append(_text(8, y + 4, group, font_weight="600"))
                y += ROW_HEIGHT - 8
        centre = y + ROW_HEIGHT / 2
        rows.append(_label(20, centre + 4, estimate.label))
        if estimate.low is not None and estimate.high is not None:
            rows.append(
                f'<line x1="{PLOT_LEFT + estimate.low * scale:.1f}" y1="{centre:.1f}" '
                f'x2="{PLOT_LEFT + estimate.high * scale:.1f}" y2="{centre:.1f}" '
                f'stroke="{POINT}" stroke-width="2"/>'
            )
            for end in (estimate.low, estimate.high):
                rows.append(
                    f'<line x1="{PLOT_LEFT + end * scale:.1f}" y1="{centre - 6:.1f}" '
                    f'x2="{PLOT_LEFT + end * scale:.1f}" y2="{centre + 6:.1f}" '
                    f'stroke="{POINT}" stroke-width="2"/>'
                )
        rows.append(
            f'<circle cx="{PLOT_LEFT + estimate.value * scale:.1f}" cy="{centre:.1f}" r="5" '
            f'fill="{POINT}"/>'
        )
        interval = _interval(estimate.low, estimate.high)
        value_text = f"{number(estimate.value)}" + (f" ({interval})" if interval else "")
        rows.append(_text(PLOT_RIGHT + 12, centre + 4, value_text))
        y += ROW_HEIGHT
    height = int(y + BOTTOM)
    axis = _linear_axis(maximum, scale, top=TOP - 8, bottom=y, unit=unit)
    header = [
        _text(
            PLOT_RIGHT + 12,
            TOP - 14,
            "Value (CI)" if any(e.low is not None for e in estimates) else "Value",
            font_weight="600",
            fill=MUTED,
        ),
    ]
    description = "; ".join(
        f"{(e.group + ', ') if e.group else ''}{e.label}: {number(e.value)} {unit}"
        + (f", CI {_interval(e.low, e.high)}" if e.low is not None else "")
        for e in estimates
    )
    return _svg(title=title, description=description, height=height, body=axis + header + rows)


def _linear_axis(maximum: float, scale: float, *, top: float, bottom: float, unit: str):
    parts = []
    for tick in _linear_ticks(maximum):
        x = PLOT_LEFT + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(x, bottom + 16, number(tick, 1), anchor="middle", fill=MUTED))
    parts.append(
        _text((PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 32, unit, anchor="middle", fill=MUTED)
    )
    return parts


def forest_plot(estimates: Sequence[Estimate], *, title: str) -> SafeString:
    """Hazard ratios with confidence intervals on a log scale, the line of no effect at 1.

    Left of the line favours the first-named arm of each comparison.
    """
    if not estimates:
        return mark_safe("")
    values = [v for e in estimates for v in (e.value, e.low, e.high) if v]
    low_edge = min(0.25, min(values) / 1.2)
    high_edge = max(2.0, max(values) * 1.2)
    log_low, log_high = math.log(low_edge), math.log(high_edge)
    scale = (PLOT_RIGHT - PLOT_LEFT) / (log_high - log_low)

    def x_of(value: float) -> float:
        return PLOT_LEFT + (math.log(value) - log_low) * scale

    rows: list[str] = []
    y = TOP
    for estimate in estimates:
        centre = y + ROW_HEIGHT / 2
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
        interval = _interval(estimate.low, estimate.high)
        rows.append(
            _text(
                PLOT_RIGHT + 12,
                centre + 4,
                f"{number(estimate.value)}" + (f" ({interval})" if interval else ""),
            )
        )
        y += ROW_HEIGHT + 10
    bottom = y
    parts = [
        f'<line x1="{x_of(1):.1f}" y1="{TOP - 8}" x2="{x_of(1):.1f}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"/>',
        f'<line x1="{PLOT_LEFT}" y1="{bottom:.1f}" x2="{PLOT_RIGHT}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        _text(PLOT_RIGHT + 12, TOP - 14, "HR (95% CI)", font_weight="600", fill=MUTED),
    ]
    for tick in (0.1, 0.25, 0.5, 1, 2, 4, 8):
        if low_edge <= tick <= high_edge:
            parts.append(_text(x_of(tick), bottom + 16, number(tick), anchor="middle", fill=MUTED))
    parts.append(_text(x_of(1) - 8, bottom + 34, "← favours first arm", anchor="end", fill=MUTED))
    parts.append(_text(x_of(1) + 8, bottom + 34, "favours second arm →", fill=MUTED))
    description = "; ".join(
        f"{e.label}{(' (' + e.detail + ')') if e.detail else ''}: hazard ratio "
        f"{number(e.value)}" + (f", 95% CI {_interval(e.low, e.high)}" if e.low else "")
        for e in estimates
    )
    return _svg(
        title=title, description=description, height=int(bottom + BOTTOM + 8), body=parts + rows
    )


def _span(values: tuple[float | None, float | None]) -> tuple[float | None, float | None]:
    low, high = values
    if low is None and high is None:
        return None, None
    if low is None:
        return high, high
    if high is None:
        return low, low
    return low, high


def _incidence_text(values: tuple[float | None, float | None]) -> str:
    low, high = _span(values)
    if low is None:
        return "not reported"
    return f"{number(low)}%" if low == high else f"{number(low)}–{number(high)}%"


def incidence_bars(rows: Sequence[IncidenceRow], *, title: str) -> SafeString:
    """Incidence of adverse events: any grade against grade 3 or higher, in %.

    Where a source gives a range, the bar runs to the low end and a lighter band shows
    the rest of the range.
    """
    rows = [r for r in rows if {*_span(r.any_grade), *_span(r.grade_3_plus)} != {None}]
    if not rows:
        return mark_safe("")
    values = [v for r in rows for v in (*_span(r.any_grade), *_span(r.grade_3_plus)) if v]
    maximum = min(100.0, _nice_maximum(max(values, default=1) * 1.05))
    scale = (PLOT_RIGHT - PLOT_LEFT) / maximum
    bar = 10
    body: list[str] = [
        f'<rect x="{PLOT_LEFT}" y="8" width="12" height="12" fill="{ANY_GRADE}"/>',
        _text(PLOT_LEFT + 18, 18, "Any grade"),
        f'<rect x="{PLOT_LEFT + 110}" y="8" width="12" height="12" fill="{GRADE_3_PLUS}"/>',
        _text(PLOT_LEFT + 128, 18, "Grade ≥3"),
    ]
    if any(_span(v)[0] != _span(v)[1] for r in rows for v in (r.any_grade, r.grade_3_plus)):
        body += [
            f'<rect x="{PLOT_LEFT + 220}" y="8" width="12" height="12" fill="{ANY_GRADE}" '
            'fill-opacity="0.35"/>',
            _text(PLOT_LEFT + 238, 18, "range reported"),
        ]
    y = TOP
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            if group:
                body.append(_label(8, y + 10, group, limit=60, font_weight="600"))
                y += 20
        body.append(_label(20 if group else 8, y + bar + 6, row.label))
        for offset, values, colour in (
            (0, row.any_grade, ANY_GRADE),
            (bar + 2, row.grade_3_plus, GRADE_3_PLUS),
        ):
            low, high = _span(values)
            top = y + offset
            if low is None:
                continue
            body.append(
                f'<rect x="{PLOT_LEFT}" y="{top:.1f}" width="{max(low * scale, 1.5):.1f}" '
                f'height="{bar}" fill="{colour}"/>'
            )
            if high > low:
                body.append(
                    f'<rect x="{PLOT_LEFT + low * scale:.1f}" y="{top:.1f}" '
                    f'width="{(high - low) * scale:.1f}" height="{bar}" fill="{colour}" '
                    'fill-opacity="0.35"/>'
                )
        body.append(
            _text(
                PLOT_RIGHT + 12,
                y + bar + 6,
                f"{_incidence_text(row.any_grade)} / {_incidence_text(row.grade_3_plus)}",
            )
        )
        y += 2 * bar + 16
    axis = _linear_axis(maximum, scale, top=TOP - 4, bottom=y, unit="% of patients")
    description = "; ".join(
        f"{(r.group + ', ') if r.group else ''}{r.label}: "
        f"any grade {_incidence_text(r.any_grade)}, "
        f"grade 3 or higher {_incidence_text(r.grade_3_plus)}"
        for r in rows
    )
    return _svg(title=title, description=description, height=int(y + BOTTOM + 4), body=axis + body)

"""Charts of estimates with their intervals: plain estimates and forest plots."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from monographs.charts.drawing import (
    BOTTOM,
    INK,
    LABEL_LINE,
    MUTED,
    POINT,
    ROW_HEIGHT,
    TOP,
    WIDE,
    Layout,
    interval_words,
    linear_axis,
    nice_maximum,
    svg_label,
    svg_root,
    svg_row_head,
    svg_text,
    tick_text,
)
from monographs.figures import (
    LOWER_BOUNDS,
    UPPER_BOUNDS,
    Figure,
    plain_number,
)


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
    maximum = nice_maximum(highest * 1.05)
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
                rows.append(svg_label(8, y + 4, group, limit=layout.group_limit, font_weight="600"))
                y += ROW_HEIGHT - 8
        interval = interval_words(estimate.low, estimate.high)
        value_text = estimate.shown + (f" ({interval})" if interval else "")
        if layout.label_above:
            rows.append(svg_row_head(layout, y + 12, estimate.label, value_text))
            y += LABEL_LINE
        centre = y + ROW_HEIGHT / 2
        if not layout.label_above:
            rows.append(svg_label(20, centre + 4, estimate.label))
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
            rows.append(svg_text(right + 12, centre + 4, value_text))
        y += ROW_HEIGHT
    height = int(y + BOTTOM)
    axis = linear_axis(maximum, scale, top=TOP - 8, bottom=y, unit=unit, layout=layout)
    header = [
        svg_text(
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
        + (f", CI {interval_words(e.low, e.high)}" if e.low is not None else "")
        for e in estimates
    )
    return svg_root(
        title=title,
        description=description,
        height=height,
        body=axis + header + rows,
        layout=layout,
    )


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
        interval = interval_words(estimate.low, estimate.high)
        value_text = f"{plain_number(estimate.value)}" + (f" ({interval})" if interval else "")
        if layout.label_above:
            rows.append(svg_row_head(layout, y + 12, estimate.label, value_text, font_weight="600"))
            if estimate.detail:
                rows.append(
                    svg_label(left, y + 12 + LABEL_LINE, estimate.detail, limit=50, fill=MUTED)
                )
            y += LABEL_LINE * (2 if estimate.detail else 1)
        centre = y + ROW_HEIGHT / 2
        if not layout.label_above:
            rows.append(svg_label(8, centre - 2, estimate.label, limit=40, font_weight="600"))
            if estimate.detail:
                rows.append(svg_label(8, centre + 12, estimate.detail, limit=44, fill=MUTED))
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
            rows.append(svg_text(right + 12, centre + 4, value_text))
        y += ROW_HEIGHT + 10
    bottom = y
    parts = [
        f'<line x1="{x_of(1):.1f}" y1="{TOP - 8}" x2="{x_of(1):.1f}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"/>',
        f'<line x1="{left}" y1="{bottom:.1f}" x2="{right}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        svg_text(
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
            parts.append(
                svg_text(x_of(tick), bottom + 16, tick_text(tick), anchor="middle", fill=MUTED)
            )
    parts.append(
        svg_text(x_of(1) - 8, bottom + 34, "← favours first arm", anchor="end", fill=MUTED)
    )
    parts.append(svg_text(x_of(1) + 8, bottom + 34, "favours second arm →", fill=MUTED))
    description = "; ".join(
        f"{e.label}{(' (' + e.detail + ')') if e.detail else ''}: hazard ratio "
        f"{plain_number(e.value)}" + (f", 95% CI {interval_words(e.low, e.high)}" if e.low else "")
        for e in estimates
    )
    return svg_root(
        title=title,
        description=description,
        height=int(bottom + BOTTOM + 8),
        body=parts + rows,
        layout=layout,
    )

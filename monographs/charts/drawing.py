"""Server-rendered SVG charts for figures people would rather look at than read: the drawing.

Each chart function (estimates.py, incidence.py) takes plain rows (built from a publication's
document) and returns inline SVG with a title and a description a screen reader announces;
the page keeps the full numbers in a table beside each chart. No JavaScript, no external fonts
or files.

Each chart is drawn twice, for a wide and for a narrow screen (`responsive`); the stylesheet
shows the one that fits, so a phone gets labels above full-width rows at a readable size
instead of a wide drawing shrunk or scrolled sideways out of sight.
"""

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from monographs.figures import (
    interval_text,
    plain_number,
)

WIDTH = 760
LABEL_WIDTH = 270
VALUE_WIDTH = 190
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - VALUE_WIDTH - 10
# About how wide a character of a chart's text is drawn (12 px Public Sans and fallbacks),
# generous: for making room, never for cutting text.
CHAR_WIDTH = 7.6
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


def tick_text(value: float) -> str:
    """An axis tick: computed, not a figure, so rounded to what the grid needs."""
    return plain_number(round(value, 2))


def interval_words(low: float | None, high: float | None) -> str:
    return interval_text(low, high)


def svg_root(
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


def svg_text(x: float, y: float, text: str, *, anchor: str = "start", **style: str) -> str:
    attributes = {"fill": INK} | {name.replace("_", "-"): value for name, value in style.items()}
    rendered = "".join(f' {name}="{escape(value)}"' for name, value in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{rendered}>{escape(text)}</text>'


def svg_row_head(layout: Layout, y: float, label: str, value: str, **style: str) -> str:
    """A narrow row's first line: its label, cut to leave room for its figures at the right."""
    limit = max(12, layout.label_limit - len(value) - 2)
    return svg_label(layout.plot_left, y, label, limit=limit, **style) + svg_text(
        layout.width - 4, y, value, anchor="end"
    )


def responsive(draw: Callable[..., SafeString], *args, **kwargs) -> SafeString:
    """A chart in both layouts, one after the other; the stylesheet shows the one that fits."""
    wide = draw(*args, layout=WIDE, **kwargs)
    if not wide:
        return wide
    return mark_safe(wide + draw(*args, layout=NARROW, **kwargs))


def svg_label(x: float, y: float, text: str, *, limit: int = 34, **style: str) -> str:
    """A left-hand label cut to fit; the full text stays in a tooltip title."""
    shown = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    if shown == text:
        return svg_text(x, y, shown, **style)
    return f"<g><title>{escape(text)}</title>{svg_text(x, y, shown, **style)}</g>"


def tick_step(maximum: float) -> float:
    """A round step giving four to six intervals up to the maximum."""
    rough = maximum / 5
    magnitude = 10 ** math.floor(math.log10(rough)) if rough > 0 else 1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= rough:
            return step * magnitude
    return 10 * magnitude


def nice_maximum(value: float) -> float:
    if value <= 0:
        return 1.0
    step = tick_step(value)
    return math.ceil(value / step) * step


def linear_ticks(maximum: float) -> list[float]:
    step = tick_step(maximum)
    return [step * index for index in range(int(round(maximum / step)) + 1)]


def linear_axis(
    maximum: float,
    scale: float,
    *,
    top: float,
    bottom: float,
    unit: str,
    layout: Layout = WIDE,
    right: float | None = None,
):
    """Grid lines and ticks of a plot `scale` px per unit wide; `right`, where the plot ends
    when it gave way to the text after it (the layout's own plot_right otherwise)."""
    parts = []
    left, right = layout.plot_left, layout.plot_right if right is None else right
    for tick in linear_ticks(maximum):
        x = left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(svg_text(x, bottom + 16, tick_text(tick), anchor="middle", fill=MUTED))
    parts.append(svg_text((left + right) / 2, bottom + 32, unit, anchor="middle", fill=MUTED))
    return parts

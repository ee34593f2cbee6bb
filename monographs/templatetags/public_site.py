"""Formatting for the public pages: numbers, intervals, dates, sources and structured data."""

import json
from datetime import date

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from monographs.charts import number as format_number
from monographs.richtext import CITATION_PATTERN, KEY_PATTERN

register = template.Library()

JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
DATE_FORMATS = {"day": "j F Y", "month": "F Y", "year": "Y"}


@register.filter
def number(value, digits: int = 2) -> str:
    """A figure as people write it: no trailing zeros, an en dash when missing."""
    if value is None or value == "":
        return "–"
    try:
        return format_number(float(value), int(digits))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def interval(pair) -> str:
    """A [low, high] pair as '8–11' (or one figure when both are equal)."""
    if not pair:
        return ""
    low, high = (list(pair) + [None, None])[:2]
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return number(low if high is None else high)
    return f"{number(low)}–{number(high)}"


@register.filter
def percent_range(pair) -> str:
    text = interval(pair)
    return f"{text}%" if text else "–"


@register.filter
def iso_date(value, precision: str = "day") -> str:
    """An ISO date from a document, shown only as precisely as the source gives it."""
    if not value:
        return ""
    try:
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(parsed, DATE_FORMATS.get(precision or "day", DATE_FORMATS["day"]))


@register.filter
def json_ld(data) -> SafeString:
    """schema.org structured data in a script tag, escaped so it cannot close the tag."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        JSON_SCRIPT_ESCAPES
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def source(row) -> SafeString:
    """The numbered reference a row's figures come from, linked to the reference list."""
    source = (row or {}).get("source") if isinstance(row, dict) else None
    if not source or not source.get("number"):
        return mark_safe("")
    locator = source.get("locator") or ""
    label = f"Reference {source['number']}" + (f", {locator}" if locator else "")
    return format_html(
        '<sup class="source"><a href="#ref-{}" title="{}" aria-label="{}">[{}]</a></sup>',
        source["number"],
        label,
        label,
        source["number"],
    )


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def get_count(counter, key) -> int:
    """How many of a kind a Counter holds; zero when absent."""
    return (counter or {}).get(key, 0)


@register.filter
def cite_in_text(text, references) -> SafeString:
    """Plain text with its [@key] citations turned into the page's numbered reference links.

    Keys the page does not list stay visible as written, so nothing is silently dropped.
    """
    numbers = {reference["key"]: reference["number"] for reference in references or []}

    def replace(match) -> str:
        parts = [
            f'<a href="#ref-{numbers[key]}" class="citation">{numbers[key]}</a>'
            if key in numbers
            else f"@{key}"
            for key in KEY_PATTERN.findall(match.group(1))
        ]
        return f'<sup class="citations">[{", ".join(parts)}]</sup>'

    return mark_safe(CITATION_PATTERN.sub(replace, str(escape(text or ""))))

"""Formatting for the public pages: numbers, intervals, dates, sources and structured data."""

import json
from datetime import date

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from monographs.figures import (
    MISSING,
    entry_count,
    format_figure,
    incidence,
    plain_number,
    signed_change,
    trial_incidence,
)
from monographs.links import url_with_argument
from monographs.models.base import GradeScope
from monographs.models.citations import standing_text
from monographs.richtext import CITATION_PATTERN, KEY_PATTERN
from monographs.stated import is_not_stated, not_stated_phrase, stated_member
from monographs.views import structured_data

register = template.Library()

JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
GRADE_SCOPE_LABELS = dict(GradeScope.choices)
DATE_FORMATS = {"day": "j F Y", "month": "F Y", "year": "Y"}


@register.filter
def number(value) -> str:
    """A figure as entered (no trailing zeros, never rounded); an en dash when missing."""
    return plain_number(value)


@register.filter
def with_unit(value, unit: str = "") -> str:
    """One figure and its unit: '400 mg', '18%'; an en dash when missing."""
    return format_figure(value, unit=unit or "") if value is not None else "–"


@register.filter
def range_cell(row) -> str:
    """A row's range_low-range_high with its unit; a lone end is a bound."""
    low, high = (row or {}).get("range_low"), (row or {}).get("range_high")
    if low is None and high is None:
        return "–"
    bound = "le" if low is None else ("ge" if high is None else "")
    return format_figure(low=low, high=high, bound=bound, unit=row.get("unit") or "")


@register.filter
def interaction_change(row) -> str:
    """An interaction's measured change with what was measured: 'docetaxel AUC +36–80%'."""
    change = signed_change(*((row or {}).get("change") or [None, None]), row.get("change_unit"))
    if not change:
        return ""
    measure = row.get("effect_measure") or ""
    return f"{measure} {change}".strip()


@register.filter
def drug_incidence(row, column: str) -> str:
    """A drug-level incidence cell: 'any_grade' or 'grade_3_plus' with its bound, in %."""
    if not row:
        return "–"
    return incidence(row.get(column), row.get(f"{column}_bound") or "").text()


@register.filter
def severe_scope(row) -> str:
    """The grades a drug-level severe figure counts, when it is not 'grade 3 or higher'."""
    scope = (row or {}).get("grade_3_plus_scope") or "grade_3_plus"
    return "" if scope == "grade_3_plus" else GRADE_SCOPE_LABELS.get(scope, scope)


@register.filter
def trial_ae_figure(cell) -> str:
    """A trial adverse-event cell: count/denominator and percent, a range or a bound."""
    if not cell:
        return "–"
    figure = trial_incidence(cell)
    return figure.text() if not figure.is_empty else ""


NOT_STATED_CELL = mark_safe('<span class="muted">Not stated</span>')


@register.filter(name="entry_count")
def entry_count_filter(value: int | None) -> str:
    """How many entries: 9,190 trials."""
    return entry_count(value)


@register.filter
def or_not_stated(text: object) -> object:
    """A figure's cell: its text, or "Not stated" where the source gives none. A bare dash in
    a column of figures reads as "none" to many readers; the column's header names the fact."""
    if text is None or text == "" or text == MISSING:
        return NOT_STATED_CELL
    return text


@register.filter
def stated(flag) -> str:
    """A yes/no fact of a design: 'Yes', 'No', or 'Not stated' when the source is silent."""
    if flag is None or flag == "":
        return "Not stated"
    return "Yes" if flag else "No"


@register.filter
def not_stated(value, fact: str) -> str:
    """'<Fact> not stated' when the value is a choice's silence, else nothing: for a cell or
    line that shows the choice itself when it is stated."""
    return not_stated_phrase(fact) if is_not_stated(value) else ""


@register.filter(name="stated_member")
def stated_member_filter(document, name: str) -> str:
    """A document's choice as a line of facts shows it: its label or '<Name> not stated'."""
    return stated_member(document, name)


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


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context) -> SafeString:
    """The page's breadcrumbs as a schema.org BreadcrumbList; nothing on pages without them."""
    crumbs, request = context.get("breadcrumbs"), context.get("request")
    if not crumbs or request is None:
        return mark_safe("")
    return json_ld(structured_data.breadcrumb_json_ld(request, crumbs))


@register.simple_tag(takes_context=True)
def block_text(context, name: str) -> str:
    """A block of this page rendered once more, for the tags that repeat the title and
    description (Open Graph, Twitter card): each page states them once, in its blocks.

    Rendered as Django renders a block (taken off the stack while it renders, so that
    {{ block.super }} reaches the parent's), then put back for the block's own place."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    taken = blocks.pop(name) if blocks is not None else None
    if taken is None:
        return ""
    try:
        block = type(taken)(taken.name, taken.nodelist)
        block.context = context
        with context.push(block=block):
            # The block's output is already escaped as the page renders it.
            return mark_safe(" ".join(block.nodelist.render(context).split()))
    finally:
        blocks.push(name, taken)


@register.filter
def standing(reference: dict) -> str:
    """How far to rely on a source, as its reference page reads it; empty while unassessed,
    so a reference list names only what the editors judged."""
    return standing_text(reference) if reference.get("standing") else ""


@register.simple_tag
def source(row, brief: bool = False) -> SafeString:
    """The numbered reference a row's figures come from, linked to the reference list.

    `brief` leaves the locator (page, passage) to the full section and its screen-reader label.
    """
    source = (row or {}).get("source") if isinstance(row, dict) else None
    if not source or not source.get("number"):
        return mark_safe("")
    locator = source.get("locator") or ""
    label = f"Reference {source['number']}" + (f", {locator}" if locator else "")
    marker = format_html(
        '<sup class="source"><a href="#ref-{}" aria-label="{}">[{}]</a></sup>',
        source["number"],
        label,
        source["number"],
    )
    if not locator or brief:
        return marker
    return format_html(
        '{}<span class="source-locator" aria-hidden="true">{}</span>', marker, locator
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
def linked_drug(linked_drugs, drug):
    """The live entry of a drug a document names ({'slug': ..., 'name': ...}), or None: for
    rows that may name no drug (an intervention that is a procedure)."""
    if not linked_drugs or not drug:
        return None
    return linked_drugs.get(drug.get("slug"))


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


@register.simple_tag
def link(name: str, argument: object) -> str:
    """{% url name argument %} for links listed by the hundred: see monographs.links."""
    return url_with_argument(name, argument)

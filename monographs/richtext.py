"""Markdown for monograph prose: rendered and sanitised once, when a document is built.

Citation keys are written [@key] or [@a; @b] and become numbered superscript links to
the reference list, numbered in order of first citation across the whole document.
"""

import re

import markdown
import nh3

CITATION_PATTERN = re.compile(r"\[(@[a-z0-9][a-z0-9_-]*(?:\s*;\s*@[a-z0-9][a-z0-9_-]*)*)\]")
KEY_PATTERN = re.compile(r"@([a-z0-9][a-z0-9_-]*)")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "sup", "sub", "ul", "ol", "li", "a", "blockquote",
    "code", "pre", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "caption", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "sup": {"class"},
    "span": {"class"},
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def citation_keys(text: str) -> list[str]:
    """Citation keys in order of appearance (repeats kept, so callers can number first use)."""
    keys: list[str] = []
    for group in CITATION_PATTERN.findall(text or ""):
        keys.extend(KEY_PATTERN.findall(group))
    return keys


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str, *, reference_numbers: dict[str, int]) -> str:
    """Markdown to safe HTML, with [@key] replaced by numbered reference links.

    Unknown keys are left visible as [?key] so the quality checks and the reader both
    see them, rather than silently vanishing.
    """

    def replace(match: re.Match) -> str:
        links = []
        for key in KEY_PATTERN.findall(match.group(1)):
            number = reference_numbers.get(key)
            if number is None:
                links.append(f"?{key}")
            else:
                links.append(f'<a href="#ref-{number}" class="citation">{number}</a>')
        return f'<sup class="citations">[{", ".join(links)}]</sup>'

    with_citations = CITATION_PATTERN.sub(replace, text or "")
    html = markdown.markdown(with_citations, extensions=["tables", "sane_lists"])
    return sanitise_html(html)

"""Markdown for monograph prose: rendered and sanitised once, when a document is built.

Citation keys are written [@key] or [@a; @b] and become numbered superscript links to
the reference list, numbered in order of first citation across the whole document.
"""

import re
import threading

import markdown
import nh3

# The fields written in Markdown (model label, field): the seeds check them as Markdown and
# the admin edits them with a preview and a citation picker beside them.
MARKDOWN_FIELDS = frozenset(
    {
        ("monographs.monographsection", "body"),
        ("monographs.questionanswer", "answer"),
        ("trials.trial", "summary"),
    }
)


def is_markdown_field(model, name: str) -> bool:
    return (model._meta.label_lower, name) in MARKDOWN_FIELDS


CITATION_PATTERN = re.compile(r"\[(@[a-z0-9][a-z0-9_-]*(?:\s*;\s*@[a-z0-9][a-z0-9_-]*)*)\]")
KEY_PATTERN = re.compile(r"@([a-z0-9][a-z0-9_-]*)")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "sup", "sub", "ul", "ol", "li", "a", "blockquote",
    "code", "pre", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "caption", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
}
# Only the classes the citation links are rendered with: prose cannot borrow the site's own
# classes (a banner, a badge) to pass itself off as something the editors did not write.
ALLOWED_CLASSES = {"a": {"citation"}, "sup": {"citations"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


MARKDOWN_NOISE = re.compile(r"[*_#|`]+|^\s*>+", re.MULTILINE)
CITATION_MARKER = re.compile(r"\s*" + CITATION_PATTERN.pattern)


def plain_text(markdown_text: str | None) -> str:
    """Markdown as searchable words: citation markers and formatting characters removed."""
    without_citations = CITATION_MARKER.sub("", markdown_text or "")
    return " ".join(MARKDOWN_NOISE.sub(" ", without_citations).split())


def join_words(parts) -> str:
    """The non-empty parts, as one line of words."""
    return " ".join(str(p) for p in parts if p not in (None, "", [], {}))


def citation_keys(text: str) -> list[str]:
    """Citation keys in order of appearance (repeats kept, so callers can number first use)."""
    keys: list[str] = []
    for group in CITATION_PATTERN.findall(text or ""):
        keys.extend(KEY_PATTERN.findall(group))
    return keys


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
)
_converters = threading.local()


def sanitise_html(html: str) -> str:
    return _CLEANER.clean(html)


def _markdown_to_html(text: str) -> str:
    """One Markdown converter per thread, reset between texts (Markdown's own way of reusing
    one): building one for each text costs about as much as converting it, and publishing a
    corpus converts hundreds of thousands (docs/performance.md, "Hand-written speed-ups")."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(extensions=["tables", "sane_lists"])
    return converter.reset().convert(text)


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
    if _is_plain_paragraph(text):
        return sanitise_html(f"<p>{with_citations}</p>")
    return sanitise_html(_markdown_to_html(with_citations))


# One line of words and ordinary punctuation that starts with a letter: nothing in it is
# Markdown (no list or heading can start with a letter, no emphasis, link, code, escape or
# HTML character), so Markdown would make it one paragraph and leave it as it is.
PLAIN_PARAGRAPH = re.compile(r"(?![\d_])\w(?:(?!_)\w|[ ,.;:()%'/?=+-])*")


def _is_plain_paragraph(text: str | None) -> bool:
    """Text that converts to <p>text</p>, citations aside: one sentence or a few, as most
    summaries are, skip the converter, which costs more than everything else together.

    `make bench` builds documents with and without this (docs/performance.md, "Hand-written
    speed-ups"); tests/reliability/test_richtext.py holds the output to Markdown's own."""
    if not text or "  " in text or text.endswith(" "):
        return False
    return PLAIN_PARAGRAPH.fullmatch(CITATION_PATTERN.sub("", text)) is not None


def first_use_numbers(text: str, known: set[str]) -> dict[str, int]:
    """Reference numbers for the known keys of one text, in order of first citation: how a
    preview of one section numbers its references before the whole document is built."""
    numbers: dict[str, int] = {}
    for key in citation_keys(text):
        if key in known and key not in numbers:
            numbers[key] = len(numbers) + 1
    return numbers

"""Each figure of a seeded monograph is stated once outside its summary at a glance: in a table
when a structured row holds it, and then not again in the prose around it."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from monographs.publishing.models import Entry

pytestmark = pytest.mark.django_db

# A figure as pages write it: a number or a range (figures.py joins ranges with an en dash,
# prose may use a hyphen), with the unit or word that says what it counts.
FIGURE = re.compile(
    r"(?<![\w.\[-])(?:[<≤>≥]\s*)?(\d+(?:\.\d+)?(?:\s*[-–]\s*\d+(?:\.\d+)?)?)"
    r"(\s*(?:%|mg/m²|mg|h\b|hours?|months?|weeks?|years?|patients))?"
)


def figures_in(text: str) -> set[str]:
    """The figures a text states, hyphens and spaces aside, each with its unit if it has one:
    a bare small integer (a grade, a phase, a count of lines) is not taken for a figure."""
    found = set()
    for match in FIGURE.finditer(text):
        number = re.sub(r"\s*[-–]\s*", "-", match.group(1))
        unit = (match.group(2) or "").strip()
        unit = {"hours": "h", "hour": "h"}.get(unit, unit)
        if not unit and re.fullmatch(r"\d", number):
            continue
        found.add(f"{number} {unit}".strip())
    return found


class _PageParts(HTMLParser):
    """The text of a monograph page's prose sections and of its tables, the summary at a glance
    and the citation marks left out (a glance restates on purpose; a mark is not a figure)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.prose: dict[str, list[str]] = {}
        self.tables: list[str] = []
        self.section = ""
        self._skip = 0
        self._prose_depth = 0
        self._table_depth = 0

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "section" and attrs.get("id", "").startswith("section-"):
            self.section = attrs["id"]
        if self._skip or attrs.get("id") == "glance" or "citations" in classes:
            self._skip += 1
        elif tag == "div" and "prose" in classes or self._prose_depth:
            self._prose_depth += 1
        if tag == "table" and not self._skip:
            self._table_depth += 1
            self.tables.append("")

    def handle_endtag(self, tag) -> None:
        if self._skip:
            self._skip -= 1
        elif self._prose_depth:
            self._prose_depth -= 1
        if tag == "table" and self._table_depth:
            self._table_depth -= 1

    def handle_data(self, data) -> None:
        if self._skip:
            return
        if self._prose_depth:
            self.prose.setdefault(self.section, []).append(data)
        if self._table_depth:
            self.tables[-1] += data + " "


def page_parts(client, slug: str) -> _PageParts:
    response = client.get(reverse("monographs:drug_detail", args=[slug]))
    assert response.status_code == 200
    parts = _PageParts()
    parts.feed(response.content.decode())
    return parts


def test_the_parser_finds_figures_as_prose_and_tables_write_them():
    assert figures_in("38–49 % and 25 - 48 h, 400 mg twice, grade 3 in 9 of 14") == {
        "38-49 %",
        "25-48 h",
        "400 mg",
        "14",
    }


def test_no_figure_of_a_seeded_monograph_table_is_said_again_in_its_prose(
    client, published_seed_corpus
):
    drugs = Entry.objects.filter(kind="drug").values_list("slug", flat=True)
    checked = 0
    restated = {}
    for slug in drugs:
        parts = page_parts(client, slug)
        in_tables = set().union(*(figures_in(table) for table in parts.tables))
        for section, texts in parts.prose.items():
            again = figures_in(" ".join(texts)) & in_tables
            if again:
                restated[f"{slug} {section}"] = sorted(again)
        checked += bool(parts.tables)
    assert checked, "no seeded monograph has a table"
    assert not restated, "\n".join(f"{where}: {figures}" for where, figures in restated.items())

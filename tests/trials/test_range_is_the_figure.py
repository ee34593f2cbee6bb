"""An outcome whose statistic is a range is shown as that range where the result goes, never
as "Not stated" beside it: a phase I programme's doses tested (50–1200 mg/day), on its page
and in the outcomes export. A range around a median stays a range, and a median the source
does not give stays not stated."""

import html
import re

import pytest
from django.urls import reverse

from monographs.api.exports.tables import outcome_rows as exported_outcome_rows
from monographs.publishing.models import Entry
from trials.views.presentation import outcome_rows

pytestmark = pytest.mark.django_db


def cells(page: str) -> dict[str, list[str]]:
    """Each table row's header text -> its cells' text."""
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            text = [
                re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
            rows[re.sub(r"<[^>]+>|\s+", " ", header.group(1)).strip()] = text
    return rows


def test_doses_tested_are_the_result(client, published_seed_corpus):
    page = client.get(reverse("trials:trial_detail", args=["sorafenib-phase-1-programme"]))
    row = next(v for k, v in cells(page.content.decode()).items() if "Daily doses tested" in k)

    assert row[1].startswith("50–1200 mg/day")
    assert "Not stated" not in " ".join(row)


def test_a_range_around_a_value_stays_a_range():
    (median,) = outcome_rows(
        {
            "outcomes": [
                {
                    "measure": "OS",
                    "measure_label": "Overall survival",
                    "statistic": "median",
                    "value": 10.7,
                    "unit": "months",
                    "range_low": 2,
                    "range_high": 30,
                }
            ]
        }
    )
    (unstated,) = outcome_rows(
        {
            "outcomes": [
                {
                    "measure": "OS",
                    "measure_label": "Overall survival",
                    "statistic": "median",
                    "unit": "months",
                    "range_low": 2,
                    "range_high": 30,
                }
            ]
        }
    )

    assert (median["result"], median["interval"]) == ("10.7 months", "range 2–30 months")
    assert not unstated["result_stated"] and unstated["interval"] == "range 2–30 months"


def test_the_export_states_the_same_result(published_seed_corpus):
    programme = Entry.objects.filter(slug="sorafenib-phase-1-programme").select_related("current")
    row = next(r for r in exported_outcome_rows(programme) if r["label"] == "Daily doses tested")

    assert row["result"] == "50–1200 mg/day"

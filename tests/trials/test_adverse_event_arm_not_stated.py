"""A trial's adverse event whose source names no arm is shown as that, "Arm not stated", and
never as one of all participants; its editorial note (why, and what the source does say)
is shown with it on the trial's page and on the term's. Judged on the seed records: SHARP's
grade 3 ceiling ("did not exceed 8%") names neither arm, and the phase I programme's grade 3
alopecia comes from one of its studies only."""

import html
import re

import pytest
from django.urls import reverse

from monographs.views.vocabulary import _note_on_entry_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeds(published_seed_corpus):
    """The seed corpus, loaded once for the module."""


def text_of(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode())))


def test_sharps_grade_3_ceiling_names_no_arm_and_says_why(client):
    text = text_of(client, reverse("trials:trial_detail", args=["sharp"]))

    assert "All participants" not in text
    assert "Arm not stated · Grade 3" in text
    assert "Editorial note on Diarrhea (Arm not stated · Grade 3):" in text
    assert text.count("The arm is not stated.") == 2


def test_a_figure_from_one_study_of_a_programme_keeps_its_note(client):
    text = text_of(client, reverse("trials:trial_detail", args=["sorafenib-phase-1-programme"]))

    assert "All participants" not in text
    assert "Editorial note on Alopecia (Arm not stated · Grade 3):" in text
    assert "In the study of long-term treatment at 400 mg twice daily." in text


def test_the_terms_page_says_the_same(client):
    text = text_of(client, reverse("monographs:adverse_event_detail", args=["diarrhea"]))

    assert "All participants" not in text and "All patients" not in text
    assert "Arm not stated" in text
    assert "Editorial note: Grade 3 toxicity 'did not exceed 8%'" in text


def test_a_notes_citation_on_the_terms_page_points_at_the_trials_reference_list():
    note = _note_on_entry_page(
        "As in [@llovet-2008].",
        references=[{"key": "llovet-2008", "number": 3}],
        url="/trials/sharp/",
    )

    assert 'href="/trials/sharp/#ref-3"' in note and "#ref-3" in note
    assert _note_on_entry_page("", references=[], url="/trials/sharp/") == ""

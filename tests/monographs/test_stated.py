"""A fact the source does not state is said with its name: 'Phase not stated', never a bare
'Not stated in the source' beside other facts, and never 'no'."""

import pytest
from django.template import engines

from monographs.stated import is_not_stated, not_stated_phrase, stated_choice, stated_member
from trials.models import Trial


def test_the_phrase_names_the_fact():
    assert not_stated_phrase("phase") == "Phase not stated"
    assert not_stated_phrase("frequency band") == "Frequency band not stated"


@pytest.mark.parametrize("value", ["not_stated", "unknown", "", None])
def test_every_way_a_choice_stores_silence_is_not_stated(value):
    assert is_not_stated(value)
    assert stated_choice(fact="severity", value=value, label="x") == "Severity not stated"


@pytest.mark.parametrize("value", ["3", 3, "n/a", "not_known", "no", "major"])
def test_a_stated_value_keeps_its_label(value):
    """'Not known' is a frequency band of its own and 'n/a' a phase: both are stated."""
    assert not is_not_stated(value)
    assert stated_choice(fact="phase", value=value, label="Label") == "Label"


def test_a_document_member_reads_its_label_or_names_what_is_missing():
    stated = {"phase": "3", "phase_label": "Phase III"}
    silent = {"phase": "not_stated", "phase_label": Trial.Phase.NOT_STATED.label}

    assert stated_member(stated, "phase") == "Phase III"
    assert stated_member(silent, "phase") == "Phase not stated"


def test_a_document_read_without_the_value_fails_rather_than_reading_not_stated():
    with pytest.raises(KeyError):
        stated_member({"phase_label": "Phase III"}, "phase")


def test_the_template_filters_say_the_same():
    template = engines["django"].from_string(
        '{% load public_site %}{{ doc|stated_member:"design" }}|{{ sev|not_stated:"severity" }}'
    )
    silent = {"design": "not_stated", "design_label": "Not stated in the source"}
    stated = {"design": "single_arm", "design_label": "Single-arm"}

    assert template.render({"doc": silent, "sev": "unknown"}) == (
        "Design not stated|Severity not stated"
    )
    assert template.render({"doc": stated, "sev": "major"}) == "Single-arm|"

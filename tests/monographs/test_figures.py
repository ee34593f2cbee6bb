"""The figure formatter: every shape of figure, as the source states it, in pages and charts."""

import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from monographs.charts.incidence import IncidenceRow, incidence_bars
from monographs.figures import (
    Figure,
    format_figure,
    incidence,
    interval_text,
    outcome_figure,
    plain_number,
    trial_incidence,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("figure", "text"),
    [
        (Figure(value=Decimal("10.70"), unit="months"), "10.7 months"),
        (Figure(value=Decimal("0.00058")), "0.00058"),
        (Figure(value=Decimal("400.000"), unit="mg"), "400 mg"),
        (Figure(value=0), "0"),
        (Figure(low=5, high=11, unit="%"), "5–11%"),
        (Figure(low=18, high=18, unit="%"), "18%"),
        (Figure(high=1, bound="lt", unit="%"), "<1%"),
        (Figure(high=8, bound="le", unit="%"), "≤8%"),
        (Figure(high=8, unit="%"), "≤8%"),
        (Figure(low=2, bound="gt", unit="years"), ">2 years"),
        (Figure(low=50, bound="ge", unit="%"), "≥50%"),
        (Figure(value=30, bound="approx", unit="%"), "~30%"),
        (Figure(low=Decimal("64.3"), count=9, denominator=14, unit="%"), "9/14 (64.3%)"),
        (Figure(count=9, denominator=14, unit="%"), "9/14"),
        (Figure(count=2), "2"),
        (Figure(), "–"),
    ],
)
def test_each_shape_reads_as_the_source_states_it(figure, text):
    assert figure.text() == text


def test_bounds_in_words_for_screen_readers():
    assert incidence((None, 1), "lt").words() == "less than 1%"
    assert incidence((None, 8), "le").words() == "at most 8%"
    assert Figure(low=2, bound="ge", unit="years").words() == "at least 2 years"
    assert Figure(value=30, bound="approx", unit="%").words() == "about 30%"


def test_signed_changes():
    from monographs.figures import signed_change

    assert signed_change(36, 80) == "+36–80%"
    assert signed_change(Decimal("-20"), None) == "−20%"
    assert signed_change(-30, -10) == "−30–10%"
    assert signed_change(-10, 5, "") == "−10 to +5"
    assert signed_change(None, None) == ""


def test_intervals_and_plain_numbers():
    assert interval_text(Decimal("9.40"), Decimal("13.3"), "months") == "9.4–13.3 months"
    assert interval_text(None, None) == ""
    assert interval_text(Decimal("19"), None, "months") == "from 19 months, upper limit not given"
    assert interval_text(None, 50) == "up to 50, lower limit not given"
    assert plain_number(None) == "–"
    assert plain_number(Decimal("-2.50")) == "-2.5"
    assert plain_number(1e-7) == "0.0000001"
    assert format_figure(Decimal("1E+2"), unit="mg") == "100 mg"


numbers = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
units = st.sampled_from(["%", "months", "days", "mg", ""])


@st.composite
def figures(draw) -> Figure:
    shape = draw(st.sampled_from(["value", "range", "lt", "le", "gt", "ge", "approx", "count"]))
    unit = draw(units)
    a, b = sorted([draw(numbers), draw(numbers)])
    count = draw(st.none() | st.integers(min_value=0, max_value=50))
    denominator = None if count is None else draw(st.none() | st.integers(count, count + 50))
    if shape == "value":
        return Figure(value=a, count=count, denominator=denominator, unit=unit)
    if shape == "range":
        return Figure(low=a, high=b, count=count, denominator=denominator, unit=unit)
    if shape in ("lt", "le"):
        return Figure(high=b, bound=shape, count=count, denominator=denominator, unit=unit)
    if shape in ("gt", "ge"):
        return Figure(low=a, bound=shape, count=count, denominator=denominator, unit=unit)
    if shape == "approx":
        return Figure(value=a, bound="approx", unit=unit)
    return Figure(count=draw(st.integers(0, 50)), unit=unit)


@given(figures())
@settings(max_examples=200, deadline=None)
def test_every_number_of_a_figure_is_in_its_text_unrounded(figure):
    text = figure.text()
    for number in (figure.value, figure.low, figure.high):
        if number is not None:
            assert plain_number(number) in text
            assert Decimal(plain_number(number)) == number
    if figure.count is not None:
        assert text.startswith(str(figure.count))
    if figure.kind == "range":
        assert "–" in text
    measured = figure.measure_text()
    if measured:
        assert measured in text
    if figure.kind == "upper":
        assert measured[0] in "<≤"
    if figure.kind == "lower":
        assert measured[0] in ">≥"


@given(figures())
@settings(max_examples=100, deadline=None)
def test_every_percent_shape_renders_the_same_in_tables_and_charts(figure):
    percent = Figure(
        value=figure.value,
        low=figure.low,
        high=figure.high,
        bound=figure.bound,
        count=figure.count,
        denominator=figure.denominator,
        unit="%",
    )
    cell = {
        "percent": percent.value if percent.value is not None else percent.low,
        "percent_high": percent.high,
        "percent_bound": percent.bound,
        "count": percent.count,
        "denominator": percent.denominator,
    }
    row = {
        "any_grade": [cell["percent"], percent.high],
        "any_grade_bound": percent.bound,
    }
    rendered = Template(
        "{% load public_site %}[{{ cell|trial_ae_figure }}][{{ row|drug_incidence:'any_grade' }}]"
    ).render(Context({"cell": cell, "row": row}))
    expected_cell = trial_incidence(cell)
    expected_row = incidence(row["any_grade"], row["any_grade_bound"])
    assert rendered == escape(f"[{expected_cell.text()}][{expected_row.text()}]")

    svg = incidence_bars(
        [IncidenceRow(label="Event", any_grade=expected_row, severe=expected_cell)], title="t"
    )
    if expected_row.is_empty and expected_cell.is_empty:
        assert svg == ""
        return
    root = ElementTree.fromstring(str(svg))
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    labels = [f.text() if not f.is_empty else "not stated" for f in (expected_row, expected_cell)]
    assert " / ".join(labels) in texts
    description = next(root.iter(f"{SVG}desc")).text
    assert (expected_row.words() if not expected_row.is_empty else "not stated") in description
    dashed = [rect for rect in root.iter(f"{SVG}rect") if rect.get("stroke-dasharray")]
    uppers = sum(f.kind == "upper" for f in (expected_row, expected_cell))
    assert len(dashed) == (uppers + 1 if uppers else 0)  # each bound, and the legend sample


@st.composite
def typed_figures(draw) -> tuple[Decimal, int]:
    """A figure as an editor or a source writes it: digits and the places written (8.0, 10.50)."""
    places = draw(st.integers(min_value=0, max_value=3))
    digits = draw(st.integers(min_value=0, max_value=100 * 10**places))
    return Decimal(digits).scaleb(-places), places


@given(typed_figures(), typed_figures(), units)
@settings(max_examples=150, deadline=None)
def test_precision_as_entered_reaches_tables_and_charts(figure, percent_figure, unit):
    """What the document holds (a JSON number and its stated places) is written with exactly
    the places typed, in every table cell and chart that shows it."""
    from monographs.charts.estimates import Estimate, estimates_chart
    from monographs.editorial.documents import as_number
    from monographs.figures import as_entered, with_unit

    value, places = figure
    percent, percent_places = percent_figure
    typed, typed_percent = f"{value:f}", f"{percent:f}"
    document = {
        "pharmacokinetics": [
            {
                "value": as_number(value),
                "range_low": as_number(value),
                "range_high": None,
                "unit": unit,
                "stated_places": {"value": places, "range_low": places},
            }
        ],
        "adverse_events": [
            {
                "any_grade": [as_number(percent), as_number(percent)],
                "any_grade_bound": "",
                "grade_3_plus": [None, as_number(percent)],
                "grade_3_plus_bound": "lt",
                "stated_places": {
                    "any_grade_low": percent_places,
                    "any_grade_high": percent_places,
                    "grade_3_plus_high": percent_places,
                },
            }
        ],
        "outcomes": [
            {
                "value": as_number(value),
                "unit": "months",
                "count": None,
                "denominator": None,
                "stated_places": {"value": places},
            }
        ],
    }
    shown = as_entered(document)
    pk, ae = shown["pharmacokinetics"][0], shown["adverse_events"][0]

    rendered = Template(
        "{% load public_site %}[{{ pk.value|with_unit:pk.unit }}][{{ pk|range_cell }}]"
        "[{{ ae|drug_incidence:'any_grade' }}][{{ ae|drug_incidence:'grade_3_plus' }}]"
    ).render(Context({"pk": pk, "ae": ae}))
    assert rendered == escape(
        f"[{with_unit(typed, unit)}][≥{with_unit(typed, unit)}]"
        f"[{typed_percent}%][<{typed_percent}%]"
    )
    outcome = shown["outcomes"][0]
    assert outcome_figure(outcome).text() == f"{typed} months"

    bars = incidence_bars(
        [IncidenceRow(label="Event", any_grade=incidence(ae["any_grade"]), severe=Figure())],
        title="t",
    )
    bar_texts = [e.text or "" for e in ElementTree.fromstring(str(bars)).iter(f"{SVG}text")]
    assert any(t.startswith(f"{typed_percent}%") for t in bar_texts), bar_texts
    if value:
        chart = estimates_chart([Estimate(label="Arm", value=outcome["value"])], title="t")
        texts = [e.text or "" for e in ElementTree.fromstring(str(chart)).iter(f"{SVG}text")]
        assert typed in texts, texts


@given(figures())
@settings(max_examples=100, deadline=None)
def test_every_outcome_shape_reads_the_same_in_the_outcome_table_and_the_median_chart(figure):
    """An outcome's result as a document row holds it (value, value_high, value_bound) is
    written by the one formatter in the trial's outcome table, and a value or bound is drawn
    with the same text on its median chart."""
    from trials.views.presentation import median_charts, outcome_rows

    point = figure.value if figure.value is not None else figure.low
    outcome = {
        "measure": "OS",
        "measure_label": "Overall survival",
        "label": "",
        "arm": "Sorafenib",
        "statistic": "median",
        "value": point,
        "unit": "months",
        "count": figure.count,
        "denominator": figure.denominator,
        **(
            {"value_high": figure.high, "value_bound": figure.bound}
            if figure.high or figure.bound
            else {}
        ),
    }
    expected = Figure(
        low=point,
        high=figure.high,
        bound=figure.bound,
        count=figure.count,
        denominator=figure.denominator,
        unit="months",
    )
    document = {"title": "Trial", "acronym": "T", "outcomes": [outcome]}

    (row,) = outcome_rows(document)
    charts = median_charts(document)

    assert row["result"] == expected.text()
    if expected.kind in ("value", "upper", "lower"):
        (chart,) = charts
        assert f"Sorafenib: {expected.measure_text()}" in str(chart["svg"]).replace(
            "&lt;", "<"
        ).replace("&gt;", ">")
    else:
        assert charts == []


def test_a_count_of_entries_separates_its_thousands_a_figure_keeps_its_digits():
    """9,190 trials on a page; a source's 1200 patients stays as the source wrote it."""
    from django.template import Context, Template

    from monographs.figures import entry_count

    assert [entry_count(n) for n in (None, 0, 7, 9190, 100000)] == [
        "0",
        "0",
        "7",
        "9,190",
        "100,000",
    ]
    page = Template("{% load public_site %}{{ trials|entry_count }} · {{ enrolled|number }}")
    assert page.render(Context({"trials": 100000, "enrolled": 1200})) == "100,000 · 1200"

"""The SVG charts: accessible, escaped, and drawn where the numbers say."""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from monographs.charts.drawing import NARROW, PLOT_LEFT, PLOT_RIGHT, WIDE, responsive
from monographs.charts.estimates import Estimate, estimates_chart, forest_plot
from monographs.charts.incidence import IncidenceRow, incidence_bars
from monographs.figures import Figure, incidence

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def accessible_name(root: ElementTree.Element) -> tuple[str, str]:
    title_id, description_id = root.get("aria-labelledby").split()
    by_id = {element.get("id"): element.text for element in root.iter() if element.get("id")}
    return by_id[title_id], by_id[description_id]


def test_estimates_chart_is_an_image_with_a_text_alternative():
    svg = estimates_chart(
        [
            Estimate(label="Sorafenib", value=10.7, low=9.4, high=13.3, group="Overall survival"),
            Estimate(label="Placebo", value=7.9, low=6.8, high=9.1, group="Overall survival"),
        ],
        title="Median overall survival in SHARP",
    )

    root = parse(svg)
    assert root.get("role") == "img"
    title, description = accessible_name(root)
    assert title == "Median overall survival in SHARP"
    assert "Sorafenib: 10.7 months, CI 9.4–13.3" in description
    assert "Placebo: 7.9 months, CI 6.8–9.1" in description


def test_estimates_are_placed_in_proportion():
    root = parse(
        estimates_chart(
            [Estimate(label="A", value=10), Estimate(label="B", value=5)], title="t", unit="months"
        )
    )

    dots = [float(circle.get("cx")) for circle in root.iter(f"{SVG}circle")]
    assert dots[0] - PLOT_LEFT == 2 * (dots[1] - PLOT_LEFT)
    assert all(PLOT_LEFT <= x <= PLOT_RIGHT for x in dots)


def test_labels_are_escaped():
    svg = str(
        incidence_bars(
            [
                IncidenceRow(
                    label='<script>"x"</script> & co',
                    any_grade=incidence((5, 5)),
                    severe=incidence((1, 1)),
                )
            ],
            title="Rash <b>",
        )
    )

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)


def test_forest_plot_puts_benefit_left_of_the_line_of_no_effect():
    root = parse(
        forest_plot(
            [
                Estimate(label="SHARP", detail="OS", value=0.69, low=0.55, high=0.87),
                Estimate(label="Harm", detail="PFS", value=1.5, low=1.1, high=2.0),
            ],
            title="Hazard ratios",
        )
    )

    no_effect = next(
        float(line.get("x1")) for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")
    )
    squares = [float(rect.get("x")) + 6 for rect in root.iter(f"{SVG}rect")]
    assert squares[0] < no_effect < squares[1]
    _, description = accessible_name(root)
    assert "SHARP (OS): hazard ratio 0.69, 95% CI 0.55–0.87" in description


def test_incidence_bars_show_any_grade_and_severe_with_ranges():
    root = parse(
        incidence_bars(
            [
                IncidenceRow(
                    label="Diarrhoea", any_grade=incidence((20, 40)), severe=incidence((5, None))
                )
            ],
            title="Adverse events",
        )
    )

    _, description = accessible_name(root)
    assert description == "Diarrhoea: any grade 20–40%, grade 3 or higher 5%"
    bars = [
        rect
        for rect in root.iter(f"{SVG}rect")
        if rect.get("x") and float(rect.get("x")) >= PLOT_LEFT and rect.get("width") != "12"
    ]
    widths = [float(rect.get("width")) for rect in bars]
    assert len(bars) == 3  # any grade to its low end, the rest of its range, grade >=3
    assert widths[0] == widths[1]
    assert widths[2] == widths[0] / 4


def test_charts_without_data_render_nothing():
    assert estimates_chart([], title="t") == ""
    assert forest_plot([], title="t") == ""
    assert incidence_bars([IncidenceRow("x", Figure(), Figure())], title="t") == ""


def test_each_chart_has_its_own_ids():
    first = str(forest_plot([Estimate(label="a", value=1)], title="t"))
    second = str(forest_plot([Estimate(label="a", value=1)], title="t"))

    assert re.search(r'id="(chart-\d+)-title"', first).group(1) != re.search(
        r'id="(chart-\d+)-title"', second
    ).group(1)


def test_an_upper_bound_is_drawn_as_a_bound_not_a_value():
    root = parse(
        incidence_bars(
            [
                IncidenceRow(
                    label="Diarrhoea",
                    any_grade=Figure(),
                    severe=incidence((None, 8), "le"),
                    severe_scope="Grade 3",
                ),
                IncidenceRow(
                    label="Pancreatitis", any_grade=incidence((None, 1), "lt"), severe=Figure()
                ),
            ],
            title="Adverse events",
        )
    )

    _, description = accessible_name(root)
    assert description == (
        "Diarrhoea: any grade not stated, grade 3 at most 8%; "
        "Pancreatitis: any grade less than 1%, grade 3 or higher not stated"
    )
    outlined = [rect for rect in root.iter(f"{SVG}rect") if rect.get("stroke-dasharray")]
    assert len(outlined) == 3  # two bounds and the legend's sample
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "not stated / ≤8% (grade 3)" in texts
    assert "<1% / not stated" in texts


def test_an_arms_further_grade_is_drawn_on_a_row_of_its_own_without_any_grade():
    """The arm's any-grade figure is on its first row: the row of a further grade neither
    shows nor describes one, and never says the source left it out."""
    from monographs.charts.incidence import trial_incidence_rows

    cells = [
        (
            "Hypertension",
            "Sorafenib",
            {"grade_scope": scope, "count": n, "percent": percent, "denominator": 305},
        )
        for scope, n, percent in (("any", 150, 49.2), ("grade_3", 12, 3.9), ("grade_4", 2, 0.7))
    ]
    rows = trial_incidence_rows(cells)
    root = parse(incidence_bars(rows, title="Adverse events by arm"))

    _, description = accessible_name(root)
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert [row.any_grade_on_row for row in rows] == [True, False]
    assert "Hypertension, Sorafenib (grade 4): grade 4 2/305 (0.7%)" in description
    assert "2/305 (0.7%) (grade 4)" in texts
    assert "(grade 4): any grade" not in description and "not stated" not in description
    assert not any(text and text.startswith(("not stated", "–")) for text in texts)


def test_an_arms_any_grade_goes_on_its_first_row_drawn():
    """A first grade given without a figure is not drawn: the next row says the any-grade
    figure is not stated."""
    from monographs.charts.incidence import trial_incidence_rows

    cells = [
        ("Rash", "Sorafenib", {"grade_scope": "grade_3"}),
        ("Rash", "Sorafenib", {"grade_scope": "grade_4", "percent": 1.0}),
    ]
    rows = trial_incidence_rows(cells)
    _, description = accessible_name(parse(incidence_bars(rows, title="Adverse events")))

    assert [row.any_grade_on_row for row in rows] == [True, True]
    assert description == "Rash, Sorafenib (grade 4): any grade not stated, grade 4 1%"


def test_an_incidence_caption_describes_only_what_is_drawn():
    from monographs.charts.incidence import incidence_caption

    plain = [IncidenceRow(label="A", any_grade=incidence((5, 5)), severe=incidence((1, 1)))]
    bounded = [
        IncidenceRow(
            label="B",
            any_grade=incidence((5, 11)),
            severe=incidence((None, 8), "le"),
            severe_scope="Grade 3",
        )
    ]

    assert incidence_caption(plain) == (
        "Incidence in % of patients: any grade against grade 3 or higher."
    )
    caption = incidence_caption(bounded)
    assert "the grades the source names" in caption
    assert "A lighter band shows a range." in caption
    assert "A dashed outline is an upper bound" in caption


@pytest.mark.parametrize(
    "draw",
    [
        lambda layout: estimates_chart(
            [
                Estimate(label="Sorafenib", value=10.7, low=9.4, high=13.3, group="OS"),
                Estimate(label="Placebo", value=7.9, low=6.8, high=9.1, group="OS"),
            ],
            title="t",
            layout=layout,
        ),
        lambda layout: forest_plot(
            [
                Estimate(
                    label="SHARP",
                    detail="OS · Sorafenib vs Placebo",
                    value=0.69,
                    low=0.55,
                    high=0.87,
                )
            ],
            title="t",
            layout=layout,
        ),
        lambda layout: incidence_bars(
            [
                IncidenceRow(
                    label="Palmar-plantar erythrodysesthesia syndrome",
                    any_grade=incidence((21, 45)),
                    severe=incidence((None, 8), "le"),
                    severe_scope="Grade 3",
                    group="Advanced HCC, phase III SHARP trial",
                )
            ],
            title="t",
            layout=layout,
        ),
    ],
    ids=["estimates", "forest", "incidence"],
)
def test_the_narrow_layout_keeps_every_mark_and_figure_inside_a_phone_wide_drawing(draw):
    wide, narrow = parse(draw(WIDE)), parse(draw(NARROW))

    width = float(narrow.get("viewBox").split()[2])
    assert width == NARROW.width < WIDE.width
    assert "chart--narrow" in narrow.get("class") and "chart--wide" in wide.get("class")
    xs = [float(c.get("cx")) for c in narrow.iter(f"{SVG}circle")]
    xs += [float(r.get("x")) + float(r.get("width")) for r in narrow.iter(f"{SVG}rect")]
    xs += [float(line.get(end)) for line in narrow.iter(f"{SVG}line") for end in ("x1", "x2")]
    assert xs and all(0 <= x <= width for x in xs)
    figures = {t.text for t in wide.iter(f"{SVG}text")} - {
        t.text for t in narrow.iter(f"{SVG}text")
    }
    assert not {f for f in figures if any(ch.isdigit() for ch in f or "")}, (
        "every figure of the wide drawing is written in the narrow one too"
    )
    assert accessible_name(wide)[1] == accessible_name(narrow)[1]


def test_a_chart_comes_in_both_layouts_and_nothing_when_empty():
    both = str(responsive(forest_plot, [Estimate(label="a", value=1)], title="t"))

    assert both.count("<svg") == 2
    assert 'class="chart chart--wide"' in both and 'class="chart chart--narrow"' in both
    assert responsive(forest_plot, [], title="t") == ""


def test_a_terms_rows_are_drawn_together_however_its_arms_were_entered():
    """Diarrhoea entered for one arm, then rash, then diarrhoea for the other arm: the
    chart names each term once, with its arms under it, in the order the terms came."""
    from monographs.charts.incidence import trial_incidence_rows

    cells = [
        ("Diarrhoea", "Sorafenib", {"grade_scope": "any", "percent": 55}),
        ("Rash", "Sorafenib", {"grade_scope": "any", "percent": 16}),
        ("Diarrhoea", "Placebo", {"grade_scope": "any", "percent": 25}),
    ]

    rows = trial_incidence_rows(cells)

    assert [(row.group, row.label) for row in rows] == [
        ("Diarrhoea", "Sorafenib"),
        ("Diarrhoea", "Placebo"),
        ("Rash", "Sorafenib"),
    ]


def test_the_figures_after_the_bars_fit_the_chart():
    """The longest figure written after a bar ends inside the chart: the plot gives way."""
    from monographs.charts.drawing import CHAR_WIDTH, WIDE
    from monographs.charts.incidence import trial_incidence_rows

    cells = [
        ("Hand-foot skin reaction", "Sorafenib", {"grade_scope": "grade_3_4", "percent": 9.5}),
        ("Diarrhoea", "Sorafenib", {"grade_scope": "any", "percent": 55}),
    ]
    root = parse(incidence_bars(trial_incidence_rows(cells), title="Adverse events"))

    texts = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "start" and t.text]
    written = [t for t in texts if "%" in t.text]
    assert written
    for text in written:
        assert float(text.get("x")) + len(text.text) * CHAR_WIDTH <= WIDE.width, text.text

"""The seeded monograph, a short entry and a trial with charts, read at 1366 and 390 px.

The seed corpus is the real scale: the sorafenib monograph is the longest page the site has.
Each page is checked for what a reader needs first, for sideways scrolling, and by axe-core
(every violation, whatever its impact); screenshots go to the test run's artefacts.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import ARTIFACTS_DIR, AXE_SCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture
def page(browser, live_server):
    """A page axe-core can be injected into (see test_public_site)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def seeded():
    call_command("load_seeds", stdout=StringIO())


def all_axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]


def assert_no_sideways_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways ({scroll_width}px at {width}px)"
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap, .chart-figure')]
            .filter(box => box.scrollWidth > box.clientWidth + 1)
            .map(box => box.querySelector('caption, svg title')?.textContent)"""
    )
    assert hidden == [], f"boxes that scroll sideways out of sight: {hidden}"


def top_of(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + scrollY")


def shot(page, name: str) -> None:
    """One screenful: the monograph is too long for a useful full-page picture."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"reading-{name}.png"))


def record_length(name: str, page) -> None:
    """Page heights of this run, for docs/performance.md's page-length table."""
    path = ARTIFACTS_DIR / "page-length.json"
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    lengths = json.loads(path.read_text()) if path.exists() else {}
    lengths[name] = page.evaluate("document.documentElement.scrollHeight")
    path.write_text(json.dumps(lengths, indent=2, sort_keys=True))


@pytest.mark.parametrize("device", WIDTHS)
def test_the_seeded_monograph_answers_first_and_fits_the_screen(page, seeded, device):
    width = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/drugs/sorafenib/")

    glance = page.get_by_role("region", name="At a glance")
    assert glance.is_visible()
    dose = glance.get_by_text("400 mg twice daily, oral (800 mg a day)")
    assert dose.is_visible()
    assert top_of(page, "#glance") < 2 * 900, "the answers are within two screens of the top"
    for part in (
        "Usual dose",
        "Commonest adverse events",
        "Warnings that need monitoring",
        "Interactions to check",
        "If it stops working",
    ):
        assert glance.get_by_role("heading", name=part).is_visible(), part
    glance.get_by_role("link", name="Dosage and administration").click()
    assert page.evaluate("location.hash") == "#section-dosage"

    contents = page.locator(".toc__details")
    assert contents.evaluate("details => details.open") is (device == "desktop"), (
        "the contents are open beside the text, folded on a phone"
    )
    assert_no_sideways_scroll(page, width)
    record_length(f"sorafenib-{width}", page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, f"sorafenib-{width}-top")
    page.locator("#section-adverse_events").scroll_into_view_if_needed()
    shot(page, f"sorafenib-{width}-adverse-events")
    assert all_axe_violations(page) == []


@pytest.mark.parametrize("device", WIDTHS)
def test_a_drug_known_from_mentions_is_a_short_entry_linking_back(page, screenshot, seeded, device):
    width = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/drugs/warfarin/")

    assert page.get_by_text("Drug · short entry").is_visible()
    assert page.get_by_role("navigation", name="On this page").count() == 0
    mentioned = page.get_by_role("region", name="Where warfarin is mentioned")
    assert mentioned.get_by_text("Interacts with sorafenib").is_visible()
    mentioned.get_by_role("link", name="Sorafenib monograph").click()
    page.wait_for_url("**/drugs/sorafenib/#section-interactions")
    interactions = page.locator("#section-interactions")
    assert interactions.get_by_role("link", name="Warfarin").is_visible()

    page.goto("/drugs/warfarin/")
    assert_no_sideways_scroll(page, width)
    screenshot(f"warfarin-{width}")
    assert all_axe_violations(page) == []


@pytest.mark.parametrize("device", WIDTHS)
def test_trial_charts_fit_the_screen_with_every_value_in_sight(page, screenshot, seeded, device):
    width = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/trials/sharp/")

    charts = page.locator("svg.chart")
    shown = [chart for chart in charts.all() if chart.is_visible()]
    assert shown, "no chart is shown"
    assert all(
        chart.get_attribute("class").endswith("narrow" if device == "phone" else "wide")
        for chart in shown
    )
    for chart in shown:
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        for dot in chart.locator("circle").all():
            dot_box = dot.bounding_box()
            assert dot_box and dot_box["x"] >= 0 and dot_box["x"] + dot_box["width"] <= width, (
                "a dot is off screen"
            )
        sizes = chart.locator("text").evaluate_all(
            "texts => texts.map(t => t.getBoundingClientRect().height)"
        )
        assert min(sizes) >= 11, f"chart text {min(sizes):.1f}px high is too small to read"
    survival = shown[0].locator("circle")
    assert survival.count() >= 2, "the overall-survival dots are drawn"
    assert_no_sideways_scroll(page, width)
    record_length(f"sharp-{width}", page)
    page.locator(".chart-figure").first.scroll_into_view_if_needed()
    screenshot(f"sharp-{width}")
    assert all_axe_violations(page) == []


LONGEST_CHART_WORDS = [
    "/trials/sorafenib-phase-1-programme/",
    "/trials/gist-kinase-inhibitors-retrospective-italiano/",
    "/adverse-events/diarrhea/",
]


@pytest.mark.parametrize("device", WIDTHS)
def test_the_longest_chart_words_stay_inside_the_chart_and_the_page(page, seeded, device):
    """The phase I programme's hypertension reads '5–11% / 0–5% (grade 3–4)', the longest
    figure pair of the corpus, and its table has the most grade columns; the GIST series and
    the diarrhoea page carry the longest measure and study names a chart heads rows with."""
    width = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": 900})
    for path in LONGEST_CHART_WORDS:
        page.goto(path)
        cut = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart')]
                .filter(svg => svg.checkVisibility())
                .flatMap(svg => {
                  const right = svg.viewBox.baseVal.width;
                  return [...svg.querySelectorAll('text')]
                    .filter(text => text.getBBox().x + text.getBBox().width > right)
                    .map(text => text.textContent);
                })"""
        )
        assert cut == [], f"chart text cut off at the right on {path}: {cut}"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways ({scroll_width}px at {width}px)"
    page.goto(LONGEST_CHART_WORDS[0])
    assert "5–11% / 0–5% (grade 3–4)" in page.locator("svg.chart").first.text_content()


def accessible_description(page, role: str, name: str) -> str | None:
    """The description Chromium gives screen readers for the element of this role and name."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    (found,) = [
        node
        for node in nodes
        if node.get("role", {}).get("value") == role and node.get("name", {}).get("value") == name
    ]
    return found.get("description", {}).get("value")


@pytest.mark.parametrize("device", WIDTHS)
def test_the_adverse_event_grid_is_described_as_each_screen_shows_it(page, seeded, device):
    """The phase I programme's grid cites one passage throughout and has gaps: its
    description says the passage once, and the dash only where dashes are shown (a narrow
    screen's cards leave the gaps out, and the line explaining them)."""
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.goto("/trials/sorafenib-phase-1-programme/")

    description = accessible_description(
        page, "region", "Adverse events by arm and grade: patients (%)"
    )

    passage = "Trial review, phase I safety paragraph (ref [3])"
    assert description.startswith("Source of every figure: Reference ")
    assert description.count(passage) == 1
    dash = "A dash (–): the trial states no figure for that arm and grade."
    assert (dash in description) is (device == "desktop")
    assert page.locator(".ae-notes__dash").is_visible() is (device == "desktop")

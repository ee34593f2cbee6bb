"""Each public page type in headless Chromium: what a reader sees, and axe-core's verdict.

Screenshots go to the test run's artefacts (TEST_ARTIFACTS_DIR, default test-artifacts/).
"""

import re

import pytest

from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from tests.factories import UserFactory
from tests.site.corpus import published_drug, published_trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    """The shared page, but one axe-core can be injected into.

    axe-core goes in as an inline script, which the site's Content-Security-Policy rightly
    refuses; test_pages_need_nothing_the_security_policy_refuses checks the pages under
    the policy as a reader's browser enforces it.
    """
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def corpus():
    sorafenib = published_drug(inn="sorafenib", slug="sorafenib")
    sorafenib.summary = "Oral multikinase inhibitor of RAF and VEGF receptors."
    sorafenib.save()
    root_import_publish(root=sorafenib, note="Clearer summary.")
    other = published_drug(inn="lenvatinib", slug="lenvatinib")
    sharp = published_trial(drugs=[sorafenib], slug="sharp", acronym="SHARP")
    published_trial(drugs=[sorafenib, other], slug="reflect", acronym="REFLECT")
    term = sorafenib.adverse_events.select_related("term").first().term
    reference = sharp.trial_publications.select_related("citation").first().citation
    return {"drug": sorafenib, "trial": sharp, "term": term, "reference": reference}


def assert_accessible(axe_violations) -> None:
    violations = axe_violations()
    assert violations == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def test_home(page, screenshot, axe_violations, corpus):
    page.goto("/")

    assert page.locator("h1").inner_text() == "Cancer drugs and the evidence behind them"
    assert page.get_by_role("searchbox", name="Search drugs, trials, adverse events").is_visible()
    assert page.get_by_role("link", name="Sorafenib").first.is_visible()
    screenshot("home")
    assert_accessible(axe_violations)


def test_search_from_home_shows_highlighted_results(page, screenshot, axe_violations, corpus):
    page.goto("/")
    page.get_by_role("searchbox", name="Search drugs, trials, adverse events").fill("sorafenib")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=sorafenib")

    first = page.locator(".result").first
    assert first.locator("h2").inner_text() == "Sorafenib"
    assert page.locator(".result mark").count() > 0
    screenshot("search")
    assert_accessible(axe_violations)


def test_drug_list_and_filters(page, screenshot, axe_violations, corpus):
    page.goto("/drugs/")
    assert page.locator(".card").count() == 2

    page.get_by_label("Target").select_option(corpus["drug"].drug_targets.first().target.symbol)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/drugs/\?.*target="))

    assert page.locator(".card").count() == 1
    assert page.locator(".card h3").inner_text() == "Sorafenib"
    screenshot("drugs")
    assert_accessible(axe_violations)


def test_drug_monograph(page, screenshot, axe_violations, corpus):
    page.goto("/drugs/sorafenib/")

    assert page.locator("h1").inner_text() == "Sorafenib"
    assert page.get_by_role("navigation", name="On this page").is_visible()
    assert page.locator("table caption", has_text="Adverse events: incidence").is_visible()
    assert page.locator("svg.chart--wide").count() == 2
    assert page.get_by_text("Version 2").first.is_visible()
    page.get_by_role("link", name="Trials", exact=True).last.click()
    assert page.locator("#trials").is_visible()
    screenshot("drug")
    assert_accessible(axe_violations)


def test_drug_monograph_on_a_phone(page, screenshot, axe_violations, corpus):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/drugs/sorafenib/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    assert page.locator("h1").is_visible()
    screenshot("drug-phone")
    assert_accessible(axe_violations)


def test_keyboard_reaches_main_content_first(page, corpus):
    page.goto("/drugs/sorafenib/")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_print_hides_navigation(page, screenshot, corpus):
    page.goto("/drugs/sorafenib/")
    page.emulate_media(media="print")

    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".toc").is_visible()
    assert page.locator("h1").is_visible()
    screenshot("drug-print")


def test_old_version_is_marked_superseded(page, screenshot, axe_violations, corpus):
    page.goto("/drugs/sorafenib/versions/")
    assert page.get_by_text("Superseded").is_visible()
    page.get_by_role("link", name="Version 1").click()
    page.wait_for_url("**/drugs/sorafenib/versions/1/")
    page.wait_for_load_state()

    assert page.get_by_text("Superseded: this is version 1").is_visible()
    screenshot("drug-version-1")
    assert_accessible(axe_violations)


def test_trial_list_and_trial_page(page, screenshot, axe_violations, corpus):
    page.goto("/trials/")
    assert page.locator(".card").count() == 2
    screenshot("trials")
    assert_accessible(axe_violations)

    page.get_by_role("link", name="SHARP: Sorafenib HCC Assessment Randomized Protocol").click()
    page.wait_for_url("**/trials/sharp/")
    page.wait_for_load_state()

    assert "Sorafenib HCC Assessment Randomized Protocol" in page.locator("h1").inner_text()
    assert page.locator("table caption", has_text="Outcomes by arm").is_visible()
    assert page.get_by_text("HR 0.69 (95% CI 0.55–0.87) vs Placebo").is_visible()
    assert page.locator("svg.chart--wide").count() == 2
    screenshot("trial")
    assert_accessible(axe_violations)


def test_adverse_event_and_reference_pages(page, screenshot, axe_violations, corpus):
    page.goto(f"/adverse-events/{corpus['term'].slug}/")
    assert page.locator("h1").inner_text() == corpus["term"].name
    assert page.locator("table caption", has_text="with each drug").is_visible()
    screenshot("adverse-event")
    assert_accessible(axe_violations)

    page.goto(f"/references/{corpus['reference'].key}/")
    assert page.locator("h1").inner_text() == corpus["reference"].title
    assert page.get_by_role("link", name=f"DOI {corpus['reference'].doi}").is_visible()
    screenshot("reference")
    assert_accessible(axe_violations)


def test_not_found_and_withdrawn_pages(page, screenshot, axe_violations, corpus):
    response = page.goto("/drugs/no-such-drug/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "We could not find that page"
    screenshot("404")
    assert_accessible(axe_violations)

    root_withdraw(
        root=corpus["trial"], user=UserFactory(is_superuser=True), reason="Results retracted."
    )
    response = page.goto("/trials/sharp/")
    assert response.status == 410
    assert page.get_by_text("Results retracted.").is_visible()
    screenshot("410")
    assert_accessible(axe_violations)


def test_pages_need_nothing_the_security_policy_refuses(browser, live_server, corpus):
    context = browser.new_context(base_url=live_server.url)
    reader = context.new_page()
    refused = []
    reader.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in (
        "/",
        "/drugs/",
        "/drugs/sorafenib/",
        "/drugs/sorafenib/versions/1/",
        "/trials/",
        "/trials/sharp/",
        f"/adverse-events/{corpus['term'].slug}/",
        f"/references/{corpus['reference'].key}/",
        "/search/?q=sorafenib",
    ):
        reader.goto(path)
        assert reader.locator("link[rel=stylesheet]").count() == 1
        assert (
            reader.evaluate(
                "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
            )
            == "rgb(11, 61, 92)"
        ), f"the stylesheet did not apply on {path}"
    context.close()

    assert refused == []

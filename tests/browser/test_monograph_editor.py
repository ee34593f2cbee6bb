"""The seeded sorafenib monograph edited part by part in Chromium at 1366 px, as an editor
with a laptop screen would; leaving a part with unsaved changes asks first."""

from io import StringIO

import pytest
from django.core.management import call_command

from monographs.models import Drug, MonographSection
from tests.browser.conftest import ARTIFACTS_DIR, AXE_SCRIPT
from tests.browser.staff import log_in as log_in_as
from tests.browser.staff import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768
EDITED = " Checked against the label."


@pytest.fixture
def laptop(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT}
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(page) -> None:
    staff("editor-sam", is_superuser=True)
    log_in_as(page, "editor-sam")


def overflowing_tables(page) -> list[str]:
    """Tables of rows wider than their box (the editor would have to scroll them sideways)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(".inline-related fieldset.module")]
            .filter(box => box.scrollWidth > box.clientWidth)
            .map(box => box.querySelector("h2") ? box.querySelector("h2").innerText : "?")"""
    )


def part_navigation_violations(page) -> list[tuple]:
    """axe-core's serious and critical findings in the part links (the admin's own markup
    is Django's)."""
    page.evaluate(AXE_SCRIPT.read_text())  # as a script tag, the admin's CSP would refuse it
    results = page.evaluate("async () => await axe.run('nav.editorial-parts')")
    return [
        (v["id"], [node["target"] for node in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def leaving_would_ask(page) -> bool:
    """Whether the page asks before it is left (the beforeunload event is cancelled)."""
    return page.evaluate(
        """() => {
            const event = new Event("beforeunload", {cancelable: true});
            window.dispatchEvent(event);
            return event.defaultPrevented;
        }"""
    )


def test_an_editor_saves_sorafenib_part_by_part_at_1366_px(laptop):
    page = laptop
    call_command("load_seeds", "--draft", stdout=StringIO())
    sorafenib = Drug.objects.get(slug="sorafenib")
    log_in(page)
    page.goto(f"/admin/monographs/drug/{sorafenib.pk}/change/")
    parts = page.locator("nav.editorial-parts a")
    labels = parts.all_inner_texts()
    assert labels[0] == "Identity and names" and len(labels) == 16
    # The part links fit the laptop screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    saved_parts = 0

    for index in range(len(labels)):
        page.locator("nav.editorial-parts a").nth(index).click()
        page.wait_for_load_state()
        assert (
            page.locator("nav.editorial-parts a[aria-current=page]").inner_text() == (labels[index])
        )
        assert not leaving_would_ask(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, labels[index]
        assert overflowing_tables(page) == [], labels[index]
        if labels[index] == "Adverse events":
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS_DIR / "sorafenib-adverse-events-1366.png"))
        body = page.locator("textarea[name='sections-0-body']")
        if body.count() and body.input_value():
            body.fill(body.input_value() + EDITED)
        else:
            continue
        assert leaving_would_ask(page)
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        assert page.locator(".errornote").count() == 0, labels[index]
        assert page.locator(".messagelist .success").count() == 1, labels[index]
        saved_parts += 1

    assert saved_parts == 13
    assert part_navigation_violations(page) == []
    bodies = MonographSection.objects.filter(drug=sorafenib).values_list("body", flat=True)
    assert len(bodies) == 13 and all(body.endswith(EDITED) for body in bodies)


def test_a_refused_save_still_warns_before_leaving(laptop):
    page = laptop
    call_command("load_seeds", "--draft", stdout=StringIO())
    sorafenib = Drug.objects.get(slug="sorafenib")
    log_in(page)
    page.goto(f"/admin/monographs/drug/{sorafenib.pk}/change/adverse-events/")
    page.fill("input[name='adverse_events-0-any_grade_low']", "150.0")

    page.click("input[name=_continue]")
    page.wait_for_load_state()

    assert page.locator(".errornote").count() == 1
    row_errors = page.locator(".errorlist").all_inner_texts()
    assert any("150.0 %; a percentage is 0 to 100" in text for text in row_errors), row_errors
    assert "drug_ae_" not in page.content()
    assert leaving_would_ask(page)

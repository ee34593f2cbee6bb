"""At 1366 px in Chromium: an editor compares two revisions, restores one after seeing what
would change, and writes a section beside its preview, citing a source found by the picker."""

import re

import pytest

from monographs.editorial.models import Revision
from monographs.editorial.services.edits import root_record_edit
from monographs.models import MonographSection
from tests.browser.conftest import ARTIFACTS_DIR
from tests.browser.staff import log_in as log_in_as
from tests.browser.staff import staff
from tests.factories import (
    CitationFactory,
    DrugFactory,
    MonographSectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768
FIRST = "Sorafenib blocks RAF kinases [@llovet-2008]."
SECOND = "Sorafenib blocks RAF and VEGFR kinases in tumour cells and their vessels [@llovet-2008]."


@pytest.fixture
def laptop(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def editor():
    return staff("editor-eve", is_superuser=True)


@pytest.fixture
def screenshot(laptop, request):
    """A full-page screenshot of the laptop's page, kept with the run's artefacts."""

    def take(name: str) -> None:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        laptop.screenshot(
            path=str(ARTIFACTS_DIR / f"{request.node.name}-{name}.png"), full_page=True
        )

    return take


def log_in(page) -> None:
    log_in_as(page, "editor-eve")


def wider_than_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def test_compare_two_revisions_then_restore_one_after_confirming(laptop, editor, screenshot):
    page = laptop
    CitationFactory(key="llovet-2008")
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    section = MonographSectionFactory(drug=drug, kind="mechanism", body=FIRST)
    root_record_edit(root=drug, user=editor, created=True)
    section.body = SECOND
    section.save()
    root_record_edit(root=drug, user=editor)
    first, second = Revision.objects.filter(kind="drug", root_id=drug.pk).order_by("id")
    log_in(page)

    page.goto(f"/admin/monographs/drug/{drug.pk}/change/")
    page.click(".object-tools a[href$='/revisions/']")
    page.wait_for_url(re.compile(r"/revisions/$"))
    assert page.locator("tr[data-revision]").count() == 2
    page.check(f"input[name=from][value='{first.pk}']")
    page.check(f"input[name=to][value='{second.pk}']")
    screenshot("history")
    page.click("text=Compare the chosen revisions")
    page.wait_for_url(re.compile(r"/revisions/compare/\?"))
    screenshot("compare")
    inserted = page.locator(".editorial-diff ins").all_inner_texts()
    assert inserted == ["and VEGFR ", " in tumour cells and their vessels"]
    assert not wider_than_the_screen(page)

    page.click(f"text=Restore revision {first.pk}…")
    page.wait_for_url(re.compile(rf"/revisions/{first.pk}/restore/$"))
    assert page.locator("h2", has_text="What will change").is_visible()
    assert MonographSection.objects.get(drug=drug).body == SECOND  # asked, not done
    screenshot("restore-confirm")
    page.click(f"text=Yes, restore revision {first.pk}")
    page.wait_for_url(re.compile(rf"/drug/{drug.pk}/change/$"))
    assert "is now the working copy" in page.locator("ul.messagelist").inner_text()
    assert MonographSection.objects.get(drug=drug).body == FIRST
    kept = Revision.objects.filter(kind="drug", root_id=drug.pk)
    assert any(r.document["sections"][0]["body"] == SECOND for r in kept.order_by("-id")[1:])


def test_a_section_is_written_beside_its_preview_citing_from_the_picker(laptop, editor, screenshot):
    page = laptop
    CitationFactory(
        key="llovet-2008", authors=["Llovet JM", "Ricci S"], title="Sorafenib in advanced HCC"
    )
    CitationFactory(key="cheng-2009", authors=["Cheng AL"], title="Asia-Pacific sorafenib trial")
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    MonographSectionFactory(drug=drug, kind="dosage", body="**400 mg** twice daily.")
    root_record_edit(root=drug, user=editor, created=True)
    log_in(page)

    page.goto(f"/admin/monographs/drug/{drug.pk}/change/dosing/")
    box = page.locator(".markdown-help:has(#id_sections-0-body)")
    page.wait_for_selector(".markdown-help[data-previewed]")
    assert box.locator(".markdown-help__html strong").inner_text() == "400 mg"

    textarea = box.locator("textarea")
    textarea.click()
    textarea.press("End")
    page.keyboard.press("Control+End")
    box.locator("input[type=search]").fill("ricci")
    page.wait_for_selector(".markdown-help__results button")
    assert box.locator(".markdown-help__results button").count() == 1
    box.locator(".markdown-help__results button").first.click()
    assert textarea.input_value().endswith("twice daily. [@llovet-2008]")
    page.wait_for_function("() => document.querySelector('.markdown-help__references li') !== null")
    assert box.locator(".markdown-help__html a.citation").inner_text() == "1"
    assert box.locator(".markdown-help__references li").inner_text().startswith("Llovet JM")

    textarea.press("Control+End")
    page.keyboard.type(" Reduce for toxicity [@xyz].")
    page.wait_for_function("() => document.querySelector('.markdown-help__findings li') !== null")
    assert (
        box.locator(".markdown-help__findings li")
        .inner_text()
        .startswith("Dosage and administration: unknown citation [@xyz]")
    )
    assert not wider_than_the_screen(page)
    screenshot("preview-and-picker")

    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(r"/change/dosing/$"))
    body = MonographSection.objects.get(drug=drug).body
    assert body == "**400 mg** twice daily. [@llovet-2008] Reduce for toxicity [@xyz]."
    finding = page.locator(".editorial-findings li.error").all_inner_texts()
    assert any("Dosage and administration: unknown citation [@xyz]" in f for f in finding)

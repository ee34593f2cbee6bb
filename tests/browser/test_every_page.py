"""Every public page type of the seed corpus, at a desktop and a phone width, in Chromium:
each is screenshotted and must pass axe-core with no violation of any impact.

Screenshots go to the test run's artefacts (TEST_ARTIFACTS_DIR, default test-artifacts/),
named <width>-<page>.png.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from monographs.editorial.services.withdrawal import root_withdraw
from tests.browser.conftest import ARTIFACTS_DIR, AXE_SCRIPT
from tests.factories import UserFactory
from trials.models import Trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
# Each page type with the address that shows it in the seed corpus and its expected status.
PAGES = [
    ("home", "/", 200),
    ("drug-list", "/drugs/", 200),
    ("drug", "/drugs/sorafenib/", 200),
    ("stub-drug", "/drugs/warfarin/", 200),
    ("drug-versions", "/drugs/sorafenib/versions/", 200),
    ("trial-list", "/trials/", 200),
    ("trial", "/trials/sharp/", 200),
    ("adverse-event-list", "/adverse-events/", 200),
    ("adverse-event", "/adverse-events/hypertension/", 200),
    ("reference-list", "/references/", 200),
    ("reference", "/references/zhu-2017-sorafenib-resistance/", 200),
    ("search", "/search/?q=sorafenib", 200),
    ("search-nothing", "/search/?q=zzzzqx", 200),
    ("about", "/about/", 200),
    ("not-found", "/drugs/no-such-drug/", 404),
]


@pytest.fixture
def seed_corpus(db):
    call_command("load_seeds", stdout=StringIO())


@pytest.fixture
def page(browser, live_server):
    """A page axe-core can be injected into (the site's CSP refuses inline scripts;
    test_public_site checks the pages under the policy as readers' browsers enforce it)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_all_violations(page) -> list[dict]:
    """Every axe-core violation, whatever its impact (moderate and minor included), with
    target-size (WCAG 2.2 AA, off in axe-core's defaults) switched on."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "async () => await axe.run(document, {rules: {'target-size': {enabled: true}}})"
    )
    return results["violations"]


def describe(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}" for v in violations
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_type_passes_axe_at_both_widths(page, seed_corpus, width):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm install` (make test does it).")
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    failures = {}

    def visit(name: str, path: str, status: int) -> None:
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        assert page.locator("h1").count() == 1, f"{path} has no single h1"
        page.screenshot(path=str(ARTIFACTS_DIR / f"{width}-{name}.png"), full_page=True)
        violations = axe_all_violations(page)
        if violations:
            failures[path] = describe(violations)

    for name, path, status in PAGES:
        visit(name, path, status)
    root_withdraw(
        root=Trial.objects.get(slug="sharp"),
        user=UserFactory(is_superuser=True),
        reason="Figures being checked against the publication.",
    )
    visit("withdrawn", "/trials/sharp/", 410)

    assert failures == {}, "\n".join(f"{path}: {text}" for path, text in failures.items())

"""Headless Chromium (Debian's package) driven by Playwright against the live test server.

Without Chromium the browser tests are skipped, loudly; with REQUIRE_BROWSER_TESTS=1
(as in CI) a missing browser fails the run instead.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import testcases

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS_DIR = Path(os.environ.get("TEST_ARTIFACTS_DIR", BASE_DIR / "test-artifacts"))
REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


class OneRequestAtATimeOnASharedConnection(ThreadedWSGIServer):
    """The live server on an in-memory SQLite database answers each request on the test's
    own connection, shared by every request thread: two requests at once on it (a browser's
    page and a request of its own beside it) could hang both for good in SQLite's driver.
    Requests then take turns; connections still open in parallel, as a browser's do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.turns = threading.Lock()

    def get_app(self):
        app = super().get_app()
        if not self.connections_override:
            return app

        def in_turn(environ, start_response):
            with self.turns:
                return app(environ, start_response)

        return in_turn


testcases.LiveServerThread.server_class = OneRequestAtATimeOnASharedConnection


def browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


_skipped: list[str] = []


def pytest_collection_modifyitems(config, items):
    reason = browser_missing_reason()
    if reason is None:
        return
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if browser_items and REQUIRED:
        raise pytest.UsageError(f"Browser tests are required here but cannot run: {reason}")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))
        _skipped.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_skipped)} browser tests did not run: {browser_missing_reason()}", red=True
        )


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, closed before the next module's tests run.

    Playwright's sync API keeps an event loop running in the test thread, which makes
    Django refuse ORM calls; the tests' own ORM calls are synchronous and safe, so they
    are allowed for exactly as long as the browser is open, and never beyond.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot with the test run's artefacts; returns its path."""

    def take(name: str) -> Path:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS_DIR / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_violations(page):
    """Run axe-core in the page; returns the serious and critical violations."""

    def run() -> list[dict]:
        if not AXE_SCRIPT.exists():
            pytest.fail(f"{AXE_SCRIPT} is missing: run `npm install` (make test does it).")
        page.add_script_tag(path=str(AXE_SCRIPT))
        results = page.evaluate("async () => await axe.run(document)")
        return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]

    return run

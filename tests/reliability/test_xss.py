"""Cross-site scripting: vectors in every text field and every query parameter, published.

The content goes in through the working copy and out through the real publishing service;
then every public page and API endpoint is fetched. No page may break (5xx) and no page may
carry anything a vector injected (see tests/reliability/xss.py for what counts).
"""

from urllib.parse import urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator

from monographs.publishing.models import Entry
from tests.reliability.crawl import crawl, public_urls
from tests.reliability.xss import VECTORS, content_with_vectors, injected

pytestmark = pytest.mark.django_db

SITE_PARAMETERS = ["q", "kind", "page", "drug_class", "target", "condition", "phase", "drug"]
SITE_PAGES = ["/", "/drugs/", "/trials/", "/adverse-events/", "/references/", "/search/"]
API_SHARE = 6


@pytest.fixture
def planted(db) -> dict[str, str]:
    return content_with_vectors()


def html_findings(pages) -> dict[str, list[str]]:
    return {
        page.url: findings
        for page in pages
        if page.text.lstrip().lower().startswith("<!doctype html")
        and (findings := injected(page.text))
    }


def test_vectors_in_every_text_field_are_inert_on_every_page(client, planted):
    assert Entry.objects.live().count() == 2
    pages = crawl(client, public_urls(search_words=["script", "onerror", "javascript"]))

    assert len(pages) > 40
    assert not [(page.url, page.status) for page in pages if page.status >= 500]
    assert not html_findings(pages)
    drug_page = next(page for page in pages if page.url == f"/drugs/{planted['drug']}/")
    assert drug_page.status == 200
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in drug_page.text


def test_public_pages_never_link_a_script_url(client, planted):
    """A citation URL that bypassed validation (javascript:) is not turned into a link."""
    pages = crawl(client, [f"/drugs/{planted['drug']}/", "/references/"])
    for page in pages:
        assert 'href="javascript:' not in page.text.replace(" ", "").lower(), page.url


def api_operations(slugs: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Every GET endpoint of the API with its query parameters, from the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        kind = "trial" if "/trials/" in path else "drug"
        url = path.replace("{slug}", slugs[kind]).replace("{version}", "1")
        names = [p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"]
        operations.append((url, names))
    return operations


def test_vectors_in_every_query_parameter_are_rejected_or_inert(client, planted):
    """Every vector goes into every parameter of every page; the JSON API gets a share each."""
    site = SITE_PAGES + [f"/drugs/{planted['drug']}/", f"/trials/{planted['trial']}/"]
    api = api_operations(planted)
    urls = [
        f"{url}?{urlencode(dict.fromkeys(SITE_PARAMETERS, vector))}"
        for url in site
        for vector in VECTORS
    ]
    for number, (url, names) in enumerate(api):
        for vector in VECTORS[number % API_SHARE :: API_SHARE]:
            urls.append(f"{url}?{urlencode(dict.fromkeys(names or ['q'], vector))}")
        for offset, name in enumerate(names):
            urls.append(f"{url}?{urlencode({name: VECTORS[(number + offset) % len(VECTORS)]})}")

    pages = crawl(client, urls)

    assert len(pages) == len(urls) > len(VECTORS) * len(site)
    assert not [(page.url, page.status) for page in pages if page.status >= 500]
    assert not html_findings(pages)
    answered = [page for page in pages if page.url.startswith("/api/")]
    assert {page.status for page in answered} <= {200, 400, 404}
    assert all(page.text.startswith(("{", "[")) for page in answered if page.status != 200)

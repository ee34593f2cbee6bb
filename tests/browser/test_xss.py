"""Cross-site scripting vectors in a real browser: nothing executes, nothing is injected.

Every text field of a published monograph and trial holds a vector (tests/reliability/xss.py),
and so do the query parameters of the list and search pages. Each page is loaded twice: as
readers get it, under the Content-Security-Policy, and with the policy bypassed, so that the
escaping and sanitising are shown to hold on their own. A vector that ran would open a
dialog or set window.__xss.
"""

from urllib.parse import quote

import pytest
from django.conf import settings

from monographs.editorial.services.withdrawal import root_withdraw
from tests.factories import UserFactory
from tests.reliability.xss import VECTORS, content_with_vectors
from tests.site.corpus import published_drug

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECTED = """(staticUrl) => {
  const found = [];
  const urls = ["href", "src", "action", "formaction", "xlink:href", "data", "poster"];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    if (["iframe", "frame", "object", "embed", "base", "applet"].includes(tag)) found.push(tag);
    const ownFile = (element.getAttribute("src") || "").startsWith(staticUrl) && !element.text;
    if (tag === "script" && element.type !== "application/ld+json" && !ownFile) {
      found.push("script");
    }
    if (tag === "meta" && element.hasAttribute("http-equiv")) found.push("meta http-equiv");
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/\\s+/g, "").toLowerCase();
      if (name.startsWith("on") || name === "srcdoc") found.push(`${tag} ${name}`);
      if (urls.includes(name) && /^(javascript|vbscript|data:text)/.test(value)) {
        found.push(`${tag} ${name}=${value.slice(0, 30)}`);
      }
    }
  }
  return found;
}"""


@pytest.fixture
def vectors_published():
    slugs = content_with_vectors()
    withdrawn = published_drug()
    reviewer = UserFactory(is_superuser=True)
    root_withdraw(root=withdrawn, user=reviewer, reason="\n".join(VECTORS))
    return {**slugs, "withdrawn": withdrawn.slug}


def page_addresses(slugs: dict[str, str]) -> list[str]:
    vector = quote(VECTORS[0] + VECTORS[6] + VECTORS[35])
    return [
        "/",
        "/drugs/",
        f"/drugs/{slugs['drug']}/",
        f"/drugs/{slugs['drug']}/versions/",
        f"/drugs/{slugs['drug']}/versions/1/",
        "/trials/",
        f"/trials/{slugs['trial']}/",
        "/adverse-events/",
        "/references/",
        f"/drugs/{slugs['withdrawn']}/",
        f"/search/?q={vector}",
        f"/search/?q=script&kind={vector}",
        f"/drugs/?drug_class={vector}&target={vector}&page={vector}",
        f"/trials/?phase={vector}&drug={vector}",
        f"/drugs/{quote(VECTORS[3])}/",
    ]


@pytest.mark.parametrize("policy", ["enforced", "bypassed"])
def test_no_vector_runs_or_lands_in_the_page(browser, live_server, vectors_published, policy):
    context = browser.new_context(base_url=live_server.url, bypass_csp=policy == "bypassed")
    page = context.new_page()
    dialogs, refused = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    addresses = page_addresses(vectors_published)
    addresses += [
        link
        for link in page_links(page, "/references/") + page_links(page, "/adverse-events/")
        if link.count("/") == 3
    ][:6]
    try:
        for address in addresses:
            response = page.goto(address)
            assert response.status < 500, address
            page.wait_for_load_state("load")
            assert page.evaluate("() => window.__xss") is None, address
            assert page.evaluate(INJECTED, settings.STATIC_URL) == [], address
    finally:
        context.close()

    assert len(addresses) > 15
    assert dialogs == []
    assert refused == [], "the page asked for something the policy refuses"


def page_links(page, address: str) -> list[str]:
    page.goto(address)
    return page.eval_on_selector_all(
        f"main a[href^='{address}']", "links => links.map(link => link.getAttribute('href'))"
    )


def test_admin_and_api_docs_run_under_the_policy(page, live_server):
    """The admin's scripts and the API docs' Swagger UI and Redoc need nothing refused.

    Swagger UI's start-up script comes from a file (drf-spectacular's split view), not inline.
    """
    refused, errors = [], []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    UserFactory(username="sam", password="correct-horse-battery-staple", is_superuser=True)
    drug = published_drug()

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "correct-horse-battery-staple")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/monographs/drug/{drug.pk}/change/")
    assert page.locator("#drug_form").is_visible()
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
    page.goto("/api/redoc/")
    page.locator("redoc h1, .api-content h1").first.wait_for(timeout=15_000)

    # Redoc's "powered by" footer asks for its logo from its vendor's CDN; the policy keeps
    # the docs from loading anything from other hosts, so that one image stays blocked.
    assert [message for message in refused if "https://cdn.redoc.ly/" not in message] == []
    assert errors == []

"""Site-wide pages and what every page carries: the About page, sharing tags, the favicon."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.urls import reverse

from monographs.editorial.roles import REVIEWER, sync_roles
from monographs.editorial.services.transitions import FOUR_EYES_TRANSITIONS, TRANSITIONS
from tests.factories import UserFactory
from tests.monographs.test_views import assert_constant_queries, grow_corpus, text_of
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers():
    sync_roles()
    group = Group.objects.get(name=REVIEWER)
    named = UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    unnamed = UserFactory(username="rev2", first_name="", last_name="")
    gone = UserFactory(username="old", first_name="Old", last_name="Hand", is_active=False)
    editor = UserFactory(username="ed", first_name="Eddie", last_name="Editor")
    for user in (named, unnamed, gone):
        user.groups.add(group)
    return {"named": named, "unnamed": unnamed, "gone": gone, "editor": editor}


def test_about_states_the_rules_the_workflow_enforces(client, reviewers, settings):
    settings.CORRECTIONS_EMAIL = "corrections@example.org"

    response = client.get(reverse("monographs:about"))

    assert response.status_code == 200
    text = text_of(response)
    for transition in TRANSITIONS.values():
        assert transition.label in text
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", response.text)
    four_eyes = {label for label, _, rule in rows if rule.startswith("Not by")}
    assert four_eyes == {TRANSITIONS[name].label for name in FOUR_EYES_TRANSITIONS}
    assert 'href="mailto:corrections@example.org"' in response.text
    assert "CC BY 4.0" in text and "CC0" in text


def test_about_states_the_review_interval_from_the_code(client, monkeypatch):
    from monographs.views import pages

    monkeypatch.setattr(pages, "REVIEW_INTERVAL", timedelta(days=180))

    assert "set 180 days after" in text_of(client.get(reverse("monographs:about")))


def test_about_lists_active_reviewers_by_name_and_never_a_login(client, reviewers):
    text = text_of(client.get(reverse("monographs:about")))

    assert "Jane Doe" in text
    assert "1 reviewer who has not given a name" in text
    assert "Old Hand" not in text and "Eddie Editor" not in text
    assert "rev2" not in text and "jdoe" not in text


def test_about_is_linked_from_every_page_footer_and_from_home(client):
    drug = published_drug()
    for url in ("/", "/drugs/", f"/drugs/{drug.slug}/", "/no-such-page/"):
        html = client.get(url).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'href="/about/"' in footer, url
    home = client.get("/").content.decode()
    assert 'href="/about/"' in home[home.index("<main") : home.index("<footer")]


def test_about_query_count_is_constant(client, django_assert_max_num_queries, reviewers):
    drug = published_drug()
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("monographs:about"),
        lambda: grow_corpus(drug),
    )


def test_about_reads_the_reviewers_once_for_its_validator_and_its_page(client, reviewers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("monographs:about"))
    assert response.status_code == 200 and response.has_header("ETag")
    reads = [q["sql"] for q in captured.captured_queries if '"auth_group"' in q["sql"]]
    assert len(reads) == 1, reads


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} on the page"
    return match.group(1)


def test_pages_carry_open_graph_and_twitter_tags_of_their_own(client):
    drug = published_drug()
    trial = published_trial(drugs=[drug])
    for url, title in (
        ("/", "Oncology Monographs: reviewed cancer drug information"),
        ("/drugs/", "Drugs A–Z"),
        (f"/drugs/{drug.slug}/", drug.inn.capitalize()),
        (f"/trials/{trial.slug}/", f"{trial.acronym}: {trial.title}"),
        ("/about/", "About and editorial policy"),
    ):
        html = client.get(url).content.decode()
        description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
        assert meta(html, "property", "og:title") == title, url
        assert meta(html, "name", "twitter:title") == title, url
        assert meta(html, "property", "og:description") == description.strip(), url
        assert meta(html, "name", "twitter:description") == description.strip(), url
        assert meta(html, "property", "og:url") == f"http://testserver{url}"
        assert meta(html, "name", "twitter:card") == "summary"
        assert meta(html, "property", "og:image").startswith("http://testserver/static/")
    drug_page = client.get(f"/drugs/{drug.slug}/").content.decode()
    assert meta(drug_page, "property", "og:type") == "article"
    assert meta(client.get("/").content.decode(), "property", "og:type") == "website"


def test_sharing_tags_escape_what_they_repeat(client):
    drug = published_drug(summary='Say "no" <b>twice</b> & stop.')

    html = client.get(f"/drugs/{drug.slug}/").content.decode()

    assert meta(html, "property", "og:description") == (
        "Say &quot;no&quot; &lt;b&gt;twice&lt;/b&gt; &amp; stop."
    )


def test_the_favicon_is_linked_served_and_found_at_the_usual_address(client):
    html = client.get("/").content.decode()

    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="/static/([^"]+)"', html)
    assert set(icons) == {"img/favicon.svg", "img/favicon-32.png", "img/apple-touch-icon.png"}
    assert all(finders.find(path) for path in icons)
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon-32.png"


def test_a_repeated_block_renders_as_the_page_does_its_parent_included():
    from django.template import Context, Engine

    templates = {
        "base": "{% load public_site %}<title>{% block title %}Base{% endblock %}</title>"
        "<og>{% block_text 'title' %}</og><og>{% block_text 'missing' %}</og>",
        "child": "{% extends 'base' %}{% block title %}{{ word }} {{ block.super }}{% endblock %}",
    }
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", templates)],
        libraries={"public_site": "monographs.templatetags.public_site"},
    )

    html = engine.get_template("child").render(Context({"word": "<Child>"}))

    assert html == "<title>&lt;Child&gt; Base</title><og>&lt;Child&gt; Base</og><og></og>"

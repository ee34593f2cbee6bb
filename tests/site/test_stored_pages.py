"""Entry pages rendered once at publish: served as stored bytes, and never stale.

Every publish or withdrawal renders again exactly the pages that show, link to or name the
entry; after each step every entry page read from its stored render is byte for byte the
page a live render gives at that moment.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry
from monographs.site.models import StoredPage
from monographs.site.rendering import ORIGIN, renderer_fingerprint
from monographs.site.stored import pages_forget
from tests.factories import DrugFactory, UserFactory
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db


def detail_url(kind: str, slug: str) -> str:
    return reverse(
        "monographs:drug_detail" if kind == "drug" else "trials:trial_detail", args=[slug]
    )


def stored_ids() -> dict[tuple[str, str], int]:
    return {
        (kind, slug): pk
        for pk, kind, slug in StoredPage.objects.values_list("pk", "entry__kind", "entry__slug")
    }


def rendered_again(before: dict, after: dict) -> set[tuple[str, str]]:
    return {page for page, pk in after.items() if before.get(page) != pk}


def read_all(client, settings, *, stored: bool) -> dict[str, tuple[int, bytes]]:
    settings.SERVE_STORED_PAGES = stored
    pages = {}
    for kind, slug in Entry.objects.values_list("kind", "slug"):
        response = client.get(detail_url(kind, slug))
        pages[f"{kind}:{slug}"] = (response.status_code, response.content)
    settings.SERVE_STORED_PAGES = True
    return pages


def assert_stored_pages_are_live(client, settings) -> None:
    """Every entry page as stored is what a live render says now; none is missing."""
    live = {
        kind: slug
        for kind, slug in Entry.objects.live().values_list("kind", "slug")
        if (kind, slug) not in stored_ids()
    }
    assert not live, f"live entries without a stored page: {live}"
    assert read_all(client, settings, stored=True) == read_all(client, settings, stored=False)


def test_a_published_page_is_served_from_its_stored_render_in_one_query(
    client, sorafenib, sharp, django_assert_num_queries, settings
):
    settings.LAST_MODIFIED_SETTLE_SECONDS = 0  # dated at once (tests/site/test_last_modified.py)
    entry = Entry.objects.get(kind="drug", slug="sorafenib")
    stored = StoredPage.objects.get(entry=entry)
    assert stored.publication_id == entry.current_id

    with django_assert_num_queries(1):
        response = client.get(detail_url("drug", "sorafenib"))

    assert response.status_code == 200
    assert response.content == bytes(stored.body).replace(ORIGIN.encode(), b"http://testserver")
    assert b"SHARP" in response.content
    assert response["Surrogate-Key"].split() == ["drug:sorafenib", "trial:sharp"]
    assert response["Cache-Tag"] == "drug:sorafenib,trial:sharp"
    assert response.has_header("Last-Modified")
    with django_assert_num_queries(1):
        again = client.get(detail_url("drug", "sorafenib"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_stored_page_is_the_live_render_for_every_reader_and_host(client, settings, sharp):
    stored = client.get(detail_url("trial", "sharp"))
    settings.SERVE_STORED_PAGES = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    live_for_staff = client.get(detail_url("trial", "sharp"))

    assert stored.content == live_for_staff.content, "nothing on an entry page is per reader"
    assert stored["ETag"] == live_for_staff["ETag"]
    settings.SERVE_STORED_PAGES = True
    elsewhere = client.get(detail_url("trial", "sharp"), HTTP_HOST="localhost")
    assert b"http://localhost/trials/sharp/" in elsewhere.content
    assert b"testserver" not in elsewhere.content
    assert ORIGIN.encode() not in elsewhere.content
    assert elsewhere["ETag"] != stored["ETag"]


def test_publishing_a_trial_renders_at_most_its_own_page_and_its_drugs(sorafenib, sharp):
    lenvatinib = published_drug(inn="lenvatinib", slug="lenvatinib")
    published_trial(drugs=[lenvatinib], slug="reflect", acronym="REFLECT")
    regorafenib = published_drug(inn="regorafenib", slug="regorafenib")
    before = stored_ids()

    published_trial(drugs=[sorafenib, regorafenib], slug="resorce", acronym="RESORCE")

    assert rendered_again(before, stored_ids()) == {
        ("trial", "resorce"),
        ("drug", "sorafenib"),
        ("drug", "regorafenib"),
    }
    before = stored_ids()
    sharp.acronym = "SHARP-2"
    sharp.save()
    root_import_publish(root=sharp, note="Acronym corrected")
    assert rendered_again(before, stored_ids()) == {("trial", "sharp"), ("drug", "sorafenib")}


def test_publishing_and_withdrawing_show_at_once_on_every_dependent_page(
    client, settings, sorafenib, sharp
):
    reviewer = UserFactory(is_superuser=True)
    assert_stored_pages_are_live(client, settings)

    # A trial naming a drug nobody has published yet: its name shows, unlinked.
    unpublished = DrugFactory(inn="donafenib", slug="donafenib")
    zte = published_trial(drugs=[sorafenib, unpublished], slug="zte", acronym="ZGDH3")
    assert b'href="/drugs/donafenib/"' not in client.get(detail_url("trial", "zte")).content
    assert b"ZGDH3" in client.get(detail_url("drug", "sorafenib")).content
    assert_stored_pages_are_live(client, settings)

    root_import_publish(root=unpublished, note="Now published")
    assert b'href="/drugs/donafenib/"' in client.get(detail_url("trial", "zte")).content
    assert b"ZGDH3" in client.get(detail_url("drug", "donafenib")).content
    assert_stored_pages_are_live(client, settings)

    root_withdraw(root=zte, user=reviewer, reason="Registry record withdrawn.")
    assert client.get(detail_url("trial", "zte")).status_code == 410
    for slug in ("sorafenib", "donafenib"):
        assert b"ZGDH3" not in client.get(detail_url("drug", slug)).content
    assert not StoredPage.objects.filter(entry__slug="zte").exists()
    assert_stored_pages_are_live(client, settings)

    root_withdraw(root=unpublished, user=reviewer, reason="Not an approved drug.")
    assert b'href="/drugs/donafenib/"' not in client.get(detail_url("trial", "zte")).content
    sharp_page = client.get(detail_url("trial", "sharp")).content
    assert b"donafenib" not in sharp_page.lower()
    assert_stored_pages_are_live(client, settings)

    assert b'href="/drugs/sorafenib/"' in client.get(detail_url("trial", "sharp")).content
    sorafenib.slug = "sorafenib-tosylate"
    sorafenib.save()
    root_import_publish(root=sorafenib, note="Renamed")
    # SHARP's own publication still names the old slug: it links the drug at its new address,
    # and the drug's page still lists it (tests/site/test_renamed_drug.py).
    sharp_page = client.get(detail_url("trial", "sharp")).content
    assert b'href="/drugs/sorafenib/"' not in sharp_page
    assert b'href="/drugs/sorafenib-tosylate/"' in sharp_page
    assert b"SHARP" in client.get(detail_url("drug", "sorafenib-tosylate")).content
    assert client.get(detail_url("drug", "sorafenib")).status_code == 301
    assert_stored_pages_are_live(client, settings)


def test_pages_published_before_pages_were_stored_are_rendered_live_then_filled(
    client, settings, sorafenib, sharp, django_assert_max_num_queries
):
    pages_forget(Q(entry_id__isnull=False))
    with django_assert_max_num_queries(8):
        live = client.get(detail_url("drug", "sorafenib"))
    assert live.status_code == 200

    call_command("render_stored_pages", stdout=StringIO())

    assert set(stored_ids()) == {("drug", "sorafenib"), ("trial", "sharp")}
    assert client.get(detail_url("drug", "sorafenib")).content == live.content


def test_a_page_stored_by_other_templates_is_never_served(
    client, sorafenib, django_assert_num_queries
):
    """After an upgrade, pages stored by the previous code are rendered live until stored again."""
    StoredPage.objects.update(renderer="previous", body=b"<p>old template</p>")

    response = client.get(detail_url("drug", "sorafenib"))
    assert b"old template" not in response.content
    call_command("render_stored_pages", stdout=StringIO())
    with django_assert_num_queries(1):
        assert client.get(detail_url("drug", "sorafenib")).content == response.content


def test_a_page_stored_under_other_settings_is_never_served(
    client, settings, sorafenib, django_assert_num_queries
):
    """A deployment that serves its static files from elsewhere (or writes dates in another
    zone or language) never serves pages naming the old ones: they are rendered live until
    `render_stored_pages` stores them again."""
    url = detail_url("drug", "sorafenib")
    before = client.get(url).content
    settings.STATIC_URL = "https://static.example.org/assets/"
    renderer_fingerprint.cache_clear()
    try:
        moved = client.get(url).content
        call_command("render_stored_pages", stdout=StringIO())
        with django_assert_num_queries(1):
            assert client.get(url).content == moved
        fingerprint = renderer_fingerprint()
        settings.TIME_ZONE = "Pacific/Auckland"
        renderer_fingerprint.cache_clear()
        assert renderer_fingerprint() != fingerprint
    finally:
        renderer_fingerprint.cache_clear()

    assert b"https://static.example.org/assets/" in moved
    assert b"https://static.example.org/assets/" not in before


def test_every_page_with_charts_is_the_same_bytes_at_every_render(client, sharp):
    """Charts are numbered from 1 on each page (their ids label them for screen readers), not
    after however many the process drew before: a page rendered again, by this process or
    another, is the very answer a cache or a conditional GET holds."""
    term = sharp.adverse_events.first().term.slug
    urls = [
        detail_url("drug", "sorafenib") + "versions/1/",
        detail_url("trial", "sharp") + "versions/1/",
        reverse("monographs:adverse_event_detail", args=[term]),
    ]
    first = {url: client.get(url).content for url in urls}
    again = {url: client.get(url).content for url in urls}

    assert first == again
    assert all(b'id="chart-1-title"' in page for page in first.values())


def test_a_publish_changing_more_pages_than_the_limit_renders_its_own_and_forgets_the_rest(
    client, settings, sorafenib
):
    """A drug named by thousands of trials does not hold its first publish for minutes: past
    the limit, the pages it changes are forgotten and read live, never stale, until
    render_stored_pages stores them again."""
    donafenib = DrugFactory(inn="donafenib", slug="donafenib")
    published_trial(drugs=[sorafenib, donafenib], slug="zte", acronym="ZGDH3")
    published_trial(drugs=[donafenib], slug="zte-2", acronym="ZGDH3-2")
    settings.STORED_PAGES_RENDERED_AT_PUBLISH = 2
    before = stored_ids()

    root_import_publish(root=donafenib, note="Now published")

    after = stored_ids()
    assert rendered_again(before, after) == {("drug", "donafenib")}
    assert {("trial", "zte"), ("trial", "zte-2")}.isdisjoint(after)
    assert b'href="/drugs/donafenib/"' in client.get(detail_url("trial", "zte")).content
    assert read_all(client, settings, stored=True) == read_all(client, settings, stored=False)

    call_command("render_stored_pages", stdout=StringIO())
    assert_stored_pages_are_live(client, settings)

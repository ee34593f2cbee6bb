"""Revalidating by date never answers 304 about bytes the reader has not seen.

A Last-Modified names a whole second, so two publishes within one second share it: a reader
sent the date between them, revalidating by date alone (If-Modified-Since, as some crawlers
and proxies do), was told 304 about the second. A date is now sent only once it is
LAST_MODIFIED_SETTLE_SECONDS old, on every page that carries one: entry pages (stored and
live), pages built from many entries, the sitemap and the feed. The sitemap is dated by the
last publish or withdrawal anywhere: Django dated it by its newest item, which a withdrawal
does not move.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry
from tests.factories import UserFactory
from tests.site.corpus import published_trial

pytestmark = pytest.mark.django_db

DATED_PAGES = [
    "/drugs/sorafenib/",
    "/trials/sharp/",
    "/trials/",
    "/",
    "/sitemap-entries.xml",
    "/feed/",
]


def test_a_page_changed_within_the_settling_time_carries_no_date(client, sharp, settings):
    settings.LAST_MODIFIED_SETTLE_SECONDS = 10
    fresh = {url: client.get(url) for url in DATED_PAGES}
    settings.LAST_MODIFIED_SETTLE_SECONDS = 0
    settled = {url: client.get(url) for url in DATED_PAGES}

    assert {url: r.status_code for url, r in fresh.items()} == dict.fromkeys(DATED_PAGES, 200)
    assert [url for url, r in fresh.items() if r.has_header("Last-Modified")] == []
    assert [url for url, r in settled.items() if not r.has_header("Last-Modified")] == []
    assert all(r.has_header("ETag") for r in fresh.values() if r.status_code == 200)


def test_two_publishes_in_one_second_are_never_answered_304_by_date(client, sorafenib, sharp):
    """The second publish lands in the second the first was read in: the reader holds no
    date to revalidate by, and one that sends the date of that second gets the page."""
    before = {url: client.get(url) for url in DATED_PAGES}
    published_trial(drugs=[sorafenib], slug="second-study", acronym="SECOND")
    same_second = http_date(timezone.now().timestamp())

    for url, response in before.items():
        assert not response.has_header("Last-Modified"), url
        again = client.get(url, headers={"if-modified-since": same_second})
        assert again.status_code == 200, url


def test_the_sitemap_is_dated_by_a_withdrawal(client, sorafenib, sharp, settings):
    settings.LAST_MODIFIED_SETTLE_SECONDS = 0
    newest = published_trial(drugs=[sorafenib], slug="newest-study", acronym="NEWEST")
    Entry.objects.update(last_published_at=timezone.now() - timedelta(hours=2))
    Entry.objects.filter(slug="newest-study").update(
        last_published_at=timezone.now() - timedelta(hours=1)
    )
    url = reverse("monographs:sitemap_section", args=["entries"])
    first = client.get(url)

    root_withdraw(root=newest, user=UserFactory(is_superuser=True), reason="Withdrawn.")
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    by_etag = client.get(url, headers={"if-none-match": first["ETag"]})

    assert b"/trials/newest-study/" in first.content
    assert by_date.status_code == by_etag.status_code == 200
    assert b"/trials/newest-study/" not in by_date.content
    assert by_date["Last-Modified"] != first["Last-Modified"]

"""Every address the public can read, and a crawl of them with the test client.

The addresses come from the working copy as well as from what is published, so a page for a
root that was never published is asked for too (and must not exist).
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.test import Client
from django.utils import timezone

from monographs.models import AdverseEventTerm, Citation, Drug
from monographs.publishing.models import Entry, Publication
from trials.models import Trial

SITE_PAGES = [
    "/",
    "/drugs/",
    "/trials/",
    "/adverse-events/",
    "/references/",
    "/search/",
    "/about/",
    "/feed/",
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-entries.xml",
    "/sitemap-vocabulary.xml",
    "/robots.txt",
]
API_LISTS = [
    "/api/v1/drugs/",
    "/api/v1/trials/",
    "/api/v1/adverse-events/",
    "/api/v1/citations/",
    "/api/v1/changes/",
    "/api/v1/export/fixtures.json",
    "/api/v1/export/trials.csv",
    "/api/v1/export/outcomes.csv",
    "/api/v1/export/adverse-events.csv",
    "/api/v1/export/citations.ris",
    "/api/v1/export/citations.bib",
]
SITE_PREFIX = {"drug": "/drugs/", "trial": "/trials/"}
API_PREFIX = {"drug": "/api/v1/drugs/", "trial": "/api/v1/trials/"}


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    text: str
    cache: str = ""  # X-Cache: "hit" when the response cache answered


def root_urls(kind: str, slug: str, versions: range = range(1, 3)) -> list[str]:
    """A root's page, history and versions on the site and in the API."""
    site, api = SITE_PREFIX[kind] + slug + "/", API_PREFIX[kind] + slug + "/"
    as_of = quote(timezone.now().isoformat())
    return [
        site,
        site + "versions/",
        *(f"{site}versions/{number}/" for number in versions),
        api,
        api + "versions/",
        *(f"{api}versions/{number}/" for number in versions),
        f"{api}?as_of={as_of}",
    ]


def public_urls(*, search_words: list[str] = ()) -> list[str]:
    """Every public address for what the database holds now, plus searches for these words."""
    urls = list(SITE_PAGES) + list(API_LISTS)
    roots = {("drug", slug) for slug in Drug.objects.values_list("slug", flat=True)}
    roots |= {("trial", slug) for slug in Trial.objects.values_list("slug", flat=True)}
    roots |= set(Entry.objects.values_list("kind", "slug"))
    highest = max(Publication.objects.values_list("version", flat=True), default=1)
    for kind, slug in sorted(roots):
        urls += root_urls(kind, slug, versions=range(1, highest + 2))
    for slug in AdverseEventTerm.objects.values_list("slug", flat=True):
        urls.append(f"/adverse-events/{slug}/")
    for key in Citation.objects.values_list("key", flat=True):
        urls.append(f"/references/{key}/")
    for word in search_words:
        urls += search_urls(word)
    return urls


def search_urls(word: str) -> list[str]:
    """The site's and the API's search for a word."""
    return [f"/search/?q={quote(word)}", f"/api/v1/search/?q={quote(word)}"]


def crawl(client: Client, urls: list[str]) -> list[Fetched]:
    fetched = []
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        fetched.append(Fetched(url, response.status_code, text, response.get("X-Cache", "")))
    return fetched

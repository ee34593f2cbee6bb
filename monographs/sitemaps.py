"""sitemap.xml: every live entry, adverse-event term and reference, and the list pages.

/sitemap.xml is an index of sections, each split into pages of at most URLS_PER_PAGE: the
sitemaps protocol allows 50,000 URLs a file, and 100,000 trials in one file took seconds to
build. A page costs a COUNT and one slice of an indexed order, however large the corpus.
The index gives no lastmod per section: Django would read every item to find it.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from monographs.models.search import SearchDocument
from monographs.publishing.models import Entry
from monographs.search import search_result_url
from monographs.views.conditional import site_page
from monographs.views.presentation import entry_url

URLS_PER_PAGE = 10_000


class PagedSitemap(Sitemap):
    limit = URLS_PER_PAGE

    def get_latest_lastmod(self):
        return None


class EntrySitemap(PagedSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Entry]:
        entries = Entry.objects.live().only("kind", "slug", "last_published_at")
        return entries.order_by("kind", "slug")

    def location(self, entry: Entry) -> str:
        return entry_url(entry.kind, entry.slug)

    def lastmod(self, entry: Entry):
        return entry.last_published_at


class VocabularySitemap(PagedSitemap):
    """Adverse-event terms and references that some live entry uses."""

    changefreq = "monthly"
    priority = 0.4

    def items(self) -> QuerySet[SearchDocument]:
        return (
            SearchDocument.objects.filter(
                kind__in=[SearchDocument.Kind.ADVERSE_EVENT, SearchDocument.Kind.REFERENCE]
            )
            .only("kind", "slug", "updated_at")
            .order_by("kind", "slug")
        )

    def location(self, document: SearchDocument) -> str:
        return search_result_url(kind=document.kind, slug=document.slug)

    def lastmod(self, document: SearchDocument):
        return document.updated_at


class PageSitemap(PagedSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "monographs:home",
            "monographs:drug_list",
            "trials:trial_list",
            "monographs:adverse_event_list",
            "monographs:reference_list",
            "monographs:about",
        ]

    def location(self, url_name: str) -> str:
        return reverse(url_name)


SITEMAPS = {"pages": PageSitemap, "entries": EntrySitemap, "vocabulary": VocabularySitemap}


@site_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(
        request, sitemaps=SITEMAPS, sitemap_url_name="monographs:sitemap_section"
    )


@site_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """A section's page, dated and validated as the other pages built from many entries are
    (site_page): by the last publish or withdrawal anywhere. Django dates it by the newest
    item it lists, which a withdrawal never moves (and can move back), so a reader or cache
    revalidating by date was told 304 about a sitemap that had dropped an entry."""
    response = sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section)
    response.headers.pop("Last-Modified", None)
    return response

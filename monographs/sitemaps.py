"""sitemap.xml: every live entry, adverse-event term and reference, and the list pages.

Items are lists, not querysets, so each section costs one query and no COUNT.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from monographs.editorial.models import Entry
from monographs.models.search import SearchDocument
from monographs.search import search_result_url
from monographs.views.presentation import entry_url


class EntrySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[Entry]:
        return list(
            Entry.objects.live().only("kind", "slug", "last_published_at").order_by("kind", "slug")
        )

    def location(self, entry: Entry) -> str:
        return entry_url(entry.kind, entry.slug)

    def lastmod(self, entry: Entry):
        return entry.last_published_at


class VocabularySitemap(Sitemap):
    """Adverse-event terms and references that some live entry uses."""

    changefreq = "monthly"
    priority = 0.4

    def items(self) -> list[SearchDocument]:
        return list(
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


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "monographs:home",
            "monographs:drug_list",
            "trials:trial_list",
            "monographs:adverse_event_list",
            "monographs:reference_list",
        ]

    def location(self, url_name: str) -> str:
        return reverse(url_name)


SITEMAPS = {"pages": PageSitemap, "entries": EntrySitemap, "vocabulary": VocabularySitemap}

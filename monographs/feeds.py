"""An Atom feed of publications: every new version of a live entry, newest first."""

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst

from monographs.editorial.models import Entry, Publication
from monographs.views.presentation import SITE_NAME, version_url

FEED_LENGTH = 50
KIND_LABELS = {"drug": "Drug monograph", "trial": "Trial"}


def publications_of_live_entries():
    """Publications whose entry is live now: a withdrawn entry leaves the feed entirely."""
    live = Entry.objects.live().filter(kind=OuterRef("kind"), root_id=OuterRef("root_id"))
    return (
        Publication.objects.filter(Exists(live)).defer("document").order_by("-published_at", "-pk")
    )


class PublicationFeed(Feed):
    feed_type = Atom1Feed
    title = f"{SITE_NAME}: new and updated entries"
    subtitle = "Each reviewed version of a drug monograph or trial summary as it is published."

    def link(self) -> str:
        return reverse("monographs:home")

    def feed_url(self) -> str:
        return reverse("monographs:feed")

    def items(self):
        return publications_of_live_entries()[:FEED_LENGTH]

    def item_title(self, publication: Publication) -> str:
        return f"{capfirst(publication.title)}, version {publication.version}"

    def item_description(self, publication: Publication) -> str:
        kind = KIND_LABELS.get(publication.kind, publication.kind)
        what = "First published" if publication.version == 1 else "Updated"
        note = f": {publication.change_note}" if publication.change_note else "."
        return f"{kind}. {what}{note}"

    def item_link(self, publication: Publication) -> str:
        return version_url(publication.kind, publication.slug, publication.version)

    def item_pubdate(self, publication: Publication):
        return publication.published_at

    def item_updateddate(self, publication: Publication):
        return publication.published_at

    def item_categories(self, publication: Publication) -> list[str]:
        return [KIND_LABELS.get(publication.kind, publication.kind)]

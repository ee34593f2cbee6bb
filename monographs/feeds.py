"""An Atom feed of what readers should know has changed: every new version of a live entry,
and every withdrawal with its reason, newest first."""

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import capfirst

from monographs.editorial import registry
from monographs.publishing.models import Entry, Publication
from monographs.views.conditional import site_page
from monographs.views.presentation import SITE_NAME, entry_url, version_url

FEED_LENGTH = 50
# Where the feed says more than a kind's own name.
KIND_LABELS = {"drug": "Drug monograph"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or capfirst(registry.root_kind(kind).label)


def publications_of_live_entries():
    """Publications whose entry is live now: a withdrawn entry's versions leave the feed (their
    addresses answer 410), and its withdrawal takes their place."""
    live = Entry.objects.live().filter(kind=OuterRef("kind"), root_id=OuterRef("root_id"))
    return (
        Publication.objects.filter(Exists(live)).defer("document").order_by("-published_at", "-pk")
    )


def entries_withdrawn():
    """Entries withdrawn now, the latest withdrawal first; the reason is public on their page."""
    return (
        Entry.objects.filter(withdrawn_at__isnull=False)
        .only("kind", "slug", "title", "withdrawn_at", "withdrawal_reason")
        .order_by("-withdrawn_at", "-pk")
    )


class PublicationFeed(Feed):
    feed_type = Atom1Feed
    title = f"{SITE_NAME}: new and updated entries"
    subtitle = (
        "Each reviewed version of a drug monograph or trial summary as it is published, "
        "and each withdrawal with its reason."
    )

    def link(self) -> str:
        return reverse("monographs:home")

    def feed_url(self) -> str:
        return reverse("monographs:feed")

    def items(self) -> list[Publication | Entry]:
        """The latest FEED_LENGTH events of both sorts, in two queries whatever the corpus."""
        publications = list(publications_of_live_entries()[:FEED_LENGTH])
        withdrawals = list(entries_withdrawn()[:FEED_LENGTH])
        merged = sorted(publications + withdrawals, key=self.item_pubdate, reverse=True)
        return merged[:FEED_LENGTH]

    def item_title(self, item: Publication | Entry) -> str:
        if isinstance(item, Entry):
            return f"{capfirst(item.title)} withdrawn"
        return f"{capfirst(item.title)}, version {item.version}"

    def item_description(self, item: Publication | Entry) -> str:
        kind = kind_label(item.kind)
        if isinstance(item, Entry):
            return f"{kind}. Withdrawn: {item.withdrawal_reason}"
        what = "First published" if item.version == 1 else "Updated"
        note = f": {item.change_note}" if item.change_note else "."
        return f"{kind}. {what}{note}"

    def item_link(self, item: Publication | Entry) -> str:
        """A version's own address; a withdrawal's is the entry's page, which says why, with
        the moment in its fragment so that the item's id is new for each withdrawal."""
        if isinstance(item, Entry):
            moment = int(item.withdrawn_at.timestamp())
            return f"{entry_url(item.kind, item.slug)}#withdrawn-{moment}"
        return version_url(item.kind, item.slug, item.version)

    def item_pubdate(self, item: Publication | Entry):
        return item.withdrawn_at if isinstance(item, Entry) else item.published_at

    def item_updateddate(self, item: Publication | Entry):
        return self.item_pubdate(item)

    def item_categories(self, item: Publication | Entry) -> list[str]:
        labels = [kind_label(item.kind)]
        return [*labels, "Withdrawal"] if isinstance(item, Entry) else labels


@site_page
def feed(request: HttpRequest) -> HttpResponse:
    """The feed, validated as the other pages built from many entries are (site_page): by the
    last publish or withdrawal anywhere, answered 304 before a query for its items."""
    response = PublicationFeed()(request)
    response.headers.pop("Last-Modified", None)
    return response

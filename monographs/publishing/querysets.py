from django.db import models
from django.db.models.fields.json import KeyTransform

# Annotations holding document members; Entry.document_members gathers them.
DOCUMENT_MEMBER_PREFIX = "document_member_"


class PublicationQuerySet(models.QuerySet):
    def current(self) -> "PublicationQuerySet":
        """Publications the public may read now: the current version of a root not withdrawn."""
        from monographs.publishing.models import Entry

        live = Entry.objects.live().values("current_id")
        return self.filter(pk__in=live)

    def of_root(self, *, kind: str, root_id: int) -> "PublicationQuerySet":
        return self.filter(kind=kind, root_id=root_id)


class EntryQuerySet(models.QuerySet):
    def live(self) -> "EntryQuerySet":
        """Entries whose current publication is public: published and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def of_kind(self, kind: str) -> "EntryQuerySet":
        return self.filter(kind=kind)

    def with_facet(self, name: str, value: str) -> "EntryQuerySet":
        """Entries whose current publication has this filterable fact (e.g. drug=sorafenib).

        Matched on the facets' own index, joined to no publication: a common adverse-event
        term is a fact of 9,000 of 100,000 trials, and the join through the publications
        table tripled the count of them on its page."""
        return self._with_facets(name=name, value=value)

    def with_facet_between(
        self, name: str, low: float | None = None, high: float | None = None
    ) -> "EntryQuerySet":
        """Entries whose numeric fact (e.g. enrolment, start_year) lies within [low, high]."""
        bounds = {}
        if low is not None:
            bounds["number__gte"] = low
        if high is not None:
            bounds["number__lte"] = high
        return self._with_facets(name=name, **bounds)

    def _with_facets(self, **facet: object) -> "EntryQuerySet":
        from monographs.publishing.models import Facet

        return self.filter(current_id__in=Facet.objects.filter(**facet).values("publication_id"))

    def with_document_members(self, *members: str) -> "EntryQuerySet":
        """Entries with only these top-level members of their current document, not all of it,
        as `entry.document_members` (None for a member the document lacks).

        A document is tens of kilobytes (a trial's outcomes and adverse events, a monograph's
        sections): a page listing twenty that shows a few fields of each spent most of its
        time reading and parsing the rest.
        """
        return (
            self.select_related("current")
            .defer("current__document")
            .annotate(
                **{
                    f"{DOCUMENT_MEMBER_PREFIX}{member}": KeyTransform(member, "current__document")
                    for member in members
                }
            )
        )

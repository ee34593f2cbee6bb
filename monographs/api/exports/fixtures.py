"""The published corpus as a Django fixture that `loaddata` accepts in an empty database.

It holds every version of every live entry (so history stays reproducible), the live
entries, their facets and the read tables, and their publications and withdrawals as events:
what `as_of` reads, so a restored copy answers every `as_of` as the site did, and what the
change feed serves, under the same tokens. Withdrawn entries and anything never published
are left out. Users are not exported: published_by, approved_by and an event's user are left
empty, so no account (and no password hash) ever leaves the site; nor are revisions (drafts).
An event's writing transaction is the exporting database's, meaningless in another: left
empty, which the change feed reads as long committed.
"""

import datetime
import json
from collections.abc import Iterable, Iterator
from itertools import islice

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, Model, OuterRef, QuerySet

from monographs.api.models import (
    PublishedAdverseEvent,
    PublishedCitation,
    PublishedDocument,
    PublishedTrialDrug,
    PublishedTrialListing,
)
from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Facet, Publication

CHUNK_SIZE = 200
CHANGE_ACTIONS = (EditorialEvent.Action.PUBLISHED, EditorialEvent.Action.WITHDRAWN)
# Set to None in every object that has them.
EMPTIED_FIELDS = ("published_by", "approved_by", "user", "revision", "txid")


def published_corpus() -> list[QuerySet]:
    """The querysets the fixture is made of, in the order loaddata needs them."""
    live = Entry.objects.live()
    of_live_root = Exists(live.filter(kind=OuterRef("kind"), root_id=OuterRef("root_id")))
    publications = Publication.objects.filter(of_live_root)
    publication_ids = publications.values("id")
    return [
        publications.order_by("id"),
        live.order_by("id"),
        EditorialEvent.objects.filter(of_live_root, action__in=CHANGE_ACTIONS)
        .exclude(publication=None)
        .order_by("id"),
        Facet.objects.filter(publication_id__in=publication_ids).order_by("id"),
        PublishedAdverseEvent.objects.filter(publication_id__in=publication_ids).order_by("id"),
        PublishedCitation.objects.filter(publication_id__in=publication_ids).order_by("id"),
        PublishedTrialDrug.objects.filter(publication_id__in=publication_ids).order_by("id"),
        PublishedTrialListing.objects.filter(publication_id__in=publication_ids).order_by("pk"),
        PublishedDocument.objects.filter(publication_id__in=publication_ids).order_by("pk"),
    ]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but a moment keeps its microseconds (Django's stops at milliseconds):
    a restored copy must answer an `as_of` between two of them as the site did."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def _chunks(rows: Iterable[Model]) -> Iterator[list[Model]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield chunk


def _fixture_objects(rows: Iterable[Model]) -> Iterator[dict]:
    for chunk in _chunks(rows):
        for data in serializers.serialize("python", chunk):
            fields = data["fields"]
            for name in EMPTIED_FIELDS:
                if name in fields:
                    fields[name] = None
            yield data


def fixture_chunks() -> Iterator[str]:
    """The fixture as JSON text, one object at a time."""
    yield "["
    separator = "\n"
    for queryset in published_corpus():
        for data in _fixture_objects(queryset.iterator(chunk_size=CHUNK_SIZE)):
            yield separator + json.dumps(data, cls=ExactJSONEncoder, ensure_ascii=False)
            separator = ",\n"
    yield "\n]\n"

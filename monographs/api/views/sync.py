"""Sync: a mirror's whole state, then its changes, in pages of documents.

The change feed names what changed and a mirror fetches each change; sync hands over the
documents themselves, a page at a time, so keeping a mirror costs one request per page rather
than one per change (the shape of Contentful's sync API). Its token is the change feed's:
what one says, the other continues from.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from monographs.api.http import PublicReadMixin
from monographs.api.pagination import MAX_PAGE_SIZE, page_size_from
from monographs.api.selectors import (
    change_feed_position,
    sync_changes_page,
    sync_initial_page,
)
from monographs.api.serializers.common import ErrorSerializer
from monographs.api.views.changes import MAX_TOKEN
from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Publication

SYNC_PAGE_SIZE = MAX_PAGE_SIZE
ENTRY, WITHDRAWN, RETIRED_SLUG = "entry", "withdrawn", "retired_slug"


class SyncQuerySerializer(serializers.Serializer):
    since = serializers.IntegerField(required=False, min_value=0, max_value=MAX_TOKEN)
    snapshot = serializers.IntegerField(required=False, min_value=0, max_value=MAX_TOKEN)
    after = serializers.IntegerField(required=False, min_value=0, max_value=MAX_TOKEN)

    def validate(self, data: dict) -> dict:
        if "since" in data and ({"snapshot", "after"} & data.keys()):
            raise serializers.ValidationError(
                {
                    "since": [
                        "Give since to follow changes, or snapshot and after to continue "
                        "an initial sync (as its next link does), not both."
                    ]
                }
            )
        if ("snapshot" in data) != ("after" in data):
            missing = "after" if "snapshot" in data else "snapshot"
            raise serializers.ValidationError(
                {
                    missing: [
                        "An initial sync continues with both snapshot and after: follow "
                        "the next link as given."
                    ]
                }
            )
        return data


class SyncItemSerializer(serializers.Serializer):
    """One thing for the mirror to do: store an entry's document, or delete what is gone."""

    type = serializers.ChoiceField(
        choices=[ENTRY, WITHDRAWN, RETIRED_SLUG],
        help_text="entry: store this document under id (replacing any). withdrawn: delete id. "
        "retired_slug: the entry id no longer answers at slug (it redirects to new_slug).",
    )
    id = serializers.UUIDField(help_text="The entry's permanent identifier: key the mirror on it.")
    kind = serializers.CharField()
    slug = serializers.CharField()
    new_slug = serializers.CharField(required=False, help_text="retired_slug: the slug now.")
    title = serializers.CharField(required=False)
    version = serializers.IntegerField(required=False)
    content_hash = serializers.CharField(required=False)
    published_at = serializers.DateTimeField(required=False)
    document = serializers.DictField(required=False, help_text="entry: the frozen document.")
    withdrawn_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, help_text="withdrawn: why.")


class SyncPageSerializer(serializers.Serializer):
    token = serializers.IntegerField(
        help_text="When has_more is false, store it and sync with ?since=<token> next time; "
        "it is also a token of /api/v1/changes/."
    )
    has_more = serializers.BooleanField()
    next = serializers.URLField(allow_null=True, help_text="The next page: follow it as given.")
    items = SyncItemSerializer(many=True)


def _entry_item(*, uid: Any, publication: Publication) -> dict[str, Any]:
    return {
        "type": ENTRY,
        "id": str(uid),
        "kind": publication.kind,
        "slug": publication.slug,
        "title": publication.title,
        "version": publication.version,
        "content_hash": publication.content_hash,
        "published_at": publication.published_at.isoformat(),
        "document": publication.document,
    }


def initial_items(entries: list[Entry]) -> list[dict[str, Any]]:
    return [_entry_item(uid=entry.uid, publication=entry.current) for entry in entries]


def change_items(events: list[EditorialEvent]) -> list[dict[str, Any]]:
    """The changes of a page as things to do, an entry's last change only: the state it
    leaves is what the mirror needs, and a document can be large."""
    last = {event.entry_uid: event.id for event in events}
    items: list[dict[str, Any]] = []
    for event in events:
        publication = event.publication
        if event.action == EditorialEvent.Action.PUBLISHED and event.previous_slug not in (
            None,
            publication.slug,
        ):
            items.append(
                {
                    "type": RETIRED_SLUG,
                    "id": str(event.entry_uid),
                    "kind": event.kind,
                    "slug": event.previous_slug,
                    "new_slug": publication.slug,
                }
            )
        if last[event.entry_uid] != event.id:
            continue
        if event.action == EditorialEvent.Action.WITHDRAWN:
            items.append(
                {
                    "type": WITHDRAWN,
                    "id": str(event.entry_uid),
                    "kind": event.kind,
                    "slug": publication.slug,
                    "withdrawn_at": event.created_at.isoformat(),
                    "reason": event.comment,
                }
            )
        else:
            items.append(_entry_item(uid=event.entry_uid, publication=publication))
    return items


@extend_schema(
    summary="Sync a mirror: every live document, then what changed, in pages",
    tags=["changes"],
    parameters=[
        OpenApiParameter(
            "since",
            {"type": "integer", "minimum": 0, "maximum": MAX_TOKEN, "format": "int64"},
            description="The token your last sync ended with. Leave it out for an initial "
            "sync: every live entry, then the changes made meanwhile.",
        ),
        OpenApiParameter(
            "snapshot",
            {"type": "integer", "minimum": 0, "maximum": MAX_TOKEN, "format": "int64"},
            description="Set by the next link of an initial sync: the token it started at.",
        ),
        OpenApiParameter(
            "after",
            {"type": "integer", "minimum": 0, "maximum": MAX_TOKEN, "format": "int64"},
            description="Set by the next link of an initial sync: where its next page starts.",
        ),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            description=f"Items per page, 1 to {MAX_PAGE_SIZE}; {SYNC_PAGE_SIZE} if left out.",
        ),
    ],
    responses={200: SyncPageSerializer, 400: ErrorSerializer},
)
class SyncView(PublicReadMixin, APIView):
    """Pages of documents to store and of entries to delete, from a token.

    Without `since`, an initial sync: every live entry with its current document, page by page
    (follow `next`), then, still through `next`, the changes made since it started. With
    `since=<token>`, the changes after it: each changed entry's document as that change left
    it, a withdrawal as an entry to delete, a rename as a slug retired. Apply the items in
    order; when `has_more` is false, store `token` for next time.
    """

    strict_query_parameters = True
    query_parameters = ("since", "snapshot", "after", "page_size")

    def get(self, request, *args, **kwargs):
        query = SyncQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        size = page_size_from(request, default=SYNC_PAGE_SIZE)
        url = request.build_absolute_uri()
        data = query.validated_data
        if "since" in data:
            events = sync_changes_page(token=data["since"], size=size)
            page, has_more = events[:size], len(events) > size
            token = page[-1].id if page else data["since"]
            items = change_items(page)
            next_url = replace_query_param(url, "since", token) if has_more else None
        else:
            token = data["snapshot"] if "snapshot" in data else change_feed_position()
            entries = sync_initial_page(after=data.get("after", 0), size=size)
            page = entries[:size]
            items = initial_items(page)
            # The initial pages end by handing over to the changes made since they began.
            has_more = True
            next_url = remove_query_param(remove_query_param(url, "snapshot"), "after")
            if len(entries) > size:
                next_url = replace_query_param(next_url, "snapshot", token)
                next_url = replace_query_param(next_url, "after", page[-1].id)
            else:
                next_url = replace_query_param(next_url, "since", token)
        return Response({"token": token, "has_more": has_more, "next": next_url, "items": items})

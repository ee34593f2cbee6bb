"""An entry's current API detail, served from what was written when its version was published.

A detail is the version's metadata followed by its frozen document. The document is stored as
the text its content hash is taken over (PublishedDocument.body). The metadata is fixed when
the version is published, except its two addresses, which name the host the reader asked at:
so it is written once, with the JSON up to the document (the "head"), on the placeholder origin
of the site's stored pages, by the read-table projection in the publishing transaction. An
anonymous reader's detail is then one indexed read answered above sessions, CORS and DRF
(site.middleware.StoredPageMiddleware): the head with the reader's origin put in, the document,
and the closing brace. Every other reader of the current detail (signed in, from another
origin, asking ?fields=, or a head written by other code) goes through the DRF view, which
builds its body and headers with the same functions, so both answers are the same bytes.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from rest_framework.settings import api_settings

from monographs.api.models import PublishedDocument
from monographs.api.serializers.entries import PublicationMetadataSerializer, publication_head
from monographs.publishing.cache import (
    RATE_LIMITED_ATTRIBUTE,
    api_reader_throttled,
    response_store_from_miss,
)
from monographs.publishing.models import Entry, Publication
from monographs.publishing.prepared import live_current_row_sql, prepared_read_cursor
from monographs.publishing.querysets import EntryQuerySet
from monographs.site.rendering import (
    ORIGIN_BYTES,
    entry_key,
    request_origin,
    sources_fingerprint,
    stored_render_request,
)

# What a head is written by besides its publication: a head is served only by code with the
# same fingerprint; after an upgrade details are built for each reader until
# `render_stored_pages` writes the heads again.
HEAD_SOURCES = (
    "monographs/api/serializers",
    "monographs/api/stored_detail.py",
    "monographs/api/urls.py",
    "config/urls.py",
)
# Where the head's addresses point and how its JSON and dates are written: Django's settings,
# then the REST framework's.
HEAD_SETTINGS = ("FORCE_SCRIPT_NAME", "TIME_ZONE", "USE_TZ")
HEAD_API_SETTINGS = (
    "UNICODE_JSON",
    "COMPACT_JSON",
    "STRICT_JSON",
    "COERCE_DECIMAL_TO_STRING",
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "URL_FIELD_NAME",
)
# The Accept headers a detail answers as stored: none, and what clients send for JSON. Any other
# goes through DRF's content negotiation (a 406 for text/html, for instance).
STORED_ACCEPT = frozenset({"", "*/*", "application/json", "application/json, */*"})


@cache
def head_fingerprint() -> str:
    """A digest of the code and settings that write a detail's head, read once per process."""
    values = {name: getattr(settings, name) for name in HEAD_SETTINGS}
    values |= {f"REST_FRAMEWORK.{name}": getattr(api_settings, name) for name in HEAD_API_SETTINGS}
    return sources_fingerprint(HEAD_SOURCES, setting_values=values)


@dataclass(frozen=True)
class DetailHead:
    """A detail's JSON up to its document, on the placeholder origin, and the version's ETag."""

    head: bytes
    etag: str


def detail_heads(
    publications: Iterable[tuple[Publication, Any, str]],
) -> Iterator[DetailHead]:
    """The head of each publication's detail while it is its entry's current version, for
    (publication, entry uid, document text) triples: one serializer for them all, since
    declaring its fields again for each of 100,000 trials cost more than writing them."""
    context: dict[str, Any] = {"request": stored_render_request("/")}
    serializer = PublicationMetadataSerializer(context=context)
    for publication, entry_uid, document_text in publications:
        context.update(
            current_version=publication.version, slug=publication.slug, entry_uid=entry_uid
        )
        head = publication_head(serializer.to_representation(publication))
        digest = hashlib.sha256(head)
        digest.update(document_text.encode())
        yield DetailHead(head=head, etag=digest.hexdigest()[:32])


def detail_head(publication: Publication, *, entry_uid: Any, document_text: str) -> DetailHead:
    """The head of the detail of `publication` while it is its entry's current version."""
    return next(detail_heads([(publication, entry_uid, document_text)]))


def detail_head_columns(
    publications: Iterable[tuple[Publication, Any, str]],
) -> Iterator[dict[str, Any]]:
    """The PublishedDocument columns that store each publication's detail head."""
    renderer = head_fingerprint()
    for written in detail_heads(publications):
        yield {"head": written.head, "head_etag": written.etag, "head_renderer": renderer}


def detail_response(
    request: HttpRequest,
    *,
    kind: str,
    slug: str,
    head: bytes,
    document: bytes,
    etag: str,
    allow: str,
) -> HttpResponse:
    """The current detail for this reader, answering 304 when its ETag still holds.

    The ETag covers the origin too: the same detail read at another host names other
    addresses. The headers are those DRF and the middleware below the stored answer give a
    detail (Allow, Vary, Content-Type), plus the entry's key for the caches in front."""
    origin = request_origin(request)
    etag = quote_etag(hashlib.sha256(f"{etag}|{origin}".encode()).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = head.replace(ORIGIN_BYTES, origin.encode()) + document + b"}"
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Allow"] = allow
    key = entry_key(kind, slug)
    response["Surrogate-Key"] = response["Cache-Tag"] = key
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    patch_vary_headers(response, ["Accept"])
    response_store_from_miss(response, settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES)
    setattr(response, RATE_LIMITED_ATTRIBUTE, True)
    return response


def _stored_detail_sql(connection) -> str:
    quote = connection.ops.quote_name
    return live_current_row_sql(
        connection,
        table=PublishedDocument._meta.db_table,
        columns=f"r.{quote('head')}, r.{quote('body')}, r.{quote('head_etag')}",
        written_by="head_renderer",
    )


def stored_detail_for(*, kind: str, slug: str) -> tuple[bytes, bytes, str] | None:
    """The head, document and ETag of a live entry's current detail, in one query by two
    unique indexes; None if there is none written by this code (a withdrawn entry, an unknown
    or retired slug, a head written by other code)."""
    connection = connections[router.db_for_read(PublishedDocument)]
    with prepared_read_cursor(connection) as cursor:
        cursor.execute(_stored_detail_sql(connection), [kind, slug, head_fingerprint()])
        row = cursor.fetchone()
    if row is None:
        return None
    head, document, etag = row
    return bytes(head), document.encode(), etag


def _answered_as_stored(request: HttpRequest) -> bool:
    """A plain read of the detail: no query parameters, JSON or anything accepted, and no
    Origin (a cross-origin read gets its CORS headers from the middleware below)."""
    return (
        settings.SERVE_STORED_PAGES
        and not request.GET
        and "origin" not in request.headers
        and request.headers.get("Accept", "").strip() in STORED_ACCEPT
    )


def stored_detail_responder(*, kind: str, allow: str) -> Callable[..., HttpResponse | None]:
    """The stored answer of a kind's detail view for an anonymous reader, or None to go down
    the stack (the reader asked for something else, is over the rate limit, or the detail
    has no head written by this code: the view answers 404, 410 or builds it)."""

    def stored(request: HttpRequest, slug: str) -> HttpResponse | None:
        if not _answered_as_stored(request):
            return None
        found = stored_detail_for(kind=kind, slug=slug)
        # Counted once: by this check when answered here, else by the view's own throttle.
        if found is None or api_reader_throttled(request):
            return None
        head, document, etag = found
        response = detail_response(
            request, kind=kind, slug=slug, head=head, document=document, etag=etag, allow=allow
        )
        patch_vary_headers(response, ["origin"])  # as the CORS middleware would
        return response

    return stored


def detail_heads_fill(
    *, missing_only: bool = True, batch_size: int = 500, entries: EntryQuerySet | None = None
) -> int:
    """Write the heads of live entries' current details that this code did not write (all
    of them with missing_only=False), of every live entry or of those of `entries`: after an
    upgrade, or a corpus loaded from an export made before heads were stored. Until then
    those details are built for each reader."""
    live = (Entry.objects.all() if entries is None else entries).live()
    documents = PublishedDocument.objects.filter(publication_id__in=live.values("current_id"))
    if missing_only:
        documents = documents.exclude(head_renderer=head_fingerprint())
    pks = list(documents.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(pks), batch_size):
        batch = list(
            PublishedDocument.objects.filter(pk__in=pks[start : start + batch_size])
            .select_related("publication")
            .defer("publication__document")
        )
        uids = dict(
            Entry.objects.filter(current_id__in=pks[start : start + batch_size]).values_list(
                "current_id", "uid"
            )
        )
        heads = detail_head_columns(
            (document.publication, uids[document.pk], document.body) for document in batch
        )
        for document, columns in zip(batch, heads, strict=True):
            for name, value in columns.items():
                setattr(document, name, value)
        PublishedDocument.objects.bulk_update(batch, ["head", "head_etag", "head_renderer"])
        written += len(batch)
    return written

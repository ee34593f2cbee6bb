"""One way to render an entry's page, whether it is stored at publish or rendered for a reader.

A stored page must be the same bytes for every reader, so it is rendered for a request that
carries nothing of any reader: no session, user, cookie or CSRF token (the public templates
use none), at the page's own path, on a placeholder origin. When served, the placeholder is
replaced by the scheme and host the reader asked at, so absolute links and structured data
name the site as the reader reached it, exactly as a live render would.
"""

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

# The key format is the response cache's: a page's keys are what a publish retires there.
from monographs.publishing.cache import entry_key as entry_key
from monographs.site.compression import STORED_BLOCK_LIMIT, accepts_gzip, gzip_with

ORIGIN = "http://stored-page.invalid"
ORIGIN_BYTES = ORIGIN.encode()
# What an entry page's bytes are made by, besides the publications: a stored page is served
# only by code with the same fingerprint, so after an upgrade (or a template edited in
# development) pages are rendered live until `render_stored_pages` stores them again.
RENDERER_SOURCES = (
    "templates",
    "monographs/templatetags",
    "monographs/views",
    "monographs/site",
    "trials/views",
    "monographs/charts",
    "monographs/figures.py",
    "monographs/richtext.py",
    "monographs/stated.py",
    # Pages name static files by their hashed names: new styles or scripts, new pages.
    "static",
    # Pages link to each other by reversed URLs.
    "config/urls.py",
    "monographs/urls.py",
    "trials/urls.py",
)
# Settings a page's bytes depend on: where it and its static files are served from, and how
# dates and times are written.
RENDERER_SETTINGS = (
    "FORCE_SCRIPT_NAME",
    "STATIC_URL",
    "STORAGES",
    "TIME_ZONE",
    "USE_TZ",
    "LANGUAGE_CODE",
    "USE_I18N",
    "USE_THOUSAND_SEPARATOR",
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
)


RENDERER_SUFFIXES = (".html", ".py", ".txt", ".xml", ".css", ".js", ".svg", ".png", ".ico")


class StaticFilesNotCollected(ImproperlyConfigured):
    pass


def static_names_ready() -> None:
    """Raise StaticFilesNotCollected, saying what to run, when pages cannot name their static
    files: with DEBUG off they name them by the hashed names `collectstatic` writes down, and
    a page rendered before it runs fails deep in a template on the first image it names."""
    storage = staticfiles_storage
    manifest = isinstance(storage, ManifestFilesMixin) and storage.manifest_strict
    if manifest and not storage.hashed_files:
        raise StaticFilesNotCollected(
            f"The static files have not been collected into {settings.STATIC_ROOT}: run "
            "`manage.py collectstatic --no-input` first. With DEBUG off, pages are "
            "rendered with the names it gives the static files."
        )


def sources_fingerprint(sources: Iterable[str], *, setting_values: Mapping[str, Any]) -> str:
    """A digest of the files under these paths (relative to BASE_DIR) and of the settings'
    values: whatever is stored from their output is served only by code with the same
    digest, so a deployment that changes one is served afresh, never the bytes before."""
    digest = hashlib.sha256()
    for name, value in sorted(setting_values.items()):
        digest.update(f"{name}={value!r}\n".encode())
    for source in sources:
        root = Path(settings.BASE_DIR) / source
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file() and path.suffix in RENDERER_SUFFIXES:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def renderer_fingerprint() -> str:
    """A digest of the templates, code and settings that render entry pages, read once per
    process."""
    values = {name: getattr(settings, name, None) for name in RENDERER_SETTINGS}
    return sources_fingerprint(RENDERER_SOURCES, setting_values=values)


class Dependence:
    """How a page depends on an entry, which says which of its changes render the page again."""

    SHOWS = "shows"  # shows what the entry's publication says (a trial row, a mention)
    LINKS = "links"  # links to it because it is live: only its withdrawal or rename matter
    NAMES = "names"  # names it unlinked because it is not live: its publication matters


@dataclass(frozen=True)
class RenderedPage:
    body: bytes
    dependencies: frozenset[tuple[str, str]]  # (entry key, Dependence)

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:32]

    @property
    def keys(self) -> str:
        return " ".join(sorted({key for key, _ in self.dependencies}))


class _StoredRenderRequest(HttpRequest):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = path

    def get_host(self) -> str:
        return ORIGIN.removeprefix("http://")

    def _get_scheme(self) -> str:
        return "http"


def stored_render_request(path: str) -> HttpRequest:
    """A request for the page at `path` that belongs to no reader, on the placeholder origin."""
    return _StoredRenderRequest(path)


def page_render(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    shows: Iterable[str] = (),
    links: Iterable[str] = (),
    names: Iterable[str] = (),
) -> RenderedPage:
    dependencies = {(key, Dependence.SHOWS) for key in shows}
    dependencies |= {(key, Dependence.LINKS) for key in links}
    dependencies |= {(key, Dependence.NAMES) for key in names}
    return RenderedPage(
        body=render_to_string(template, context, request=request).encode(),
        dependencies=frozenset(dependencies),
    )


def request_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def reader_takes_gzip(request: HttpRequest) -> bool:
    """Whether this reader is sent a stored page's gzip encoding (every browser asks for it)."""
    return accepts_gzip(request.headers.get("Accept-Encoding", "")) and (
        len(request_origin(request)) <= STORED_BLOCK_LIMIT
    )


def last_modified_validator(moment: datetime | None) -> int | None:
    """The Last-Modified of a page changed at `moment`, in whole seconds, to send and to
    answer If-Modified-Since by; None while it is too recent to tell apart from a change
    still to come in its second (settings.LAST_MODIFIED_SETTLE_SECONDS)."""
    if moment is None:
        return None
    timestamp = moment.timestamp()
    if time.time() - timestamp < settings.LAST_MODIFIED_SETTLE_SECONDS:
        return None
    return int(timestamp)


def page_response(
    request: HttpRequest,
    *,
    body: bytes,
    etag: str,
    keys: str,
    last_modified: datetime,
    deflated_index: str = "",
) -> HttpResponse:
    """A rendered page for this reader, with validators, answering 304 when they still hold.

    The ETag covers the origin too: the same page read at another host is other bytes. With
    `deflated_index`, `body` is the page's compressed pieces (site.compression) and the
    response is their gzip encoding, another representation with its own ETag.
    """
    origin = request_origin(request)
    encoding = "gzip" if deflated_index else ""
    representation = f"{etag}|{origin}|{encoding}" if encoding else f"{etag}|{origin}"
    etag = quote_etag(hashlib.sha256(representation.encode()).hexdigest()[:32])
    timestamp = last_modified_validator(last_modified)
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        if encoding:
            response = HttpResponse(gzip_with(body, deflated_index, origin.encode()))
            response["Content-Encoding"] = encoding
        else:
            response = HttpResponse(body.replace(ORIGIN_BYTES, origin.encode()))
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Surrogate-Key"] = keys
    response["Cache-Tag"] = keys.replace(" ", ",")
    patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response

"""Conditional GET for public pages: 304 answered before anything is rendered.

A page shows its own publication and also what is live elsewhere (a drug's trials, links
to other entries), so its validators combine the publication's content hash and withdrawal
state with the moment anything public last changed. Both come from one indexed query.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from monographs.charts.drawing import charts_numbered_afresh
from monographs.editorial.identity import moved_location
from monographs.publishing.models import Entry
from monographs.selectors import entry_for_page, entry_renamed_to, site_last_changed
from monographs.site.rendering import (
    RenderedPage,
    last_modified_validator,
    page_response,
    reader_takes_gzip,
)
from monographs.site.stored import stored_page_for

EntryView = Callable[..., HttpResponse]


def _etag(*parts: object) -> str:
    return quote_etag(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32])


def _respond(
    request: HttpRequest,
    *,
    etag: str,
    last_modified: datetime | None,
    render_page: Callable[[], HttpResponse],
) -> HttpResponse:
    timestamp = last_modified_validator(last_modified)
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        # The same page in the same bytes at every render, not numbered after the charts
        # the process drew before: what the response cache answers is what a render gives.
        with charts_numbered_afresh():
            response = render_page()
    if response.status_code in (200, 304, 410):
        response.headers.setdefault("ETag", etag)
        if timestamp is not None:
            response.headers.setdefault("Last-Modified", http_date(timestamp))
        patch_cache_control(response, public=True, no_cache=True)
    return response


def withdrawn_response(request: HttpRequest, entry: Entry) -> HttpResponse:
    return render(
        request,
        "410.html",
        {"entry": entry, "page_title": f"{entry.title} has been withdrawn"},
        status=410,
    )


def entry_page(kind: str) -> Callable[[EntryView], EntryView]:
    """Look the entry up once: unknown slug 404, withdrawn 410, unchanged 304, else render.

    The wrapped view is called as view(request, entry=entry, **url_kwargs).
    """

    def decorator(view: EntryView) -> EntryView:
        @require_safe
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
            entry = entry_for_page(kind=kind, slug=slug)
            if entry is None:
                renamed = entry_renamed_to(kind=kind, slug=slug)
                if renamed is not None:
                    return HttpResponsePermanentRedirect(
                        moved_location(request, old_slug=slug, slug=renamed)
                    )
                raise Http404(f"Nothing is published at this address ({kind} '{slug}').")
            etag = _etag(
                entry.current.content_hash,
                entry.withdrawn_at,
                entry.site_last_changed.isoformat(),
                request.path,
            )

            def render_page() -> HttpResponse:
                if entry.is_withdrawn:
                    return withdrawn_response(request, entry)
                return view(request, entry=entry, **kwargs)

            return _respond(
                request, etag=etag, last_modified=entry.site_last_changed, render_page=render_page
            )

        return wrapper

    return decorator


def stored_entry_page(kind: str, *, render: Callable[..., RenderedPage]) -> EntryView:
    """An entry's current page: its stored render, read in one query, else rendered by the
    very function that stored it (a page not stored yet). Withdrawn, renamed and unknown
    entries fall through to entry_page's answers (410, 301, 404).

    Anonymous readers are usually answered before the view is reached, by
    site.middleware.StoredPageMiddleware calling `view.stored_response`; signed-in editors
    and pages not stored yet come here through the whole stack."""

    @entry_page(kind)
    def live(request: HttpRequest, *, entry: Entry) -> HttpResponse:
        page = render(entry=entry)
        return page_response(
            request,
            body=page.body,
            etag=page.etag,
            keys=page.keys,
            last_modified=entry.site_last_changed,
        )

    def stored(request: HttpRequest, slug: str) -> HttpResponse | None:
        """The stored page for this reader, gzip when the reader takes it; None if not stored."""
        if not settings.SERVE_STORED_PAGES:
            return None
        page = stored_page_for(kind=kind, slug=slug, deflated=reader_takes_gzip(request))
        if page is None:
            return None
        return page_response(
            request,
            body=page.content,
            etag=page.etag,
            keys=page.keys,
            last_modified=page.rendered_at,
            deflated_index=page.deflated_index,
        )

    @require_safe
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        response = stored(request, slug)
        return live(request, slug=slug) if response is None else response

    # For site.middleware.StoredPageMiddleware, which serves stored pages above the stack.
    view.stored_response = stored  # type: ignore[attr-defined]
    view.__name__ = view.__qualname__ = f"{kind}_detail"
    return view


def site_page(
    view: EntryView | None = None, *, also_shows: Callable[[HttpRequest], str] | None = None
) -> Any:
    """Validators for pages built from many entries: lists, search, terms, references.

    A page that also shows what no publish changes (the reviewers, on the about page; how
    the vocabulary reads a query, on the search page) names it in `also_shows`, a digest of
    it for the request: it is part of the ETag, and no Last-Modified is sent, whose date
    would say the page is unchanged since the last publish. A browser or proxy holding the
    page before such a change then gets the page again, not a 304."""

    def decorator(view: EntryView) -> EntryView:
        @require_safe
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            changed = site_last_changed()
            parts = [changed.isoformat() if changed else "empty", request.get_full_path()]
            if also_shows is not None:
                parts.append(also_shows(request))
            return _respond(
                request,
                etag=_etag(*parts),
                last_modified=changed if also_shows is None else None,
                render_page=lambda: view(request, *args, **kwargs),
            )

        return wrapper

    return decorator if view is None else decorator(view)

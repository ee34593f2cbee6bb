"""Anonymous reads of entry pages and API details answered from what publishing stored,
above the response cache.

A stored page, like an entry's current API detail (api.stored_detail), is the same bytes for
every reader and is already current: publishing writes it in its own transaction. Sessions,
CSRF, authentication, messages, axes and CORS have nothing to add to it, so an anonymous GET
or HEAD of one is answered here, with one query, and the middleware below never runs; what
it would add to such a response (X-Frame-Options and Content-Length; for an API detail read
without an Origin, CORS's Vary) is added here.

Why above the response cache and not below it: the stored read is one query by two unique
indexes, which costs what the cache's lookup costs (one round trip each), so a lookup in
front of it saved nothing on a hit and added a round trip on every miss; and a read of the
database that publishing writes in its own transaction cannot be stale, where a cached copy
is current only through the counters' bookkeeping. Everything else goes down the stack
unchanged, to the response cache first: other URLs, readers signed in (the view serves them
the same stored bytes), and entries with nothing stored by this code yet, which the view
renders live and the cache then keeps.
"""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_script_prefix, resolve, reverse

from config.middleware import UNAVAILABLE_ERRORS, database_unavailable_answer
from config.routers import public_reads_from_replica
from monographs.editorial import registry
from monographs.publishing.cache import request_is_public_read


@cache
def _stored_page_prefixes() -> tuple[str, ...]:
    """The path prefixes under which entry pages and API details live ("/drugs/",
    "/api/v1/drugs/", ...), so that other requests pass by with one string comparison
    instead of a URL resolution. As `path_info` has them: without the script prefix of a
    site mounted below the root, which reverse() puts in front."""
    prefixes = []
    for kind in registry.all_kinds():
        details = [f"api:{kind.kind}-detail"]
        if kind.page_render_path:
            details.append(kind.page_url_name("detail"))
        for name in details:
            path = reverse(name, args=["slug"]).removeprefix(get_script_prefix())
            prefixes.append("/" + path.removesuffix("slug/"))
    return tuple(prefixes)


class StoredPageMiddleware:
    """Place it right above the response cache, below the security headers, CSP, the
    database-outage answer and the rate-limit headers, which apply to these responses as to
    any other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(_stored_page_prefixes()) and request_is_public_read(
            request
        ):
            response = self._stored(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _stored(self, request: HttpRequest) -> HttpResponseBase | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        stored_response = getattr(match.func, "stored_response", None)
        if stored_response is None:
            return None
        try:
            with public_reads_from_replica():
                response = stored_response(request, *match.args, **match.kwargs)
        except UNAVAILABLE_ERRORS as error:
            return database_unavailable_answer(request, error)
        if response is not None:
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
            response.headers.setdefault("Content-Length", str(len(response.content)))
        return response

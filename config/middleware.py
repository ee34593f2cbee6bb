"""Middleware every response passes through: a clear 503 when the database is away, and CSP.

A stopped or unreachable database must not turn into a 500 with a traceback or a request
that hangs: readers get a plain page (or JSON under /api/) saying to retry shortly, and the
next request after the database is back is served normally, since Django opens a fresh
connection for it.
"""

import logging
from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("config.availability")

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_MESSAGE = (
    "The service is briefly unavailable: its database cannot be reached. "
    f"Nothing is lost; please try again in {RETRY_AFTER_SECONDS} seconds."
)


def is_database_unavailable(error: BaseException | None) -> bool:
    """The database unreachable, gone or refusing work for now (locked, timed out).

    Integrity, data and programming errors are bugs or bad input, and stay real errors.
    """
    return isinstance(error, UNAVAILABLE_ERRORS)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API, a plain page that needs no database otherwise."""
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"status": 503, "detail": UNAVAILABLE_MESSAGE}, status=503
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _drop_broken_connections() -> None:
    """Close connections that no longer work, so the next request opens a fresh one.

    Django does this itself when a request ends; doing it here as well makes recovery
    independent of that signal. A connection inside a transaction is left to its owner.
    """
    for alias_connection in connections.all(initialized_only=True):
        if not alias_connection.in_atomic_block:
            alias_connection.close_if_unusable_or_obsolete()


def database_unavailable_answer(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """The 503 for a lost database, with the broken connections dropped; None for other errors.

    For middleware that answers requests itself, as a view would (stored pages).
    """
    if not is_database_unavailable(exception):
        return None
    logger.warning("Database unavailable while serving %s: %s", request.path, exception)
    _drop_broken_connections()
    return database_unavailable_response(request)


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection raised by a view into a 503 instead of a 500.

    Failures raised outside views (another middleware touching the session, say) reach
    config.health.server_error, which answers the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return database_unavailable_answer(request, exception)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with inline styles allowed only on pages we do not write ourselves.

    The admin's templates and the API documentation (Swagger UI, Redoc) set style attributes
    and style elements; the public site sets none, so its pages keep style-src 'self'.
    Scripts are never inline anywhere, and Redoc alone runs a worker from a blob.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        path = request.path_info
        update: dict[str, list[str]] = {}
        if path.startswith(("/" + settings.ADMIN_URL, "/api/docs/", "/api/redoc/")):
            update["style-src"] = [UNSAFE_INLINE]
        if path.startswith("/api/redoc/"):
            update["worker-src"] = ["blob:"]
        if update:
            parts.update = {**(parts.update or {}), **update}
        return parts

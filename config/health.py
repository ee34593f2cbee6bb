"""Probes for the process and its database, and the last-resort error page.

/healthz says the process answers (a load balancer restarts it if not); /readyz says it
can reach its database (a load balancer stops sending it traffic if not). Neither is cached.
"""

import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as default_server_error

from config.middleware import database_unavailable_response, is_database_unavailable


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; it touches nothing else, so it stays up while the database is down."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers a trivial query: only then should this process receive traffic."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse(
            {"status": "unavailable", "database": f"unreachable: {type(error).__name__}"},
            status=503,
            headers={"Retry-After": "30"},
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database raised outside a view is still a 503, never a 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return default_server_error(request)

"""Probes for the process and its database, and the last-resort error page.

/healthz says the process answers (a load balancer restarts it if not); /readyz says it
can read from its database (a load balancer stops sending it traffic if not). Neither is cached.
"""

import sys

from django.apps import apps
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as default_server_error

from config.middleware import database_unavailable_response, is_database_unavailable


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; it touches nothing else, so it stays up while the database is down."""
    return JsonResponse({"status": "ok"})


def readiness_statement() -> str:
    """A read of one row of the table every public answer starts from (the live entries).

    `SELECT 1` is not enough: a database that accepts connections but holds that table
    locked (a migration, a stuck transaction) answers it at once while every page waits.
    Under the statement timeout (DATABASE_STATEMENT_TIMEOUT) this read fails instead.
    """
    table = connection.ops.quote_name(apps.get_model("publishing", "Entry")._meta.db_table)
    return f"SELECT 1 FROM {table} LIMIT 1"


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database serves a read of a real table: only then should this process get traffic."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(readiness_statement())
            cursor.fetchall()
    except DatabaseError as error:
        return JsonResponse(
            {"status": "unavailable", "database": f"cannot read: {type(error).__name__}"},
            status=503,
            headers={"Retry-After": "30"},
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database raised outside a view is still a 503, never a 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return default_server_error(request)

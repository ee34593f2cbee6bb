"""Cursor pagination: keyset pages on a unique, indexed column.

A cursor names a position, not an offset, so a page deep in the list costs what the first
does, and a new publication never shifts the items of pages a client has yet to fetch.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 20
# Control characters: never in a slug, a sort key or a timestamp the API pages by.
UNSTORABLE = re.compile(r"[\x00-\x1f\x7f]")
MAX_PAGE_SIZE = 100


PAGE_SIZE_PARAMETER = {
    "name": "page_size",
    "required": False,
    "in": "query",
    "description": f"Items per page, 1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} if left out.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
}


def page_size_from(request, *, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page_size parameter: a whole number from 1 to MAX_PAGE_SIZE, or a 400 saying so."""
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]})
    return size


class PublishedCursorPagination(CursorPagination):
    """The view's `cursor_ordering` (a unique column) orders pages unless ?ordering= is given."""

    ordering = "id"
    query_parameters = ("cursor", "page_size")
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"

    def get_page_size(self, request) -> int:
        return page_size_from(request, default=self.page_size)

    def get_ordering(self, request, queryset, view):
        self.ordering = getattr(view, "cursor_ordering", self.ordering)
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the cursor of a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            PAGE_SIZE_PARAMETER,
        ]

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["total"] = {
            "type": "integer",
            "minimum": 0,
            "description": "With total=true: how many items match the filters, over every page.",
        }
        return paginated

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self.forged_cursor() from None
        if (
            cursor is not None
            and cursor.position is not None
            and UNSTORABLE.search(cursor.position)
        ):
            # No position the API gives out holds one, and PostgreSQL refuses to compare
            # text with a NUL in it: a DataError, which would be a 500.
            raise self.forged_cursor()
        return cursor

    def forged_cursor(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: ["This cursor is not one the API gave out."]}
        )

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise self.forged_cursor() from None


class ChangesPagination(BasePagination):
    """Pages of the change feed: events after ?since=, oldest first; `next` carries the token."""

    query_parameters = ("page_size",)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = page_size_from(request)
        rows = list(queryset[: size + 1])
        self.has_more = len(rows) > size
        self.rows = rows[:size]
        self.since = view.since if view is not None else 0
        return self.rows

    def last_token(self) -> int:
        return self.rows[-1].id if self.rows else self.since

    def get_paginated_response(self, data):
        next_url = None
        if self.has_more:
            next_url = replace_query_param(
                self.request.build_absolute_uri(), "since", self.last_token()
            )
        return Response(
            {
                "since": self.since,
                "last_token": self.last_token(),
                "has_more": self.has_more,
                "next": next_url,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["since", "last_token", "has_more", "next", "results"],
            "properties": {
                "since": {"type": "integer", "description": "The token this page starts after."},
                "last_token": {
                    "type": "integer",
                    "description": "Store it: ask for ?since=<last_token> next time.",
                },
                "has_more": {"type": "boolean"},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [PAGE_SIZE_PARAMETER]

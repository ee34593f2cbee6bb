"""The framework's own way of doing what each hand-written speed-up of the site does.

A speed-up written by hand in place of Django, DRF, Markdown or redis-py is kept only where
it matters to a target of `make bench`: the benchmark swaps each of these in for the site's
version in turn, in the same process, and reports how much slower the plain way is
(docs/performance.md, "Hand-written speed-ups"). Nothing the site serves imports this.
"""

import contextlib
from collections.abc import Iterator

import markdown
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from rest_framework.request import Request

from monographs.api.serializers.changes import SearchResultSerializer
from monographs.search import SearchResult


@contextlib.contextmanager
def swapped(owner: object, name: str, value: object) -> Iterator[None]:
    """`owner.name` is `value` for the duration: how a version is swapped in to be timed."""
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def django_read_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """Django's own cursor: parameters bound on the client, results as text, planned each time."""
    return connection.cursor()


def markdown_to_html(text: str) -> str:
    """Markdown's documented one-call conversion: a new converter for each text."""
    return markdown.markdown(text, extensions=["tables", "sane_lists"])


def never_plain_paragraph(text: str | None) -> bool:
    """Every text goes through the Markdown converter."""
    return False


def search_results_serialized(results: list[SearchResult], *, request: Request) -> list[dict]:
    """DRF's way: the declared serializer, a field object visited for each value."""
    return SearchResultSerializer(results, many=True, context={"request": request}).data

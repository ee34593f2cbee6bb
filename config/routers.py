"""Public reads from the read replicas, everything else from the primary.

Installed only when DATABASE_REPLICA_URLS names replicas (aliases replica_1, replica_2, ...).
An anonymous GET or HEAD outside the admin reads the published side (entries, publications,
facets, the search index, the API's read tables, the stored pages, the change history) from
one replica, chosen per request. Everything else reads and writes the primary: the admin,
the editorial workflow, commands, and any request from signed-in staff, who therefore see
their own publish at once.

The replicas must not lag behind what the site has announced: the response cache's counters
move after a publish commits, and a node that then reads a lagging replica would cache the
old version under the new counters. docs/deploy.md describes the synchronous replication
(synchronous_commit = remote_apply) that rules this out.
"""

import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from monographs.publishing.cache import request_is_public_read

REPLICA_ALIAS_PREFIX = "replica_"

PUBLISHED_MODELS = frozenset(
    {
        "publishing.entry",
        "publishing.publication",
        "publishing.facet",
        "monographs.searchdocument",
        "editorial.editorialevent",
        "public_api.publishedadverseevent",
        "public_api.publishedcitation",
        "public_api.publisheddocument",
        "public_api.publishedtrialdrug",
        "public_api.publishedtriallisting",
        "site.storedpage",
        "site.storedpagekey",
    }
)

_replica_for_public_reads: ContextVar[str | None] = ContextVar(
    "replica_for_public_reads", default=None
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_ALIAS_PREFIX)]


@contextmanager
def public_reads_from_replica(alias: str | None = None) -> Iterator[str | None]:
    """Within the block, published content is read from one replica (any, unless named).

    With no replica configured the block changes nothing.
    """
    aliases = replica_aliases()
    chosen = alias or (random.choice(aliases) if aliases else None)
    token = _replica_for_public_reads.set(chosen)
    try:
        yield chosen
    finally:
        _replica_for_public_reads.reset(token)


class ReplicaRouter:
    """Published models read from the request's replica inside a public read; else the primary."""

    def db_for_read(self, model: type[models.Model], **hints) -> str:
        alias = _replica_for_public_reads.get()
        if alias is not None and model._meta.label_lower in PUBLISHED_MODELS:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[models.Model], **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints) -> bool:
        """Replicas hold the same rows as the primary, so objects from any alias may relate."""
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints
    ) -> bool:
        """Replicas receive the schema through replication; only the primary is migrated."""
        return db == DEFAULT_DB_ALIAS


def _reading_from(alias: str, content: Iterable[bytes]) -> Iterator[bytes]:
    """Each chunk of a streamed download is produced inside the replica context.

    A streamed body is consumed after the middleware has returned; without this its
    queries would silently go to the primary.
    """
    iterator = iter(content)
    while True:
        with public_reads_from_replica(alias):
            chunk = next(iterator, None)
        if chunk is None:
            return
        yield chunk


class PublicReadRoutingMiddleware:
    """Mark public reads so that ReplicaRouter sends their queries to a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request_is_public_read(request) or not replica_aliases():
            return self.get_response(request)
        with public_reads_from_replica() as alias:
            response = self.get_response(request)
        if response.streaming and not response.is_async:
            response.streaming_content = _reading_from(alias, response.streaming_content)
        return response

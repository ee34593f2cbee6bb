"""What follows a publication or a withdrawal, written by the apps that own it.

The engine freezes documents and moves entries; everything read from them afterwards (the
API's read tables, the search rows, ...) is a projection that its own app registers here in
AppConfig.ready(). Projections run inside the publishing transaction, so a reader never sees
a publication without its rows, and the engine never imports the apps that read it.

A projection may return something from `published` that it wants to finish once at the end
of a run (search rebuilds the rows of the terms a whole batch mentions once, not per entry):
`finished` receives all of them when the outermost run ends.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from monographs.publishing.models import Entry, Publication


@dataclass(frozen=True)
class Projection:
    name: str
    published: Callable[..., Any]
    withdrawn: Callable[..., Any] | None = None
    finished: Callable[[list[Any]], None] | None = None


_projections: dict[str, Projection] = {}
_pending: contextvars.ContextVar[dict[str, list[Any]] | None] = contextvars.ContextVar(
    "projections_pending", default=None
)


def register_projection(
    name: str,
    *,
    published: Callable[..., Any],
    withdrawn: Callable[..., Any] | None = None,
    finished: Callable[[list[Any]], None] | None = None,
) -> None:
    """published(publications=, entries=) after entries move to new publications;
    withdrawn(entry=) after one is withdrawn (its return value is finished like published's)."""
    _projections[name] = Projection(name, published, withdrawn, finished)


def registered() -> list[Projection]:
    return list(_projections.values())


@contextlib.contextmanager
def projections_run() -> Iterator[None]:
    """Gather what projections leave to finish, and finish it once when the outermost run ends."""
    if _pending.get() is not None:
        yield
        return
    pending: dict[str, list[Any]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for projection in registered():
        if projection.finished is not None and projection.name in pending:
            projection.finished(pending[projection.name])


@contextlib.contextmanager
def projections_deferred() -> Iterator[dict[str, list[Any]]]:
    """Like projections_run, but hand what is left to finish to the caller instead: a bulk
    loader that spreads a corpus over several processes finishes it once, itself."""
    pending: dict[str, list[Any]] = {}
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def _keep(projection: Projection, result: Any) -> None:
    if projection.finished is None:
        return
    pending = _pending.get()
    if pending is None:
        projection.finished([result])
    else:
        pending.setdefault(projection.name, []).append(result)


def project_published(*, publications: list[Publication], entries: list[Entry]) -> None:
    for projection in registered():
        _keep(projection, projection.published(publications=publications, entries=entries))


def project_withdrawn(*, entry: Entry) -> None:
    for projection in registered():
        if projection.withdrawn is not None:
            _keep(projection, projection.withdrawn(entry=entry))

"""The bulk download: the whole published corpus as files, built once from one snapshot.

A download streamed from live queries is as long as the corpus is large and can be cut by
any worker timeout, and one made of several queries can mix two states of the site (a
fixture naming a publication it does not hold). So the corpus is written once per state of
the public record, inside one read transaction (REPEATABLE READ on PostgreSQL, a read
transaction on SQLite: every query sees the same commit), as gzip-compressed JSON parts and
a manifest listing each part's SHA-256, size and record count (the shape of openFDA's
downloads), through Django's storage API: local files by default (MEDIA_ROOT), any store a
deployment names as STORAGES["bulk"].

A state of the public record is named by the change feed's token: every publication and
withdrawal is a change, so two snapshots at one token hold the same corpus, and a mirror
loading one continues with /api/v1/sync/?since=<token>. The snapshot's name adds a
fingerprint of that change, so a database restored from an older backup, which hands out
the same ids again for other changes, never finds the snapshot of another history.
"""

import contextlib
import gzip
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage, storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from monographs.api.exports.fixtures import fixture_chunks
from monographs.api.selectors import CHANGE_ACTIONS, changes_since
from monographs.api.serializers.common import entry_kinds
from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry

BULK_DIR = "bulk"
MANIFEST = "manifest.json"
FIXTURE_PART = "published-corpus.json.gz"
# Entries a part holds: about 10 MB of JSON for trials of the benchmark's size, before gzip.
PART_RECORDS = 1000


def bulk_storage() -> Storage:
    """STORAGES["bulk"] when a deployment names one (an object store, say), else the default."""
    return storages["bulk"] if "bulk" in settings.STORAGES else default_storage


def change_feed_head() -> tuple[int, str]:
    """The change feed's position (0 before any change) and the snapshot name for it.

    The name is the token with a fingerprint of the newest change served and of the newest
    one committed, which the feed may still hold back behind a transaction in flight: a
    snapshot read then holds more than its token, and must not share a name with one read
    without it (an empty feed's "0" in particular). Nor does a database restored from an
    older backup, whose tokens come round again, find another state's files under its names.
    """
    served = changes_since(token=0).order_by("-id").values("id")[:1]
    newest = (
        EditorialEvent.objects.filter(action__in=CHANGE_ACTIONS)
        .order_by("-id")
        .annotate(token=Coalesce(Subquery(served), 0))
        .values_list("token", "id", "created_at")
        .first()
    )
    if newest is None:
        return 0, "0"
    fingerprint = hashlib.sha256(repr(newest).encode()).hexdigest()[:12]
    return newest[0], f"{newest[0]}-{fingerprint}"


def snapshot_path(snapshot: str, name: str = "") -> str:
    return f"{BULK_DIR}/{snapshot}/{name}"


@contextlib.contextmanager
def snapshot_transaction() -> Iterator[None]:
    """One read transaction: every query inside it sees the database as of its first one.

    PostgreSQL's default, READ COMMITTED, takes a new snapshot per statement, so the
    isolation level is raised before the first; the statement timeout that bounds request
    queries is lifted for this transaction only. Nested in an open transaction (a test's),
    that transaction's own view is used as it is.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET LOCAL statement_timeout = 0")
        yield


class _Part:
    """A gzip-compressed JSON file being written, its SHA-256 and size taken on the way."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in save()
        self.gzip = gzip.GzipFile(fileobj=self.file, mode="wb", mtime=0)
        self.records = 0

    def write(self, text: str) -> None:
        self.gzip.write(text.encode())

    def save(self, storage: Storage, snapshot: str, **described: Any) -> dict[str, Any]:
        self.gzip.close()
        digest = hashlib.sha256()
        self.file.seek(0)
        while block := self.file.read(1 << 20):
            digest.update(block)
        size = self.file.tell()
        self.file.seek(0)
        path = snapshot_path(snapshot, self.name)
        if storage.exists(path):
            storage.delete(path)  # a build that stopped half-way
        storage.save(path, File(self.file, name=self.name))
        self.file.close()
        return {
            "name": self.name,
            **described,
            "records": self.records,
            "bytes": size,
            "sha256": digest.hexdigest(),
        }


def _entry_record(entry: Entry) -> dict[str, Any]:
    publication = entry.current
    return {
        "id": str(entry.uid),
        "kind": entry.kind,
        "slug": entry.slug,
        "title": entry.title,
        "version": publication.version,
        "content_hash": publication.content_hash,
        "published_at": publication.published_at.isoformat(),
        "document": publication.document,
    }


def _entry_parts(
    storage: Storage,
    token: int,
    snapshot: str,
    kind: str,
    entries: Iterable[Entry],
    part_records: int,
) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    part: _Part | None = None
    for entry in entries:
        if part is None:
            part = _Part(f"{kind}s-{len(parts) + 1:04d}.json.gz")
            part.write(f'{{"token": {token}, "kind": "{kind}", "results": [')
        part.write(("\n" if part.records == 0 else ",\n") + json.dumps(_entry_record(entry)))
        part.records += 1
        if part.records == part_records:
            part.write("\n]}\n")
            parts.append(part.save(storage, snapshot, kind=kind))
            part = None
    if part is not None:
        part.write("\n]}\n")
        parts.append(part.save(storage, snapshot, kind=kind))
    return parts


def bulk_snapshot_build(
    *,
    storage: Storage | None = None,
    part_records: int = PART_RECORDS,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the corpus as it stands into parts and a manifest; returns the manifest.

    Every live entry's current document, by kind, and the Django fixture of the published
    corpus (every version of every live entry, the entries, facets and read tables), all
    read in one snapshot together with the change token they are current to. Nothing is
    written when a snapshot at that token is stored already: one build per state.
    """
    storage = storage or bulk_storage()
    with snapshot_transaction():
        token, snapshot = change_feed_head()
        existing = bulk_manifest_read(snapshot=snapshot, storage=storage)
        if existing is not None:
            return existing
        parts: list[dict[str, Any]] = []
        for kind in entry_kinds():
            entries = (
                Entry.objects.live()
                .of_kind(kind)
                .select_related("current")
                .order_by("id")
                .iterator(chunk_size=200)
            )
            parts += _entry_parts(storage, token, snapshot, kind, entries, part_records)
            if progress:
                progress(f"{kind}: {sum(p['records'] for p in parts if p['kind'] == kind)}")
        fixture = _Part(FIXTURE_PART)
        for chunk in fixture_chunks():
            fixture.write(chunk)
            fixture.records += chunk.startswith(("\n{", ",\n{"))
        parts.append(fixture.save(storage, snapshot, kind="fixture"))
        if progress:
            progress(f"fixture: {fixture.records} objects")
    manifest = {
        "snapshot": snapshot,
        "token": token,
        "built_at": timezone.now().isoformat(),
        "records": {
            kind: sum(part["records"] for part in parts if part["kind"] == kind)
            for kind in (*entry_kinds(), "fixture")
        },
        "parts": parts,
    }
    # Written last: a manifest is only ever there with every part it lists.
    storage.save(
        snapshot_path(snapshot, MANIFEST),
        File(_bytes_file(json.dumps(manifest, cls=DjangoJSONEncoder, indent=1)), name=MANIFEST),
    )
    return manifest


def _bytes_file(text: str) -> IO[bytes]:
    file = tempfile.SpooledTemporaryFile()  # noqa: SIM115 - read and closed by storage.save
    file.write(text.encode())
    file.seek(0)
    return file


def bulk_manifest_read(*, snapshot: str, storage: Storage | None = None) -> dict[str, Any] | None:
    """The manifest of that snapshot, or None when it was not built (or not finished)."""
    storage = storage or bulk_storage()
    path = snapshot_path(snapshot, MANIFEST)
    if not storage.exists(path):
        return None
    with storage.open(path, "rb") as file:
        return json.loads(file.read())


def bulk_snapshots(*, storage: Storage | None = None) -> list[str]:
    """The snapshots stored, oldest first: complete ones only (with their manifest)."""
    storage = storage or bulk_storage()
    if not storage.exists(BULK_DIR):
        return []
    directories, _ = storage.listdir(BULK_DIR)
    names = sorted(
        (name for name in directories if name.split("-")[0].isdigit()),
        key=lambda name: int(name.split("-")[0]),
    )
    return [name for name in names if storage.exists(snapshot_path(name, MANIFEST))]


def bulk_snapshots_prune(*, keep: int, storage: Storage | None = None) -> list[str]:
    """Delete all but the newest `keep` snapshots; returns the ones deleted."""
    storage = storage or bulk_storage()
    names = bulk_snapshots(storage=storage)
    doomed = names[:-keep] if keep > 0 else names
    for name in doomed:
        manifest = bulk_manifest_read(snapshot=name, storage=storage) or {"parts": []}
        storage.delete(snapshot_path(name, MANIFEST))  # first: never a manifest without parts
        for part in manifest["parts"]:
            storage.delete(snapshot_path(name, part["name"]))
    return doomed

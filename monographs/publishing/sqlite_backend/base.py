"""Django's SQLite backend, with publish and withdrawal times taken at commit.

PostgreSQL stamps them with a trigger deferred to COMMIT (commit_stamp.py). SQLite has no
deferred triggers and Python's driver exposes no commit hook, so the backend does it: the
publishing code names the events it recorded, and the stamp runs as the last statements of
the transaction, just before COMMIT.
"""

from django.db.backends.sqlite3 import base

from monographs.publishing.commit_stamp import stamp_sqlite_events


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events_stamped_at_commit: list[int] = []

    def _commit(self):
        pending, self.events_stamped_at_commit = self.events_stamped_at_commit, []
        if pending and self.connection is not None:
            stamp_sqlite_events(self, pending)
        return super()._commit()

    def _rollback(self):
        self.events_stamped_at_commit = []
        return super()._rollback()

    def _close(self):
        self.events_stamped_at_commit = []
        return super()._close()

"""`load_seeds` killed midway (SIGKILL: no cleanup runs) leaves nothing partial behind.

The command runs in its own process against a real database file (SQLite) or the test
database (PostgreSQL), is killed once it has started writing, or while it is publishing, and
every table must then hold exactly the rows it held before. A full load afterwards succeeds.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def database_for_subprocess(tmp_path: Path) -> tuple[str, object]:
    """A database URL the command can use, and a way to count every table's rows in it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "killed.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

        def count() -> dict[str, int]:
            with sqlite3.connect(path) as db:
                tables = [
                    row[0]
                    for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                ]
                return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

        return f"sqlite:///{path}", count
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )

    def count() -> dict[str, int]:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            return {
                table: cursor.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables
            }

    return url, count


def load_seeds(url: str, *, kill_after: tuple[str, int] | None) -> tuple[int, list[str]]:
    """Run load_seeds; kill_after=(start, n) sends SIGKILL at the n-th line starting so."""
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_REPLICA_URLS": "",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "load_seeds"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines, seen = [], 0
    for line in process.stdout:
        lines.append(line.rstrip())
        seen += bool(kill_after and line.strip().startswith(kill_after[0]))
        if kill_after and seen == kill_after[1]:
            process.send_signal(signal.SIGKILL)
            break
    process.stdout.close()
    return process.wait(timeout=120), lines


@pytest.mark.django_db(transaction=True)
def test_a_killed_load_leaves_every_table_as_it_was(tmp_path):
    url, count = database_for_subprocess(tmp_path)
    before = count()

    for kill_after in (("writing", 12), ("[", 3)):
        status, lines = load_seeds(url, kill_after=kill_after)
        assert status == -signal.SIGKILL, lines
        assert lines[-1].strip().startswith(kill_after[0])
        assert count() == before, f"rows left behind after a kill at '{lines[-1]}'"

    status, lines = load_seeds(url, kill_after=None)
    after = count()
    assert status == 0, lines[-20:]
    assert lines[-1].startswith("Done:")
    assert after["monographs_publication"] > before["monographs_publication"]

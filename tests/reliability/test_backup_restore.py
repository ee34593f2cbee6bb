"""Backup and restore round-trip every root, working copy, publication and event.

The portable path (dumpdata, then migrate and loaddata into an empty database) is tested on
every run; pg_dump and pg_restore on PostgreSQL runs.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from monographs.editorial.services.publish import root_publish
from monographs.search import entry_search
from tests.reliability.backup import DUMP_ARGUMENTS, database_summary
from tests.reliability.content import drug_written, root_in_state, trial_written

BASE_DIR = Path(__file__).resolve().parents[2]

RESTORE = """
import json
from django.core.management import call_command
from tests.reliability.backup import DUMP_ARGUMENTS, database_summary
call_command("migrate", "--no-input", verbosity=0)
call_command("loaddata", BACKUP, verbosity=0)
call_command("rebuild_search_index", verbosity=0)
call_command("dumpdata", *DUMP_ARGUMENTS, output=AGAIN, verbosity=0)
print(json.dumps(database_summary()))
"""


@pytest.fixture
def every_state(editor, reviewer):
    """Roots in every editorial state, one published twice, with their whole history."""
    states = ["draft", "in_review", "approved", "published", "published_with_draft", "withdrawn"]
    for number, state in enumerate([*states, "published_approved"]):
        for kind, written in (("drug", drug_written), ("trial", trial_written)):
            root = written(slug=f"backup-{kind}-{number}", text=f"backup{number}")
            root_in_state(
                root, state=state, editor=editor, reviewer=reviewer, draft_text=f"next{number}"
            )
            if state == "published_approved":
                root_publish(root=root, user=reviewer)


def manage_shell(script: str, database_url: str) -> dict:
    environment = {**os.environ, "DATABASE_URL": database_url, "DATABASE_REPLICA_URLS": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_dumpdata_and_loaddata_restore_everything_into_an_empty_database(tmp_path, every_state):
    backup, again = tmp_path / "backup.xml", tmp_path / "again.xml"
    call_command("dumpdata", *DUMP_ARGUMENTS, output=str(backup), verbosity=0)
    before = database_summary()
    script = RESTORE.replace("AGAIN", repr(str(again))).replace("BACKUP", repr(str(backup)))

    restored = manage_shell(script, f"sqlite:///{tmp_path / 'restored.sqlite3'}")

    assert restored == json.loads(json.dumps(before))
    assert before["counts"]["publishing.Publication"] == 10
    assert all(hash_stored == hash_now for *_, hash_stored, hash_now in restored["publications"])
    assert again.read_text() == backup.read_text()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_restore_everything(tmp_path, every_state):
    settings = connection.settings_dict
    address = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    user = ["-U", settings["USER"] or "postgres"]
    target = f"restore_{uuid.uuid4().hex[:12]}"
    archive = tmp_path / "backup.dump"
    before = database_summary()
    assert entry_search(query="backup3", limit=5)

    def run(*command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    run("pg_dump", *address, *user, "--format=custom", f"--file={archive}", settings["NAME"])
    run("createdb", *address, *user, target)
    try:
        run("pg_restore", *address, *user, "--no-owner", f"--dbname={target}", str(archive))
        host, port = address[1], address[3]
        url = f"postgres://{user[1]}@{host}:{port}/{target}"
        restored = manage_shell(
            "import json\nfrom tests.reliability.backup import "
            "database_summary\nprint(json.dumps(database_summary()))",
            url,
        )
    finally:
        run("dropdb", *address, *user, "--if-exists", target)

    assert restored == json.loads(json.dumps(before))

"""`make run` and `make serve` load the seeds into a database without content, and into no
other: starting the app must never change what people published, drafted or corrected,
shared records included (`load_seeds --if-empty`)."""

import os
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from monographs.editorial.models import EditorialEvent
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.shared import shared_edits_collected
from monographs.models import Citation, Drug, MonographSection
from monographs.publishing.models import Entry, Publication
from tests.factories import CitationFactory, UserFactory
from tests.seeds.snapshots import content_snapshot

BASE_DIR = Path(__file__).resolve().parents[2]
NOT_LOADED = "The database already holds content: seeds not loaded, nothing changed"


def load(*args: str) -> str:
    output = StringIO()
    call_command("load_seeds", *args, stdout=output)
    return output.getvalue()


def everything_people_see_and_did() -> tuple[dict, list, list, int]:
    return (
        content_snapshot(),
        list(Publication.objects.order_by("pk").values_list("pk", "content_hash")),
        list(Entry.objects.order_by("pk").values_list("pk", "current_id")),
        EditorialEvent.objects.count(),
    )


@pytest.mark.django_db
def test_an_empty_database_is_loaded_and_published():
    output = load("--if-empty")

    assert NOT_LOADED not in output
    assert Entry.objects.filter(kind="drug", slug="sorafenib").exists()
    assert Entry.objects.filter(kind="trial", slug="sharp").exists()


@pytest.mark.django_db
def test_a_database_with_peoples_work_is_left_exactly_as_it_was():
    load()
    editor = UserFactory(username="editor-eve", is_staff=True)
    sorafenib = Drug.objects.get(slug="sorafenib")
    section = MonographSection.objects.filter(drug=sorafenib).first()
    section.body += " An editor's unreviewed sentence."
    section.save()
    root_record_edit(root=sorafenib, user=editor)
    citation = Citation.objects.exclude(title="").order_by("key").first()
    with shared_edits_collected(user=editor, note="Title as the journal prints it."):
        citation.title = "A title an editor corrected"
        citation.save()
    before = everything_people_see_and_did()

    output = load("--if-empty")

    assert NOT_LOADED in output
    assert everything_people_see_and_did() == before
    citation.refresh_from_db()
    assert citation.title == "A title an editor corrected"


@pytest.mark.django_db
def test_a_database_the_seed_files_disagree_with_still_starts_unchanged():
    """A drug renamed in the admin clashes with its seed record: `load_seeds` refuses the
    files, but starting the app reads none of them on a database with content."""
    load()
    Drug.objects.filter(slug="sorafenib").update(slug="sorafenib-tosylate")
    before = everything_people_see_and_did()

    output = load("--if-empty")

    assert NOT_LOADED in output
    assert "Checked" not in output
    assert everything_people_see_and_did() == before


@pytest.mark.django_db
def test_accounts_alone_are_not_content():
    UserFactory(username="admin", is_staff=True, is_superuser=True)

    output = load("--if-empty")

    assert NOT_LOADED not in output
    assert Entry.objects.filter(kind="drug", slug="sorafenib").exists()


@pytest.mark.django_db
def test_a_database_holding_only_a_citation_someone_entered_is_not_loaded():
    CitationFactory(key="llovet-2008-sharp")

    output = load("--if-empty")

    assert NOT_LOADED in output
    assert not Entry.objects.exists()
    assert list(Citation.objects.values_list("key", flat=True)) == ["llovet-2008-sharp"]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="make's own SQLite database; once per suite is enough"
)
def test_make_seed_twice_loads_once_and_keeps_a_correction_made_in_between(tmp_path):
    """The Makefile's own recipe, run for real on a database file of its own: its second
    run, as every `make run` after the first, must leave an editor's correction alone."""
    database = tmp_path / "db.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")},
        "DATABASE_URL": f"sqlite:///{database}",
    }

    def make_seed() -> str:
        # -o: the installed virtual environment is taken as it is, never reinstalled.
        finished = subprocess.run(
            ["make", "-s", "-o", ".venv/.installed", "seed"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
        return finished.stdout

    def dump() -> list[str]:
        with sqlite3.connect(database) as db:
            return list(db.iterdump())

    assert NOT_LOADED not in make_seed()
    with sqlite3.connect(database) as db:
        corrected = db.execute(
            "UPDATE monographs_citation SET title = 'A title an editor corrected' "
            "WHERE key = (SELECT min(key) FROM monographs_citation)"
        ).rowcount
    assert corrected == 1
    before = dump()

    assert NOT_LOADED in make_seed()
    assert dump() == before

"""fixtures/ is built from seeds/, stays in step with it, and loads to the same content."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from monographs.seeding.fixtures import fixtures_write
from tests.seeds.snapshots import content_snapshot

pytestmark = pytest.mark.django_db

FIXTURES_DIR = Path(settings.FIXTURES_DIR)


def test_fixtures_are_up_to_date_with_the_seeds(tmp_path):
    fixtures_write(output_dir=tmp_path)
    built = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.json")}
    committed = {
        path.name: path.read_text(encoding="utf-8") for path in FIXTURES_DIR.glob("*.json")
    }
    assert built, "build_fixtures wrote nothing"
    assert sorted(committed) == sorted(built), "run `make fixtures` to rebuild fixtures/"
    stale = [name for name in built if built[name] != committed[name]]
    assert not stale, (
        f"fixtures/ is out of date with seeds/ ({', '.join(stale)}): run `make fixtures`"
    )


def test_building_fixtures_leaves_the_database_as_it_was(tmp_path):
    before = content_snapshot()
    fixtures_write(output_dir=tmp_path)
    assert content_snapshot() == before


def test_loaddata_of_the_fixtures_gives_the_same_content_as_load_seeds():
    with transaction.atomic():
        call_command("load_seeds", "--draft", stdout=StringIO())
        loaded_from_seeds = content_snapshot()
        transaction.set_rollback(True)
    assert not any(
        loaded_from_seeds.get(label) == [] for label in ("trials.Trial", "monographs.Drug")
    )
    call_command("loaddata", *sorted(FIXTURES_DIR.glob("*.json")), stdout=StringIO())
    assert content_snapshot() == loaded_from_seeds

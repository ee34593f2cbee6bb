"""load_seeds: idempotent, transactional, owning its rows, publishing what it loads."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from monographs.editorial.models import EditorialEvent, Status
from monographs.publishing.models import Entry, Publication
from monographs.seeding import loading
from tests.seeds.snapshots import row_counts
from tests.seeds.tiny import TINY_SEED, tiny_seed_write
from trials.models import Outcome, Trial, TrialAdverseEvent

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    output = StringIO()
    call_command("load_seeds", *args, stdout=output)
    return output.getvalue()


def test_full_corpus_loads_and_a_second_run_changes_nothing():
    first = load("--draft")
    assert " created, 0 changed, 0 unchanged, 0 deleted." in first
    counts = row_counts()
    second = load("--draft")
    assert "Done: 0 created, 0 changed, " in second
    assert "  000_sorafenib_hcc_article.yaml: 0 created, 0 changed, " in second
    assert row_counts() == counts


def test_a_changed_figure_is_updated_in_place(tmp_path):
    load("--draft", str(tiny_seed_write(tmp_path)))
    outcome = Outcome.objects.get(trial__slug="tiny-trial", measure="PFS")
    report = load("--draft", str(tiny_seed_write(tmp_path, replace={"value: 18": "value: 19"})))
    assert "Done: 0 created, 1 changed, " in report
    updated = Outcome.objects.get(trial__slug="tiny-trial", measure="PFS")
    assert (updated.pk, updated.value) == (outcome.pk, 19)


def test_a_figure_written_with_trailing_zeros_keeps_them(tmp_path):
    """18.0 in the YAML is 18.0 on the page: its places are kept beside the stored decimal."""
    load("--draft", str(tiny_seed_write(tmp_path)))
    assert Outcome.objects.get(trial__slug="tiny-trial", measure="PFS").stated_places == {}

    report = load(
        "--draft",
        str(
            tiny_seed_write(
                tmp_path, replace={"value: 18": "value: 18.0", "ci_low: 7": "ci_low: 7.50"}
            )
        ),
    )

    assert "Done: 0 created, 1 changed, " in report
    outcome = Outcome.objects.get(trial__slug="tiny-trial", measure="PFS")
    assert outcome.stated_places == {"ci_low": 2, "value": 1}
    assert (outcome.stated("value"), outcome.stated("ci_low")) == ("18.0", "7.50")


def test_a_row_removed_from_its_file_is_deleted(tmp_path):
    path = tiny_seed_write(tmp_path)
    load("--draft", str(path))
    path.write_text(TINY_SEED.split("    adverse_events:\n")[0], encoding="utf-8")
    report = load("--draft", str(path))
    assert "Done: 0 created, 0 changed, 7 unchanged, 1 deleted." in report
    assert not TrialAdverseEvent.objects.filter(trial__slug="tiny-trial").exists()


def test_the_output_shows_progress_per_file_and_a_summary(tmp_path):
    path = tiny_seed_write(tmp_path)
    report = load("--draft", "-v", "2", str(path))
    assert "Checked 1 seed files: all valid." in report
    assert "writing 1 trials" in report
    assert f"  {path}: 8 created, 0 changed, 0 unchanged, 0 deleted" in report
    assert report.strip().endswith("Done: 8 created, 0 changed, 0 unchanged, 0 deleted.")


def test_loading_publishes_through_the_editorial_service_once(tmp_path):
    path = str(tiny_seed_write(tmp_path))
    report = load(path)
    trial = Trial.objects.get(slug="tiny-trial")
    assert trial.status == Status.PUBLISHED
    assert Entry.objects.filter(kind="trial", root_id=trial.pk).exists()
    assert "Published 2 roots (2 new versions)." in report
    publications = Publication.objects.count()
    events = EditorialEvent.objects.count()
    assert "Published" not in load(path)
    assert (Publication.objects.count(), EditorialEvent.objects.count()) == (publications, events)


def test_draft_leaves_roots_unpublished_with_their_creation_recorded(tmp_path):
    load("--draft", str(tiny_seed_write(tmp_path)))
    trial = Trial.objects.get(slug="tiny-trial")
    assert trial.status == Status.DRAFT
    assert not Publication.objects.exists()
    assert EditorialEvent.objects.filter(kind="trial", root_id=trial.pk, action="created").exists()


def test_a_failure_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    real_write = loading.row_write
    written = []

    def failing_write(row, resolver, existing):
        written.append(row)
        if len(written) % 5 == 0:
            raise RuntimeError("disk full")
        return real_write(row, resolver, existing)

    path = str(tiny_seed_write(tmp_path))
    with monkeypatch.context() as patch:
        patch.setattr(loading, "row_write", failing_write)
        with pytest.raises(RuntimeError):
            load("--draft", path)
    assert not any(row_counts().values())

    load("--draft", path)
    before = row_counts()
    monkeypatch.setattr(loading, "row_write", failing_write)
    written.clear()
    changed = tiny_seed_write(tmp_path, replace={"enrolment: 20": "enrolment: 25"})
    with pytest.raises(RuntimeError):
        load("--draft", str(changed))
    assert row_counts() == before
    assert Trial.objects.get(slug="tiny-trial").enrolment == 20


def test_a_failed_quality_check_when_publishing_rolls_back(tmp_path, monkeypatch):
    from monographs.editorial.exceptions import QualityCheckFailed
    from monographs.editorial.services import publish

    def refuse(**kwargs):
        raise QualityCheckFailed([])

    monkeypatch.setattr(publish, "roots_import_publish_bulk", refuse)
    with pytest.raises(CommandError, match="failed its quality checks"):
        load(str(tiny_seed_write(tmp_path)))
    assert not Trial.objects.exists()


def test_check_only_validates(tmp_path):
    report = load("--check", str(tiny_seed_write(tmp_path)))
    assert "all valid" in report and "Done" not in report
    assert not any(row_counts().values())

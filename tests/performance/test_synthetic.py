"""generate_corpus: a realistic corpus, the same for the same seed, published for real."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from monographs.editorial.checks import has_errors
from monographs.editorial.models import Status
from monographs.editorial.registry import root_kind
from monographs.loadtest.synthetic import corpus_generate
from monographs.models import Drug, SearchDocument
from monographs.publishing.models import Entry
from monographs.search import search_index_rebuild
from tests.performance.conftest import without_ids
from trials.models import Trial

pytestmark = pytest.mark.django_db


class Discard(Exception):
    """Raised to roll a generated corpus back, so the same seed can be generated again."""


def corpus_content(**options) -> dict[str, dict]:
    """Generate a corpus and return its documents by slug, then roll it all back."""
    content = {}
    try:
        with transaction.atomic():
            corpus_generate(**options)
            for entry in Entry.objects.select_related("current"):
                content[f"{entry.kind}/{entry.slug}"] = without_ids(entry.current.document)
            raise Discard
    except Discard:
        pass
    return content


def test_the_same_seed_gives_the_same_corpus():
    first = corpus_content(drugs=3, trials=8, seed=11)
    again = corpus_content(drugs=3, trials=8, seed=11)
    other = corpus_content(drugs=3, trials=8, seed=12)

    assert len(first) == 11
    assert first == again
    assert first != other


def test_the_corpus_is_published_whole_and_passes_the_quality_checks():
    report = corpus_generate(drugs=4, trials=12, seed=3)

    assert (report.drugs, report.trials, report.publications) == (4, 12, 16)
    assert not Drug.objects.exclude(status=Status.PUBLISHED).exists()
    assert not Trial.objects.exclude(status=Status.PUBLISHED).exists()
    for entry in Entry.objects.select_related("current"):
        kind = root_kind(entry.kind)
        assert not has_errors(kind.checks(entry.current.document)), entry.slug
    drug = Entry.objects.filter(kind="drug").first().current.document
    assert drug["sections"] and drug["adverse_events"] and drug["references"]
    assert drug["dose_regimens"] and drug["pharmacokinetics"] and drug["interactions"]
    trial = Entry.objects.filter(kind="trial").first().current.document
    assert trial["arms"] and trial["outcomes"] and trial["adverse_events"]
    assert trial["nct_id"].startswith("NCT09")
    assert SearchDocument.objects.filter(kind="adverse_event").exists()
    assert SearchDocument.objects.filter(kind="trial").count() == 12


def test_the_search_index_of_a_corpus_is_what_rebuilding_it_gives():
    corpus_generate(drugs=3, trials=12, seed=4)
    fields = ("kind", "slug", "title", "description", "names", "body")
    index = set(SearchDocument.objects.values_list(*fields))

    search_index_rebuild()

    assert set(SearchDocument.objects.values_list(*fields)) == index
    articles = SearchDocument.objects.filter(kind="reference", slug__startswith="nct09")
    assert articles.count() == 12
    assert {kind for kind, *_ in index} == {"drug", "trial", "adverse_event", "reference"}


def test_the_command_shows_progress_and_refuses_a_second_corpus():
    stdout, stderr = StringIO(), StringIO()
    call_command("generate_corpus", drugs=2, trials=3, seed=1, jobs=1, stdout=stdout, stderr=stderr)

    assert "Published 2 drugs and 3 trials" in stdout.getvalue()
    assert "trials published  [" + "#" * 30 + "]" in stderr.getvalue()
    with pytest.raises(CommandError, match="fresh database"):
        call_command("generate_corpus", drugs=2, trials=3, seed=1, stdout=StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_write_the_same_corpus_as_one_process():
    single = corpus_content(drugs=2, trials=600, seed=5, jobs=1)

    corpus_generate(drugs=2, trials=600, seed=5, jobs=2)

    parallel = {
        f"{entry.kind}/{entry.slug}": without_ids(entry.current.document)
        for entry in Entry.objects.select_related("current")
    }
    assert len(parallel) == 602
    assert parallel == single


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_workers_share_broken_by_a_deadlock_is_written_again(monkeypatch):
    from django.db import OperationalError

    from monographs.loadtest.synthetic import generation

    attempts = []

    def once(bounds):
        attempts.append(bounds)
        if len(attempts) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return (2, 2, None)

    monkeypatch.setattr(generation, "_trials_publish_once", once)
    assert generation._trials_publish((0, 2)) == (2, 2, None)
    assert attempts == [(0, 2), (0, 2)]


def test_any_other_database_error_of_a_worker_is_not_retried(monkeypatch):
    from django.db import OperationalError

    from monographs.loadtest.synthetic import generation

    def once(bounds):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(generation, "_trials_publish_once", once)
    with pytest.raises(OperationalError):
        generation._trials_publish((0, 2))

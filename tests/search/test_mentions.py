"""The entries a term's or a reference's search row lists: the same first ones however read.

A few values are read one branch each in the listing order (by an index on PostgreSQL), many
by one window over all their mentions; both must list the same entries in the same order,
ties of publication time included (a batch publishes its roots at one time).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monographs.editorial.services.publish import root_import_publish, roots_import_publish_bulk
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import SearchDocument
from monographs.publishing.models import Facet
from monographs.search import indexing
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    UserFactory,
)
from tests.site.corpus import published_drug, trial_with_results
from trials.models import Trial, TrialAdverseEvent

pytestmark = pytest.mark.django_db

LISTED = 5


@pytest.fixture
def reported(monkeypatch):
    """A term reported by a drug and by eleven trials published in one batch (at one time),
    then one of them published again (the newest) and one withdrawn; a term reported by one
    trial only; and the listing cut to LISTED entries per value."""
    monkeypatch.setattr(indexing, "MENTIONS_LISTED", LISTED)
    common, rare = AdverseEventTermFactory(), AdverseEventTermFactory()
    drug = published_drug()
    trials = {
        letter: trial_with_results(drugs=[drug], title=f"Study {letter}")
        for letter in "LKJIHGFEDCBA"
    }
    TrialAdverseEvent.objects.filter(trial__in=trials.values()).update(term=common)
    TrialAdverseEvent.objects.filter(trial=trials["L"]).update(term=rare)
    DrugAdverseEventFactory(drug=drug, term=common, citation=CitationFactory())
    roots_import_publish_bulk(kind="trial", roots=Trial.objects.all(), note="test")
    roots_import_publish_bulk(kind="drug", roots=type(drug).objects.all(), note="test")
    trials["K"].enrolment = 999
    trials["K"].save()
    root_import_publish(root=trials["K"], note="Published again")
    root_withdraw(root=trials["B"], user=UserFactory(is_superuser=True), reason="Withdrawn.")
    return common.slug, rare.slug


def listed(values: set[str]) -> dict[str, list[tuple[str, str]]]:
    return {
        value: [(mention.kind, mention.title) for mention in mentions]
        for value, mentions in indexing._live_mentions("term", values).items()
    }


def test_the_first_mentions_are_the_drug_then_the_newest_live_trials_by_title(reported):
    common, rare = reported

    mentions = listed({common, rare, "reported-by-no-one"})

    assert mentions[common][0][0] == "drug"
    # Shown as search shows a trial (its acronym first); ordered by the entry's title.
    assert [(kind, title.split(": ")[-1]) for kind, title in mentions[common][1:]] == [
        ("trial", f"Study {letter}") for letter in "KACD"
    ]
    assert [title.split(": ")[-1] for _, title in mentions[rare]] == ["Study L"]
    assert "reported-by-no-one" not in mentions


def read_in_order(queries) -> list[str]:
    """The statements reading values in the listing order (no partition: a branch each)."""
    return [q["sql"] for q in queries if "ROW_NUMBER() OVER (ORDER BY" in q["sql"]]


def sorted_in_one_window(queries) -> list[str]:
    return [q["sql"] for q in queries if "ROW_NUMBER() OVER (PARTITION BY" in q["sql"]]


@pytest.mark.postgres
def test_read_in_order_or_by_one_window_the_same_entries_are_listed(reported, monkeypatch):
    """Both ways at once (values stated in one publication or more are read in order, the
    value no one states is sorted), then every value in one window."""
    values = {*reported, "reported-by-no-one"}
    monkeypatch.setattr(indexing, "MENTIONS_COMMON", 1)
    with CaptureQueriesContext(connection) as both:
        branches = listed(values)
    monkeypatch.setattr(indexing, "MENTIONS_READ_IN_ORDER", 1)  # two common values: sorted
    with CaptureQueriesContext(connection) as in_one_window:
        window = listed(values)

    assert branches == window
    assert [sql.count("UNION ALL") for sql in read_in_order(both.captured_queries)] == [1]
    assert len(sorted_in_one_window(both.captured_queries)) == 1
    assert read_in_order(in_one_window.captured_queries) == []


@pytest.mark.postgres
def test_only_values_stated_in_many_publications_are_read_in_order(reported, monkeypatch):
    """A monograph's hundred terms, each reported by a few entries, are sorted in one
    statement: a branch each would cost more to plan than to sort (0.1 s for a hundred)."""
    common, rare = reported
    values = {common, rare, "reported-by-no-one"}
    with CaptureQueriesContext(connection) as by_default:
        listed(values)
    stated = Facet.objects.filter(name="term", value=common).count()
    assert stated < indexing.MENTIONS_COMMON
    monkeypatch.setattr(indexing, "MENTIONS_COMMON", stated)
    with CaptureQueriesContext(connection) as one_common:
        listed(values)

    assert read_in_order(by_default.captured_queries) == []
    assert len(sorted_in_one_window(by_default.captured_queries)) == 1
    assert indexing._values_common("term", values) == {common}
    in_order = read_in_order(one_common.captured_queries)
    assert len(in_order) == 1 and f"'{common}'" in in_order[0] and "UNION" not in in_order[0]
    monkeypatch.setattr(indexing, "MENTIONS_COMMON", stated + 1)
    assert indexing._values_common("term", values) == set()


@pytest.mark.postgres
def test_a_term_is_read_in_order_by_the_index_not_sorted():
    """The plan, not only the answer: the index gives the listing order, so the first
    mentions of a common term are read without sorting every entry that reports it.

    Which plan wins depends on the table's statistics (what earlier tests left behind), so
    both kinds of sort are priced out: the question is whether the index can give the order.
    Left on, an incremental sort over another index of `kind` wins once the planner expects
    few mentions of the value, as it rightly does for one that no publication states."""
    branch = indexing.mentions_in_order("term", "common").values_list("slug")[:LISTED]
    sql, params = branch.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "entry_live_mentions" in plan
    assert "Sort" not in plan


def test_the_term_row_names_its_first_reporters(reported):
    common, _ = reported

    row = SearchDocument.objects.get(kind="adverse_event", slug=common)

    assert "Study K" in row.body and "Study D" in row.body
    assert "Study B" not in row.body and "Study E" not in row.body

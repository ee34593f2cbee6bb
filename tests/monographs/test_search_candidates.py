"""Search ranks a bounded set of candidates: what always makes it into that set, and ranks first.

A broad query matches thousands of rows and PostgreSQL reads a row to rank it, so the rows
ranked are chosen through indexes first (monographs.search.postgres). These
tests shrink the set to two rows to show which matches are never left out.
"""

import pytest
from django.db import connection

from monographs.editorial.services.publish import root_import_publish
from monographs.models import SearchDocument
from monographs.search import entry_search, entry_search_page, postgres, search_index_rebuild
from tests.factories import DrugNameFactory
from tests.site.corpus import drug_with_monograph, published_drug, published_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_candidates(monkeypatch):
    monkeypatch.setattr(postgres, "CANDIDATES", 2)


def found(query: str, **options) -> list[tuple[str, str]]:
    return [(result.kind, result.slug) for result in entry_search(query=query, **options)]


def test_an_exact_title_ranks_first_however_many_titles_begin_with_it(two_candidates):
    other = published_drug(inn="regorafenib", slug="regorafenib")
    for condition in ("thyroid cancer", "liver cancer", "kidney cancer", "desmoid tumours"):
        published_trial(drugs=[other], acronym="", title=f"Sorafenib versus placebo in {condition}")
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    root_import_publish(root=drug, note="Published after the trials that name it")

    assert found("sorafenib", limit=2)[0] == ("drug", "sorafenib")
    assert found("Sorafenib", limit=1) == [("drug", "sorafenib")]


def test_a_drug_named_by_the_query_outranks_rows_that_only_mention_it(two_candidates):
    other = published_drug(inn="regorafenib", slug="regorafenib")
    for index in range(4):
        published_trial(
            drugs=[other], acronym="", population=f"Cohort {index}, after Nexavar failed."
        )
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    DrugNameFactory(drug=drug, name="Nexavar", kind="brand")
    root_import_publish(root=drug, note="Published after the trials that mention it")

    assert found("nexavar", limit=2)[0] == ("drug", "sorafenib")
    assert found("nexav", limit=1) == [("drug", "sorafenib")]


def test_matches_beyond_the_candidates_are_still_found_when_asked_for(two_candidates):
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    for _ in range(3):
        published_trial(drugs=[drug])

    assert len(found("sorafenib", kinds=["trial"], limit=3)) == 3


@pytest.mark.postgres
@pytest.mark.parametrize("kinds", [None, ["trial"]])
def test_rows_holding_the_words_as_typed_are_ranked_before_other_wordings(two_candidates, kinds):
    """Names holding another wording only (a synonym, a spelling) are candidates when the words
    as typed fill fewer than CANDIDATES."""
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    other_spelling = published_trial(
        drugs=[drug], acronym="", title="Sorafenib in pediatric sarcoma"
    )
    as_typed = [
        published_trial(drugs=[drug], acronym="", title=f"Sorafenib in paediatric {tumour}")
        for tumour in ("sarcoma", "leukaemia")
    ]

    assert {slug for _, slug in found("paediatric", kinds=kinds, limit=2)} == {
        trial.slug for trial in as_typed
    }
    assert ("trial", other_spelling.slug) in found("pediatric", kinds=kinds, limit=2)
    assert len(found("pediatric", kinds=kinds, limit=3)) == 3


@pytest.mark.postgres
@pytest.mark.parametrize("kinds", [None, ["trial"]])
def test_a_name_match_is_found_when_the_count_stops_before_it(two_candidates, monkeypatch, kinds):
    """The count reads pages whose text holds the words, up to what can be paged through,
    and the candidates take those whose names hold them from it; when it stopped before
    finding enough, the index of names is searched for the others."""
    monkeypatch.setattr(postgres, "MAX_SEARCH_RESULTS", 3)
    other = published_drug(inn="regorafenib", slug="regorafenib")
    for index in range(5):
        published_trial(
            drugs=[other], acronym="", population=f"Cohort {index}, after Nexavar failed."
        )
    named = published_trial(drugs=[other], acronym="", title="Rechallenge with Nexavar")

    page = entry_search_page(query="nexavar", kinds=kinds, limit=2)

    assert (page.results[0].kind, page.results[0].slug) == ("trial", named.slug)
    assert (page.total, page.total_exact) == (3, False)


@pytest.mark.postgres
def test_the_names_found_while_counting_stand_for_the_index_of_names():
    """Given the pages whose names hold the words, as the count found them: when it read every
    page whose text holds them, the index of names is not searched again; otherwise it is."""
    other = published_drug(inn="regorafenib", slug="regorafenib")
    for index in range(2):
        published_trial(
            drugs=[other], acronym="", population=f"Cohort {index}, after Nexavar failed."
        )
    named = published_trial(drugs=[other], acronym="", title="Rechallenge with Nexavar")
    named_row = SearchDocument.objects.get(kind="trial", slug=named.slug, anchor="").pk

    def candidates(typed_named: list[int] | None, every_page_read: bool) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT monographs_search_candidates(q, q, %s::bigint[], %s, 'nexavar', NULL, "
                "NULL, 1) FROM monographs_search_query(%s, 'english', 32) AS q",
                [typed_named, every_page_read, ["nexavar"]],
            )
            return [row for (row,) in cursor.fetchall()]

    def names_index_scans() -> int:
        """Scans of the index of names in this transaction so far."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_numscans("
                "'monographs_searchdocument_name_vector_gin'::regclass)"
            )
            return cursor.fetchone()[0]

    assert candidates(None, False) == [named_row]  # not given: the index of names is searched
    assert candidates([named_row], True) == [named_row]
    before = names_index_scans()
    # Every page read, none named: the rows holding the words in their text follow (which
    # of the three comes first is the heap's order), and the index of names is not read.
    assert candidates([], True)
    assert names_index_scans() == before
    assert candidates([], False) == [named_row]  # the read stopped short: searched again
    assert names_index_scans() > before


@pytest.mark.postgres
def test_a_search_of_some_kinds_is_planned_for_them():
    """A plan kept for any kinds reads every row the words match to find those of the
    kinds (migration 0032); searches without kinds keep theirs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'monographs_search_cand%%'"
        )
        settings = dict(cursor.fetchall())

    assert "plan_cache_mode=force_custom_plan" in settings["monographs_search_candidates_of_kinds"]
    assert not any(
        "plan_cache_mode" in setting
        for setting in settings["monographs_search_candidates_of_any_kind"]
    )


@pytest.mark.postgres
def test_the_candidate_set_is_bounded():
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    for _ in range(4):
        published_trial(drugs=[drug])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM monographs_search_query(%s, 'english', 32) AS q, "
            "monographs_search_candidates(q, q, NULL, false, %s, NULL, NULL, 2)",
            [["sorafenib"], "sorafenib"],
        )
        [(count,)] = cursor.fetchall()

    assert count == 2


@pytest.mark.postgres
def test_query_words_become_the_indexed_words_they_begin():
    published_drug(inn="sorafenib", slug="sorafenib")

    def query(*tokens: str, expansions: int = 32) -> str | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT monographs_search_query(%s, 'english', %s)::text",
                [list(tokens), expansions],
            )
            return cursor.fetchone()[0]

    assert "'sorafenib'" in query("sorafe")
    assert query("sorafenib", expansions=1) == "'sorafenib'"
    assert query("sorafenib", "zebrafish") is None
    assert query("the", "of") is None


def vocabulary(*words: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM monographs_searchword WHERE word = ANY (%s)", [list(words)]
        )
        return {word for (word,) in cursor.fetchall()}


@pytest.mark.postgres
def test_the_vocabulary_follows_publishing_and_a_rebuild_drops_stale_words():
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    drug.summary = "Mentions angiogenesis."
    drug.save()
    root_import_publish(root=drug, note="test")
    assert vocabulary("sorafenib", "angiogenesi") == {"sorafenib", "angiogenesi"}

    drug.summary = "No longer says so."
    drug.save()
    root_import_publish(root=drug, note="test")
    assert found("angiogenesis") == []
    assert vocabulary("angiogenesi") == {"angiogenesi"}

    search_index_rebuild()

    assert vocabulary("sorafenib", "angiogenesi") == {"sorafenib"}


@pytest.mark.parametrize("query", ["zebrafish", "sorafenib zebrafish"])
def test_queries_nothing_can_match_find_nothing_in_bounded_queries(
    query, django_assert_max_num_queries
):
    published_drug(inn="sorafenib", slug="sorafenib")
    entry_search(query=query)  # the vocabulary, read once after the index changes

    # The search, and on PostgreSQL the lookup of a correction for "zebrafish" (none).
    with django_assert_max_num_queries(2):
        assert entry_search(query=query) == []

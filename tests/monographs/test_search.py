"""Search over live publications: what readers expect to find, on SQLite and PostgreSQL."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import SearchDocument
from monographs.search import (
    entry_search,
    entry_search_page,
    highlight,
    query_tokens,
    search_index_rebuild,
)
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugNameFactory,
    MonographSectionFactory,
    UserFactory,
)
from tests.site.corpus import drug_with_monograph, published_drug, published_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def sorafenib():
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    DrugNameFactory(drug=drug, name="Nexavar", kind="brand")
    root_import_publish(root=drug, note="test")
    return drug


def found(query: str, **options) -> list[tuple[str, str]]:
    return [(result.kind, result.slug) for result in entry_search(query=query, **options)]


def test_a_drug_is_found_by_name_prefix_and_brand(sorafenib):
    assert found("sorafenib")[0] == ("drug", "sorafenib")
    assert found("soraf")[0] == ("drug", "sorafenib")
    assert found("Nexavar")[0] == ("drug", "sorafenib")
    assert found("SORAFENIB")[0] == ("drug", "sorafenib")


def test_words_must_all_match(sorafenib):
    assert ("drug", "sorafenib") in found("sorafenib raf kinases")
    assert found("sorafenib zebrafish") == []


def test_the_title_outranks_a_mention_in_the_body(sorafenib):
    other = drug_with_monograph()
    MonographSectionFactory(
        drug=other, kind="interactions", body="Do not combine with sorafenib or regorafenib."
    )
    root_import_publish(root=other, note="test")

    results = found("sorafenib", kinds=["drug"])

    assert results[0] == ("drug", "sorafenib")
    assert ("drug", other.slug) in results


def test_adverse_event_terms_are_found_by_synonym(sorafenib):
    term = AdverseEventTermFactory(
        name="Palmar-plantar erythrodysesthesia syndrome (test)",
        synonyms=["hand-foot skin reaction"],
    )
    DrugAdverseEventFactory(drug=sorafenib, term=term, citation=CitationFactory())
    root_import_publish(root=sorafenib, note="HFSR")

    results = entry_search(query="hand-foot skin", kinds=["adverse_event"])

    assert term.slug in [r.slug for r in results]
    assert all("<mark>" in r.snippet for r in results)


def test_trials_are_found_by_acronym_and_registry_number(sorafenib):
    trial = published_trial(drugs=[sorafenib], acronym="SHARP", slug="sharp")

    assert found("SHARP", kinds=["trial"]) == [("trial", "sharp")]
    assert found(trial.nct_id, kinds=["trial"]) == [("trial", "sharp")]
    assert found(trial.nct_id.lower(), kinds=["trial"]) == [("trial", "sharp")]


def test_references_are_found_by_doi_pmid_and_author(sorafenib):
    citation = CitationFactory(authors=["Cheng AL", "Kang YK"], title="Asia-Pacific study")
    MonographSectionFactory(drug=sorafenib, kind="summary", body=f"See [@{citation.key}].")
    root_import_publish(root=sorafenib, note="Added a source")

    assert ("reference", citation.key) in found(citation.doi)
    assert ("reference", citation.key) in found(citation.pmid)
    assert found("Cheng Kang", kinds=["reference"]) == [("reference", citation.key)]


def test_results_carry_what_a_page_needs(sorafenib):
    result = entry_search(query="sorafenib", limit=1)[0]

    assert result.url == "/drugs/sorafenib/"
    assert result.title == "sorafenib"
    assert result.kind_label == "Drug"
    assert result.rank > 0


def test_snippets_escape_content_and_only_add_marks(sorafenib):
    MonographSectionFactory(
        drug=sorafenib, kind="other", body="Beware: ALT < 3 × ULN & <b>bold</b> hepatotoxicity."
    )
    root_import_publish(root=sorafenib, note="test")

    snippet = entry_search(query="beware hepatotoxicity", kinds=["drug"])[0].snippet

    assert "&lt;" in snippet and "&amp;" in snippet
    assert "<b>" not in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "<mark>" in snippet


def test_kinds_filter_and_limit(sorafenib):
    published_trial(drugs=[sorafenib])

    assert {kind for kind, _ in found("sorafenib", kinds=["trial"])} == {"trial"}
    assert len(found("sorafenib", limit=2)) == 2
    assert found("sorafenib", kinds=["unknown"]) == []


@pytest.mark.parametrize("query", ["", "   ", "&&&", "!", "\x00", "(("])
def test_queries_without_words_find_nothing(sorafenib, query):
    assert entry_search(query=query) == []


def test_query_operators_are_never_passed_on(sorafenib):
    assert query_tokens("sora:* & !x | (y)") == ["sora", "x", "y"]
    assert ("drug", "sorafenib") in found("sorafenib:*&|!")


def test_drafts_and_pending_revisions_are_not_searchable(sorafenib):
    drug_with_monograph(inn="draftinib", slug="draftinib")
    sorafenib.summary = "Unreviewedword in a pending revision."
    sorafenib.save()
    root_record_edit(root=sorafenib, user=None)

    assert found("draftinib") == []
    assert found("unreviewedword") == []


def test_withdrawal_removes_the_entry_and_terms_only_it_used(sorafenib):
    term_slugs = [ae.term.slug for ae in sorafenib.adverse_events.select_related("term")]
    assert SearchDocument.objects.filter(kind="adverse_event", slug__in=term_slugs).exists()

    root_withdraw(root=sorafenib, user=UserFactory(is_superuser=True), reason="Withdrawn.")

    assert found("sorafenib") == []
    assert not SearchDocument.objects.filter(kind="adverse_event", slug__in=term_slugs).exists()
    assert not SearchDocument.objects.filter(kind="reference").exists()


def test_a_new_version_replaces_the_indexed_text(sorafenib):
    sorafenib.summary = "Now mentions angiogenesis explicitly."
    sorafenib.save()
    root_import_publish(root=sorafenib, note="test")

    assert ("drug", "sorafenib") in found("angiogenesis")


def test_a_term_stays_while_another_live_entry_reports_it(sorafenib):
    other = published_drug()
    shared = sorafenib.adverse_events.select_related("term").first().term
    DrugAdverseEventFactory(drug=other, term=shared, citation=CitationFactory())
    root_import_publish(root=other, note="Shares a term")

    root_withdraw(root=sorafenib, user=UserFactory(is_superuser=True), reason="Withdrawn.")

    assert found(shared.name, kinds=["adverse_event"]) == [("adverse_event", shared.slug)]


def test_rebuild_recreates_the_same_index(sorafenib):
    published_trial(drugs=[sorafenib])
    before = set(SearchDocument.objects.values_list("kind", "slug", "title", "names", "body"))

    count = search_index_rebuild()

    after = set(SearchDocument.objects.values_list("kind", "slug", "title", "names", "body"))
    assert count == len(after)
    assert after == before


def test_search_is_one_query_whatever_the_index_holds(
    sorafenib, django_assert_num_queries, django_assert_max_num_queries
):
    published_trial(drugs=[sorafenib])
    # After the index changes, the vocabulary of synonyms is read once: conditions, terms.
    with django_assert_max_num_queries(3):
        entry_search(query="sorafenib placebo")
    with django_assert_num_queries(1):
        entry_search(query="sorafenib placebo")
    for _ in range(3):
        published_trial(drugs=[sorafenib])
    entry_search(query="sorafenib placebo")

    with django_assert_num_queries(1):
        entry_search(query="sorafenib placebo")
    # Nothing found: the words are looked up for a correction (PostgreSQL; SQLite reads its
    # cached list of words once per change of the index).
    entry_search(query="sorafenib zebrafish")
    with django_assert_max_num_queries(2):
        entry_search(query="sorafenib zebrafish")
    # Corrected: searched again.
    with django_assert_max_num_queries(3):
        page = entry_search_page(query="sorafnib placebo")
    assert page.suggestion == "sorafenib placebo"
    assert {r.kind for r in page.results} == {"trial"}


def test_highlight_marks_whole_words_and_escapes():
    assert highlight("Sorafenib <b>and</b> sorafenib's", ["soraf"]) == (
        "<mark>Sorafenib</mark> &lt;b&gt;and&lt;/b&gt; <mark>sorafenib</mark>&#x27;s"
    )


@pytest.mark.postgres
def test_postgres_stores_a_weighted_vector_under_a_gin_index(sorafenib):
    from django.db import connection

    vector = SearchDocument.objects.values_list("search_vector", flat=True).get(
        kind="drug", slug="sorafenib", anchor=""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'monographs_searchdocument'"
        )
        indexes = [row[0] for row in cursor.fetchall()]

    assert re.search(r"'sorafenib':(\d+[ABC]?,)*1A", vector), vector
    assert any("USING gin (search_vector)" in index for index in indexes)


@pytest.mark.postgres
def test_postgres_search_indexes_merge_new_entries_in_small_batches(db):
    """A search reads every entry its GIN index has not merged yet: a short pending list
    bounds that read (and the merge a publish may pay for) however much was loaded before."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND c.relname LIKE 'monographs_search%%'"
        )
        options = dict(cursor.fetchall())

    assert set(options) == {
        "monographs_searchdocument_vector_gin",
        "monographs_searchdocument_name_vector_gin",
        "monographs_searchdocument_named_vector_gin",
        "monographs_searchspelling_trigram",
    }
    assert options.pop("monographs_searchdocument_named_vector_gin") == ["fastupdate=off"]
    assert all(value == ["gin_pending_list_limit=64"] for value in options.values()), options


def test_rebuild_command_restores_a_lost_index(sorafenib):
    SearchDocument.objects.all().delete()

    call_command("rebuild_search_index", stdout=StringIO())

    assert found("sorafenib")[0] == ("drug", "sorafenib")


@pytest.mark.postgres
def test_postgres_vectors_are_the_weighted_vectors_of_the_stored_text(sorafenib):
    from functools import reduce
    from operator import add

    from django.contrib.postgres.search import SearchVector

    from monographs.publishing.models import Entry
    from monographs.search import search_index_update_many
    from monographs.search.indexing import VECTOR_WEIGHTS
    from monographs.search.postgres import SEARCH_CONFIG

    published_trial(drugs=[sorafenib])
    SearchDocument.objects.update(search_vector=None)
    search_index_update_many(entries=list(Entry.objects.select_related("current")))

    vectors = [SearchVector(name, weight=w, config=SEARCH_CONFIG) for name, w in VECTOR_WEIGHTS]
    expected = reduce(add, vectors)
    rows = SearchDocument.objects.annotate(expected=expected).values_list(
        "kind", "search_vector", "expected"
    )
    assert {kind for kind, *_ in rows} == {"drug", "trial", "adverse_event", "reference"}
    for kind, vector, wanted in rows:
        assert vector and vector == wanted, kind

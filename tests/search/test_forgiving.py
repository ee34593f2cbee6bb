"""What search forgives, shown on small corpora made with factories: synonyms and
abbreviations, misspellings with "did you mean", sections found and linked, no internal keys;
on the search page and the API, within their query budgets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monographs.editorial.services.publish import root_import_publish
from monographs.models import MonographSection, SearchDocument
from monographs.search import SearchPage, entry_search, entry_search_page
from monographs.search.vocabulary import initials, query_plan, similarity
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    ConditionFactory,
    DrugAdverseEventFactory,
    MonographSectionFactory,
)
from tests.site.corpus import drug_with_monograph, published_trial

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


@pytest.fixture
def sorafenib():
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    term = AdverseEventTermFactory(
        name="Palmar-plantar erythrodysesthesia syndrome (test)",
        slug="ppes-test",
        synonyms=["hand-foot skin reaction", "hand-foot syndrome"],
    )
    DrugAdverseEventFactory(drug=drug, term=term, citation=CitationFactory())
    root_import_publish(root=drug, note="test")
    return drug


def ids(results) -> list[str]:
    return [f"{r.kind}:{r.slug}" + (f"#{r.anchor}" if r.anchor else "") for r in results]


def test_initials_of_a_name_of_three_words_or_more():
    assert initials("hand-foot skin reaction") == "hfsr"
    assert initials("Skin toxicity (not further specified)") is None
    assert initials("hand-foot syndrome") == "hfs"


def test_a_phrase_is_searched_in_every_wording_the_vocabulary_has():
    ConditionFactory(
        name="Renal cell carcinoma",
        slug="renal-cell-carcinoma",
        abbreviation="RCC",
        synonyms=["kidney cancer"],
    )

    plan = query_plan(["advanced", "kidney", "cancers"])

    assert ("advanced", "renal", "cell", "carcinoma") in plan.alternatives
    assert ("advanced", "rcc") in plan.alternatives
    assert plan.alternatives[0] == ("advanced", "kidney", "cancers")
    assert plan.covered == {"kidney", "cancers"}


def test_a_condition_is_found_by_its_synonym_and_abbreviation(sorafenib):
    condition = ConditionFactory(
        name="Clear-cell renal carcinoma",
        slug="clear-cell-renal-carcinoma",
        abbreviation="CCRCC",
        synonyms=["kidney cancer"],
    )
    trial = published_trial(drugs=[sorafenib], acronym="TARGET", slug="target")
    trial.conditions.set([condition])
    root_import_publish(root=trial, note="Renal cell carcinoma")

    assert "trial:target" in ids(entry_search(query="kidney cancer"))
    assert "trial:target" in ids(entry_search(query="ccrcc"))


def test_a_new_synonym_is_searched_at_once(sorafenib):
    condition = ConditionFactory(name="Hepatocellular carcinoma", slug="hcc-test", synonyms=[])
    trial = published_trial(drugs=[sorafenib], acronym="SHARP", slug="sharp")
    trial.conditions.set([condition])
    root_import_publish(root=trial, note="HCC")
    assert "trial:sharp" not in ids(entry_search(query="hepatoma"))

    condition.synonyms = ["hepatoma"]
    condition.save()

    assert "trial:sharp" in ids(entry_search(query="hepatoma"))


def test_an_adverse_event_is_found_by_the_initials_of_its_synonym(sorafenib):
    results = entry_search(query="HFSR")

    # The factories' own terms cycle through a list: whether theirs is hand-foot too depends
    # on how many terms earlier tests made, so only the first result is certain.
    assert results[0].kind == "adverse_event"
    assert "adverse_event:ppes-test" in ids(results)[:2]


def test_a_misspelling_is_corrected_and_suggested(sorafenib):
    page = entry_search_page(query="sorafnib")

    assert page.suggestion == "sorafenib"
    assert ids(page.results)[0] == "drug:sorafenib"
    assert entry_search_page(query="sorafenib").suggestion is None
    # Nothing close enough: nothing suggested, nothing found.
    assert entry_search_page(query="zebrafish") == SearchPage([], 0, suggestion=None)


@pytest.mark.postgres
def test_similarity_is_pg_trgm_s():
    pairs = [("sorafnib", "sorafenib"), ("warfrin", "warfarin"), ("hfsr", "hypertension")]
    with connection.cursor() as cursor:
        for first, second in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [first, second])
            assert cursor.fetchone()[0] == pytest.approx(similarity(first, second), abs=1e-6)


def test_a_drug_and_a_topic_lead_to_the_section(sorafenib):
    results = entry_search(query="sorafenib dose")

    assert ids(results)[0] == "drug:sorafenib#section-dosage"
    assert results[0].url == "/drugs/sorafenib/#section-dosage"
    # The page is listed once, as its best match.
    assert [r.slug for r in results].count("sorafenib") == 1
    assert ids(entry_search(query="sorafenib"))[0] == "drug:sorafenib"


def test_a_section_dropped_from_the_monograph_is_no_longer_found(sorafenib):
    assert SearchDocument.objects.filter(slug="sorafenib", anchor="section-dosage").exists()

    MonographSection.objects.filter(drug=sorafenib, kind="dosage").delete()
    root_import_publish(root=sorafenib, note="No dosage section")

    assert not SearchDocument.objects.filter(slug="sorafenib", anchor="section-dosage").exists()
    assert SearchDocument.objects.filter(slug="sorafenib", anchor="").exists()


def test_citation_keys_are_not_indexed(sorafenib):
    citation = CitationFactory(key="zz-hcc-web-article-ref-10", title="Phase II trial")
    MonographSectionFactory(drug=sorafenib, kind="other", body=f"As shown [@{citation.key}].")
    root_import_publish(root=sorafenib, note="Cites a reference")

    texts = SearchDocument.objects.values_list("title", "description", "names", "body")
    assert not [text for row in texts for text in row if "zz-hcc" in text]
    assert "reference:zz-hcc-web-article-ref-10" not in ids(entry_search(query="zz hcc"))


# --- the search page and the API ------------------------------------------------------------


def page_queries(client, query: str) -> tuple[int, str]:
    client.get(reverse("monographs:search"), {"q": query})  # the vocabulary, once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("monographs:search"), {"q": query})
    assert response.status_code == 200
    return len(captured), response


def test_the_page_says_did_you_mean_and_shows_the_corrected_results(client, sorafenib):
    plain, _ = page_queries(client, "sorafenib")
    corrected, response = page_queries(client, "sorafnib")

    html = response.content.decode()
    assert 'Did you mean <a class="suggestion" href="?q=sorafenib">sorafenib</a>?' in html
    assert response.context["results"][0].slug == "sorafenib"
    # The lookup of the correction and the second search, nothing more.
    assert corrected <= plain + 2


def test_the_page_links_a_section_to_its_place(client, sorafenib):
    plain, _ = page_queries(client, "sorafenib")
    with_topic, response = page_queries(client, "sorafenib dose")

    assert 'href="/drugs/sorafenib/#section-dosage"' in response.content.decode()
    assert "Did you mean" not in response.content.decode()
    assert with_topic == plain


def test_the_api_gives_the_suggestion_and_the_section(
    client, sorafenib, django_assert_max_num_queries
):
    client.get(SEARCH, {"q": "sorafnib dose"})

    with django_assert_max_num_queries(3):
        body = client.get(SEARCH, {"q": "sorafnib dose"}).json()
    with django_assert_max_num_queries(1):
        plain = client.get(SEARCH, {"q": "sorafenib"}).json()

    assert body["suggestion"] == "sorafenib dose"
    first = body["results"][0]
    assert (first["slug"], first["section"]) == ("sorafenib", "section-dosage")
    assert first["url"] == "/drugs/sorafenib/#section-dosage"
    assert plain["suggestion"] is None and plain["results"][0]["section"] is None
    assert plain["total"] == len({(r["kind"], r["slug"]) for r in plain["results"]})

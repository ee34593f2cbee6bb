"""/api/v1/citations/: sources that a live publication cites, once each."""

import pytest

from tests.api.conftest import publish
from tests.factories import CitationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/citations/"


def keys(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["key"] for item in response.json()["results"]]


@pytest.fixture
def cited(make_drug):
    sharp = CitationFactory(key="llovet-2008", pmid="18650514", doi="10.1056/NEJMoa0708857")
    asia = CitationFactory(
        key="cheng-2009", pmid="19095497", doi="10.1016/S1470-2045(08)70285-7", year=2009
    )
    make_drug("sorafenib", citation=sharp)
    make_drug("regorafenib", citation=sharp)
    make_drug("lenvatinib", citation=asia)
    return sharp, asia


def test_a_citation_cited_twice_is_listed_once_with_who_cites_it(client, cited):
    response = client.get(LIST)

    assert keys(response) == ["cheng-2009", "llovet-2008"]
    sharp = response.json()["results"][1]
    assert [entry["slug"] for entry in sharp["cited_by"]] == ["regorafenib", "sorafenib"]
    assert sharp["pmid"] == "18650514"
    assert sharp["doi"] == "10.1056/NEJMoa0708857"
    assert sharp["vancouver"].startswith("Llovet JM, Ricci S")


FILTER_CASES = [
    ("pmid=18650514", ["llovet-2008"]),
    ("doi=10.1056/nejmoa0708857", ["llovet-2008"]),
    ("doi=10.1016/S1470-2045(08)70285-7", ["cheng-2009"]),
    ("year=2009", ["cheng-2009"]),
    ("year_min=2008&year_max=2008", ["llovet-2008"]),
    ("year_min=2010", []),
    ("key=cheng-2009", ["cheng-2009"]),
    ("kind=journal_article", ["cheng-2009", "llovet-2008"]),
]


def test_filters(client, cited):
    for query, expected in FILTER_CASES:
        assert keys(client.get(f"{LIST}?{query}")) == expected, query


BAD_FILTER_CASES = [
    ("pmid=PMC123", "pmid"),
    ("year=twenty", "year"),
    ("year=99999", "year"),
    ("kind=x", "kind"),
]


def test_bad_filter_values_are_400s(client, cited):
    for query, parameter in BAD_FILTER_CASES:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 400, query
        assert parameter in response.json()["parameters"]


def test_citations_of_drafts_and_withdrawn_entries_stay_private(client, make_drug, withdraw):
    draft_only = CitationFactory(key="draft-only")
    withdrawn_only = CitationFactory(key="withdrawn-only")
    make_drug("lenvatinib", citation=draft_only, published=False)
    withdraw(make_drug("regorafenib", citation=withdrawn_only))

    assert keys(client.get(LIST)) == []
    assert client.get(f"{LIST}?key=draft-only").json()["results"] == []


def test_the_last_published_copy_of_an_edited_citation_is_served(client, make_drug):
    citation = CitationFactory(key="llovet-2008", title="Old title")
    drug = make_drug("sorafenib", citation=citation)
    citation.title = "New title"
    citation.save()
    [first] = client.get(LIST).json()["results"]
    publish(drug)

    [second] = client.get(LIST).json()["results"]

    assert (first["title"], second["title"]) == ("Old title", "New title")


def test_query_count_does_not_grow_with_the_page(client, make_drug, django_assert_num_queries):
    for index in range(5):
        make_drug(f"drug-{index}", citation=CitationFactory(key=f"source-{index:02d}"))
    with django_assert_num_queries(2):
        assert len(keys(client.get(f"{LIST}?page_size=5"))) == 5
    for index in range(5, 25):
        make_drug(f"drug-{index}", citation=CitationFactory(key=f"source-{index:02d}"))
    with django_assert_num_queries(2):
        assert len(keys(client.get(f"{LIST}?page_size=20&year=2008"))) == 20

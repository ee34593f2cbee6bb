"""/api/v1/search/: the public site's search, over live publications only."""

import pytest

from tests.api.conftest import edit_without_publishing

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


def found(client, **params) -> list[tuple[str, str]]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content
    return [(r["kind"], r["slug"]) for r in response.json()["results"]]


def test_finds_live_drugs_with_links_to_the_api(client, make_drug):
    make_drug("sorafenib")

    response = client.get(SEARCH, {"q": "sorafenib", "kind": "drug"})

    [result] = response.json()["results"]
    assert (result["kind"], result["slug"]) == ("drug", "sorafenib")
    assert result["api_url"] == "http://testserver/api/v1/drugs/sorafenib/"
    assert "<mark>" in result["snippet"]


def test_drafts_and_withdrawn_entries_are_never_found(client, make_drug, withdraw):
    make_drug("lenvatinib", published=False)
    withdraw(make_drug("regorafenib"))
    sorafenib = make_drug("sorafenib")
    edit_without_publishing(sorafenib, summary="Zyxwv unreviewed wording.")

    assert found(client, q="lenvatinib") == []
    # "regorafenib" may be read as a misspelling of sorafenib, but is never found itself.
    assert ("drug", "regorafenib") not in found(client, q="regorafenib", kind="drug")
    assert found(client, q="zyxwv") == []


def test_kinds_and_limit(client, make_drug):
    make_drug("sorafenib")

    kinds = {kind for kind, _ in found(client, q="sorafenib")}
    assert {"drug", "reference"} <= kinds
    assert {kind for kind, _ in found(client, q="sorafenib", kind="reference")} == {"reference"}
    assert len(found(client, q="sorafenib", limit=1)) == 1


def test_search_query_count_is_constant(client, make_drug, django_assert_max_num_queries):
    for index in range(3):
        make_drug(f"kinase-{index}")
    client.get(SEARCH, {"q": "kinase"})  # the vocabulary, read once after the index changes
    with django_assert_max_num_queries(2):
        assert len(found(client, q="kinase", kind="drug", limit=50)) == 3


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x", "kind": "draft"}, "kind"),
        ({"q": "x", "limit": 0}, "limit"),
    ],
)
def test_bad_parameters_are_400s(client, params, parameter):
    response = client.get(SEARCH, params)

    assert response.status_code == 400
    assert parameter in response.json()["parameters"]


def test_search_pages_with_a_total_in_one_query(client, make_drug, django_assert_num_queries):
    for index in range(5):
        make_drug(f"kinase-{index}")
    client.get(SEARCH, {"q": "kinase"})  # the vocabulary, read once after the index changes

    pages = []
    url = f"{SEARCH}?q=kinase&kind=drug&limit=2"
    while url:
        with django_assert_num_queries(1):
            response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1]["next"]

    assert [page["page"] for page in pages] == [1, 2, 3]
    assert {page["total"] for page in pages} == {5}
    slugs = [result["slug"] for page in pages for result in page["results"]]
    assert sorted(slugs) == [f"kinase-{index}" for index in range(5)]
    assert pages[0]["previous"] is None
    assert "page=2" in pages[2]["previous"].split("?")[1].split("&")


def test_a_page_past_the_end_is_empty_but_still_counts(client, make_drug):
    make_drug("sorafenib")

    body = client.get(SEARCH, {"q": "sorafenib", "kind": "drug", "page": 7}).json()

    assert body["results"] == [] and body["total"] == 1 and body["next"] is None
    assert "page=1" in body["previous"].split("?")[1].split("&")


def test_only_the_first_thousand_results_are_paged(client):
    response = client.get(SEARCH, {"q": "kinase", "limit": 100, "page": 11})

    assert response.status_code == 400
    [message] = response.json()["parameters"]["page"]
    assert "first 1000 results" in message and "page is at most 10" in message
    assert client.get(SEARCH, {"q": "kinase", "limit": 100, "page": 10}).status_code == 200


def test_every_wording_of_the_query_is_counted_until_the_limit(
    client, make_drug, paged_through_at_most_three
):
    """The words as typed are counted first; the other wordings only while the count is below
    what can be paged through (monographs/search/postgres.py), and the answer is the same."""
    make_drug("alpha-a", drug_class="Paediatric kinase inhibitor")
    for name in ("beta-b", "gamma-c"):
        make_drug(name, drug_class="Pediatric kinase inhibitor")

    def counted(query: str) -> tuple[int, bool]:
        body = client.get(SEARCH, {"q": query, "kind": "drug"}).json()
        return body["total"], body["total_exact"]

    assert counted("paediatric") == (3, True)  # one as typed, two by its other spelling
    assert counted("children") == (3, True)  # none as typed
    for name in ("delta-d", "epsilon-e", "zeta-f", "eta-g"):
        make_drug(name, drug_class="Paediatric kinase inhibitor")
    assert counted("paediatric") == (3, False)  # five as typed: more than can be paged
    assert counted("pediatric") == (3, False)  # two as typed, five more by the other


@pytest.fixture
def paged_through_at_most_three(monkeypatch):
    for module in (
        "monographs.search.postgres",
        "monographs.search.fallback",
        "monographs.api.views.search",
    ):
        monkeypatch.setattr(f"{module}.MAX_SEARCH_RESULTS", 3)


def test_matches_are_counted_up_to_what_can_be_paged_through(
    client, make_drug, paged_through_at_most_three, django_assert_num_queries
):
    for index in range(5):
        make_drug(f"kinase-{index}")
    make_drug("sorafenib")
    client.get(SEARCH, {"q": "kinase"})  # the vocabulary, read once after the index changes

    with django_assert_num_queries(1):
        first = client.get(SEARCH, {"q": "kinase", "kind": "drug", "limit": 2}).json()
    narrowed = client.get(SEARCH, {"q": "sorafenib", "kind": "drug"}).json()
    past_the_end = client.get(
        SEARCH, {"q": "sorafenib", "kind": "drug", "limit": 1, "page": 2}
    ).json()

    assert (first["total"], first["total_exact"]) == (3, False)
    assert first["next"] is not None and "page=2" in first["next"]
    assert (narrowed["total"], narrowed["total_exact"]) == (1, True)
    assert (past_the_end["total"], past_the_end["total_exact"]) == (1, True)


def test_results_are_written_as_the_serializer_declares_them(
    client, make_drug, make_trial, monkeypatch
):
    """The results' hand-written representation and SearchResultSerializer's (the schema's)
    are the same for every kind a search finds, sections included."""
    from monographs.api.serializers import changes
    from monographs.loadtest import library

    sorafenib = make_drug("sorafenib")
    make_trial("sharp", drugs=(sorafenib,))
    queries = ("sorafenib", "sorafenib mechanism", "hand foot", "sharp", "hepatocellular")

    def pages() -> list[dict]:
        return [client.get(SEARCH, {"q": q, "limit": 50}).json() for q in queries]

    written = pages()
    monkeypatch.setattr(changes, "search_results_data", library.search_results_serialized)
    serialized = pages()

    assert written == serialized
    results = [result for page in written for result in page["results"]]
    assert {r["kind"] for r in results} == {"drug", "trial", "adverse_event", "reference"}
    assert any(r["section"] for r in results) and any(r["section"] is None for r in results)
    assert all(r["api_url"] for r in results)

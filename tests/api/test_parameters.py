"""Query parameters are taken as given or refused: never silently ignored or overridden."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_misspelt_filter_is_a_400_naming_it_not_every_trial(
    client, make_trial, django_assert_num_queries
):
    make_trial("sharp")

    with django_assert_num_queries(0):
        response = client.get("/api/v1/trials/", {"drugs": "nonexistent"})

    assert response.status_code == 400
    [message] = response.json()["parameters"]["drugs"]
    assert "no such parameter" in message
    assert "drug," in message and "phase" in message
    assert "drugs" in response.json()["detail"]


def test_a_repeated_filter_is_a_400_naming_it_not_its_last_value(
    client, make_trial, django_assert_num_queries
):
    make_trial("sharp")

    with django_assert_num_queries(0):
        response = client.get("/api/v1/trials/?phase=3&phase=2")

    assert response.status_code == 400
    assert response.json()["parameters"] == {"phase": ["Given more than once; give it once."]}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/drugs/?target=KDR&tagret=BRAF", "tagret"),
        ("/api/v1/drugs/sorafenib/?asof=2024-01-01T00:00:00Z", "asof"),
        ("/api/v1/drugs/sorafenib/versions/?page=2", "page"),
        ("/api/v1/drugs/sorafenib/versions/1/?as_of=2024-01-01T00:00:00Z", "as_of"),
        ("/api/v1/adverse-events/?drug_slug=sorafenib", "drug_slug"),
        ("/api/v1/citations/?author=Llovet", "author"),
        ("/api/v1/search/?q=sorafenib&kinds=drug", "kinds"),
        ("/api/v1/search/?q=sorafenib&q=regorafenib", "q"),
        ("/api/v1/changes/?token=3", "token"),
        ("/api/v1/changes/?since=1&since=2", "since"),
        ("/api/v1/trials/?cursor=a&cursor=b", "cursor"),
        ("/api/v1/export/trials.csv?drugs=sorafenib", "drugs"),
        ("/api/v1/export/trials.csv?phase=3&phase=2", "phase"),
        ("/api/v1/export/adverse-events.csv?drug=", "drug"),
        ("/api/v1/export/citations.ris?author=Llovet", "author"),
        ("/api/v1/export/fixtures.json?since=3", "since"),
    ],
)
def test_every_endpoint_names_a_parameter_it_does_not_take(client, make_drug, url, parameter):
    make_drug("sorafenib")

    response = client.get(url)

    assert response.status_code == 400, url
    assert list(response.json()["parameters"]) == [parameter]


def test_what_is_repeatable_stays_repeatable(client, make_drug):
    make_drug("sorafenib")

    response = client.get("/api/v1/search/?q=sorafenib&kind=drug&kind=reference")

    assert response.status_code == 200
    assert {result["kind"] for result in response.json()["results"]} == {"drug", "reference"}


def test_known_parameters_still_work_together(client, make_drug):
    make_drug("sorafenib")

    response = client.get(
        "/api/v1/drugs/?target=KDR&ordering=-slug&page_size=5&format=json&atc_code=L01E"
    )

    assert response.status_code == 200
    assert [drug["slug"] for drug in response.json()["results"]] == ["sorafenib"]


def test_an_empty_parameter_is_a_400_not_an_absent_one(
    client, make_trial, django_assert_num_queries
):
    make_trial("sharp")

    with django_assert_num_queries(0):
        response = client.get("/api/v1/trials/?drug=&phase=3")

    assert response.status_code == 400
    assert response.json()["parameters"] == {
        "drug": ["Empty; give a value, or leave the parameter out."]
    }

"""Cursor pagination: bounded pages, positions that survive new publications."""

import pytest

pytestmark = pytest.mark.django_db

LIST = "/api/v1/drugs/"


def page(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_pages_follow_each_other_without_gaps_or_repeats(client, make_drug):
    for slug in ("axitinib", "imatinib", "regorafenib", "sorafenib", "sunitinib"):
        make_drug(slug)
    first = page(client, f"{LIST}?page_size=2")
    make_drug("cabozantinib")
    make_drug("zanubrutinib")
    second = page(client, first["next"])
    third = page(client, second["next"])

    seen = [d["slug"] for p in (first, second, third) for d in p["results"]]
    assert seen == ["axitinib", "imatinib", "regorafenib", "sorafenib", "sunitinib", "zanubrutinib"]
    assert third["next"] is None
    back = page(client, third["previous"])
    assert [d["slug"] for d in back["results"]] == ["regorafenib", "sorafenib"]


def test_a_deep_page_costs_what_the_first_does(client, make_drug, django_assert_num_queries):
    for index in range(12):
        make_drug(f"drug-{index:02d}")
    url = f"{LIST}?page_size=3"
    while url:
        with django_assert_num_queries(2):
            url = page(client, url)["next"]


def test_page_size_is_bounded(client, make_drug):
    make_drug("sorafenib")

    assert len(page(client, f"{LIST}?page_size=100")["results"]) == 1
    for bad in ("0", "-3", "many", "101", "1000"):
        response = client.get(f"{LIST}?page_size={bad}")
        assert response.status_code == 400
        assert "page_size" in response.json()["parameters"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "cD1hYmM%3D", "bz1hYmM%3D"])
def test_a_forged_cursor_is_a_400(client, make_drug, cursor):
    make_drug("sorafenib")

    response = client.get(f"{LIST}?cursor={cursor}&ordering=first_published_at")

    assert response.status_code == 400
    assert "cursor" in response.json()["parameters"]


# Positions holding a NUL character: PostgreSQL refuses the text (a DataError, so a 500).
@pytest.mark.parametrize("cursor", ["cD0lMDA%3D", "cD1hJTAwYiZyPTE%3D"])
@pytest.mark.parametrize(
    "endpoint",
    ["/api/v1/drugs/", "/api/v1/trials/", "/api/v1/adverse-events/", "/api/v1/citations/"],
)
def test_a_cursor_whose_position_postgresql_cannot_hold_is_a_400(
    client, make_drug, django_assert_num_queries, endpoint, cursor
):
    make_drug("sorafenib")

    with django_assert_num_queries(0):
        response = client.get(f"{endpoint}?cursor={cursor}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["parameters"] == {"cursor": ["This cursor is not one the API gave out."]}

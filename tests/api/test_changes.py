"""/api/v1/changes/: publications and withdrawals in order, for incremental sync."""

import pytest

from tests.api.conftest import edit_without_publishing, publish

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"


def changes(client, **params) -> dict:
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_every_publication_and_withdrawal_in_order(client, make_drug, withdraw):
    sorafenib = make_drug("sorafenib")
    make_drug("regorafenib")
    make_drug("lenvatinib", published=False)
    edit_without_publishing(sorafenib, summary="Draft summary.")
    withdraw(sorafenib, reason="Under correction.")

    feed = changes(client)

    assert [(c["action"], c["slug"], c["version"]) for c in feed["results"]] == [
        ("published", "sorafenib", 1),
        ("published", "regorafenib", 1),
        ("withdrawn", "sorafenib", 1),
    ]
    tokens = [c["token"] for c in feed["results"]]
    assert tokens == sorted(tokens)
    assert feed["last_token"] == tokens[-1]
    assert feed["has_more"] is False
    assert feed["results"][2]["note"] == "Under correction."
    assert feed["results"][2]["url"] == "http://testserver/api/v1/drugs/sorafenib/"
    assert feed["results"][0]["url"] == "http://testserver/api/v1/drugs/sorafenib/versions/1/"


def test_since_a_token_gives_only_what_came_after(client, make_drug):
    drug = make_drug("sorafenib")
    token = changes(client)["last_token"]
    drug.summary = "Second version."
    drug.save()
    publish(drug, note="Summary rewritten.")

    feed = changes(client, since=token)

    assert [(c["action"], c["version"], c["note"]) for c in feed["results"]] == [
        ("published", 2, "Summary rewritten.")
    ]
    assert changes(client, since=feed["last_token"]) == {
        "since": feed["last_token"],
        "last_token": feed["last_token"],
        "has_more": False,
        "next": None,
        "results": [],
    }


def test_paging_through_the_feed_with_next(client, make_drug, django_assert_num_queries):
    for index in range(5):
        make_drug(f"drug-{index}")
    seen = []
    url = f"{FEED}?page_size=2"
    while url:
        with django_assert_num_queries(1):
            page = client.get(url).json()
        seen += [c["slug"] for c in page["results"]]
        url = page["next"]

    assert seen == [f"drug-{index}" for index in range(5)]


def test_kind_filter(client, make_drug):
    make_drug("sorafenib")

    assert changes(client, kind="trial")["results"] == []
    assert len(changes(client, kind="drug")["results"]) == 1


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"since": "abc"}, "since"),
        ({"since": "-1"}, "since"),
        ({"since": str(2**70)}, "since"),
        ({"kind": "draft"}, "kind"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_parameters_are_400s(client, params, parameter):
    response = client.get(FEED, params)

    assert response.status_code == 400
    assert parameter in response.json()["parameters"]


def test_a_mirror_synced_from_the_feed_matches_the_live_documents(client, make_drug, withdraw):
    """The sync loop of docs/api.md, run in steps while content is published and withdrawn."""
    mirror: dict = {}

    def sync(since: int) -> int:
        while True:
            feed = changes(client, since=since, page_size=2)
            for change in feed["results"]:
                key = (change["kind"], change["slug"])
                if change["action"] == "withdrawn":
                    mirror.pop(key, None)
                    continue
                response = client.get(change["url"])
                if response.status_code == 410:
                    continue
                mirror[key] = response.json()["document"]
            since = feed["last_token"]
            if not feed["has_more"]:
                return since

    sorafenib = make_drug("sorafenib")
    regorafenib = make_drug("regorafenib")
    token = sync(0)
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)
    withdraw(regorafenib)
    make_drug("axitinib")
    withdraw(make_drug("sunitinib"))
    token = sync(token)

    live = {
        ("drug", item["slug"]): client.get(item["url"]).json()["document"]
        for item in client.get("/api/v1/drugs/").json()["results"]
    }
    assert mirror == live
    assert sorted(slug for _, slug in mirror) == ["axitinib", "sorafenib"]
    assert mirror[("drug", "sorafenib")]["summary"] == "Second version."
    assert sync(token) == token

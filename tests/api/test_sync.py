"""Sync: a mirror built and kept from pages of documents ends equal to what is published."""

import pytest

from monographs.publishing.models import Entry
from tests.api.conftest import edit_without_publishing, publish

pytestmark = pytest.mark.django_db
SYNC = "/api/v1/sync/"


def apply(mirror: dict, items: list[dict]) -> None:
    for item in items:
        if item["type"] == "entry":
            mirror[item["id"]] = item["document"]
        elif item["type"] == "withdrawn":
            mirror.pop(item["id"], None)


def sync(client, mirror: dict, url: str, *, pages: list | None = None) -> int:
    """Follow next until has_more is false, applying every page; returns the token."""
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        apply(mirror, page["items"])
        if pages is not None:
            pages.append(page)
        if not page["has_more"]:
            assert page["next"] is None
            return page["token"]
        url = page["next"]


def published_documents() -> dict:
    return {str(entry.uid): entry.current.document for entry in Entry.objects.live()}


def test_initial_sync_pages_through_every_live_entry_then_continues_from_its_token(
    client, make_drug, make_trial, withdraw
):
    sorafenib = make_drug("sorafenib")
    make_trial("sharp", drugs=(sorafenib,))
    make_drug("axitinib")
    withdraw(make_drug("regorafenib"))
    make_drug("lenvatinib", published=False)
    edit_without_publishing(sorafenib, summary="Unreviewed summary.")
    mirror: dict = {}
    pages: list = []

    token = sync(client, mirror, f"{SYNC}?page_size=1", pages=pages)

    assert mirror == published_documents() and len(mirror) == 3
    assert "Unreviewed summary." not in str(mirror)
    assert len(pages) == 4  # one entry a page, then the changes made meanwhile: none
    assert token == client.get("/api/v1/changes/").json()["last_token"]

    # A new version, a withdrawal and a rename, then the same mirror continues.
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)
    withdraw(sorafenib.__class__.objects.get(slug="axitinib"))
    sorafenib.slug = "sorafenib-tosylate"
    sorafenib.save()
    publish(sorafenib)
    pages = []

    later = sync(client, mirror, f"{SYNC}?since={token}", pages=pages)

    assert later > token
    assert mirror == published_documents() and len(mirror) == 2
    items = [item for page in pages for item in page["items"]]
    sorafenib_items = [(i["type"], i["slug"]) for i in items if i["id"] == str(sorafenib.uid)]
    # Its last state only, after the slug it left.
    assert sorafenib_items == [("retired_slug", "sorafenib"), ("entry", "sorafenib-tosylate")]
    [gone] = [i for i in items if i["type"] == "withdrawn"]
    assert gone["slug"] == "axitinib" and gone["reason"]
    assert client.get(f"{SYNC}?since={later}").json() == {
        "token": later,
        "has_more": False,
        "next": None,
        "items": [],
    }


def test_a_change_made_during_an_initial_sync_reaches_the_mirror(client, make_drug, withdraw):
    first, second = make_drug("axitinib"), make_drug("sorafenib")
    mirror: dict = {}
    page = client.get(f"{SYNC}?page_size=1").json()
    apply(mirror, page["items"])

    # Between pages: the entry already sent changes, the one to come is withdrawn.
    first.summary = "Changed meanwhile."
    first.save()
    publish(first)
    withdraw(second)
    sync(client, mirror, page["next"])

    assert mirror == published_documents()
    assert mirror[str(first.uid)]["summary"] == "Changed meanwhile."


def test_sync_pages_cost_a_bounded_number_of_queries(
    client, make_drug, django_assert_max_num_queries
):
    for slug in ("axitinib", "sorafenib", "regorafenib", "lenvatinib"):
        make_drug(slug)

    with django_assert_max_num_queries(2):
        first = client.get(SYNC).json()
    with django_assert_max_num_queries(1):
        handed_over = client.get(first["next"]).json()
    with django_assert_max_num_queries(1):
        history = client.get(f"{SYNC}?since=0").json()

    assert len(first["items"]) == 4 and handed_over["items"] == []
    assert len(history["items"]) == 4 and not history["has_more"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("since=1&snapshot=1&after=1", "since"),
        ("snapshot=1", "after"),
        ("after=3", "snapshot"),
        ("since=-1", "since"),
        ("page_size=101", "page_size"),
        ("token=3", "token"),
    ],
)
def test_sync_refuses_parameters_it_cannot_follow(client, query, parameter):
    response = client.get(f"{SYNC}?{query}")

    assert response.status_code == 400
    assert list(response.json()["parameters"]) == [parameter]

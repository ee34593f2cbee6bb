"""?fields=, ?total=true and ?updated_since= on lists and details."""

import json
from datetime import timedelta
from datetime import timezone as utc_offsets

import pytest
from django.utils import timezone

from monographs.publishing.models import Publication
from tests.api.conftest import publish

pytestmark = pytest.mark.django_db


def test_fields_on_a_list_keeps_only_those_members(client, make_drug, django_assert_num_queries):
    make_drug("sorafenib")
    make_drug("regorafenib")

    with django_assert_num_queries(2):
        response = client.get("/api/v1/drugs/", {"fields": "version,slug"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"slug": "regorafenib", "version": 1},
        {"slug": "sorafenib", "version": 1},
    ]


@pytest.mark.parametrize(
    ("url", "fields", "expected"),
    [
        ("/api/v1/adverse-events/", "drug_slug,term_slug", {"drug_slug", "term_slug"}),
        ("/api/v1/citations/", "key", {"key"}),
        ("/api/v1/trials/", "slug,nct_id", {"slug", "nct_id"}),
        ("/api/v1/drugs/sorafenib/versions/", "version", {"version"}),
    ],
)
def test_fields_on_every_list(client, make_drug, make_trial, url, fields, expected):
    make_trial("sharp", drugs=(make_drug("sorafenib"),))

    body = client.get(url, {"fields": fields}).json()

    items = body if isinstance(body, list) else body["results"]
    assert items and all(set(item) == expected for item in items)


def test_fields_on_a_detail_can_leave_the_document_out(
    client, make_drug, django_assert_num_queries
):
    make_drug("sorafenib")
    publication = Publication.objects.get(slug="sorafenib")

    with django_assert_num_queries(1):
        without = client.get("/api/v1/drugs/sorafenib/", {"fields": "content_hash,version"})
    with_document = client.get("/api/v1/drugs/sorafenib/", {"fields": "document,slug"})
    only_document = client.get("/api/v1/drugs/sorafenib/", {"fields": "document"})

    assert without.json() == {"version": 1, "content_hash": publication.content_hash}
    assert with_document.json() == {"slug": "sorafenib", "document": publication.document}
    assert json.loads(only_document.content) == {"document": publication.document}


def test_an_unknown_field_is_a_400_listing_the_fields(client, make_drug, django_assert_num_queries):
    make_drug("sorafenib")

    with django_assert_num_queries(0):
        response = client.get("/api/v1/drugs/", {"fields": "slug,tilte"})

    assert response.status_code == 400
    [message] = response.json()["parameters"]["fields"]
    assert message.startswith("Unknown: tilte.")
    assert "title" in message
    assert client.get("/api/v1/drugs/sorafenib/", {"fields": ""}).status_code == 400


def test_total_counts_every_match_over_all_pages_in_one_more_query(
    client, make_drug, django_assert_num_queries
):
    for slug in ("axitinib", "imatinib", "regorafenib", "sorafenib", "sunitinib"):
        make_drug(slug)
    make_drug("vemurafenib", targets=("BRAF",))

    with django_assert_num_queries(3):
        first = client.get("/api/v1/drugs/", {"target": "KDR", "page_size": 2, "total": "true"})
    second = client.get(first.json()["next"])
    without = client.get("/api/v1/drugs/", {"page_size": 2})

    assert first.json()["total"] == 5
    assert len(first.json()["results"]) == 2
    assert second.json()["total"] == 5
    assert "total" not in without.json()
    assert client.get("/api/v1/drugs/", {"total": "maybe"}).status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/v1/trials/", "/api/v1/adverse-events/", "/api/v1/citations/"]
)
def test_total_on_every_paginated_list(client, make_drug, make_trial, url):
    make_trial("sharp", drugs=(make_drug("sorafenib"),))

    body = client.get(url, {"total": "true", "page_size": 1}).json()

    assert body["total"] >= 1
    assert body["total"] >= len(body["results"])


def test_updated_since_lists_what_was_published_since(client, make_drug, django_assert_num_queries):
    sorafenib = make_drug("sorafenib")
    make_drug("regorafenib")
    moment = timezone.now()
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)

    with django_assert_num_queries(2):
        drugs = client.get("/api/v1/drugs/", {"updated_since": moment.isoformat()}).json()
    rows = client.get("/api/v1/adverse-events/", {"updated_since": moment.isoformat()}).json()
    cited = client.get("/api/v1/citations/", {"updated_since": moment.isoformat()}).json()
    earlier = (moment - timedelta(days=1)).isoformat()

    assert [drug["slug"] for drug in drugs["results"]] == ["sorafenib"]
    assert {row["drug_slug"] for row in rows["results"]} == {"sorafenib"}
    assert cited["results"]
    assert all(
        {c["slug"] for c in citation["cited_by"]} == {"sorafenib"} for citation in cited["results"]
    )
    assert len(client.get("/api/v1/drugs/", {"updated_since": earlier}).json()["results"]) == 2
    bad = client.get("/api/v1/trials/", {"updated_since": "last week"})
    assert bad.status_code == 400 and "updated_since" in bad.json()["parameters"]


@pytest.mark.parametrize("path", ["drugs", "trials", "adverse-events", "citations"])
def test_updated_since_takes_any_offset_iso_8601_allows(client, make_drug, path):
    make_drug("sorafenib")
    moment = (timezone.now() - timedelta(days=1)).astimezone(
        utc_offsets(timedelta(hours=16, minutes=31))
    )

    response = client.get(f"/api/v1/{path}/", {"updated_since": moment.isoformat()})

    assert response.status_code == 200
    if path == "drugs":
        assert [drug["slug"] for drug in response.json()["results"]] == ["sorafenib"]

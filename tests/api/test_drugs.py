"""/api/v1/drugs/: live monographs only, filters on facets, versions and as_of."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from monographs.api.serializers.entries import PublicationSerializer
from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Publication
from tests.api.conftest import edit_without_publishing, publish

pytestmark = pytest.mark.django_db

LIST = "/api/v1/drugs/"


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_list_shows_live_drugs_only(client, make_drug, withdraw):
    make_drug("sorafenib")
    make_drug("lenvatinib", published=False)
    withdraw(make_drug("regorafenib"))

    assert slugs(client.get(LIST)) == ["sorafenib"]


def test_list_item_summarises_the_current_publication(client, make_drug):
    make_drug("sorafenib", targets=("KDR", "BRAF"), atc_code="L01EX02")

    [item] = client.get(LIST).json()["results"]

    assert item["title"] == "sorafenib"
    assert item["version"] == 1
    assert item["drug_class"] == "Multikinase inhibitor"
    assert item["targets"] == ["BRAF", "KDR"]
    assert item["indications"] == ["hepatocellular-carcinoma"]
    assert item["atc_code"] == "L01EX02"
    assert item["summary"] == "Sorafenib is an oral multikinase inhibitor."
    assert item["url"] == "http://testserver/api/v1/drugs/sorafenib/"


FILTER_CASES = [
    ("drug_class=multikinase+inhibitor", ["regorafenib", "sorafenib"]),
    ("drug_class=Tyrosine+kinase+inhibitor", ["imatinib"]),
    ("target=braf", ["sorafenib"]),
    ("target=KIT", ["imatinib"]),
    ("indication=hepatocellular-carcinoma", ["regorafenib", "sorafenib"]),
    ("indication=gastrointestinal-stromal-tumour", ["imatinib"]),
    ("atc_code=L01EX02", ["sorafenib"]),
    ("atc_code=l01ex", ["regorafenib", "sorafenib"]),
    ("atc_code=L01E", ["imatinib", "regorafenib", "sorafenib"]),
    ("target=KDR&atc_code=L01EX05", ["regorafenib"]),
    ("target=RET", []),
]


def test_filters(client, make_drug):
    make_drug("sorafenib", targets=("KDR", "BRAF"), atc_code="L01EX02")
    make_drug("regorafenib", targets=("KDR",), atc_code="L01EX05")
    make_drug(
        "imatinib",
        drug_class="Tyrosine kinase inhibitor",
        targets=("KIT",),
        atc_code="L01EA01",
        indication="gastrointestinal-stromal-tumour",
    )

    for query, expected in FILTER_CASES:
        assert slugs(client.get(f"{LIST}?{query}")) == expected, query


def test_filters_read_the_current_version_not_an_older_one(client, make_drug):
    drug = make_drug("sorafenib", atc_code="L01EX02")
    drug.atc_code = "L01EX99"
    drug.save()
    publish(drug)

    assert slugs(client.get(f"{LIST}?atc_code=L01EX02")) == []
    assert slugs(client.get(f"{LIST}?atc_code=L01EX99")) == ["sorafenib"]


BAD_FILTER_CASES = [("atc_code=not-a-code", "atc_code"), ("indication=Not+A+Slug", "indication")]


def test_a_bad_filter_value_is_a_400_naming_the_parameter(client, make_drug):
    make_drug("sorafenib")

    for query, parameter in BAD_FILTER_CASES:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 400, query
        body = response.json()
        assert body["status"] == 400
        assert parameter in body["parameters"]
        assert parameter in body["detail"]


def test_ordering_by_first_publication(client, make_drug):
    make_drug("sorafenib")
    make_drug("axitinib")

    assert slugs(client.get(f"{LIST}?ordering=-first_published_at")) == ["axitinib", "sorafenib"]
    assert slugs(client.get(f"{LIST}?ordering=-slug")) == ["sorafenib", "axitinib"]
    response = client.get(f"{LIST}?ordering=title")
    assert response.status_code == 400
    assert "ordering" in response.json()["parameters"]


def test_list_query_count_does_not_grow_with_the_page(client, make_drug, django_assert_num_queries):
    for index in range(5):
        make_drug(f"drug-{index:03d}", targets=("KDR", "BRAF"))
    with django_assert_num_queries(2):
        assert len(slugs(client.get(f"{LIST}?page_size=5"))) == 5
    for index in range(5, 50):
        make_drug(f"drug-{index:03d}", targets=("KDR", "BRAF"))
    with django_assert_num_queries(2):
        assert len(slugs(client.get(f"{LIST}?page_size=50"))) == 50
    with django_assert_num_queries(2):
        assert len(slugs(client.get(f"{LIST}?page_size=50&target=BRAF&atc_code=L01"))) == 50


def test_detail_serves_the_frozen_document(client, make_drug, django_assert_max_num_queries):
    drug = make_drug("sorafenib")
    publication = Publication.objects.get(slug="sorafenib")

    with django_assert_max_num_queries(2):
        response = client.get(f"{LIST}sorafenib/")

    body = response.json()
    assert body["document"] == publication.document
    assert body["content_hash"] == publication.content_hash
    assert body["version"] == body["current_version"] == 1
    assert body["superseded"] is False
    assert body["document"]["adverse_events"][0]["source"]["citation"]
    assert drug.slug == body["slug"]


@pytest.mark.parametrize("path", ["sorafenib/", "sorafenib/versions/1/", "sorafenib/?as_of=now"])
def test_the_document_is_sent_as_frozen_so_its_bytes_hash_to_the_content_hash(
    client, make_drug, path
):
    make_drug("sorafenib")
    publication = Publication.objects.get(slug="sorafenib")
    moment = publication.published_at.isoformat()
    path = path.replace("now", moment.replace("+00:00", "Z"))

    response = client.get(f"{LIST}{path}")

    assert response.status_code == 200, response.content
    marker = b',"document":'
    document_bytes = response.content[response.content.index(marker) + len(marker) : -1]
    assert hashlib.sha256(document_bytes).hexdigest() == publication.content_hash
    body = response.json()
    context = {
        "current_version": 1,
        "slug": "sorafenib",
        "request": response.wsgi_request,
        "entry_uid": Entry.objects.get(slug="sorafenib").uid,
    }
    assert body == json.loads(
        JSONRenderer().render(PublicationSerializer(publication, context=context).data)
    )


def test_a_draft_of_a_published_drug_never_shows(client, make_drug):
    drug = make_drug("sorafenib")
    edit_without_publishing(drug, summary="Unreviewed claim.", drug_class="Unreviewed class")

    detail = client.get(f"{LIST}sorafenib/").json()
    listed = client.get(LIST).json()["results"][0]

    assert detail["document"]["summary"] == "Sorafenib is an oral multikinase inhibitor."
    assert "Unreviewed" not in str(detail) + str(listed)
    assert slugs(client.get(f"{LIST}?drug_class=Unreviewed+class")) == []


def test_a_never_published_drug_is_404(client, make_drug):
    make_drug("lenvatinib", published=False)

    response = client.get(f"{LIST}lenvatinib/")

    assert response.status_code == 404
    assert "lenvatinib" in response.json()["detail"]
    assert client.get(f"{LIST}lenvatinib/versions/").status_code == 404


def test_a_withdrawn_drug_is_410_with_the_reason_everywhere(client, make_drug, withdraw):
    drug = make_drug("sorafenib")
    withdraw(drug, reason="Dosing table under correction.")

    for path in ("", "versions/", "versions/1/", "?as_of=2000-01-01T00:00:00Z"):
        response = client.get(f"{LIST}sorafenib/{path}")
        assert response.status_code == 410, path
        body = response.json()
        assert body["withdrawal_reason"] == "Dosing table under correction."
        assert "Dosing table under correction." in body["detail"]
        assert "document" not in body


def test_versions_list_and_superseded_versions(client, make_drug, django_assert_max_num_queries):
    drug = make_drug("sorafenib")
    drug.summary = "Second version."
    drug.save()
    publish(drug, note="Summary rewritten.")

    with django_assert_max_num_queries(2):
        versions = client.get(f"{LIST}sorafenib/versions/").json()
    with django_assert_max_num_queries(2):
        first = client.get(f"{LIST}sorafenib/versions/1/").json()
    current = client.get(f"{LIST}sorafenib/").json()

    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]
    assert versions[1]["change_note"] == "Summary rewritten."
    assert first["superseded"] is True
    assert first["document"]["summary"] == "Sorafenib is an oral multikinase inhibitor."
    assert current["version"] == 2
    assert current["document"]["summary"] == "Second version."
    missing = client.get(f"{LIST}sorafenib/versions/3/")
    assert missing.status_code == 404
    assert "1 to 2" in missing.json()["detail"]
    assert client.get(f"{LIST}sorafenib/versions/99999999999999999999/").status_code == 404


def test_as_of_returns_the_version_live_at_that_moment(
    client, make_drug, withdraw, django_assert_max_num_queries
):
    drug = make_drug("sorafenib")
    first = Publication.objects.get(slug="sorafenib", version=1)
    drug.summary = "Second version."
    drug.save()
    second = publish(drug)

    def as_of(moment) -> object:
        return client.get(f"{LIST}sorafenib/", {"as_of": moment.isoformat()})

    with django_assert_max_num_queries(2):
        assert as_of(first.published_at).json()["version"] == 1
    between = first.published_at + (second.published_at - first.published_at) / 2
    assert as_of(between).json()["document"]["summary"] == first.document["summary"]
    assert as_of(second.published_at).json()["version"] == 2
    assert as_of(second.published_at).json()["superseded"] is False
    too_early = as_of(first.published_at - timedelta(days=1))
    assert too_early.status_code == 404
    assert "not yet published" in too_early.json()["detail"]


def test_as_of_a_moment_when_the_drug_was_withdrawn(client, make_drug, withdraw):
    drug = make_drug("sorafenib")
    withdraw(drug, reason="Under correction.")
    withdrawn_at = EditorialEvent.objects.get(action="withdrawn").created_at
    publish(drug, note="Corrected.")

    response = client.get(f"{LIST}sorafenib/", {"as_of": withdrawn_at.isoformat()})

    assert response.status_code == 404
    assert "withdrawn" in response.json()["detail"]
    assert "Under correction." in response.json()["detail"]
    assert client.get(f"{LIST}sorafenib/").json()["version"] == 2


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "0001-01-01T00:00:00+14:00"])
def test_a_bad_as_of_is_a_400(client, make_drug, value):
    make_drug("sorafenib")

    response = client.get(f"{LIST}sorafenib/", {"as_of": value})

    assert response.status_code == 400
    assert "as_of" in response.json()["parameters"]


def test_an_as_of_in_the_future_is_a_400_that_says_so(client, make_drug, django_assert_num_queries):
    make_drug("sorafenib")
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    with django_assert_num_queries(0):
        response = client.get(f"{LIST}sorafenib/", {"as_of": tomorrow})

    assert response.status_code == 400
    [message] = response.json()["parameters"]["as_of"]
    assert "in the future" in message
    assert "leave as_of out for the current version" in message

"""What the API says about a frozen version: its links, its time, whether it is superseded."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from monographs.api.serializers.entries import PublicationMetadataSerializer, PublicationSerializer
from monographs.publishing.models import Publication
from tests.api.conftest import publish

pytestmark = pytest.mark.django_db

ENTRY_UID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("serializer_class", [PublicationMetadataSerializer, PublicationSerializer])
@pytest.mark.parametrize("current_version", [1, 2])
def test_publication_output_has_the_declared_fields(
    make_drug, make_trial, serializer_class, current_version
):
    drug = make_drug("sorafenib")
    make_trial("sharp", drugs=(drug,))
    request = Request(RequestFactory().get("/api/v1/drugs/sorafenib/", secure=True))

    for publication in Publication.objects.filter(version=1):
        context = {
            "request": request,
            "current_version": current_version,
            "slug": "renamed",
            "entry_uid": ENTRY_UID,
        }
        serializer = serializer_class(publication, context=context)

        written_out = serializer.data
        assert list(written_out) == list(serializer.fields)
        assert written_out["superseded"] is (current_version != 1)
        assert written_out["url"].startswith("https://testserver/api/v1/")
        assert "/renamed/versions/1/" in written_out["url"]


def test_published_at_is_written_as_iso_8601_in_utc(make_drug):
    make_drug("sorafenib")
    publication = Publication.objects.get(slug="sorafenib")
    context = {"request": None, "current_version": 1, "slug": "sorafenib", "entry_uid": ENTRY_UID}

    published_at = PublicationMetadataSerializer(publication, context=context).data["published_at"]

    assert published_at.endswith("Z")
    assert published_at == publication.published_at.isoformat().replace("+00:00", "Z")


def test_a_second_version_supersedes_the_first(make_drug):
    drug = make_drug("sorafenib")
    drug.summary = "Second version."
    drug.save()
    publish(drug)
    first = Publication.objects.get(slug="sorafenib", version=1)
    context = {"request": None, "current_version": 2, "slug": "sorafenib", "entry_uid": ENTRY_UID}

    data = PublicationSerializer(first, context=context).data

    assert data["superseded"] is True
    assert data["current_version"] == 2
    assert data["document"] == first.document

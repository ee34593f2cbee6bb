"""The replica router: public reads of published content to a replica, all else to the primary.

These tests need no replica: they check where queries would go. tests/deploy/test_replicas.py
runs the same paths against a real streaming replica.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from config import routers
from config.routers import (
    PUBLISHED_MODELS,
    PublicReadRoutingMiddleware,
    ReplicaRouter,
    public_reads_from_replica,
)
from monographs.editorial.models import EditorialEvent
from monographs.models import Drug, SearchDocument
from monographs.publishing.models import Entry, Facet, Publication
from trials.models import Trial

router = ReplicaRouter()


def current_replica() -> str | None:
    return routers._replica_for_public_reads.get()


@pytest.fixture
def one_replica(monkeypatch):
    monkeypatch.setattr("config.routers.replica_aliases", lambda: ["replica_1"])


def test_every_published_model_label_names_an_installed_model():
    for label in PUBLISHED_MODELS:
        assert apps.get_model(label)._meta.label_lower == label


def test_outside_a_public_read_everything_reads_the_primary():
    for model in (Entry, Publication, Drug):
        assert router.db_for_read(model) == "default"


def test_inside_a_public_read_published_content_reads_the_replica():
    with public_reads_from_replica("replica_1"):
        for model in (Entry, Publication, Facet, SearchDocument, EditorialEvent):
            assert router.db_for_read(model) == "replica_1"
        for model in (Drug, Trial, get_user_model(), Session):
            assert router.db_for_read(model) == "default", model
        assert router.db_for_write(Entry) == "default"
    assert current_replica() is None


def test_only_the_primary_is_migrated_and_objects_may_relate_across_aliases():
    assert router.allow_migrate("default", "monographs")
    assert not router.allow_migrate("replica_1", "monographs")
    assert router.allow_relation(Entry(), Publication())


def test_querysets_follow_the_router_when_it_is_installed(settings):
    settings.DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
    with public_reads_from_replica("replica_1"):
        assert Entry.objects.live().db == "replica_1"
        assert Drug.objects.all().db == "default"
        assert Entry.objects.select_for_update().db == "default"
    assert Entry.objects.all().db == "default"


def _seen_by_view(request) -> str | None:
    seen = []

    def view(request):
        seen.append(current_replica())
        return HttpResponse("ok")

    PublicReadRoutingMiddleware(view)(request)
    assert current_replica() is None
    return seen[0]


def test_an_anonymous_get_reads_the_replica(one_replica):
    factory = RequestFactory()
    assert _seen_by_view(factory.get("/drugs/sorafenib/")) == "replica_1"
    assert _seen_by_view(factory.head("/api/v1/drugs/")) == "replica_1"


@pytest.mark.parametrize(
    "request_",
    [
        RequestFactory().post("/search/"),
        RequestFactory().get("/admin/"),
        RequestFactory().get("/admin/monographs/drug/1/preview/"),
        RequestFactory().get("/drugs/sorafenib/", HTTP_COOKIE="sessionid=abc"),
        RequestFactory().get("/api/v1/drugs/", HTTP_AUTHORIZATION="Token abc"),
    ],
    ids=["post", "admin", "preview", "signed-in", "credentials"],
)
def test_writes_admin_and_signed_in_requests_read_the_primary(one_replica, request_):
    assert _seen_by_view(request_) is None


def test_no_replica_configured_changes_nothing():
    assert _seen_by_view(RequestFactory().get("/drugs/sorafenib/")) is None


def test_a_streamed_download_reads_the_replica_chunk_by_chunk(one_replica):
    def chunks():
        for _ in range(3):
            yield (current_replica() or "primary").encode()

    def view(request):
        return StreamingHttpResponse(chunks())

    response = PublicReadRoutingMiddleware(view)(RequestFactory().get("/api/v1/export/trials.csv"))
    assert current_replica() is None

    assert b"".join(response.streaming_content) == b"replica_1" * 3
    assert current_replica() is None

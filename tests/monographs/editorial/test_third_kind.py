"""A kind of entry the project does not have, declared in the test alone, goes all the way.

A minimal "guideline" kind (a model, a document builder, facets, checks and search fields,
registered as an app would in its AppConfig) is written, reviewed and published through the
workflow actions, then found in the API (list, detail, versions), search and the change
feed, and withdrawn from all of them: none of the engine, API or search code names it.
"""

import importlib

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import clear_url_caches

from monographs.editorial import registry
from monographs.editorial.actions import workflow_action
from monographs.editorial.models import EditorialRoot

pytestmark = pytest.mark.django_db(transaction=True)


class Guideline(EditorialRoot):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    recommendation = models.TextField()

    class Meta:
        app_label = "guidelines"

    def __str__(self) -> str:
        return self.title


def build_guideline_document(guideline: Guideline) -> dict:
    return {
        "schema_version": 1,
        "kind": "guideline",
        "slug": guideline.slug,
        "title": guideline.title,
        "recommendation": guideline.recommendation,
    }


def guideline_facets(document: dict) -> list[tuple[str, str]]:
    return []


def guideline_checks(document: dict, *, drug_slugs=None) -> list:
    return []


def guideline_search_fields(document: dict) -> dict[str, str]:
    return {
        "title": document["title"],
        "description": "Guideline",
        "names": "",
        "body": document["recommendation"],
    }


HERE = __name__


def urls_reloaded() -> None:
    """The URLconf as it would be built at start-up with the kinds now registered."""
    import config.urls
    import monographs.api.urls

    importlib.reload(monographs.api.urls)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def guideline_kind(settings):
    settings.API_THROTTLE_ANON = "off"
    with connection.schema_editor() as editor:
        editor.create_model(Guideline)
    registry.register_root_kind(
        kind="guideline",
        model=Guideline,
        build_document=f"{HERE}.build_guideline_document",
        facets=f"{HERE}.guideline_facets",
        checks=f"{HERE}.guideline_checks",
        search_fields=f"{HERE}.guideline_search_fields",
    )
    urls_reloaded()
    yield
    registry.unregister_root_kind("guideline")
    urls_reloaded()
    with connection.schema_editor() as editor:
        editor.delete_model(Guideline)


def act(name: str, root, user, **data) -> None:
    action = workflow_action(name, root=root, user=user)
    action.check()
    action.execute(**data)


def test_a_third_kind_is_reviewed_published_served_found_and_withdrawn(
    guideline_kind, editor, reviewer
):
    guideline = Guideline.objects.create(
        slug="hepatic-monitoring",
        title="Hepatic monitoring",
        recommendation="Check liver enzymes fortnightly during the first two months.",
    )
    act("submit", guideline, editor, comment="First draft.")
    act("approve", guideline, reviewer)
    act("publish", guideline, reviewer, comment="First version.")
    client = Client()

    detail = client.get("/api/v1/guidelines/hepatic-monitoring/")
    assert detail.status_code == 200, detail.content
    assert detail.json()["document"]["recommendation"].startswith("Check liver enzymes")
    assert detail.json()["version"] == 1
    listed = client.get("/api/v1/guidelines/").json()["results"]
    assert [item["slug"] for item in listed] == ["hepatic-monitoring"]
    assert listed[0]["url"].endswith("/api/v1/guidelines/hepatic-monitoring/")
    versions = client.get("/api/v1/guidelines/hepatic-monitoring/versions/").json()
    assert [v["version"] for v in versions] == [1]
    assert client.get("/api/v1/guidelines/hepatic-monitoring/versions/1/").status_code == 200

    found = client.get("/api/v1/search/", {"q": "fortnightly"}).json()["results"]
    assert [(r["kind"], r["slug"]) for r in found] == [("guideline", "hepatic-monitoring")]
    assert found[0]["url"] == "/api/v1/guidelines/hepatic-monitoring/"

    changes = client.get("/api/v1/changes/", {"kind": "guideline"}).json()["results"]
    assert [(c["kind"], c["slug"], c["action"]) for c in changes] == [
        ("guideline", "hepatic-monitoring", "published")
    ]

    act("withdraw", guideline, reviewer, reason="Superseded by the updated label.")

    assert client.get("/api/v1/guidelines/hepatic-monitoring/").status_code == 410
    assert client.get("/api/v1/guidelines/").json()["results"] == []
    assert client.get("/api/v1/search/", {"q": "fortnightly"}).json()["results"] == []
    changes = client.get("/api/v1/changes/", {"kind": "guideline"}).json()["results"]
    assert [c["action"] for c in changes] == ["published", "withdrawn"]


def test_the_kinds_the_project_has_are_served_again_once_it_is_gone(guideline_kind):
    assert Client().get("/api/v1/guidelines/").status_code == 200
    registry.unregister_root_kind("guideline")
    urls_reloaded()

    assert Client().get("/api/v1/guidelines/").status_code == 404
    assert Client().get("/api/v1/drugs/").status_code == 200

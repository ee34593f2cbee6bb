"""The OpenAPI schema, the docs served from the app, and the API checked against its schema.

schemathesis generates requests from the schema and calls the WSGI application in-process:
no response may be a server error, and every response must conform to the schema.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.api.conftest import publish

pytestmark = pytest.mark.django_db


def test_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/drugs/",
        "/api/v1/drugs/{slug}/",
        "/api/v1/drugs/{slug}/versions/",
        "/api/v1/drugs/{slug}/versions/{version}/",
        "/api/v1/trials/",
        "/api/v1/trials/{slug}/",
        "/api/v1/adverse-events/",
        "/api/v1/citations/",
        "/api/v1/search/",
        "/api/v1/changes/",
        "/api/v1/export/fixtures.json",
        "/api/v1/export/trials.csv",
        "/api/v1/export/outcomes.csv",
        "/api/v1/export/adverse-events.csv",
        "/api/v1/export/citations.ris",
        "/api/v1/export/citations.bib",
    ):
        assert set(paths[path]) == {"get"}, path
    trial_filters = {p["name"] for p in paths["/api/v1/trials/"]["get"]["parameters"]}
    assert {"drug", "phase", "nct_id", "start_year_min", "enrolment_max"} <= trial_filters
    assert {"drug", "phase"} <= {
        p["name"] for p in paths["/api/v1/export/trials.csv"]["get"]["parameters"]
    }


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_load_nothing_from_other_hosts(client, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "https://" not in html
    assert "http://" not in html


@pytest.fixture(autouse=True)
def connection_kept_open():
    """Calling the WSGI handler directly would close the test's connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def published_content(make_drug, make_trial, withdraw):
    """A drug in two versions, a trial, a withdrawn drug and a draft: every state an entry has."""
    sorafenib = make_drug("sorafenib")
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)
    make_trial("sharp", drugs=(sorafenib,), nct_id="NCT00105443")
    withdraw(make_drug("regorafenib"))
    make_drug("lenvatinib", published=False)


schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, published_content):
    case.call_and_validate(
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
        ]
    )

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
from schemathesis import GenerationMode

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
        "/api/v1/sync/",
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


def test_schema_declares_limits_and_every_status(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    for path, operations in paths.items():
        if path.startswith("/api/v1/"):
            assert {"400", "429", "503"} <= set(operations["get"]["responses"]), path
    for path in ("/api/v1/drugs/{slug}/", "/api/v1/trials/{slug}/versions/{version}/"):
        assert {"404", "410"} <= set(paths[path]["get"]["responses"]), path

    def parameters(path: str) -> dict:
        return {p["name"]: p["schema"] for p in paths[path]["get"]["parameters"]}

    trials = parameters("/api/v1/trials/")
    assert trials["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert trials["drug"]["maxLength"] == 120 and trials["drug"]["pattern"] == "^[-a-z0-9_]+$"
    assert trials["drug"]["minLength"] == 1
    assert trials["nct_id"]["pattern"] == r"^[Nn][Cc][Tt]\d{8}$"
    assert (trials["start_year_min"]["minimum"], trials["start_year_min"]["maximum"]) == (
        1900,
        2100,
    )
    assert "updated_since" in trials and trials["total"] == {"type": "boolean"}
    assert "nct_id" in trials["fields"]["items"]["enum"]
    search = parameters("/api/v1/search/")
    assert search["limit"]["maximum"] == 100 and search["q"]["maxLength"] == 200
    assert parameters("/api/v1/changes/")["since"]["minimum"] == 0
    assert "document" in parameters("/api/v1/drugs/{slug}/")["fields"]["items"]["enum"]
    # Downloads hold their filters to the lists' rules.
    assert parameters("/api/v1/export/trials.csv")["drug"]["pattern"] == "^[-a-z0-9_]+$"
    assert parameters("/api/v1/export/trials.csv")["format"]["enum"] == ["csv", "json"]


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
# Valid requests and invalid ones (each invalid one must be refused with a 4xx), every
# endpoint, a bounded number of each; every answer with a declared status, content type,
# headers and body. Not positive_data_acceptance: a cursor is opaque (a made-up one is
# refused, as it should be) and an as_of in the future is a valid date-time refused on
# purpose, so "every schema-valid request is accepted" does not hold by design.
schema.config.generation.update(modes=list(GenerationMode))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, published_content):
    case.call_and_validate(checks=CHECKS)

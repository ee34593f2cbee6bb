"""HTTP behaviour shared by every endpoint: caching, conditional GET, CORS, throttling, errors."""

import pytest
from django.core.cache import cache

from tests.api.conftest import publish

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/drugs/sorafenib/"


def test_etag_and_conditional_get(client, make_drug):
    drug = make_drug("sorafenib")
    first = client.get(DETAIL)
    etag = first["ETag"]

    again = client.get(DETAIL, headers={"if-none-match": etag})
    drug.summary = "Second version."
    drug.save()
    publish(drug)
    after_publication = client.get(DETAIL, headers={"if-none-match": etag})

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert after_publication.status_code == 200
    assert after_publication["ETag"] != etag


def test_lists_are_conditional_too(client, make_drug):
    make_drug("sorafenib")
    etag = client.get("/api/v1/drugs/")["ETag"]

    assert client.get("/api/v1/drugs/", headers={"if-none-match": etag}).status_code == 304
    make_drug("regorafenib")
    assert client.get("/api/v1/drugs/", headers={"if-none-match": etag}).status_code == 200


def test_cache_control_on_success_only(client, make_drug, settings):
    settings.API_CACHE_SECONDS = 120
    make_drug("sorafenib")

    ok = client.get(DETAIL)
    missing = client.get("/api/v1/drugs/lenvatinib/")

    assert "public" in ok["Cache-Control"]
    assert "max-age=120" in ok["Cache-Control"]
    assert "Accept" in ok["Vary"]
    assert missing.status_code == 404
    assert not missing.has_header("Cache-Control")


def test_cors_allows_get_from_any_origin(client, make_drug):
    make_drug("sorafenib")

    response = client.get(DETAIL, headers={"origin": "https://example.org"})
    preflight = client.options(
        DETAIL,
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "GET",
        },
    )

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_a_browser_may_revalidate_with_if_none_match(client, make_drug):
    make_drug("sorafenib")
    etag = client.get(DETAIL)["ETag"]

    preflight = client.options(
        DETAIL,
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    revalidated = client.get(
        DETAIL, headers={"origin": "https://example.org", "if-none-match": etag}
    )

    assert preflight.status_code == 200
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"].split(", ")
    assert revalidated.status_code == 304
    assert revalidated["Access-Control-Allow-Origin"] == "*"


def test_writes_are_refused(client, make_drug):
    make_drug("sorafenib")

    for method in (client.post, client.put, client.delete):
        response = method(DETAIL)
        assert response.status_code == 405
        assert response.json()["status"] == 405


def test_anonymous_throttling_answers_429_in_json(client, make_drug, settings):
    settings.API_THROTTLE_ANON = "2/minute"
    cache.clear()
    make_drug("sorafenib")

    statuses = [client.get(DETAIL).status_code for _ in range(3)]
    throttled = client.get(DETAIL)

    assert statuses == [200, 200, 429]
    assert throttled.json()["status"] == 429
    assert "Retry-After" in throttled


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/docs/" in response.json()["detail"]


def test_a_missing_slash_redirects_to_the_endpoint(client):
    response = client.get("/api/v1/drugs?target=KDR")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/drugs/?target=KDR"


def test_an_unknown_format_is_a_400(client, make_drug):
    make_drug("sorafenib")

    response = client.get("/api/v1/export/trials.csv?format=xlsx")

    assert response.status_code == 400
    assert response.json()["parameters"] == {"format": ["Use one of: csv, json."]}


def test_errors_are_json_even_when_a_download_format_was_asked_for(client, make_drug):
    response = client.get("/api/v1/export/trials.csv?phase=9", headers={"accept": "text/csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "phase" in response.json()["parameters"]

"""Oversized and malformed requests: a 4xx that says what is wrong, never a 500."""

import pytest
from django.test import Client

from tests.site.corpus import published_drug, published_trial

LONG = "a" * 5000
HUGE_NUMBER = "9" * 30


@pytest.fixture
def published(db) -> dict[str, str]:
    drug = published_drug()
    trial = published_trial(drugs=[drug])
    return {"drug": drug.slug, "trial": trial.slug}


def requests_for(drug: str, trial: str) -> list[tuple[str, str, dict, set[int]]]:
    """(method, path, client keyword arguments, acceptable statuses) for each bad request."""
    found = {404}
    refused = {400}
    return [
        ("get", f"/search/?q={'x' * 100_000}", {}, {200}),
        ("get", "/api/v1/search/?q=" + "x" * 100_000, {}, refused),
        ("get", "/drugs/?" + "&".join(f"f{n}=1" for n in range(2000)), {}, refused),
        ("get", "/api/v1/drugs/?" + "&".join(f"f{n}=1" for n in range(2000)), {}, refused),
        ("get", "/search/?q=%ff%fe%00", {}, {200}),
        ("get", "/search/?q=sorafenib%00", {}, {200}),
        ("get", "/api/v1/search/?q=sorafenib%00", {}, {200, 400}),
        ("get", "/drugs/?drug_class=%00&target=%ff&page=%00", {}, {200}),
        ("get", "/api/v1/drugs/?drug_class=%00", {}, {200, 400}),
        ("get", "/api/v1/trials/?nct_id=%00&phase=%00", {}, refused),
        ("get", "/api/v1/citations/?key=a%00b", {}, {200, 400}),
        ("get", "/drugs/%ff%fe/", {}, found),
        ("get", f"/drugs/{LONG}/", {}, found),
        ("get", f"/api/v1/drugs/{LONG}/", {}, found),
        ("get", f"/trials/{trial}/versions/{HUGE_NUMBER}/", {}, found),
        ("get", f"/drugs/{drug}/versions/{HUGE_NUMBER}/", {}, found),
        ("get", f"/api/v1/drugs/{drug}/versions/{HUGE_NUMBER}/", {}, found),
        ("get", f"/drugs/?page={HUGE_NUMBER}", {}, {200}),
        ("get", "/trials/?page=-1", {}, {200}),
        ("get", "/api/v1/drugs/?cursor=not-a-cursor", {}, {404, 400}),
        ("get", "/api/v1/drugs/?cursor=cD0xMjM%3D%3D%3D", {}, {200, 404, 400}),
        ("get", f"/api/v1/drugs/?page_size={HUGE_NUMBER}", {}, {200, 400}),
        ("get", f"/api/v1/changes/?since={HUGE_NUMBER}", {}, refused),
        ("get", "/api/v1/changes/?since=-1", {}, refused),
        ("get", f"/api/v1/drugs/{drug}/?as_of=yesterday", {}, refused),
        ("get", f"/api/v1/drugs/{drug}/?as_of=99999-01-01", {}, refused),
        ("get", "/api/v1/trials/?start_year_min=1e999", {}, refused),
        ("get", "/api/v1/adverse-events/?min_incidence=NaN", {}, refused),
        ("get", "/api/v1/drugs/?ordering=-password", {}, refused),
        ("get", "/api/v1/drugs/?format=xml", {}, refused),
        ("get", "/api/v1/drugs/", {"HTTP_ACCEPT": "application/xml"}, {406}),
        ("get", "/api/v1/drugs/", {"HTTP_ACCEPT": "*/*;q=abc;;,,;"}, {200}),
        ("get", f"/drugs/{drug}/", {"HTTP_ACCEPT": "\x00\xff;;q="}, {200}),
        ("get", f"/drugs/{drug}/", {"HTTP_IF_NONE_MATCH": '"unterminated'}, {200}),
        ("get", f"/drugs/{drug}/", {"HTTP_IF_MODIFIED_SINCE": "the day before yesterday"}, {200}),
        ("get", f"/api/v1/drugs/{drug}/", {"HTTP_IF_NONE_MATCH": "W/" + LONG}, {200}),
        ("get", "/drugs/", {"HTTP_HOST": "evil.example<script>"}, refused),
        ("get", "/", {"HTTP_COOKIE": "sessionid=" + "\x00" * 10 + "; csrftoken=;;;="}, {200}),
        ("put", f"/drugs/{drug}/", {}, {405}),
        ("delete", "/drugs/", {}, {405}),
        ("post", "/search/", {"data": {"q": "x"}}, {405, 403}),
        ("patch", f"/api/v1/drugs/{drug}/", {}, {405}),
        ("delete", f"/api/v1/trials/{trial}/", {}, {405}),
        ("post", "/api/v1/drugs/", {"data": "{", "content_type": "application/json"}, {405}),
        ("generic", "PROPFIND", {}, {405}),
        ("options", "/api/v1/drugs/", {}, {200}),
    ]


def send(client: Client, method: str, path: str, extra: dict):
    if method == "generic":
        return client.generic(path, "/drugs/")
    return getattr(client, method)(path, **extra)


def test_no_malformed_request_breaks_a_page_or_endpoint(published):
    client = Client(raise_request_exception=False)
    outcomes = []
    for method, path, extra, acceptable in requests_for(**published):
        response = send(client, method, path, dict(extra))
        outcomes.append((method, path[:80], response.status_code, acceptable))

    unexpected = [o for o in outcomes if o[2] not in o[3]]
    assert not unexpected, unexpected


def test_api_errors_say_what_to_fix(client, published):
    response = client.get("/api/v1/changes/?since=-1")
    body = response.json()

    assert response.status_code == 400
    assert body["status"] == 400 and "since" in body["parameters"]
    assert "since" in body["detail"]


def test_an_oversized_login_body_is_refused_with_413_or_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = Client(raise_request_exception=False).post(
        "/admin/login/", {"username": "ann", "password": "x" * 20_000}
    )

    assert response.status_code == 400

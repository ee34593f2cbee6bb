"""An entry's current API detail, served from the head written at publish and its stored document.

Every way of reaching the detail must give the reader the same answer: the stored one
answered above the stack (anonymous readers), DRF's view reading the same columns (readers
signed in, or with the stored answer turned off), and DRF's view writing the head afresh
when the stored one is another code's.
"""

import json

import pytest
from django.core.management import call_command

from monographs.api import stored_detail
from monographs.api.models import PublishedDocument
from monographs.publishing.models import Entry
from tests.api.conftest import publish

pytestmark = pytest.mark.django_db

PLURAL = {"drug": "drugs", "trial": "trials"}
# Headers that differ between two answers for reasons other than the answer.
PER_RESPONSE = {"Date"}


def _answer(response) -> tuple[int, bytes, dict[str, str]]:
    headers = {name: value for name, value in response.headers.items() if name not in PER_RESPONSE}
    return response.status_code, response.content, headers


def _details(client, entries, **headers) -> dict[str, tuple]:
    return {
        f"{kind}/{slug}": _answer(client.get(f"/api/v1/{PLURAL[kind]}/{slug}/", headers=headers))
        for kind, slug in entries
    }


@pytest.fixture
def live_entries(published_seed_corpus):
    entries = list(Entry.objects.live().filter(kind__in=PLURAL).values_list("kind", "slug"))
    assert {kind for kind, _ in entries} == set(PLURAL)
    return entries


def test_every_seed_detail_is_the_same_stored_from_the_view_and_written_afresh(
    live_entries, client, settings, monkeypatch
):
    stored = _details(client, live_entries)
    settings.SERVE_STORED_PAGES = False
    through_the_view = _details(client, live_entries)
    monkeypatch.setattr(stored_detail, "head_fingerprint", lambda: "another code")
    written_afresh = _details(client, live_entries)

    assert stored == through_the_view == written_afresh
    assert {status for status, _, _ in stored.values()} == {200}


def test_a_stored_detail_is_one_read_and_answered_above_the_stack(
    live_entries, client, django_assert_num_queries
):
    for kind, slug in live_entries[:5]:
        with django_assert_num_queries(1):
            response = client.get(f"/api/v1/{PLURAL[kind]}/{slug}/")
        # Sessions and authentication never ran for it.
        assert not hasattr(response.wsgi_request, "user")
        body = json.loads(response.content)
        assert (body["kind"], body["slug"], body["superseded"]) == (kind, slug, False)
        assert body["url"] == f"http://testserver/api/v1/{PLURAL[kind]}/{slug}/versions/1/"


def test_the_addresses_name_the_host_and_scheme_the_reader_asked_at(live_entries, client, settings):
    settings.ALLOWED_HOSTS = ["api.example.org", "testserver"]
    kind, slug = live_entries[0]
    path = f"/api/v1/{PLURAL[kind]}/{slug}/"

    plain = client.get(path)
    other = client.get(path, headers={"host": "api.example.org"}, secure=True)

    assert json.loads(other.content)["versions_url"] == (
        f"https://api.example.org/api/v1/{PLURAL[kind]}/{slug}/versions/"
    )
    assert b"stored-page.invalid" not in other.content + plain.content
    assert other["ETag"] != plain["ETag"]


def test_a_reader_asking_otherwise_gets_the_views_answer(live_entries, client):
    kind, slug = live_entries[0]
    path = f"/api/v1/{PLURAL[kind]}/{slug}/"
    plain = client.get(path)

    cross_origin = client.get(path, headers={"origin": "https://reader.example"})
    assert cross_origin["Access-Control-Allow-Origin"] == "*"
    assert cross_origin.content == plain.content
    assert client.get(path, {"format": "json"}).content == plain.content
    assert client.get(path, headers={"accept": "text/html"}).status_code == 406
    assert list(json.loads(client.get(path, {"fields": "title"}).content)) == ["title"]
    head = client.head(path)
    assert (head.status_code, head["ETag"]) == (200, plain["ETag"])
    again = client.get(path, headers={"if-none-match": plain["ETag"]})
    assert (again.status_code, again["ETag"], again.content) == (304, plain["ETag"], b"")


def test_a_new_version_withdrawal_and_unknown_slug_answer_at_once(
    make_drug, withdraw, client, django_assert_num_queries
):
    drug = make_drug("examplinib")
    first = json.loads(client.get("/api/v1/drugs/examplinib/").content)
    drug.summary = "A second, reviewed version."
    drug.save()
    publish(drug, note="Second")

    second = json.loads(client.get("/api/v1/drugs/examplinib/").content)
    assert (first["version"], second["version"]) == (1, 2)
    assert second["document"]["summary"] == "A second, reviewed version."
    assert client.get("/api/v1/drugs/nowhere/").status_code == 404
    withdraw(drug)
    gone = client.get("/api/v1/drugs/examplinib/")
    assert gone.status_code == 410
    assert b"A second, reviewed version" not in gone.content


def test_heads_written_by_other_code_are_written_again_by_render_stored_pages(
    make_drug, client, monkeypatch, django_assert_num_queries
):
    make_drug("examplinib")
    answer = _answer(client.get("/api/v1/drugs/examplinib/"))
    PublishedDocument.objects.update(head=b"", head_etag="", head_renderer="older")

    assert _answer(client.get("/api/v1/drugs/examplinib/")) == answer  # written for the reader
    call_command("render_stored_pages", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert set(PublishedDocument.objects.values_list("head_renderer", flat=True)) == {
        stored_detail.head_fingerprint()
    }
    with django_assert_num_queries(1):
        assert _answer(client.get("/api/v1/drugs/examplinib/")) == answer


def test_a_head_written_under_other_json_settings_is_never_served(
    make_drug, client, settings, django_assert_num_queries
):
    """A deployment that writes its dates otherwise (here without the time) answers every
    detail with them so, stored heads included once they are written again."""
    make_drug("examplinib")
    before = client.get("/api/v1/drugs/examplinib/").json()["published_at"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DATETIME_FORMAT": "%Y-%m-%d"}
    stored_detail.head_fingerprint.cache_clear()
    try:
        dated = client.get("/api/v1/drugs/examplinib/").content
        call_command("render_stored_pages", stdout=open("/dev/null", "w"))  # noqa: SIM115
        with django_assert_num_queries(1):
            assert client.get("/api/v1/drugs/examplinib/").content == dated
    finally:
        stored_detail.head_fingerprint.cache_clear()

    assert len(before) > 10 and json.loads(dated)["published_at"] == before[:10]


def test_a_stored_detail_counts_toward_the_rate_limit_with_the_response_cache_on(
    make_drug, client, settings
):
    """Answered above the response cache, every read of a stored detail is counted."""
    settings.API_THROTTLE_ANON = "2/minute"
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
    settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES = 1
    make_drug("examplinib")

    answers = [client.get("/api/v1/drugs/examplinib/") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert not any(a.has_header("X-Cache") for a in answers[:2])
    assert [a["RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]

"""Stored pages served to anonymous readers above the session, CSRF and auth middleware, and
as gzip to readers who take it: the same bytes and headers as through the whole stack."""

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from monographs.site.middleware import StoredPageMiddleware, _stored_page_prefixes
from monographs.site.models import StoredPage
from monographs.site.rendering import ORIGIN
from tests.factories import UserFactory
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db

STORED_PAGE_MIDDLEWARE = "monographs.site.middleware.StoredPageMiddleware"
PAGE = "/drugs/sorafenib/"


@pytest.fixture(autouse=True)
def stored_pages_served(settings):
    settings.SERVE_STORED_PAGES = True


@pytest.fixture
def sorafenib():
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    published_trial(drugs=[drug], slug="sharp", acronym="SHARP")
    return drug


def test_the_stored_page_route_is_the_drug_and_trial_pages():
    assert reverse("monographs:drug_detail", args=["sorafenib"]) == PAGE
    assert reverse("trials:trial_detail", args=["sharp"]) == "/trials/sharp/"


@pytest.mark.parametrize("accept_encoding", ["", "gzip, deflate, br"])
def test_the_middleware_answers_with_the_bytes_and_headers_of_the_whole_stack(
    client, settings, sorafenib, accept_encoding, django_assert_num_queries
):
    headers = {"HTTP_ACCEPT_ENCODING": accept_encoding} if accept_encoding else {}
    with django_assert_num_queries(1):
        early = client.get(PAGE, **headers)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != STORED_PAGE_MIDDLEWARE]
    through_the_stack = client.get(PAGE, **headers)

    assert early.status_code == through_the_stack.status_code == 200
    assert early.content == through_the_stack.content
    assert dict(early.headers) == dict(through_the_stack.headers)
    assert early["X-Frame-Options"] == "DENY"
    assert int(early["Content-Length"]) == len(early.content)


@pytest.mark.postgres
def test_on_postgresql_the_read_is_planned_once_per_connection(client, sorafenib):
    """Both encodings share one prepared statement; nothing else the page does is prepared."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    first = client.get(PAGE)
    for _ in range(3):
        assert client.get(PAGE).content == first.content
        compressed = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
        assert gzip.decompress(compressed.content) == first.content

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert len(prepared) == 1
    assert "site_storedpage" in prepared[0]


@pytest.mark.postgres
def test_the_prepared_read_is_logged_with_its_statement(client, sorafenib):
    with CaptureQueriesContext(connection) as captured:
        client.get(PAGE)
    assert [
        query["sql"] for query in captured.captured_queries if "site_storedpage" in query["sql"]
    ]


def test_a_reader_taking_gzip_gets_the_same_page_compressed(client, sorafenib):
    plain = client.get(PAGE)
    compressed = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 3
    assert b"http://testserver/drugs/sorafenib/" in plain.content
    assert ORIGIN.encode() not in plain.content
    for response in (plain, compressed):
        assert "Accept-Encoding" in response["Vary"]
    assert compressed["ETag"] != plain["ETag"], "two representations, two validators"


def test_each_encoding_revalidates_with_its_own_etag(client, sorafenib, django_assert_num_queries):
    plain = client.get(PAGE)
    compressed = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")

    with django_assert_num_queries(1):
        unchanged = client.get(
            PAGE, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"]
        )
    other_encoding = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"])

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert "Accept-Encoding" in unchanged["Vary"]
    assert other_encoding.status_code == 200
    assert other_encoding["Content-Encoding"] == "gzip"


def test_a_head_request_has_the_headers_and_no_body(client, sorafenib):
    response = client.head(PAGE, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response.content == b""


def test_a_page_stored_before_its_gzip_pieces_is_served_plain(client, sorafenib):
    expected = client.get(PAGE).content
    StoredPage.objects.update(body_deflated=b"", body_deflated_index="")

    response = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.content == expected


def test_a_signed_in_editor_goes_through_the_whole_stack_to_the_same_page(client, sorafenib):
    anonymous = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(UserFactory(is_staff=True))

    editor = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")

    assert editor.content == anonymous.content
    assert editor["ETag"] == anonymous["ETag"]


def test_pages_without_a_stored_render_and_other_urls_go_down_the_stack(client, sorafenib):
    StoredPage.objects.all().delete()

    live = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
    versions = client.get("/drugs/sorafenib/versions/")
    unknown = client.get("/drugs/no-such-drug/")

    assert live.status_code == 200
    assert b"SHARP" in live.content
    assert "Content-Encoding" not in live, "a live render is sent as rendered"
    assert versions.status_code == 200
    assert unknown.status_code == 404


def test_a_site_mounted_below_the_root_serves_its_stored_pages_too(client, monkeypatch):
    """Behind a proxy that mounts the site at /oncology/, a request's path_info has no script
    prefix, while reverse() puts it in front of every path."""
    answered = []
    stored = StoredPageMiddleware._stored
    monkeypatch.setattr(
        StoredPageMiddleware,
        "_stored",
        lambda self, request: answered.append(request.path) or stored(self, request),
    )
    _stored_page_prefixes.cache_clear()
    try:
        set_script_prefix("/oncology/")
        published_drug(inn="sorafenib", slug="sorafenib")
        response = client.get(PAGE, SCRIPT_NAME="/oncology")
    finally:
        set_script_prefix("/")
        _stored_page_prefixes.cache_clear()

    assert response.status_code == 200
    assert answered == ["/oncology/drugs/sorafenib/"]
    assert b'href="/oncology/drugs/' in response.content

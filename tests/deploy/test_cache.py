"""The response cache: public pages and API responses from the cache until a publish or a
withdrawal commits, then fresh at once; never for staff, the admin, writes or anything that
sets a cookie. Each behaviour runs over local memory and over a real Redis."""

import socket
import time
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import get_script_prefix, set_script_prefix
from django.views.decorators.cache import never_cache

from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing import cache as published_cache
from monographs.publishing.cache import (
    GENERATION_KEY,
    SEARCH_KEY,
    PublishedResponseCacheMiddleware,
    allowed_codings,
    published_generation,
    published_generation_bump,
    request_is_public_read,
    responses_invalidate_all,
)
from tests.deploy.conftest import REDIS, REDIS_URL, delete_prefixed, require_redis

DRUG_PAGE = "/drugs/sorafenib/"
PUBLIC_URLS = [
    "/",
    "/drugs/",
    DRUG_PAGE,
    "/drugs/sorafenib/versions/",
    "/search/?q=sorafenib",
    "/feed/",
    "/sitemap.xml",
    "/robots.txt",
    "/api/v1/drugs/",
    "/api/v1/drugs/sorafenib/",
    "/api/v1/search/?q=sorafenib",
]


@pytest.fixture(autouse=True)
def entry_pages_rendered_live(settings):
    """Entry pages and API details as the response cache meets them: rendered by their views
    (an entry not stored yet, a detail asked with ?fields= or from another origin). Stored
    ones are answered above the cache and never reach it
    (test_stored_entry_pages_and_details_never_touch_the_cache)."""
    settings.SERVE_STORED_PAGES = False


def query_count(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_hit_costs_no_query_however_much_is_published(
    url, response_cache, publish_drug, client, django_assert_num_queries
):
    for slug in ("sorafenib", "lenvatinib", "regorafenib"):
        publish_drug(slug)
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    assert not first.cookies, "a public page must not set a cookie: it could not be cached"

    with django_assert_num_queries(0):
        second = client.get(url)

    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second.get("ETag") == first.get("ETag")
    assert second["Content-Type"] == first["Content-Type"]


def test_a_publish_shows_at_once_and_is_cached_again(response_cache, publish_drug, client):
    publish_drug(summary="First summary.")
    assert b"Version 1" in client.get(DRUG_PAGE).content
    assert client.get(DRUG_PAGE)["X-Cache"] == "hit"

    publish_drug(summary="Second summary.")

    fresh = client.get(DRUG_PAGE)
    assert fresh["X-Cache"] == "miss"
    assert b"Version 2" in fresh.content
    assert b"Second summary." in fresh.content
    assert client.get(DRUG_PAGE)["X-Cache"] == "hit"


def test_the_generation_moves_only_when_the_publish_commits(
    response_cache, publish_drug, django_capture_on_commit_callbacks
):
    drug = publish_drug()
    before = published_generation()
    drug.summary = "Changed."
    drug.save(update_fields=["summary"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        root_import_publish(root=drug, note="test")
        assert published_generation() == before

    assert published_generation() == before
    for callback in callbacks:
        callback()
    assert published_generation() > before


def test_a_withdrawal_answers_410_at_once(
    response_cache,
    publish_drug,
    reviewer,
    client,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    drug = publish_drug()
    assert client.get(DRUG_PAGE).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        root_withdraw(root=drug, user=reviewer, reason="Superseded by a corrected monograph.")

    withdrawn = client.get(DRUG_PAGE)
    assert withdrawn.status_code == 410
    assert b"Superseded by a corrected monograph." in withdrawn.content
    with django_assert_num_queries(0):
        again = client.get(DRUG_PAGE)
    assert again.status_code == 410
    assert again["X-Cache"] == "hit"


@pytest.mark.parametrize("url", [DRUG_PAGE, "/api/v1/drugs/sorafenib/"])
def test_conditional_get_on_a_hit_is_304_without_a_query(
    url, response_cache, publish_drug, client, django_assert_num_queries
):
    publish_drug()
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(0):
        not_modified = client.get(url, headers={"If-None-Match": etag})

    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag


@pytest.mark.parametrize("url", [DRUG_PAGE, "/api/v1/drugs/sorafenib/"])
def test_a_hit_is_one_cache_read(url, response_cache, publish_drug, client, monkeypatch):
    """The generation, the stored response and the counters of the keys it depends on come
    back together: one round trip to Redis."""
    publish_drug()
    client.get(url)
    backend = caches["default"]
    calls = []
    depth = [0]

    def counted(name, method):
        def wrapper(*args, **kwargs):
            if not depth[0]:
                calls.append(name)  # the local-memory backend builds get_many from get
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1

        return wrapper

    for name in ("get", "get_many", "set", "add", "incr", "has_key", "delete"):
        monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))

    for headers in ({}, {"If-None-Match": client.get(url)["ETag"]}):
        calls.clear()
        response = client.get(url, headers=headers)
        assert response.status_code == (304 if headers else 200)
        assert calls == ["get_many"]


def test_every_response_is_retired_after_an_upgrade_or_a_rebuild(
    response_cache, publish_drug, client
):
    publish_drug()
    assert client.get(DRUG_PAGE)["X-Cache"] == "miss"
    assert client.get(DRUG_PAGE)["X-Cache"] == "hit"

    responses_invalidate_all()

    assert client.get(DRUG_PAGE)["X-Cache"] == "miss"
    assert client.get(DRUG_PAGE)["X-Cache"] == "hit"


def test_signed_in_staff_always_get_a_fresh_page(
    response_cache, publish_drug, client, staff_client
):
    publish_drug()
    client.get(DRUG_PAGE)
    assert client.get(DRUG_PAGE)["X-Cache"] == "hit"

    staff_page = staff_client.get(DRUG_PAGE)

    assert staff_page.status_code == 200
    assert "X-Cache" not in staff_page
    assert query_count(lambda: staff_client.get(DRUG_PAGE)) > 0


def test_admin_and_writes_are_never_cached(response_cache, client):
    for _ in range(2):
        login = client.get("/admin/login/")
        assert "X-Cache" not in login
    posted = client.post("/search/", {"q": "sorafenib"})
    assert posted.status_code == 405
    assert "X-Cache" not in posted


# A URLconf without the admin, for the test below.
urlpatterns: list = []


def test_the_admin_is_found_under_each_script_prefix_and_urlconf(settings, monkeypatch):
    """Where the admin lives is reversed once per URLconf and script prefix, not on every
    request: a site mounted under a prefix, or a URLconf without the admin, is told apart."""
    reversed_for = []
    reverse = published_cache.reverse
    monkeypatch.setattr(
        published_cache,
        "reverse",
        lambda *args, **kwargs: (
            reversed_for.append(get_script_prefix()) or reverse(*args, **kwargs)
        ),
    )
    monkeypatch.setattr(published_cache, "_PREFIXES", {})
    factory = RequestFactory()
    site_prefix = get_script_prefix()
    try:
        set_script_prefix("/oncology/")
        assert not request_is_public_read(factory.get("/oncology/admin/login/"))
        assert request_is_public_read(factory.get("/oncology/drugs/sorafenib/"))
        assert request_is_public_read(factory.get("/admin/login/"))
    finally:
        set_script_prefix(site_prefix)
    for _ in range(3):
        assert not request_is_public_read(factory.get("/admin/login/"))
    assert reversed_for == ["/oncology/", site_prefix]

    site_urls, settings.ROOT_URLCONF = settings.ROOT_URLCONF, __name__
    assert request_is_public_read(factory.get("/admin/login/"))
    settings.ROOT_URLCONF = site_urls
    assert not request_is_public_read(factory.get("/admin/login/"))
    assert len(reversed_for) == 4


def test_the_api_rate_limit_counts_cache_hits(response_cache, publish_drug, client, settings):
    settings.API_THROTTLE_ANON = "2/minute"
    publish_drug()
    url = "/api/v1/drugs/sorafenib/"

    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    refused = client.get(url)

    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_responses_that_vary_on_accept_are_kept_apart(response_cache, publish_drug, client):
    publish_drug()
    url = "/api/v1/drugs/sorafenib/"

    assert client.get(url, headers={"Accept": "application/json"})["X-Cache"] == "miss"
    assert client.get(url, headers={"Accept": "application/json"})["X-Cache"] == "hit"
    assert client.get(url, headers={"Accept": "*/*"})["X-Cache"] == "miss"


CHROMIUM_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("url", [DRUG_PAGE, "/drugs/", "/search/?q=sorafenib", "/feed/"])
def test_browsers_writing_accept_their_own_way_share_a_page(
    url, response_cache, publish_drug, client
):
    """No page of the site varies on Accept or Origin (only the API's responses do), so the
    page one browser stored is the page every other reads."""
    publish_drug()
    first = client.get(url, headers={"Accept": CHROMIUM_ACCEPT})
    others = [
        client.get(url, headers={"Accept": FIREFOX_ACCEPT}),
        client.get(url, headers={"Accept": "*/*", "Origin": "https://elsewhere.example"}),
        client.get(url),
    ]

    assert first["X-Cache"] == "miss"
    assert [response["X-Cache"] for response in others] == ["hit"] * 3
    assert all(response.content == first.content for response in others)


def test_a_page_varying_on_accept_outside_the_api_is_not_stored(settings):
    """The site's pages are keyed without Accept: one that chose its content by it would be
    served to readers asking for another, so it is served and not stored."""
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
    calls = []

    def get_response(request):
        calls.append(request)
        response = HttpResponse(request.headers.get("Accept", ""))
        response["Vary"] = "Accept"
        return response

    middleware = PublishedResponseCacheMiddleware(get_response)
    served = [
        middleware(RequestFactory().get("/some/page/", headers={"Accept": accept}))
        for accept in ("text/html", "text/html", "application/json")
    ]

    assert [response.content for response in served] == [b"text/html"] * 2 + [b"application/json"]
    assert len(calls) == 3
    assert not any(response.has_header("X-Cache") for response in served)


def test_the_api_is_keyed_on_accept_and_origin_under_each_script_prefix(monkeypatch):
    """The API's prefix is reversed under the script prefix, as the request's path holds it:
    under /oncology/ the API's responses are still told apart by Accept and Origin, and the
    site's pages are not."""
    monkeypatch.setattr(published_cache, "_PREFIXES", {})
    factory = RequestFactory()

    def keys(path: str) -> set[str]:
        return {
            published_cache.response_cache_key(factory.get(path, headers=headers))
            for headers in ({"Accept": "application/json"}, {"Accept": "*/*"}, {"Origin": "x"})
        }

    site_prefix = get_script_prefix()
    try:
        set_script_prefix("/oncology/")
        assert len(keys("/oncology/api/v1/drugs/")) == 3
        assert len(keys("/oncology/drugs/")) == 1
    finally:
        set_script_prefix(site_prefix)
    assert len(keys("/api/v1/drugs/")) == 3
    assert len(keys("/drugs/")) == 1


def test_readers_of_other_languages_and_spellings_of_one_encoding_share_a_response(
    response_cache, publish_drug, client
):
    """No public response varies on Accept-Language, and an entry page's encodings depend on
    which codings a reader allows, not on how the header writes them: such readers share
    one stored response. A reader refusing gzip is kept apart from one allowing it."""
    publish_drug()
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd", "Accept-Language": "en-GB,en;q=0.9"}
    first = client.get(DRUG_PAGE, headers=browser)
    other = client.get(
        DRUG_PAGE,
        headers={"Accept-Encoding": "zstd, br;q=1.0, GZIP,deflate", "Accept-Language": "fr-CA"},
    )
    refusing = client.get(DRUG_PAGE, headers={"Accept-Encoding": "br, deflate, zstd, gzip;q=0"})

    assert [first["X-Cache"], other["X-Cache"]] == ["miss", "hit"]
    assert other.content == first.content and "Accept-Encoding" in first["Vary"]
    assert refusing["X-Cache"] == "miss"


def test_a_load_test_misses_the_cache_by_a_header_the_settings_add_to_the_key(
    response_cache, publish_drug, client, settings
):
    """config/settings_bench.py keys on Accept-Language, which the benchmark's uncached rows
    send unique on every request."""
    settings.PUBLISHED_RESPONSE_CACHE_KEY_HEADERS = ("accept-language",)
    publish_drug()
    read = [client.get(DRUG_PAGE, headers={"Accept-Language": f"x-{n}"}) for n in (1, 2, 1)]

    assert [response["X-Cache"] for response in read] == ["miss", "miss", "hit"]


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("", ""),
        ("gzip, deflate, br, zstd", "br,deflate,gzip,zstd"),
        ("ZSTD, br;q=1.0, gzip ,deflate", "br,deflate,gzip,zstd"),
        ("gzip;q=0, *", "*,gzip;q=0"),
        ("gzip;q=0.5;level=1, identity;q=oops", "gzip,identity;q=0"),
        ("gzip;q=0, gzip", "gzip"),
        ("unknown, gzip", "gzip"),
    ],
)
def test_accept_encoding_is_keyed_as_the_codings_it_allows_and_refuses(header, key):
    assert allowed_codings(header) == key


def test_a_response_varying_on_accept_language_is_not_stored(settings):
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
    calls = []

    def get_response(request):
        calls.append(request)
        response = HttpResponse("bonjour")
        response["Vary"] = "Accept-Language"
        return response

    middleware = PublishedResponseCacheMiddleware(get_response)
    for _ in range(2):
        middleware(RequestFactory().get("/some/page/"))

    assert len(calls) == 2


def test_off_when_no_shared_cache_is_configured(publish_drug, client, settings):
    assert settings.PUBLISHED_RESPONSE_CACHE_SECONDS == 0
    publish_drug()
    client.get(DRUG_PAGE)

    again = client.get(DRUG_PAGE)

    assert "X-Cache" not in again
    assert query_count(lambda: client.get(DRUG_PAGE)) > 0


def test_an_unreachable_redis_serves_pages_uncached(publish_drug, client, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS,
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
    publish_drug()

    page = client.get(DRUG_PAGE)

    assert page.status_code == 200
    assert b"Version 1" in page.content
    assert "X-Cache" not in page


def test_the_generation_starts_from_the_clock_and_counts_up(response_cache):
    started = time.time_ns()
    first = published_generation()
    assert first >= started

    published_generation_bump()
    assert published_generation() == first + 1

    cache.delete(GENERATION_KEY)
    published_generation_bump()
    assert published_generation() > first + 1, "a lost counter must never repeat an old value"


def _plain(request):
    return HttpResponse("same for everyone")


def _sets_cookie(request):
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


def _varies_on_cookie(request):
    response = HttpResponse("hello")
    response["Vary"] = "Cookie"
    return response


def _varies_on_an_unkeyed_header(request):
    response = HttpResponse("hello")
    response["Vary"] = "Accept, User-Agent"
    return response


def _uses_csrf_token(request):
    return HttpResponse(f"<input name=csrfmiddlewaretoken value={get_token(request)}>")


def _reads_session(request):
    request.session.get("anything")
    return HttpResponse("hello")


def _shows_a_message(request):
    return HttpResponse(" ".join(str(message) for message in get_messages(request)))


@never_cache
def _never_cache(request):
    return HttpResponse("hello")


def _private(request):
    response = HttpResponse("hello")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _streamed(request):
    return StreamingHttpResponse(iter([b"a", b"b"]))


def _not_found(request):
    return HttpResponse("missing", status=404)


@pytest.mark.parametrize(
    "view",
    [
        _sets_cookie,
        _varies_on_cookie,
        _varies_on_an_unkeyed_header,
        _uses_csrf_token,
        _reads_session,
        _shows_a_message,
        _never_cache,
        _private,
        _streamed,
        _not_found,
    ],
)
def test_per_reader_and_uncacheable_responses_are_never_stored(view, settings):
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
    calls = []

    def get_response(request):
        calls.append(request)
        return view(request)

    middleware = PublishedResponseCacheMiddleware(get_response)
    for _ in range(2):
        request = RequestFactory().get("/some/page/")
        request.session = SessionStore()
        request._messages = CookieStorage(request)
        middleware(request)

    assert len(calls) == 2


def test_a_plain_public_response_is_stored_once(settings):
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
    calls = []

    def get_response(request):
        calls.append(request)
        return _plain(request)

    middleware = PublishedResponseCacheMiddleware(get_response)
    responses = [middleware(RequestFactory().get("/some/page/")) for _ in range(2)]

    assert len(calls) == 1
    assert [response["X-Cache"] for response in responses] == ["miss", "hit"]


def test_a_hit_carries_the_headers_of_a_fresh_response(response_cache, publish_drug, client):
    """Security, CSP and CORS headers are on every response, cached or not."""
    publish_drug()
    url = "/api/v1/drugs/sorafenib/"
    headers = {"Origin": "https://reader.example"}
    fresh = client.get(url, headers=headers)
    hit = client.get(url, headers=headers)

    assert (fresh["X-Cache"], hit["X-Cache"]) == ("miss", "hit")
    for name in (
        "Access-Control-Allow-Origin",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Vary",
    ):
        assert hit.get(name) == fresh.get(name), name
    assert hit["Access-Control-Allow-Origin"]


def test_the_redis_backend_stores_and_reads_under_its_prefix(settings):
    client = require_redis()
    prefix = f"test-deploy-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": REDIS, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    try:
        backend = caches["default"]
        backend.set("answer", {"value": 42}, 60)

        assert backend.get("answer") == {"value": 42}
        assert backend.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
        assert client.exists(f"{prefix}:1:answer")
    finally:
        caches["default"].close()
        delete_prefixed(client, prefix)


def test_trial_filter_options_are_counted_once_per_generation(
    response_cache, publish_drug, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from tests.site.corpus import published_trial
    from trials.selectors import trial_filter_options

    sorafenib = publish_drug()
    assert trial_filter_options()["drug"] == []
    with django_assert_num_queries(0):
        assert trial_filter_options()["drug"] == []

    with django_capture_on_commit_callbacks(execute=True):
        published_trial(drugs=[sorafenib])

    [option] = trial_filter_options()["drug"]
    assert (option.value, option.entries) == ("sorafenib", 1)


def test_trial_filter_options_are_counted_every_time_without_the_response_cache(
    settings, publish_drug
):
    from trials.selectors import trial_filter_options

    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 0
    publish_drug()
    assert query_count(trial_filter_options) == query_count(trial_filter_options) == 1


def responses_stored(monkeypatch) -> list[str]:
    """The keys of the responses the cache is asked to store from now on."""
    backend = caches["default"]
    stored = []
    set_value = backend.set

    def counted_set(key, value, *args, **kwargs):
        if "published-response" in key:
            stored.append(key)
        return set_value(key, value, *args, **kwargs)

    monkeypatch.setattr(backend, "set", counted_set)
    return stored


def test_an_api_detail_built_by_its_view_is_cached_at_its_second_miss(
    response_cache, publish_drug, client, settings, monkeypatch
):
    """A detail its view writes from the stored head and document is one indexed read: read
    once, it costs the cache no write of its body; read again, it is cached."""
    settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES = 2
    monkeypatch.setattr("monographs.publishing.cache._MISSES", {})
    publish_drug()
    stored = responses_stored(monkeypatch)

    reads = [client.get("/api/v1/drugs/sorafenib/") for _ in range(3)]

    assert [response["X-Cache"] for response in reads] == ["miss", "miss", "hit"]
    assert len({response.content for response in reads}) == 1
    assert len(stored) == 1
    # Cached at once: a page whose response is a render of many entries.
    assert [client.get("/drugs/")["X-Cache"] for _ in range(2)] == ["miss", "hit"]


@pytest.mark.parametrize("url", ["/search/?q=sorafenib", "/api/v1/search/?q=sorafenib"])
def test_a_search_is_cached_at_its_second_miss(
    url, response_cache, publish_drug, client, settings, monkeypatch
):
    """A query asked once (most are, and every publish retires them all) costs the cache no
    write; one asked again is cached. A search page without a query is cached at once."""
    settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES = 2
    monkeypatch.setattr("monographs.publishing.cache._MISSES", {})
    publish_drug()
    stored = responses_stored(monkeypatch)

    reads = [client.get(url) for _ in range(3)]
    other = client.get(url.replace("sorafenib", "sorafen"))

    assert [response["X-Cache"] for response in reads] == ["miss", "miss", "hit"]
    assert len({response.content for response in reads}) == 1
    assert other["X-Cache"] == "miss"
    assert len(stored) == 1
    if url.startswith("/search/"):
        assert [client.get("/search/")["X-Cache"] for _ in range(2)] == ["miss", "hit"]


def test_a_search_reads_the_cache_once_with_the_vocabulary_generation(
    response_cache, publish_drug, client, monkeypatch, settings
):
    """The vocabulary's generation is read with the lookup, not in a round trip of its own,
    and is the current one: a synonym added since is searched by the next search not
    answered from the cache (neither search here is stored: the first miss of each)."""
    monkeypatch.setattr("monographs.publishing.cache._MISSES", {})
    from monographs.search import vocabulary
    from tests.factories import ConditionFactory

    settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES = 2  # a first miss, not stored
    publish_drug(summary="Used in hepatocellular carcinoma.")
    condition = ConditionFactory(name="Hepatocellular carcinoma", slug="hcc", synonyms=[])
    assert client.get("/api/v1/search/?q=hepatoma").json()["total"] == 0
    backend = caches["default"]
    read, inside_get_many = [], []
    get_many, get = backend.get_many, backend.get

    def counted_get_many(keys, **kwargs):
        read.append(keys)
        inside_get_many.append(True)  # local memory's get_many calls get for each key
        try:
            return get_many(keys, **kwargs)
        finally:
            inside_get_many.pop()

    def counted_get(key, *args, **kwargs):
        if not inside_get_many:
            read.append([key])
        return get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", counted_get_many)
    monkeypatch.setattr(backend, "get", counted_get)

    found = client.get("/api/v1/search/?q=carcinoma")

    assert found["X-Cache"] == "miss" and found.json()["total"] == 1
    assert vocabulary.GENERATION_KEY in read[0]  # the lookup's
    assert [keys for keys in read if vocabulary.GENERATION_KEY in keys] == [read[0]]
    condition.synonyms = ["hepatoma"]
    condition.save()
    published_cache._MISSES.clear()  # the first search for it, above, was a miss too
    again = client.get("/api/v1/search/?q=hepatoma")
    assert again["X-Cache"] == "miss" and again.json()["total"] == 1


def hepatoma_search_stored(publish_drug, client, monkeypatch):
    """A page mentioning hepatocellular carcinoma, its condition without synonyms, and the
    search for "hepatoma" (which finds nothing yet) stored; then the retirements recorded."""
    from tests.factories import ConditionFactory

    publish_drug(summary="Used in hepatocellular carcinoma.")
    condition = ConditionFactory(name="Hepatocellular carcinoma", slug="hcc", synonyms=[])
    url = "/api/v1/search/?q=hepatoma"
    stored = [client.get(url) for _ in range(2)]
    assert [(r["X-Cache"], r.json()["total"]) for r in stored] == [("miss", 0), ("hit", 0)]
    return condition, url, responses_retired(monkeypatch)


def assert_search_reads_the_synonym_once_retired(client, url: str, retired: list) -> None:
    again = client.get(url)
    assert retired == [[SEARCH_KEY]]
    assert (again["X-Cache"], again.json()["total"]) == ("miss", 1)


@pytest.mark.django_db(transaction=True)
def test_names_edited_retire_the_stored_searches_once_per_transaction(
    response_cache, publish_drug, client, monkeypatch
):
    """A search stored before a synonym was added no longer answers with the old reading of
    the query. A transaction saving many names retires the stored searches once, after it
    commits, including when the first of its saves was rolled back to a savepoint (whose
    retirement went with it)."""
    from django.db import transaction

    from tests.factories import AdverseEventTermFactory, ConditionFactory

    condition, url, retired = hepatoma_search_stored(publish_drug, client, monkeypatch)

    with transaction.atomic():
        with transaction.atomic():
            ConditionFactory(name="Renal cell carcinoma", slug="rcc")
            transaction.set_rollback(True)
        condition.synonyms = ["hepatoma"]
        condition.save()
        AdverseEventTermFactory.create_batch(3)
        AdverseEventTermFactory().delete()
        assert retired == []  # nothing before the commit

    assert_search_reads_the_synonym_once_retired(client, url, retired)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["update", "bulk_update", "bulk_create"])
def test_names_written_in_bulk_retire_the_stored_searches(
    write, response_cache, publish_drug, client, monkeypatch
):
    """update(), bulk_update() and bulk_create() pass by save() and its signal: a synonym
    written so is read by the next search all the same, and the searches stored before are
    retired once the write commits."""
    from django.db import transaction

    from monographs.models import Condition

    condition, url, retired = hepatoma_search_stored(publish_drug, client, monkeypatch)

    with transaction.atomic():
        if write == "update":
            Condition.objects.filter(pk=condition.pk).update(synonyms=["hepatoma"])
        elif write == "bulk_update":
            condition.synonyms = ["hepatoma"]
            Condition.objects.bulk_update([condition], ["synonyms"])
        else:  # another condition, naming the first among its synonyms
            Condition.objects.bulk_create(
                [
                    Condition(
                        name="Liver cell carcinoma",
                        slug="liver-cell-carcinoma",
                        synonyms=["hepatoma", "hepatocellular carcinoma"],
                    )
                ]
            )
        assert retired == []  # nothing before the commit

    assert_search_reads_the_synonym_once_retired(client, url, retired)


@pytest.mark.django_db(transaction=True)
def test_a_migrate_that_applies_a_migration_retires_the_stored_searches(
    response_cache, publish_drug, client, monkeypatch
):
    """A data migration writes names through the historical models, which send no signal;
    a migrate that applied any migration retires the stored searches once it is done, so
    the names it wrote are read. A migrate that applies nothing retires nothing."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    condition, url, retired = hepatoma_search_stored(publish_drug, client, monkeypatch)
    call_command("migrate", verbosity=0)
    assert retired == []

    state = MigrationExecutor(connection).loader.project_state()
    historical = state.apps.get_model(condition._meta.app_label, "Condition")
    historical.objects.filter(pk=condition.pk).update(synonyms=["hepatoma"])
    assert client.get(url)["X-Cache"] == "hit"  # the historical model told nobody
    app = "publishing"
    graph = MigrationExecutor(connection).loader.graph
    (latest,) = [name for label, name in graph.leaf_nodes(app) if label == app]
    (before,) = [name for label, name in graph.node_map[(app, latest)].parents if label == app]
    try:
        call_command("migrate", app, before, verbosity=0)  # one migration, unapplied
        assert_search_reads_the_synonym_once_retired(client, url, retired)
    finally:
        call_command("migrate", app, latest, verbosity=0)
    assert retired == [[SEARCH_KEY]] * 2


@pytest.mark.django_db(transaction=True)
def test_an_update_of_other_fields_keeps_the_stored_searches(
    response_cache, publish_drug, client, monkeypatch
):
    from monographs.models import AdverseEventTerm
    from tests.factories import AdverseEventTermFactory

    term = AdverseEventTermFactory()
    retired = responses_retired(monkeypatch)

    AdverseEventTerm.objects.filter(pk=term.pk).update(system_organ_class="Vascular disorders")

    assert retired == []


@pytest.mark.django_db(transaction=True)
def test_a_save_leaving_the_names_as_they_were_keeps_the_stored_searches(
    response_cache, publish_drug, client, monkeypatch
):
    """A term's organ class or a condition's slug does not change how a query is read: saving
    them keeps the stored searches, and so does saving a copy loaded without its names (it
    writes what it loaded). The records' synonyms edited in place, as a form or a script
    does, retire them, and so does putting them back as they were loaded."""
    from monographs.models import AdverseEventTerm, Condition
    from tests.factories import AdverseEventTermFactory, ConditionFactory

    publish_drug(summary="Used in hepatocellular carcinoma.")
    ConditionFactory(name="Hepatocellular carcinoma", slug="hcc", synonyms=["liver cancer"])
    AdverseEventTermFactory(name="Hypertension", slug="hypertension", synonyms=["high bp"])
    url = "/api/v1/search/?q=hepatoma"
    assert [client.get(url)["X-Cache"] for _ in range(2)] == ["miss", "hit"]
    retired = responses_retired(monkeypatch)

    term = AdverseEventTerm.objects.get(slug="hypertension")
    term.system_organ_class = "Vascular disorders"
    term.save()
    condition = Condition.objects.get(slug="hcc")
    condition.slug = "hepatocellular-carcinoma"
    condition.save()
    partly_loaded = Condition.objects.only("slug").get(slug="hepatocellular-carcinoma")
    assert (retired, client.get(url)["X-Cache"]) == ([], "hit")

    partly_loaded.save()  # it writes only the slug it loaded
    assert retired == []
    condition = Condition.objects.get(slug="hepatocellular-carcinoma")
    condition.synonyms.append("hepatoma")
    condition.save()
    assert retired == [[SEARCH_KEY]]
    again = client.get(url)
    assert (again["X-Cache"], again.json()["total"]) == ("miss", 1)

    # The same instance put back as it was: a change, though the names match those loaded.
    condition.synonyms.remove("hepatoma")
    condition.save()
    assert retired == [[SEARCH_KEY]] * 2
    assert client.get(url).json()["total"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_save_from_an_older_copy_never_puts_back_names_unretired(response_cache, monkeypatch):
    """A copy loaded before another process changed the names, saved for its organ class,
    leaves the new names in place (it does not write them back unannounced); a copy
    refreshed from the database knows the names it holds."""
    from monographs.models import AdverseEventTerm
    from tests.factories import AdverseEventTermFactory

    AdverseEventTermFactory(name="Hypertension", slug="hypertension", synonyms=["high bp"])
    older = AdverseEventTerm.objects.get(slug="hypertension")
    newer = AdverseEventTerm.objects.get(slug="hypertension")
    newer.synonyms = ["raised blood pressure"]
    newer.save()
    retired = responses_retired(monkeypatch)

    older.system_organ_class = "Vascular disorders"
    older.save()
    stored = AdverseEventTerm.objects.get(slug="hypertension")
    assert (stored.synonyms, stored.system_organ_class) == (
        ["raised blood pressure"],
        "Vascular disorders",
    )
    assert retired == []

    older.refresh_from_db()
    older.synonyms = ["high bp"]
    older.save()
    assert retired == [[SEARCH_KEY]]
    assert AdverseEventTerm.objects.get(slug="hypertension").synonyms == ["high bp"]


@pytest.mark.django_db(transaction=True)
def test_a_copy_whose_row_was_deleted_since_is_saved_whole(response_cache, monkeypatch):
    """A term deleted by another process after an editor loaded it is inserted again by the
    editor's save, names and all (as Django saves any record), and the searches retired;
    in a transaction too, as the admin saves."""
    from django.db import transaction

    from monographs.models import AdverseEventTerm
    from tests.factories import AdverseEventTermFactory

    AdverseEventTermFactory(name="Hypertension", slug="hypertension", synonyms=["high bp"])
    loaded = AdverseEventTerm.objects.get(slug="hypertension")
    AdverseEventTerm.objects.filter(pk=loaded.pk).delete()
    retired = responses_retired(monkeypatch)

    loaded.system_organ_class = "Vascular disorders"
    with transaction.atomic():
        loaded.save()

    stored = AdverseEventTerm.objects.get(pk=loaded.pk)
    assert (stored.name, stored.synonyms, stored.system_organ_class) == (
        "Hypertension",
        ["high bp"],
        "Vascular disorders",
    )
    assert retired == [[SEARCH_KEY]]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_saving_many_names_leaves_one_callback_of_each_kind(response_cache):
    """A load saving thousands of terms leaves the vocabulary's generation and the searches'
    retirement for after its commit once each, not once per term: a retirement is a purge
    sent to every proxy, and each save read the list of the callbacks left before it."""
    from django.db import connection, transaction

    from monographs.search.vocabulary import search_vocabulary_generation
    from tests.factories import AdverseEventTermFactory

    before = search_vocabulary_generation()
    with transaction.atomic():
        AdverseEventTermFactory.create_batch(200)
        pending = [callback for _, callback, _ in connection.run_on_commit]
        during = search_vocabulary_generation()
    assert [callback.key for callback in pending] == [
        "search-vocabulary-generation",
        ("responses-invalidate", (SEARCH_KEY,)),
    ]
    assert len({before, during, search_vocabulary_generation()}) == 3


def responses_retired(monkeypatch) -> list[list[str]]:
    """The keys of each retirement of responses from now on."""
    from monographs.publishing import cache as response_cache

    retired = []
    invalidate = response_cache.responses_invalidate

    def recorded(*, keys, **kwargs):
        retired.append(list(keys))
        invalidate(keys=keys, **kwargs)

    monkeypatch.setattr(response_cache, "responses_invalidate", recorded)
    return retired


@pytest.mark.django_db(transaction=True)
def test_the_about_page_follows_who_the_reviewers_are(
    response_cache, publish_drug, client, monkeypatch, django_user_model
):
    """The about page names the reviewers: one who joins, is renamed, leaves or is
    deactivated, and a Reviewer group renamed, show at once, not after the next publish; a
    login (which saves the user) retires nothing."""
    from django.contrib.auth.models import Group

    from monographs.editorial.roles import REVIEWER
    from monographs.publishing.cache import REVIEWERS_KEY

    publish_drug()
    reviewers = Group.objects.get_or_create(name=REVIEWER)[0]
    user = django_user_model.objects.create_user("ada", password="pw", first_name="Ada")
    user.last_name = "Lovelace"
    user.save()
    assert [client.get("/about/")["X-Cache"] for _ in range(2)] == ["miss", "hit"]
    retired = responses_retired(monkeypatch)

    user.groups.add(reviewers)
    joined = client.get("/about/")
    Client().force_login(user)  # saves the time of the login
    user.refresh_from_db()
    user.first_name = "Augusta Ada"
    user.save(update_fields=["first_name"])
    renamed = client.get("/about/")
    reviewers.user_set.remove(user)
    left = client.get("/about/")
    reviewers.user_set.add(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    deactivated = client.get("/about/")
    user.is_active = True
    user.save()
    reviewers.name = "Former reviewers"
    reviewers.save()
    group_renamed = client.get("/about/")

    assert retired == [[REVIEWERS_KEY]] * 7
    answers = (joined, renamed, left, deactivated, group_renamed)
    assert [answer["X-Cache"] for answer in answers] == ["miss"] * 5
    assert b"Ada Lovelace" in joined.content
    assert b"Augusta Ada Lovelace" in renamed.content
    assert b"Lovelace" not in left.content
    assert b"Lovelace" not in deactivated.content
    assert b"Lovelace" not in group_renamed.content


def test_a_browser_holding_the_about_or_a_search_page_gets_it_again_after_a_change(
    publish_drug, client, django_user_model
):
    """Pages that show what no publish changes are validated by it too: after a reviewer
    joins, or a synonym changes how a query reads, the browser's copy is not confirmed
    with a 304 (and no Last-Modified, which dates only publishes, is sent to confirm it by)."""
    from django.contrib.auth.models import Group

    from monographs.editorial.roles import REVIEWER
    from tests.factories import ConditionFactory

    publish_drug(summary="Used in hepatocellular carcinoma.")
    condition = ConditionFactory(name="Hepatocellular carcinoma", slug="hcc", synonyms=[])
    pages = ["/about/", "/search/?q=hepatoma"]
    held = {url: client.get(url) for url in pages}
    assert all(not response.has_header("Last-Modified") for response in held.values())
    unchanged = [client.get(url, headers={"If-None-Match": held[url]["ETag"]}) for url in pages]

    user = django_user_model.objects.create_user("ada", first_name="Ada", last_name="Lovelace")
    user.groups.add(Group.objects.get_or_create(name=REVIEWER)[0])
    condition.synonyms = ["hepatoma"]
    condition.save()
    again = {url: client.get(url, headers={"If-None-Match": held[url]["ETag"]}) for url in pages}

    assert [response.status_code for response in unchanged] == [304, 304]
    assert [response.status_code for response in again.values()] == [200, 200]
    assert b"Ada Lovelace" in again["/about/"].content
    assert b"sorafenib" in again["/search/?q=hepatoma"].content.lower()
    assert b"sorafenib" not in held["/search/?q=hepatoma"].content.lower()


def test_misses_counted_when_full_forget_the_older_half(monkeypatch):
    """A stream of keys missed once does not push out a key missed again since."""
    from monographs.publishing import cache as response_cache

    monkeypatch.setattr(response_cache, "_MISSES", {})
    monkeypatch.setattr(response_cache, "KEYS_REMEMBERED", 4)
    worth = [response_cache._worth_storing(key, from_miss=2) for key in "abcd"]
    response_cache._worth_storing("a", from_miss=3)  # asked again: now the newest
    for key in "ef":
        response_cache._worth_storing(key, from_miss=2)

    assert worth == [False] * 4
    assert response_cache._worth_storing("a", from_miss=3)  # its third miss: stored
    assert not response_cache._worth_storing("b", from_miss=2)  # forgotten: a first miss again


@pytest.mark.parametrize("url", [DRUG_PAGE, "/api/v1/drugs/sorafenib/"])
def test_stored_entry_pages_and_details_never_touch_the_cache(
    url, response_cache, publish_drug, client, settings, monkeypatch, django_assert_num_queries
):
    """An anonymous read of a stored page or detail is its one indexed read: no lookup in front
    of it (which would cost as much and add a round trip when it missed), nothing written to
    the cache, and the new version the moment its publish commits."""
    settings.SERVE_STORED_PAGES = True
    publish_drug(summary="First summary.")
    backend = caches["default"]
    calls = []

    def counted(name, method):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return method(*args, **kwargs)

        return wrapper

    with monkeypatch.context() as patched:
        for name in ("get", "get_many", "set", "add", "incr", "set_many", "has_key", "delete"):
            patched.setattr(backend, name, counted(name, getattr(backend, name)))
        with django_assert_num_queries(1):
            first = client.get(url)
        etag = first["ETag"]
        with django_assert_num_queries(1):
            again = client.get(url, headers={"If-None-Match": etag})

    assert (first.status_code, again.status_code) == (200, 304)
    assert calls == []
    assert "X-Cache" not in first and first["Surrogate-Key"].split()[0] == "drug:sorafenib"

    publish_drug(summary="Second summary.")

    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and b"Second summary." in fresh.content

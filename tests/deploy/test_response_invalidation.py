"""Per-entry invalidation of the response cache, over a real Redis: a publish or withdrawal
retires exactly the responses that show what changed (and the bounded groups of its kind);
every dependent page shows the new state at once, and an unrelated entry stays cached."""

import logging
import os
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db.models import Q
from django.http import HttpResponse
from django.test import RequestFactory

from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing import cache as response_cache
from monographs.publishing.cache import PublishedResponseCacheMiddleware, responses_invalidate
from monographs.publishing.models import Entry
from monographs.site.models import StoredPage
from monographs.site.stored import pages_forget
from tests.deploy.conftest import CACHE_SECONDS, REDIS, REDIS_URL, delete_prefixed, require_redis
from tests.factories import TrialFactory

TRIAL = "sharp-redis"
DEPENDENT = [
    "/drugs/sorafenib/",
    f"/trials/{TRIAL}/",
    f"/api/v1/trials/{TRIAL}/",
    "/drugs/",
    "/trials/",
    "/api/v1/trials/",
    "/",
    "/feed/",
    "/sitemap.xml",
]
# The trial's drug is retired too, its API detail with its page: a trial names the pages it
# appears on by their entry's key, which a new trial is not yet among.
UNRELATED = [
    "/drugs/lenvatinib/",
    "/api/v1/drugs/lenvatinib/",
    "/api/v1/drugs/lenvatinib/versions/",
]


@pytest.fixture
def redis_response_cache(settings):
    """The response cache over a real Redis, under a key prefix of this test's own, with entry
    pages and API details rendered by their views: stored ones are answered above the cache
    and never reach it (tests/deploy/test_cache.py), so the entries' keys retire what the
    cache holds of pages rendered live."""
    client = require_redis()
    prefix = f"test-invalidation-{uuid.uuid4().hex}"
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = CACHE_SECONDS
    settings.SERVE_STORED_PAGES = False
    settings.CACHES = {"default": {"BACKEND": REDIS, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    try:
        yield
    finally:
        caches["default"].close()
        delete_prefixed(client, prefix)


@pytest.fixture
def publish_trial(db, django_capture_on_commit_callbacks):
    def publish(summary: str, *, drugs=()):
        trial = TrialFactory._meta.model.objects.filter(slug=TRIAL).first()
        if trial is None:
            trial = TrialFactory(slug=TRIAL, acronym="SHARPR", summary=summary)
        trial.summary = summary
        trial.save()
        if drugs:
            trial.drugs.set(drugs)
        with django_capture_on_commit_callbacks(execute=True):
            root_import_publish(root=trial, note="test")
        return trial

    return publish


def cached(client, urls):
    """Read each URL until it is a hit (an API detail answered by its view and a search may
    be cached from a later miss than the first); returns the bodies."""
    bodies = {}
    later = max(
        settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES,
        settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES,
    )
    for url in urls:
        misses = [client.get(url) for _ in range(later)]
        assert [response.status_code for response in misses] == [200] * len(misses), url
        again = client.get(url)
        assert again["X-Cache"] == "hit", url
        bodies[url] = again.content
    return bodies


def test_a_publish_and_a_withdrawal_retire_exactly_the_responses_that_show_them(
    redis_response_cache,
    publish_drug,
    publish_trial,
    reviewer,
    client,
    django_capture_on_commit_callbacks,
):
    sorafenib = publish_drug("sorafenib")
    publish_drug("lenvatinib")
    trial = publish_trial("Summary zqfirstx.", drugs=[sorafenib])
    before = cached(client, DEPENDENT + UNRELATED)
    assert b"SHARPR" in before["/drugs/sorafenib/"]

    publish_trial("Summary zqsecondx.")

    for url in DEPENDENT:
        fresh = client.get(url)
        assert fresh.status_code == 200, url
        assert fresh["X-Cache"] == "miss", f"{url} was not retired by the trial's publish"
    for url in (f"/trials/{TRIAL}/", f"/api/v1/trials/{TRIAL}/"):
        assert b"zqsecondx" in client.get(url).content, url
    for url in UNRELATED:
        assert client.get(url)["X-Cache"] == "hit", f"{url} was retired by an unrelated publish"

    cached(client, DEPENDENT)
    with django_capture_on_commit_callbacks(execute=True):
        root_withdraw(root=trial, user=reviewer, reason="Checking a figure.")

    assert client.get(f"/trials/{TRIAL}/").status_code == 410
    assert client.get(f"/api/v1/trials/{TRIAL}/").status_code == 410
    drug_page = client.get("/drugs/sorafenib/")
    assert drug_page["X-Cache"] == "miss"
    assert b"SHARPR" not in drug_page.content
    for url in UNRELATED:
        assert client.get(url)["X-Cache"] == "hit", url


def test_a_new_trial_appears_at_once_on_the_cached_page_of_its_drug(
    redis_response_cache, publish_drug, publish_trial, client
):
    sorafenib = publish_drug("sorafenib")
    publish_drug("lenvatinib")
    cached(client, ["/drugs/sorafenib/", "/drugs/lenvatinib/"])
    assert b"SHARPR" not in client.get("/drugs/sorafenib/").content

    publish_trial("Summary zqnewx.", drugs=[sorafenib])

    fresh = client.get("/drugs/sorafenib/")
    assert fresh["X-Cache"] == "miss"
    assert b"SHARPR" in fresh.content
    assert client.get("/drugs/lenvatinib/")["X-Cache"] == "hit"


def test_a_page_no_longer_stored_is_never_answered_by_a_live_render_cached_before(
    redis_response_cache,
    publish_drug,
    publish_trial,
    client,
    settings,
    reviewer,
    django_capture_on_commit_callbacks,
):
    """Stored pages are answered above the response cache; one forgotten (a withdrawal, a
    batch of a corpus load) is read through the cache again, which may hold a live render
    from before it was stored. What forgot it retires that copy too."""
    settings.SERVE_STORED_PAGES = True
    sorafenib = publish_drug("sorafenib")
    drug_page = Q(entry_id=Entry.objects.get(kind="drug", slug="sorafenib").pk)
    pages_forget(drug_page)
    live = [client.get("/drugs/sorafenib/") for _ in range(2)]
    assert [page["X-Cache"] for page in live] == ["miss", "hit"]
    call_command("render_stored_pages", stdout=StringIO())
    assert not client.get("/drugs/sorafenib/").has_header("X-Cache")  # its stored render

    publish_trial("Summary zqnewx.", drugs=[sorafenib])
    stored = client.get("/drugs/sorafenib/")
    assert not stored.has_header("X-Cache") and b"SHARPR" in stored.content

    with django_capture_on_commit_callbacks(execute=True):
        root_withdraw(root=sorafenib, user=reviewer, reason="Checking a figure.")

    assert not StoredPage.objects.filter(drug_page).exists()
    assert client.get("/drugs/sorafenib/").status_code == 410


def test_every_public_response_names_what_it_depends_on(publish_drug, client):
    publish_drug("sorafenib")
    expected = {
        "/drugs/sorafenib/": "drug:sorafenib",
        "/api/v1/drugs/sorafenib/": "drug:sorafenib",
        "/api/v1/drugs/sorafenib/versions/": "drug:sorafenib",
        "/api/v1/drugs/": "drugs",
        "/drugs/": "drugs trials",
        "/search/?q=sorafenib": "search",
        "/": "list",
        "/sitemap.xml": "list",
    }
    for url, keys in expected.items():
        response = client.get(url)
        assert set(keys.split()) <= set(response["Surrogate-Key"].split()), url


def test_a_render_overlapping_a_publish_is_served_but_stored_by_no_cache(redis_response_cache):
    """A publish committing while a page renders: the render may show the state before it."""
    renders = []

    def view(request):
        renders.append(request.path)
        if len(renders) == 1:
            responses_invalidate(keys=["drug:elsewhere"])  # another node's publish commits
        response = HttpResponse(b"page")
        response["Surrogate-Key"] = "drug:sorafenib"
        return response

    middleware = PublishedResponseCacheMiddleware(view)
    first = middleware(RequestFactory().get("/drugs/sorafenib/"))
    assert first.content == b"page"
    assert first["Surrogate-Control"] == "no-store"
    assert "X-Cache" in first

    second = middleware(RequestFactory().get("/drugs/sorafenib/"))
    assert len(renders) == 2, "the overlapping render was stored"
    assert "Surrogate-Control" not in second
    assert middleware(RequestFactory().get("/drugs/sorafenib/"))["X-Cache"] == "hit"


def test_a_render_overlapping_a_publish_is_not_stored_with_the_counters_read_before_it(
    redis_response_cache,
):
    """A URL seen before has its counters read with the lookup, and they become the stored
    snapshot; a publish committing during the render is still caught by the generation."""
    state = {"version": 1, "publish_while_rendering": False}

    def view(request):
        response = HttpResponse(f"version {state['version']}".encode())
        if state["publish_while_rendering"]:
            state.update(version=2, publish_while_rendering=False)
            responses_invalidate(keys=["drug:sorafenib"])
        response["Surrogate-Key"] = "drug:sorafenib"
        return response

    middleware = PublishedResponseCacheMiddleware(view)

    def read():
        return middleware(RequestFactory().get("/drugs/sorafenib/"))

    assert read().content == b"version 1"
    assert read()["X-Cache"] == "hit"
    responses_invalidate(keys=["drug:sorafenib"])
    state["publish_while_rendering"] = True

    overlapped = read()
    assert overlapped.content == b"version 1"
    assert overlapped["Surrogate-Control"] == "no-store"
    fresh = read()
    assert fresh.content == b"version 2"
    assert fresh["X-Cache"] == "miss"
    assert read()["X-Cache"] == "hit"


class PurgeRecorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str | None]] = []
    arrived: list[float] = []

    def do_PURGE(self):  # noqa: N802 (the method's name is the HTTP verb)
        self.arrived.append(time.monotonic())
        self.received.append((self.path, self.headers.get("xkey-purge")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_recorder(settings):
    """A purge listener; purges are sent once unless a test asks for the repeat."""
    settings.CACHE_PURGE_REPEAT = 0
    PurgeRecorder.received = []
    PurgeRecorder.arrived = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", PurgeRecorder.received
    finally:
        server.shutdown()
        server.server_close()


def test_the_proxies_are_purged_of_the_keys_after_the_commit(
    settings, purge_recorder, publish_drug, django_capture_on_commit_callbacks
):
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    drug = publish_drug("sorafenib")
    received.clear()
    drug.summary = "Changed."
    drug.save(update_fields=["summary"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        root_import_publish(root=drug, note="test")
    assert received == [], "purged before the commit: a proxy could fetch the old page again"
    for callback in callbacks:
        callback()

    assert len(received) == 1
    path, keys = received[0]
    assert path == "/"
    assert {"drug:sorafenib", "drugs", "search", "list"} <= set(keys.split())


def test_many_keys_are_purged_in_headers_a_proxy_accepts(settings, purge_recorder):
    """Varnish refuses a header over 8 kB: a purge naming many keys sends several."""
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    keys = [f"term:a-long-adverse-event-term-{n}" for n in range(400)]

    response_cache.proxies_purge(keys=keys)

    headers = [header for _path, header in received]
    assert len(headers) > 1
    assert all(len(header) <= response_cache.PURGE_HEADER_LIMIT for header in headers)
    assert " ".join(headers).split() == keys


def purges_awaited(received: list, count: int, *, seconds: float = 10.0) -> list:
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return list(received)


def test_each_purge_is_sent_again_after_the_delay(settings, purge_recorder):
    """A stored page read just before the commit can reach the proxy after the first purge:
    the second drops it."""
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    settings.CACHE_PURGE_REPEAT = 0.3

    response_cache.proxies_purge(keys=["drug:sorafenib", "drugs", "search", "trial:sharp"])

    assert received == [("/", "drug:sorafenib drugs search trial:sharp")], "sent at once"
    assert purges_awaited(received, 2)[1] == ("/", "drug:sorafenib trial:sharp")
    assert PurgeRecorder.arrived[1] - PurgeRecorder.arrived[0] >= 0.3
    time.sleep(0.5)
    assert len(received) == 2, "repeated once, and only the entries' keys: the lists and "
    "search are not stored pages, and a render that overlapped the publish is not kept"


def test_a_purge_of_no_entry_is_not_repeated(settings, purge_recorder):
    """A start or an upgrade purges the whole site: once is enough, and gunicorn's master,
    which purges before it forks its workers, starts no thread."""
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    settings.CACHE_PURGE_REPEAT = 0.1

    response_cache.responses_invalidate_all()

    assert response_cache._purges_repeated._timer is None
    time.sleep(0.3)
    assert [header for _path, header in received] == ["site"]


def test_a_shorter_delay_is_not_held_behind_a_longer_one(settings, purge_recorder):
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    settings.CACHE_PURGE_REPEAT = 5
    response_cache.proxies_purge(keys=["drug:a"])
    settings.CACHE_PURGE_REPEAT = 0.2

    response_cache.proxies_purge(keys=["drug:b"])

    assert purges_awaited(received, 3, seconds=2) == [
        ("/", "drug:a"),
        ("/", "drug:b"),
        ("/", "drug:b"),
    ]
    assert response_cache._purges_repeated._timer is not None, "drug:a is still to repeat"


def test_a_key_purged_again_before_its_repeat_is_repeated_once_the_delay_after(
    settings, purge_recorder
):
    """Publishes in quick succession (a load, an import) share one timer; each key is sent
    again once, never sooner than the delay after its last purge."""
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    settings.CACHE_PURGE_REPEAT = 0.4

    response_cache.proxies_purge(keys=["drug:a", "drug:b"])
    first = time.monotonic()
    time.sleep(0.2)
    response_cache.proxies_purge(keys=["drug:b", "drug:c"])
    second = time.monotonic()

    purges_awaited(received, 4)
    time.sleep(0.6)
    assert [header for _path, header in received] == [
        "drug:a drug:b",
        "drug:b drug:c",
        "drug:a",
        "drug:b drug:c",
    ]
    assert PurgeRecorder.arrived[2] >= first + 0.4
    assert PurgeRecorder.arrived[3] >= second + 0.4


def test_a_forked_worker_repeats_its_own_purges(settings, purge_recorder):
    """gunicorn's master purges at start and forks its workers within the delay: a worker
    inherits the master's pending repeat but not its timer thread, and must not wait on it."""
    url, received = purge_recorder
    settings.CACHE_PURGE_URLS = [url]
    settings.CACHE_PURGE_REPEAT = 10
    response_cache.proxies_purge(keys=["trial:sharp"])
    settings.CACHE_PURGE_REPEAT = 0.2
    child = os.fork()
    if child == 0:  # the worker: purges, waits for its repeat, and leaves at once
        try:
            response_cache.proxies_purge(keys=["drug:sorafenib"])
            response_cache._purges_repeated._timer.join(10)
        finally:
            os._exit(0)
    os.waitpid(child, 0)

    headers = [header for _path, header in received]
    assert headers == ["trial:sharp", "drug:sorafenib", "drug:sorafenib"]


def test_a_change_naming_more_keys_than_are_retired_one_by_one_retires_everything(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from monographs.site import invalidation

    retired = []
    monkeypatch.setattr(invalidation, "RESPONSES_RETIRED_ONE_BY_ONE", 3)
    monkeypatch.setattr(
        response_cache, "responses_invalidate", lambda *, keys, **kw: retired.append(keys)
    )
    with django_capture_on_commit_callbacks(execute=True):
        invalidation._retire({"a", "b", "c"})
        invalidation._retire({"a", "b", "c", "d"})

    assert retired == [["a", "b", "c"], [response_cache.SITE_KEY]]


def test_a_proxy_that_cannot_be_reached_never_fails_the_publish(
    settings, publish_drug, caplog, client
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{closed_port}/"]

    with caplog.at_level(logging.WARNING, logger="monographs.publishing.cache"):
        publish_drug("sorafenib", summary="Published although the proxy is down.")

    assert "Purge of" in caplog.text
    assert b"Published although the proxy is down." in client.get("/drugs/sorafenib/").content


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys of each get_many the cache is asked, in order."""
    reads = []
    backend = type(caches["default"])
    get_many = backend.get_many

    def counted(self, keys, version=None):
        reads.append(list(keys))
        return get_many(self, keys, version=version)

    monkeypatch.setattr(backend, "get_many", counted)
    return reads


def test_a_response_is_checked_on_every_key_of_its_own_when_the_guess_missed_some(
    redis_response_cache, cache_reads
):
    """The lookup reads the counters of the keys the URL depended on when this process last
    saw it; a response that has come to depend on another key since is checked on that one
    too, in a second round trip, and retired when it moves."""
    keys = ["drug:sorafenib"]

    def view(request):
        response = HttpResponse(b"page")
        response["Surrogate-Key"] = " ".join(keys)
        return response

    middleware = PublishedResponseCacheMiddleware(view)

    def read():
        return middleware(RequestFactory().get("/drugs/sorafenib/"))

    read()
    assert read()["X-Cache"] == "hit"
    keys.append(f"trial:{TRIAL}")
    responses_invalidate(keys=["drug:sorafenib"])
    assert read()["X-Cache"] == "miss"  # stored again, now depending on the trial too
    response_cache._KEYS_BY_URL.clear()  # another process: it has not seen the trial's key
    cache_reads.clear()

    assert read()["X-Cache"] == "hit"
    assert len(cache_reads) == 2
    responses_invalidate(keys=[f"trial:{TRIAL}"])
    assert read()["X-Cache"] == "miss"


def test_a_term_page_is_retired_by_what_reports_the_term_and_by_nothing_else(
    redis_response_cache, client, reviewer, django_capture_on_commit_callbacks
):
    """A term page shows the live entries whose current version reports the term: their
    publish or withdrawal retires it, a version that stops reporting it too; a publish of
    anything else leaves it cached."""
    from tests.factories import AdverseEventTermFactory, CitationFactory, DrugAdverseEventFactory
    from tests.site.corpus import drug_with_monograph, published_drug, published_trial
    from trials.models import TrialAdverseEvent

    def publish(root) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            root_import_publish(root=root, note="test")

    def withdraw(root) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            root_withdraw(root=root, user=reviewer, reason="Checking a figure.")

    kept, changed = AdverseEventTermFactory(), AdverseEventTermFactory()
    with django_capture_on_commit_callbacks(execute=True):
        drug = published_drug()
        reporting = published_trial(drugs=[drug], acronym="ZQREPORTS")
        other = published_trial(drugs=[drug], acronym="ZQOTHER")
    TrialAdverseEvent.objects.filter(trial=reporting).update(term=changed)
    TrialAdverseEvent.objects.filter(trial=other).update(term=kept)
    publish(reporting)
    publish(other)
    kept_page, changed_page = (f"/adverse-events/{term.slug}/" for term in (kept, changed))
    cached(client, [kept_page, changed_page])
    assert client.get(kept_page)["Surrogate-Key"] == f"term:{kept.slug}"

    reporting.summary = "A new summary."
    reporting.save()
    publish(reporting)
    assert client.get(changed_page)["X-Cache"] == "miss"
    assert client.get(kept_page)["X-Cache"] == "hit", "retired by a trial not reporting it"

    cached(client, [changed_page])
    TrialAdverseEvent.objects.filter(trial=reporting).update(term=kept)
    publish(reporting)
    assert client.get(changed_page).status_code == 404  # no live version reports it now
    now = client.get(kept_page)
    assert now["X-Cache"] == "miss" and b"ZQREPORTS" in now.content

    cached(client, [kept_page])
    withdraw(other)
    after = client.get(kept_page)
    assert after["X-Cache"] == "miss"
    assert b"ZQOTHER" not in after.content and b"ZQREPORTS" in after.content

    # A drug's monograph reporting the term, then withdrawn.
    cached(client, [kept_page])
    reporting_drug = drug_with_monograph(inn="zqdrugumab", slug="zqdrugumab")
    DrugAdverseEventFactory(drug=reporting_drug, term=kept, citation=CitationFactory())
    publish(reporting_drug)
    with_drug = client.get(kept_page)
    assert with_drug["X-Cache"] == "miss" and b"Zqdrugumab" in with_drug.content
    cached(client, [kept_page])
    withdraw(reporting_drug)
    without = client.get(kept_page)
    assert without["X-Cache"] == "miss" and b"Zqdrugumab" not in without.content

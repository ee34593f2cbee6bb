"""Public pages and API responses, kept in the shared cache until what they show changes.

Each stored response carries the keys it depends on: the entry keys of its Surrogate-Key
header (an entry page names every entry it shows or links to; an API detail names its
entry; an adverse-event term's page the term, site.invalidation.term_page_key), or, for
pages built from many entries, a bounded group key (GROUP_KEYS): `drugs` or `trials` for a
kind's list, `search` for search, and `list` for everything else (home, feed, sitemaps, the
index of terms, references, exports, versions). Every key has a generation counter in the
cache. A publish or withdrawal, once committed, increments the counters of the entries it
changes and of the groups its kind belongs to (responses_invalidate); a response is served
only while every counter it depends on still has the value it had when the response was
rendered. So a publish makes cold exactly the pages that show what changed, plus the bounded
groups; every other page on every node stays cached. Every response also depends on SITE_KEY,
which only an upgrade or a rebuild of the read tables bumps (responses_invalidate_all).
An anonymous read of an entry page or API detail stored at publish is answered above this
middleware (site.middleware.StoredPageMiddleware), from one indexed read that costs what a
lookup here costs, and never reaches it; those their views render are kept like any other.

Why counters read at lookup, and not an index from each key to the responses stored with it:
an index has to be kept in step by every app server writing responses while others delete
them, and an entry stored just after a purge read the index is missed. A counter is one
atomic INCR, and a stale snapshot cannot match a counter that has moved.

The race a counter alone does not close: a node renders from the data as it was before a
publish committed, the publish commits and bumps, and only then does the node read the
counters to store its render, stale, with the new values. So the node reads one more
counter, the publication generation (GENERATION_KEY), before rendering and again with the
dependencies' counters after: the bump increments the generation first and the dependencies
after, so a node that rendered before the commit either snapshots the old counters (the
dependencies' INCR then retires its entry) or sees the generation moved and does not store
its render. A render that only overlaps a publish is not stored: it is served, and the next
reader stores it. Replicas do not change this: the bump runs after the commit, which returns
only once the replicas have applied it (synchronous replication, docs/deploy.md).

The cache must be shared by every process (Redis through REDIS_URL): with the per-process
local-memory cache a bump in one worker is invisible to the others, so settings turn the
response cache off (PUBLISHED_RESPONSE_CACHE_SECONDS = 0) unless REDIS_URL is set.

A hit costs no SQL query and one cache round trip: the stored response, the generation and
the counters of the keys the same URL depended on when last seen by this process (one MGET;
a second for the counters of keys it did not depend on then). Entries are keyed by URL and
by the request headers public responses may vary on (VARY_HEADERS; the site's pages not by
those only the API's vary on). If-None-Match and If-Modified-Since are answered from the
cached validators, so conditional GET keeps working.
"""

import hashlib
import http.client
import logging
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import (
    NoReverseMatch,
    URLResolver,
    get_resolver,
    get_script_prefix,
    get_urlconf,
    reverse,
)
from django.utils.cache import cc_delim_re, get_conditional_response, has_vary_header
from django.utils.http import parse_http_date_safe
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from monographs.editorial import registry

logger = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "published-generation"
COUNTER_PREFIX = "published-key."
# Every response depends on it; only responses_invalidate_all moves it.
SITE_KEY = "site"
# Pages built from entries of every kind (home, feed, sitemaps, the index of terms,
# references, exports, versions): every publish or withdrawal retires them.
LIST_KEY = "list"
SEARCH_KEY = "search"
# The about page names the reviewers: a change of who they are retires it.
REVIEWERS_KEY = "reviewers"
# Group keys of the pages built from many entries, by URL name; a kind's API list is tagged
# with the kind's plural (its group), entry details with the entry's key, anything else that
# names no keys of its own (a term's page names its term) LIST_KEY.
# The public lists filter and link across kinds, so they depend on both groups.
GROUP_KEYS: dict[str, tuple[str, ...]] = {
    "monographs:drug_list": ("drugs", "trials"),
    "trials:trial_list": ("trials", "drugs"),
    "monographs:search": (SEARCH_KEY,),
    "api:search": (SEARCH_KEY,),
    "monographs:about": (LIST_KEY, REVIEWERS_KEY),
}
# A response may name, in this attribute, the miss in this process from which it is worth
# storing (1, at once, when it names none): its view knows whether it is likely to be asked
# for again before it is retired, and what remaking it costs. An entry's API detail that its
# view answers (asked with ?fields= or from another origin) is written from the stored head
# and document, one indexed read, so it is cached from PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES
# (2 by default): an entry read once (a link followed from outside, a crawl or a mirror
# reading every entry, a request with a header value nobody else sends) would cost the cache
# the write of its body for nothing. A search (PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES, 2 by
# default) is asked for once more often than not, and every publish retires all of them
# (SEARCH_KEY), so most stored searches would never be read; a query asked again is stored
# at its second miss in a process.
STORE_FROM_MISS_ATTRIBUTE = "published_cache_store_from_miss"
# Set on an API response that is not DRF's own (an entry's stored detail): replayed from the
# cache, it counts towards the reader's rate limit like every API response.
RATE_LIMITED_ATTRIBUTE = "published_cache_rate_limited"
CACHEABLE_STATUSES = frozenset({200, 410})
UNCACHEABLE_DIRECTIVES = ("private", "no-store", "max-age=0")
CACHE_UNAVAILABLE = (RedisError, OSError)
# Request headers a public response may vary on; each is part of the cache key. A response
# varying on any other header is not stored. Not Accept-Language: no public response varies
# on it, and readers send it in as many forms as they have browsers and languages, each a
# copy of the page of its own, each missed once.
VARY_HEADERS = ("accept", "accept-encoding", "origin")
# Of those, the headers only the API's responses vary on: its views choose JSON or the
# browsable rendering by Accept, and CORS (CORS_URLS_REGEX) answers an Origin under its prefix
# only. The site's pages are keyed without them, so a page is stored once for every browser:
# each writes Accept its own way (Chromium's, Firefox's and a crawler's "*/*" are three
# spellings, three copies and three misses otherwise). A site response that does vary on one
# of them is not stored (_response_is_storable), so the key never serves a reader what was
# chosen for another.
API_ONLY_VARY_HEADERS = frozenset({"accept", "origin"})
# The content codings the key tells apart. Accept-Encoding is part of the key as the set of
# these it allows or refuses (q=0), so "gzip, deflate, br" and "br, gzip;q=1.0, deflate"
# share a stored response: the site's encodings depend on which codings are allowed, never
# on how the header is written. Code choosing a response by the header reads it through
# content_codings, and chooses by these codings only.
CONTENT_CODINGS = frozenset(
    {"*", "br", "compress", "deflate", "gzip", "identity", "x-gzip", "zstd"}
)


def entry_key(kind: str, slug: str) -> str:
    """The key naming an entry in stored pages and in Surrogate-Key / Cache-Tag headers."""
    return f"{kind}:{slug}"


def kind_group_keys(kind: str) -> tuple[str, ...]:
    """The bounded groups any publish or withdrawal of an entry of this kind retires."""
    return (registry.root_kind(kind).plural, SEARCH_KEY, LIST_KEY)


def published_generation() -> int:
    """The current generation, started from the clock when the cache has none.

    Starting from the clock rather than from 0 means a counter lost to eviction or a
    restart of the cache never comes back to a value whose entries may still be stored.
    """
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _counter_bump(name: str) -> None:
    try:
        cache.incr(name)
    except ValueError:
        cache.set(name, time.time_ns(), timeout=None)


def published_generation_bump() -> None:
    """Recompute the values derived from every publication (published_value), and keep any
    render overlapping this moment out of the response cache. Call it once the publish has
    committed: called earlier, another node could compute from data not yet committed (or
    not yet on its replica) and store that under the new generation.
    """
    _counter_bump(GENERATION_KEY)


def responses_invalidate(*, keys: Iterable[str], purge_proxies: bool = True) -> None:
    """Retire, on every node, the cached responses depending on any of the keys, and purge
    them from the caching proxies in front (CACHE_PURGE_URLS), unless the keys are ones no
    response names to the proxies (purge_proxies=False). Call it once the publish or
    withdrawal has committed (transaction.on_commit), for the reason published_generation_bump
    gives. The generation moves first, the keys' counters after: see the module docstring.
    """
    keys = sorted(set(keys))
    try:
        published_generation_bump()
        for key in keys:
            _counter_bump(COUNTER_PREFIX + key)
    except CACHE_UNAVAILABLE as error:
        logger.warning("Cache unavailable, responses of %s not retired: %s", keys, error)
    if purge_proxies:
        proxies_purge(keys=keys)


@dataclass
class _Once:
    """An action left for after a commit under a key. A commit empties the connection's list
    of such callbacks before running them; a test's capture of them runs them and leaves them
    there, so `done` tells a pending one from one that ran."""

    key: Hashable
    action: Callable[[], None]
    done: bool = False

    def __call__(self) -> None:
        self.done = True
        self.action()


def on_commit_once(
    *, key: Hashable, action: Callable[[], None], using: str | None = None, robust: bool = False
) -> bool:
    """Run `action` once the current transaction on `using` has committed (at once outside
    one), and only once for the key however often the transaction asks: a load or an import
    saves thousands of records, and each would otherwise leave its own callback (and the
    next caller one more list to read). An action asked for inside a savepoint that is
    rolled back goes with it, and is asked for again by the next change. The key names the
    action: a later call with the same key, whatever its `action` or `robust`, is the same
    request. True when this call registered (or ran) it."""
    pending = transaction.get_connection(using).run_on_commit
    if any(
        isinstance(callback, _Once) and not callback.done and callback.key == key
        for _, callback, _ in pending
    ):
        return False
    transaction.on_commit(_Once(key, action), using=using, robust=robust)
    return True


def responses_invalidate_on_commit(*, keys: Iterable[str], using: str | None = None) -> None:
    """Retire the responses depending on any of the keys once the current transaction has
    committed, once per transaction and key set: each retirement is a purge sent to every
    caching proxy."""
    keys = tuple(sorted(set(keys)))
    on_commit_once(
        key=("responses-invalidate", keys),
        action=lambda: responses_invalidate(keys=list(keys)),
        using=using,
        robust=True,
    )


def responses_invalidate_all() -> None:
    """Retire every cached response: after an upgrade, or read tables rebuilt under them."""
    responses_invalidate(keys=[SITE_KEY])


def proxies_purge(*, keys: list[str]) -> None:
    """Ask each caching proxy (Varnish with vmod xkey, deploy/varnish.vcl) to drop the
    objects tagged with any of the keys, and CACHE_PURGE_REPEAT seconds later those tagged
    with an entry's key again.

    The second purge closes a race the first leaves open: a stored entry page or API detail
    is read in one query, with no cache lookup to notice a publish, so a read made just
    before the commit can reach the proxy after the first purge, and the proxy would keep
    that previous version for its TTL. Sent again, the purge drops it once the read has
    landed; a response slower than the delay still costs at most the TTL. Only entries'
    keys are sent again: a stored page or detail names those alone, and a page rendered
    per request that overlapped the publish is not kept by the proxy (Surrogate-Control:
    no-store), so the lists, search and the whole site are not emptied twice.

    Never raises: the publish has committed and must not be reported as failed because a
    proxy is down or slow. That is safe because a proxy keeps an object at most its TTL
    (deploy/varnish.vcl caps it at two minutes, without grace), so a purge lost costs at
    most that long of the previous published version, never a page that was not published;
    the app's own cache and stored pages are already current. Sent straight to each proxy,
    never through an HTTP proxy the environment may name.
    """
    urls = tuple(settings.CACHE_PURGE_URLS)
    if not urls or not keys:
        return
    _purges_send(urls=urls, keys=keys)
    entries = [key for key in keys if _names_an_entry(key)]
    if settings.CACHE_PURGE_REPEAT > 0 and entries:
        _purges_repeated.schedule(urls=urls, keys=entries, delay=settings.CACHE_PURGE_REPEAT)


def _names_an_entry(key: str) -> bool:
    kind, separator, _slug = key.partition(":")
    return bool(separator) and kind in {root.kind for root in registry.all_kinds()}


def _purges_send(*, urls: tuple[str, ...], keys: list[str]) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for url in urls:
        for header in _purge_headers(keys):
            request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": header})
            try:
                with opener.open(request, timeout=settings.CACHE_PURGE_TIMEOUT) as reply:
                    reply.read()
            except (OSError, ValueError, http.client.HTTPException) as error:
                logger.warning("Purge of %s at %s failed: %s", header, url, error)


class _RepeatedPurges:
    """The purges to send again, each key when its delay has passed, from one timer thread
    at a time per process however many publishes ask: a load or an import publishes
    hundreds of entries in a few seconds. A key asked for again before its repeat went is
    repeated once, the delay after the last ask. The thread is not a daemon, so a command
    that publishes and exits still sends its repeats (its exit waits for them, at most the
    delay, which settings bound).

    A forked child starts with none: a child has no copy of its parent's timer thread, only
    of its state (and of the lock, perhaps held), and the parent sends its own."""

    def __init__(self) -> None:
        self._forget()

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[tuple[str, ...], dict[str, float]] = {}
        self._timer: threading.Timer | None = None
        self._timer_due = 0.0

    def schedule(self, *, urls: tuple[str, ...], keys: Iterable[str], delay: float) -> None:
        due = time.monotonic() + delay
        with self._lock:
            pending = self._due.setdefault(urls, {})
            for key in keys:
                pending[key] = due
            if self._timer is None or due < self._timer_due:
                self._start(due)

    def _start(self, due: float) -> None:
        """A timer for `due`, replacing any set for later; a timer that cannot be started
        is logged, and the next schedule tries again."""
        if self._timer is not None:
            self._timer.cancel()
        timer = threading.Timer(max(due - time.monotonic(), 0.0), self._send_due)
        timer.name = "proxies-purge-repeat"
        try:
            timer.start()
        except RuntimeError as error:
            self._timer = None
            logger.warning("Purges cannot be sent again: %s", error)
            return
        self._timer, self._timer_due = timer, due

    def _send_due(self) -> None:
        now = time.monotonic()
        ready: dict[tuple[str, ...], list[str]] = {}
        with self._lock:
            if self._timer is threading.current_thread():
                self._timer = None
            for urls, pending in list(self._due.items()):
                keys = sorted(key for key, due in pending.items() if due <= now)
                for key in keys:
                    del pending[key]
                if keys:
                    ready[urls] = keys
                if not pending:
                    del self._due[urls]
            later = [due for pending in self._due.values() for due in pending.values()]
            if later and self._timer is None:
                self._start(min(later))
        for urls, keys in ready.items():
            try:
                _purges_send(urls=urls, keys=keys)
            except Exception:
                logger.exception("Purge of %s sent again failed", keys)


_purges_repeated = _RepeatedPurges()
os.register_at_fork(after_in_child=_purges_repeated._forget)


# Varnish refuses a request header longer than 8 kB by default (http_req_hdr_len): a purge
# names its keys in headers of at most half that, one request each.
PURGE_HEADER_LIMIT = 4096


def _purge_headers(keys: list[str]) -> Iterator[str]:
    header = ""
    for key in keys:
        if header and len(header) + 1 + len(key) > PURGE_HEADER_LIMIT:
            yield header
            header = ""
        header = f"{header} {key}" if header else key
    if header:
        yield header


def published_value(*, name: str, compute: Callable[[], T]) -> T:
    """A value derived from every live publication, computed once per generation for all nodes.

    For reads a page needs whatever its URL says, such as the trial list's filter options,
    counted over every live trial: the response cache stores each filtered URL apart, and
    without this each would count them all again after every publish. Computed on every call
    when the response cache is off or the cache cannot be reached.
    """
    seconds = settings.PUBLISHED_RESPONSE_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    try:
        key = f"published-value.{name}.{published_generation()}"
        stored = cache.get(key)
    except CACHE_UNAVAILABLE as error:
        logger.warning("Cache unavailable, computing %s: %s", name, error)
        return compute()
    if stored is not None:
        return stored
    value = compute()
    try:
        cache.set(key, value, timeout=seconds)
    except CACHE_UNAVAILABLE as error:
        logger.warning("Cache unavailable, %s not stored: %s", name, error)
    return value


# Where the admin and the API live, by URLconf (its resolver, a new one whenever the URLconf
# changes), script prefix and view; a handful at most, even in tests that swap URLconfs.
_PREFIXES: dict[tuple[URLResolver, str, str], str | None] = {}
PREFIXES_REMEMBERED = 16


def _prefix_of(view_name: str, kwargs: dict[str, str] | None = None) -> str | None:
    """Where the URLs under a view start, None without it: reversed once per URLconf and
    script prefix, not on every anonymous request (twice for an entry or an API detail), as
    reverse() cost as much as the rest of the check."""
    resolver = get_resolver(get_urlconf())
    key = (resolver, get_script_prefix(), view_name)
    if key in _PREFIXES:
        return _PREFIXES[key]
    try:
        prefix = reverse(view_name, urlconf=resolver.urlconf_name, kwargs=kwargs)
    except NoReverseMatch:
        prefix = None
    if len(_PREFIXES) >= PREFIXES_REMEMBERED:
        _PREFIXES.clear()
    _PREFIXES[key] = prefix
    return prefix


def _admin_prefix() -> str | None:
    """Where the admin lives, None without one."""
    return _prefix_of("admin:index")


def _api_prefix() -> str | None:
    """Where the API lives (its catch-all's start), None without one."""
    return _prefix_of("api:not-found", {"unmatched": ""})


def _keyed_headers(request: HttpRequest) -> frozenset[str]:
    """The request headers this request's stored response is keyed by, and may vary on: the
    VARY_HEADERS (outside the API's prefix, not those of API_ONLY_VARY_HEADERS) and those the
    settings add. Without an API in the URLconf every path is a page of the site."""
    keyed = getattr(request, "published_keyed_headers", None)
    if keyed is None:
        api_prefix = _api_prefix()
        keyed = request.published_keyed_headers = _headers_keyed(
            under_api=bool(api_prefix and request.path.startswith(api_prefix)),
            added=tuple(settings.PUBLISHED_RESPONSE_CACHE_KEY_HEADERS),
        )
    return keyed


@lru_cache(maxsize=16)
def _headers_keyed(*, under_api: bool, added: tuple[str, ...]) -> frozenset[str]:
    headers = set(VARY_HEADERS) if under_api else set(VARY_HEADERS) - API_ONLY_VARY_HEADERS
    return frozenset(headers | {name.lower() for name in added})


def request_is_public_read(request: HttpRequest) -> bool:
    """An anonymous GET or HEAD outside the admin: built from live publications, the same for all.

    A request carrying a session cookie (staff signed in) or credentials is not one: it is
    served by the primary database and never cached, so editors and reviewers see their own
    publish at once and nothing personal is ever stored for others.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    admin_prefix = _admin_prefix()
    return not (admin_prefix and request.path.startswith(admin_prefix))


def _response_is_storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Only responses that are the same for every anonymous reader and carry nothing per-request.

    A CSRF token, a session or a flash message touched while rendering would be per-reader,
    so such a response, like one setting a cookie or varying on it, is never stored.
    """
    if response.status_code not in CACHEABLE_STATUSES or response.streaming:
        return False
    if response.cookies or has_vary_header(response, "Cookie"):
        return False
    if not _varies_only_on_keyed_headers(request, response):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.used or messages.added_new):
        return False
    cache_control = response.get("Cache-Control", "").replace(" ", "").lower().split(",")
    return not any(directive in cache_control for directive in UNCACHEABLE_DIRECTIVES)


def api_reader_throttled(request: HttpRequest) -> bool:
    """Whether the API's rate limit refuses this reader (and counts the request if not): a
    response answered above the API's views counts like any other."""
    api_request = Request(request)
    return any(
        not throttle().allow_request(api_request, None)
        for throttle in api_settings.DEFAULT_THROTTLE_CLASSES
    )


def response_cache_key(request: HttpRequest) -> str:
    """One key per URL (scheme, host, path and query) and per value of each header it is
    keyed by (_keyed_headers: Accept-Encoding as the codings it allows; Accept and Origin
    under the API only; any header the settings add, PUBLISHED_RESPONSE_CACHE_KEY_HEADERS).

    GET and HEAD share it: a HEAD is answered from the stored GET, as Django's cache does.
    Made once per request: the lookup, the count of misses and the store all ask for it.
    """
    key = getattr(request, "published_response_cache_key", None)
    if key is None:
        headers = request.headers
        keyed = _keyed_headers(request)
        parts = [
            request.build_absolute_uri(),
            headers.get("accept", "") if "accept" in keyed else "",
            allowed_codings(headers.get("accept-encoding", "")),
            headers.get("origin", "") if "origin" in keyed else "",
        ]
        parts += [headers.get(name, "") for name in settings.PUBLISHED_RESPONSE_CACHE_KEY_HEADERS]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        key = request.published_response_cache_key = f"published-response.{digest}"
    return key


@lru_cache(maxsize=256)
def content_codings(accept_encoding: str) -> tuple[tuple[str, bool], ...]:
    """Each content coding an Accept-Encoding header names, lower case and sorted, with
    whether it is allowed (a weight above 0) or refused (a weight of 0, or one that cannot
    be read). A coding named twice counts as its last naming. Every choice of a response by
    Accept-Encoding reads the header through this, so that the cache key (allowed_codings)
    tells apart whatever the choice does."""
    weights: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.strip()] = weight
    return tuple((coding, weight > 0) for coding, weight in sorted(weights.items()))


@lru_cache(maxsize=256)
def allowed_codings(accept_encoding: str) -> str:
    """The CONTENT_CODINGS an Accept-Encoding header names, in one spelling for the cache key:
    each allowed, or refused (`;q=0`), the weights otherwise left out."""
    return ",".join(
        coding if allowed else f"{coding};q=0"
        for coding, allowed in content_codings(accept_encoding)
        if coding in CONTENT_CODINGS
    )


def _varies_only_on_keyed_headers(request: HttpRequest, response: HttpResponseBase) -> bool:
    if not response.has_header("Vary"):
        return True
    varied = {header.strip().lower() for header in cc_delim_re.split(response["Vary"])}
    return varied <= _keyed_headers(request)


def response_keys(request: HttpRequest, response: HttpResponseBase) -> list[str]:
    """The keys a public response depends on; a response naming none gets its group's,
    written to its Surrogate-Key and Cache-Tag headers for the proxies in front."""
    header = response.get("Surrogate-Key")
    if header:
        return header.split()
    keys = _keys_of_view(getattr(request, "resolver_match", None))
    response["Surrogate-Key"] = " ".join(keys)
    response["Cache-Tag"] = ",".join(keys)
    return keys


def _keys_of_view(match) -> list[str]:
    view_name = match.view_name if match is not None else ""
    for root_kind in registry.all_kinds():
        kind = root_kind.kind
        if view_name in (f"api:{kind}-detail", f"api:{kind}-versions", f"api:{kind}-version"):
            return [entry_key(kind, match.kwargs["slug"])]
        if view_name == f"api:{kind}-list":
            return [root_kind.plural]
    return list(GROUP_KEYS.get(view_name, (LIST_KEY,)))


def _counters(keys: Iterable[str]) -> dict[str, int | None]:
    found = cache.get_many([COUNTER_PREFIX + key for key in keys])
    return {key: found.get(COUNTER_PREFIX + key) for key in keys}


# The keys the response of each URL depended on when this process last stored or found it, so
# that a lookup reads their counters with the response, in one round trip. Only a guess:
# a response is served when every key of its own snapshot is unchanged, read in a second
# round trip for any key the guess missed.
_KEYS_BY_URL: dict[str, tuple[str, ...]] = {}
KEYS_REMEMBERED = 10_000


def _keys_remember(url: str, keys: Iterable[str]) -> None:
    if len(_KEYS_BY_URL) >= KEYS_REMEMBERED:
        _KEYS_BY_URL.clear()
    _KEYS_BY_URL[url] = tuple(keys)


# Misses in this process of responses stored only from a later miss, by cache key, until
# they are stored, oldest first; when full, the older half is forgotten, which only delays
# their store: a key missed again moves to the end, so a stream of queries asked once does
# not push out the entries and searches asked again.
_MISSES: dict[str, int] = {}


def response_store_from_miss(response: HttpResponseBase, misses: int) -> None:
    """Store this response only from its `misses`-th miss in this process (see
    STORE_FROM_MISS_ATTRIBUTE)."""
    setattr(response, STORE_FROM_MISS_ATTRIBUTE, misses)


def _worth_storing(key: str, *, from_miss: int) -> bool:
    misses = _MISSES.pop(key, 0) + 1
    if misses >= from_miss:
        return True
    if len(_MISSES) >= KEYS_REMEMBERED:
        for older in list(islice(_MISSES, KEYS_REMEMBERED // 2)):
            del _MISSES[older]
    _MISSES[key] = misses
    return False


# Keys of other apps that a render may read (the search vocabulary's generation), fetched in
# the lookup's round trip instead of one of their own: under load a round trip to the cache
# waits for its server to be scheduled, and one was 0.8 ms of a search's 11 (docs/
# performance.md, run 17). Their values stand for the request they were read for only.
_READ_WITH_LOOKUP: list[str] = []
_read_with_lookup: ContextVar[dict[str, Any] | None] = ContextVar(
    "published_cache_read_with_lookup", default=None
)


def cache_read_with_lookup(key: str) -> None:
    """Have every lookup of a public read's response read `key` of the cache too (see
    cache_value_read_with_lookup)."""
    if key not in _READ_WITH_LOOKUP:
        _READ_WITH_LOOKUP.append(key)


def cache_value_read_with_lookup(key: str) -> Any | None:
    """The value `key` had when this request's response was looked up, before its render;
    None when it had none or the request was not looked up (the response cache off or out of
    reach, a request that is no public read, outside a request)."""
    values = _read_with_lookup.get()
    return None if values is None else values.get(key)


def _lookup(
    request: HttpRequest,
) -> tuple[int, tuple[HttpResponseBase, bool] | None, dict[str, Any]]:
    """The current generation, the response stored for this request if none of its keys
    moved since, and the values of the keys read with every lookup. The counters of the keys
    the URL's response depended on before are read with it; a hit costs a second round trip
    only when the page now shows other entries."""
    url = request.build_absolute_uri()
    key = response_cache_key(request)
    guessed = _KEYS_BY_URL.get(url, (SITE_KEY,))
    found = cache.get_many(
        [GENERATION_KEY, key, *(COUNTER_PREFIX + name for name in guessed), *_READ_WITH_LOOKUP]
    )
    read = {name: found[name] for name in _READ_WITH_LOOKUP if name in found}
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = published_generation()
    counters = {name: found.get(COUNTER_PREFIX + name) for name in guessed}
    # For the store after a miss: read with the generation, before the render.
    request.published_counters_read = counters
    stored = found.get(key)
    if stored is None:
        return generation, None, read
    snapshot, response, from_api = stored
    _keys_remember(url, snapshot)
    unread = [name for name in snapshot if name not in counters]
    if unread:
        counters.update(_counters(unread))
    if any(counters[name] != value for name, value in snapshot.items()):
        return generation, None, read
    return generation, (response, from_api), read


class RenderOverlappedPublish(Exception):
    """A publish committed while the response was rendered: it may show the state before."""


def _snapshot(
    keys: list[str], *, generation: int, read: dict[str, int | None] | None = None
) -> dict[str, int] | None:
    """The counters of the keys now, those never bumped started from the clock and read
    again (None if one is still missing). Raises RenderOverlappedPublish if a publish
    committed since `generation` was read before rendering: a bump moves the generation
    before the keys' counters, so a render predating it is never stored with the new ones.

    When the lookup already read every key's counter with `generation` (`read`), those are
    the snapshot and only the generation is read again: counters read before the render
    can only be older than what it shows, so a publish committing meanwhile moves one past
    them and retires the stored response."""
    keys = sorted({*keys, SITE_KEY})
    if read is not None and all(read.get(key) is not None for key in keys):
        if cache.get(GENERATION_KEY) != generation:
            raise RenderOverlappedPublish
        return {key: read[key] for key in keys}
    names = [GENERATION_KEY, *(COUNTER_PREFIX + key for key in keys)]
    found = cache.get_many(names)
    missing = [name for name in names[1:] if found.get(name) is None]
    for name in missing:
        cache.add(name, time.time_ns(), timeout=None)
    if missing:
        found = cache.get_many(names)
    if found.get(GENERATION_KEY) != generation:
        raise RenderOverlappedPublish
    snapshot = {key: found.get(COUNTER_PREFIX + key) for key in keys}
    return None if None in snapshot.values() else snapshot


def _replay(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    response["X-Cache"] = "hit"
    return get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )


class PublishedResponseCacheMiddleware:
    """Answer public reads from the shared cache; on a miss render, then store for everyone.

    Place it early in MIDDLEWARE, below the security headers, CSP and the database-outage
    middleware, which then apply to cached and fresh responses alike, and above sessions,
    CSRF, messages and authentication: a hit skips them, and on a miss what they did to the
    request and response (a session read, a CSRF cookie, Vary: Cookie) is seen here and keeps
    the response out of the cache. What the middleware below adds per request (CORS headers)
    depends only on the URL and the headers the key is made of. If the cache cannot be
    reached, requests are served uncached rather than failing. Every public response leaves
    with the keys it depends on (Surrogate-Key), cache on or off, for the proxies in front.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request_is_public_read(request):
            return self.get_response(request)
        if settings.PUBLISHED_RESPONSE_CACHE_SECONDS <= 0:
            response = self.get_response(request)
            response_keys(request, response)
            return response
        try:
            generation, cached, read = _lookup(request)
        except CACHE_UNAVAILABLE as error:
            logger.warning(
                "Response cache unavailable, serving %s uncached: %s", request.path, error
            )
            response = self.get_response(request)
            response_keys(request, response)
            return response
        if cached is not None:
            response, from_api = cached
            if not (from_api and api_reader_throttled(request)):
                return _replay(request, response)
        token = _read_with_lookup.set(read)
        try:
            response = self.get_response(request)
        finally:
            _read_with_lookup.reset(token)
        keys = response_keys(request, response)
        if _response_is_storable(request, response):
            from_miss = getattr(response, STORE_FROM_MISS_ATTRIBUTE, 1)
            if from_miss <= 1 or _worth_storing(response_cache_key(request), from_miss=from_miss):
                self._store(request, response, keys=keys, generation=generation)
            response["X-Cache"] = "miss"
        return response

    def _store(
        self, request: HttpRequest, response: HttpResponseBase, *, keys: list[str], generation: int
    ) -> None:
        try:
            read = getattr(request, "published_counters_read", None)
            snapshot = _snapshot(keys, generation=generation, read=read)
        except RenderOverlappedPublish:
            # Served, but stored by no cache: a proxy in front that fetched it may have been
            # purged already, while the render was under way.
            response["Surrogate-Control"] = "no-store"
            return
        except CACHE_UNAVAILABLE as error:
            logger.warning("Response cache unavailable, %s not stored: %s", request.path, error)
            return
        try:
            if snapshot is not None:
                from_api = isinstance(response, Response) or getattr(
                    response, RATE_LIMITED_ATTRIBUTE, False
                )
                seconds = settings.PUBLISHED_RESPONSE_CACHE_SECONDS
                cache.set(response_cache_key(request), (snapshot, response, from_api), seconds)
                _keys_remember(request.build_absolute_uri(), snapshot)
        except CACHE_UNAVAILABLE as error:
            logger.warning("Response cache unavailable, %s not stored: %s", request.path, error)

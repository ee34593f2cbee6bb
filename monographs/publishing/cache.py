"""Public pages and API responses, kept in the shared cache until the next publish or withdrawal.

Everything public is built from live publications, so one number, the publication
generation, names the state of the whole public side. It is part of every cache key and is
bumped after each publish or withdrawal commits: from then on every node misses once,
renders from the new publications and caches that. Entries of older generations are never
read again and simply expire. One generation for the whole site, not one per entry, because
pages cross-link (a drug page lists its trials; lists, search and feeds show every entry),
and publishing is rare next to reading.

The cache must be shared by every process (Redis through REDIS_URL): with the per-process
local-memory cache a bump in one worker is invisible to the others, so settings turn the
response cache off (PUBLISHED_RESPONSE_CACHE_SECONDS = 0) unless REDIS_URL is set.

A hit costs no SQL query and one cache round trip: the generation and the entry stored for
the URL are read together (one MGET), and the entry is used only when it was stored under the
current generation. Entries are keyed by URL and by the request headers public responses may
vary on (VARY_HEADERS), so no per-URL header list has to be learned and read first, as Django's
own cache middleware does. If-None-Match and If-Modified-Since are answered from the cached
validators, so conditional GET keeps working.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.cache import cc_delim_re, get_conditional_response, has_vary_header
from django.utils.http import parse_http_date_safe
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "published-generation"
CACHEABLE_STATUSES = frozenset({200, 410})
UNCACHEABLE_DIRECTIVES = ("private", "no-store", "max-age=0")
CACHE_UNAVAILABLE = (RedisError, OSError)
# Request headers a public response may vary on; each is part of the cache key. A response
# varying on any other header is not stored.
VARY_HEADERS = ("accept", "accept-encoding", "accept-language", "origin")


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


def published_generation_bump() -> None:
    """Make every node render public pages afresh. Call it once the publish has committed.

    Called earlier, another node could render from data not yet committed (or not yet on
    its replica) and cache that under the new generation.
    """
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


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


def _admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


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
    if not _varies_only_on_known_headers(response):
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


def _throttled(request: HttpRequest) -> bool:
    """Whether the API's rate limit refuses this reader: a cache hit counts like any request."""
    api_request = Request(request)
    return any(
        not throttle().allow_request(api_request, None)
        for throttle in api_settings.DEFAULT_THROTTLE_CLASSES
    )


def response_cache_key(request: HttpRequest) -> str:
    """One key per URL (scheme, host, path and query) and per value of each VARY_HEADERS header.

    GET and HEAD share it: a HEAD is answered from the stored GET, as Django's cache does.
    """
    parts = [request.build_absolute_uri()]
    parts += [request.headers.get(name, "") for name in VARY_HEADERS]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"published-response.{digest}"


def _varies_only_on_known_headers(response: HttpResponseBase) -> bool:
    if not response.has_header("Vary"):
        return True
    varied = {header.strip().lower() for header in cc_delim_re.split(response["Vary"])}
    return varied <= set(VARY_HEADERS)


def _lookup(request: HttpRequest) -> tuple[int, tuple[HttpResponseBase, bool] | None]:
    """The current generation and, if stored under it, the response for this request."""
    key = response_cache_key(request)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = published_generation()
    stored = found.get(key)
    if stored is None or stored[0] != generation:
        return generation, None
    return generation, stored[1:]


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
    reached, requests are served uncached rather than failing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.PUBLISHED_RESPONSE_CACHE_SECONDS
        if seconds <= 0 or not request_is_public_read(request):
            return self.get_response(request)
        try:
            generation, cached = _lookup(request)
        except CACHE_UNAVAILABLE as error:
            logger.warning(
                "Response cache unavailable, serving %s uncached: %s", request.path, error
            )
            return self.get_response(request)
        if cached is not None:
            response, from_api = cached
            if not (from_api and _throttled(request)):
                return _replay(request, response)
        response = self.get_response(request)
        if _response_is_storable(request, response):
            from_api = isinstance(response, Response)
            try:
                cache.set(response_cache_key(request), (generation, response, from_api), seconds)
            except CACHE_UNAVAILABLE as error:
                logger.warning("Response cache unavailable, %s not stored: %s", request.path, error)
            response["X-Cache"] = "miss"
        return response

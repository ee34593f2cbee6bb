"""Where an uncached API detail spends its time, told apart in one process.

The benchmark's target "API detail, uncached >= 0.7x the floor view" is one number for a
request that does several things: it looks the response up in the shared cache, reads the
current version in one statement, writes the version's metadata, negotiates, renders and
hashes the body, then snapshots the dependency counters and stores the response in Redis.
Each variant here takes one of those away (or swaps in another way of doing it) and the
same request is timed with and without it, in turn in one process, as `make bench` times
the hand-written speed-ups against the library (docs/performance.md): each round runs the
floor, the plain detail and every variant once, the next round starting one variant
further on, and each variant is reported against the floor and the plain detail. On a
shared machine the rounds are many and short (a few requests each), so that a burst of
other work falls on every variant alike, and each request is timed alone: a variant's time
is the median of its requests, which a burst moves little.

Requests go through the whole middleware stack with the response cache on Redis; each gets
an Accept-Language of its own, so each is a miss, as wrk's are in `make bench`.
"""

import contextlib
import cProfile
import io
import itertools
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache.backends.redis import RedisCacheClient
from django.test import Client, override_settings
from rest_framework import views as drf_views

from monographs.api import http as api_http
from monographs.api.serializers import entries as entry_serializers
from monographs.api.views import entries as entry_views
from monographs.loadtest import api_detail_changes as changes
from monographs.publishing import cache as response_cache

FLOOR = "/bench/floor/"


@dataclass(frozen=True)
class Variant:
    label: str
    path: str
    change: Callable[[], contextlib.AbstractContextManager]
    cached: bool = False  # the same key each time: served again from the response cache


def variants(detail: str) -> list[Variant]:
    """The floor, the detail as served, then the detail with one suspect taken away in each."""
    same = contextlib.nullcontext
    return [
        Variant("floor view", FLOOR, same),
        Variant("API detail, uncached", detail, same),
        Variant(
            "  without the response cache (PUBLISHED_RESPONSE_CACHE_SECONDS=0)",
            detail,
            lambda: override_settings(PUBLISHED_RESPONSE_CACHE_SECONDS=0),
        ),
        Variant(
            "  without storing the miss (no counters' MGET, no pickle, no SET)",
            detail,
            lambda: changes.swapped(
                response_cache.PublishedResponseCacheMiddleware, "_store", changes.not_stored
            ),
        ),
        Variant(
            "  without the counters' MGET (_snapshot) only",
            detail,
            lambda: changes.swapped(response_cache, "_snapshot", changes.counters_not_read),
        ),
        Variant(
            "  counters read with the lookup (one MGET), stored with SET alone (proposed)",
            detail,
            lambda: changes.CountersReadWithTheLookup().installed(),
        ),
        Variant(
            "  stored without DRF's `data` (the 26 KB body pickled once, not twice)",
            detail,
            lambda: changes.swapped(entry_views, "Response", changes.BodyOnceResponse),
        ),
        Variant(
            "  without the SQL statement (the publication read once and kept)",
            detail,
            changes.statement_read_once,
        ),
        Variant(
            "  with one redis-py client per pool",
            detail,
            lambda: changes.swapped(RedisCacheClient, "get_client", changes.reused_client),
        ),
        Variant(
            "  metadata written by hand (to_representation)",
            detail,
            lambda: changes.swapped(
                entry_serializers,
                "PublicationMetadataSerializer",
                changes.HandWrittenMetadataSerializer,
            ),
        ),
        Variant(
            "  as before this round: counters not read, metadata by hand, one client per pool",
            detail,
            changes.as_before_this_round,
        ),
        Variant("API detail, cache hit", detail, same, cached=True),
        Variant(
            "  cache hit, counters read with the lookup (proposed)",
            detail,
            lambda: changes.CountersReadWithTheLookup().installed(),
            cached=True,
        ),
        Variant(
            "  without throttle classes",
            detail,
            lambda: changes.swapped(drf_views.APIView, "throttle_classes", []),
        ),
        Variant(
            "  without content negotiation",
            detail,
            lambda: changes.swapped(
                api_http.PublicReadMixin,
                "content_negotiation_class",
                changes.FirstRendererNegotiation,
            ),
        ),
        Variant(
            "  without hashing the ETag",
            detail,
            lambda: changes.swapped(api_http, "set_response_etag", changes.constant_etag),
        ),
    ]


class Requests:
    """GETs through the whole stack, each a response-cache miss of its own unless `cached`."""

    def __init__(self) -> None:
        self.client = Client()
        self.counter = itertools.count()
        # A run of its own: keys stored by an earlier run are still in the cache.
        self.run = time.time_ns()
        self.asked: set[str] = set()

    def first(self, language: str) -> bool:
        """Whether this is the first request with this key (a cached one misses once)."""
        first = language not in self.asked
        self.asked.add(language)
        return first

    def get(self, path: str, *, cached: bool = False) -> None:
        language = f"x-ab-{self.run}-{'hit' if cached else next(self.counter)}"
        response = self.client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        if (response.headers.get("X-Cache") == "hit") is not cached and not self.first(language):
            answered = "from the response cache" if not cached else "without the response cache"
            raise RuntimeError(f"GET {path} was answered {answered}")
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200")

    def time(
        self, path: str, repeat: int, *, cached: bool = False
    ) -> tuple[list[float], list[float]]:
        """Milliseconds of each of `repeat` requests: wall-clock, and this thread's CPU."""
        wall, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.thread_time()
            self.get(path, cached=cached)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        return wall, cpu


@dataclass
class Result:
    label: str
    median_ms: float
    cpu_ms: float  # this process's CPU: the rest of median_ms is waiting (Redis, PostgreSQL)
    x_floor: float  # floor time / this time, as the benchmark's "x floor" (a req/s ratio)
    x_floor_range: tuple[float, float]  # the same of each round's medians: lowest, highest
    detail_over_this: float  # plain detail time / this time: above 1 is what the change saves
    detail_over_this_range: tuple[float, float]


def _ratios(numerators: list[list[float]], denominators: list[list[float]]) -> list[float]:
    return [
        statistics.median(top) / statistics.median(bottom)
        for top, bottom in zip(numerators, denominators, strict=True)
    ]


def compare(
    detail: str,
    *,
    rounds: int,
    repeat: int,
    only: list[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Result]:
    """Every variant `repeat` times in each round, in turn; with `only`, the floor, the plain
    detail and the variants whose label contains one of those words.

    A variant's time is the median of all its requests; its ratios are those medians',
    with the lowest and highest ratio of a single round's medians for the spread.
    """
    requests = Requests()
    plan = variants(detail)
    if only:
        plan = plan[:2] + [v for v in plan[2:] if any(word in v.label for word in only)]
    for variant in plan:  # warm each path once: imports, connections, first compiles
        with variant.change():
            requests.time(variant.path, 5, cached=variant.cached)
    times: dict[str, list[list[float]]] = {variant.label: [] for variant in plan}
    cpu: dict[str, list[float]] = {variant.label: [] for variant in plan}
    for number in range(rounds):
        # Each round starts one variant further on, so none always follows the same one.
        shift = number % len(plan)
        for variant in plan[shift:] + plan[:shift]:
            with variant.change():
                wall, used = requests.time(variant.path, repeat, cached=variant.cached)
            times[variant.label].append(wall)
            cpu[variant.label] += used
        if (number + 1) % 10 == 0 or number + 1 == rounds:
            progress(f"round {number + 1}/{rounds}")
    floor, plain = times[plan[0].label], times[plan[1].label]
    every = {label: [ms for block in blocks for ms in block] for label, blocks in times.items()}
    floor_ms = statistics.median(every[plan[0].label])
    plain_ms = statistics.median(every[plan[1].label])
    results = []
    for variant in plan:
        own = times[variant.label]
        median_ms = statistics.median(every[variant.label])
        x_floor, saved = _ratios(floor, own), _ratios(plain, own)
        results.append(
            Result(
                label=variant.label,
                median_ms=median_ms,
                cpu_ms=statistics.median(cpu[variant.label]),
                x_floor=floor_ms / median_ms,
                x_floor_range=(min(x_floor), max(x_floor)),
                detail_over_this=plain_ms / median_ms,
                detail_over_this_range=(min(saved), max(saved)),
            )
        )
    return results


def profile(detail: str, *, repeat: int, limit: int = 40) -> str:
    """cProfile of `repeat` uncached details, by own time and by cumulative time."""
    requests = Requests()
    requests.time(detail, 5)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        requests.get(detail)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()

"""Where the pages still rendered per request spend their time, measured in process.

Runs against a database that holds the benchmark's corpus (see docs/performance.md, "Where
rendering remains"): the trial list (first page, filtered by the most studied drug, page 30
of phase 3), the drug list, search (a word and a drug name), the page of the commonest
adverse-event term, the home page, the first pages of the reference and term indexes, and
the render at publish of the most studied drug's monograph and of the latest trial's page
(the function the publish projections call).
Requests go through the WSGI handler and every middleware with the response cache off.

  python scripts/render_profile.py time [--repeat N]
      median ms per page, as JSON on stdout
  python scripts/render_profile.py profile [--repeat N] [--page LABEL]
      cProfile of each page: the most expensive functions and a breakdown by area
  python scripts/render_profile.py dump DIRECTORY
      each page's bytes into DIRECTORY, to compare two checkouts' output with `diff -r`
  python scripts/render_profile.py compare BEFORE_TREE [--rounds R] [--repeat N]
      the same pages with the code of another checkout (a `git archive` of an older commit)
      and of this one: a process for each, asked in turns for N requests of one page at a
      time; after / before per round, medians

Environment: DATABASE_URL (required), STATIC_ROOT (collected static files; default
var/bench/static); everything else is set as `make bench` sets it, with the response cache
off. RENDER_TREE selects the checkout whose code runs (default: this one).
"""

import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TREE = Path(os.environ.get("RENDER_TREE") or HERE).resolve()

ENVIRONMENT = {
    "DATABASE_CONN_MAX_AGE": "600",
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "PUBLISHED_RESPONSE_CACHE_SECONDS": "0",
    "API_THROTTLE_ANON": "off",
    "DJANGO_SETTINGS_MODULE": "config.settings_bench",
    "LOG_LEVEL": "WARNING",
}

# Where a profile's own time goes, by the module (or function) it is spent in.
AREAS = (
    ("template variable lookups", ("django/template/base.py:Variable", "_resolve_lookup")),
    ("template filters and escaping", ("django/template/defaultfilters", "django/utils/html")),
    ("template tags and nodes", ("django/template/",)),
    ("public_site filters and tags", ("monographs/templatetags/",)),
    ("figure formatter", ("monographs/figures.py",)),
    ("charts (SVG)", ("monographs/charts/",)),
    ("safe strings", ("django/utils/safestring", "django/utils/functional")),
    ("ORM and SQL", ("django/db/", "psycopg")),
    ("views and context", ("monographs/views/", "trials/views/", "monographs/selectors")),
    ("URL reversing", ("django/urls/", "monographs/links")),
    ("JSON", ("json/",)),
    ("request and middleware", ("django/core/handlers", "django/middleware", "django/http")),
)


def django_setup() -> None:
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    # Absolute before moving to the checkout measured: both read the same collected files.
    static_root = os.environ.get("STATIC_ROOT") or HERE / "var" / "bench" / "static"
    os.environ["STATIC_ROOT"] = str(Path(static_root).resolve())
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a database holding the benchmark's corpus.")
    sys.path.insert(0, str(TREE))
    os.chdir(TREE)
    import django

    django.setup()


def targets() -> dict[str, str]:
    """The most studied drug, the commonest term and the latest trial, as `make bench` picks
    them."""
    from django.db.models import Count

    from monographs.publishing.models import Entry, Facet

    live = Entry.objects.live()

    def commonest(name: str, kind: str | None = None) -> str:
        entries = live.filter(kind=kind) if kind else live
        return (
            Facet.objects.filter(name=name, publication__in=entries.values("current_id"))
            .values("value")
            .annotate(n=Count("id"))
            .order_by("-n", "value")
            .first()["value"]
        )

    trial = (
        live.filter(kind="trial")
        .order_by("-last_published_at", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    return {"drug": commonest("drug", "trial"), "term": commonest("term"), "trial": trial}


def pages(chosen: dict[str, str]) -> dict[str, object]:
    """Each measured thing: a URL read through the WSGI handler, or a render at publish."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    from monographs.publishing.models import Entry
    from monographs.views.drugs import drug_page_render
    from trials.views.pages import trial_page_render

    handler, factory = WSGIHandler(), RequestFactory()

    def get(url: str):
        path, _, query = url.partition("?")

        def request() -> bytes:
            environ = factory._base_environ(PATH_INFO=path, QUERY_STRING=query)
            environ["wsgi.input"] = io.BytesIO(b"")
            status = []
            body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
            if not status[0].startswith("200"):
                raise SystemExit(f"{url} answered {status[0]}")
            return body

        return request

    def render_at_publish(kind: str, slug: str, render):
        def request() -> bytes:
            entry = Entry.objects.select_related("current").get(kind=kind, slug=slug)
            return render(entry=entry).body

        return request

    return {
        "trial list, first page": get("/trials/"),
        "trial list, by drug": get(f"/trials/?drug={chosen['drug']}"),
        "trial list, page 30 of phase 3": get("/trials/?phase=3&page=30"),
        "drug list": get("/drugs/"),
        "search, a word": get("/search/?q=hepatocellular+carcinoma"),
        "search, a drug name": get(f"/search/?q={chosen['drug'][:6]}"),
        "adverse-event page, commonest term": get(f"/adverse-events/{chosen['term']}/"),
        "home page": get("/"),
        "references, first page": get("/references/"),
        "adverse events, first page": get("/adverse-events/"),
        "monograph render at publish": render_at_publish("drug", chosen["drug"], drug_page_render),
        "trial page render at publish": render_at_publish(
            "trial", chosen["trial"], trial_page_render
        ),
    }


def median_ms(request, repeat: int) -> float:
    request()  # warm: templates, cached filter options and counts
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def command_time(repeat: int) -> None:
    django_setup()
    measured = pages(targets())
    print(json.dumps({label: median_ms(request, repeat) for label, request in measured.items()}))


def command_dump(directory: Path) -> None:
    django_setup()
    directory.mkdir(parents=True, exist_ok=True)
    for label, request in pages(targets()).items():
        (directory / f"{label.replace(' ', '-').replace(',', '')}.html").write_bytes(request())


def area_of(filename: str, function: str) -> str:
    where = f"{filename}:{function}"
    for area, markers in AREAS:
        if any(marker in where for marker in markers):
            return area
    return "other"


def areas_of(stats: dict) -> dict[str, float]:
    """Own time by area; a builtin's (getattr, str.join, ...) goes to the areas of its
    callers, in proportion to the calls each made."""
    areas: dict[str, float] = {}
    for (filename, _, function), (_, calls, own, _, callers) in stats.items():
        if filename != "~" or not callers:
            area = area_of(filename, function)
            areas[area] = areas.get(area, 0.0) + own
            continue
        for (caller_file, _, caller_function), caller_row in callers.items():
            area = area_of(caller_file, caller_function)
            areas[area] = areas.get(area, 0.0) + own * caller_row[1] / calls
    return areas


def command_profile(repeat: int, only: str | None) -> None:
    django_setup()
    for label, request in pages(targets()).items():
        if only and only not in label:
            continue
        request()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(repeat):
            request()
        profile.disable()
        stats = pstats.Stats(profile)
        total = sum(row[2] for row in stats.stats.values())
        areas = areas_of(stats.stats)
        rendering = sum(
            row[3]
            for (filename, _, function), row in stats.stats.items()
            if filename.endswith("django/template/backends/django.py") and function == "render"
        )
        print(f"\n## {label}: {total / repeat * 1000:.1f} ms a request under the profiler")
        print(f"  {rendering / total:6.1%}  inside Template.render (cumulative)")
        for area, seconds in sorted(areas.items(), key=lambda item: -item[1]):
            print(f"  {seconds / total:6.1%}  {area}")
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(18)
        print("\n".join(text.getvalue().splitlines()[7:]))


def command_serve() -> None:
    """Measure on request: read 'label<TAB>repeat' lines, answer each with the median ms."""
    django_setup()
    measured = pages(targets())
    print(json.dumps(list(measured)), flush=True)
    for line in sys.stdin:
        label, repeat = line.rstrip("\n").split("\t")
        print(json.dumps(median_ms(measured[label], int(repeat))), flush=True)


def command_compare(before: Path, rounds: int, repeat: int) -> None:
    """After / before per page: one process for each checkout, both kept running, asked in
    turns (before then after, after then before, ...) for `repeat` requests of one page."""
    workers = {}
    for which, tree in (("before", before), ("after", HERE)):
        workers[which] = subprocess.Popen(
            [sys.executable, __file__, "serve"],
            env=dict(os.environ, RENDER_TREE=str(tree)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    labels = [json.loads(worker.stdout.readline()) for worker in workers.values()][0]

    def ask(which: str, label: str) -> float:
        worker = workers[which]
        worker.stdin.write(f"{label}\t{repeat}\n")
        worker.stdin.flush()
        return json.loads(worker.stdout.readline())

    ratios: dict[str, list[float]] = {label: [] for label in labels}
    afters: dict[str, list[float]] = {label: [] for label in labels}
    befores: dict[str, list[float]] = {label: [] for label in labels}
    try:
        for number in range(rounds):
            for label in labels:
                order = ("before", "after") if number % 2 == 0 else ("after", "before")
                times = {which: ask(which, label) for which in order}
                ratios[label].append(times["after"] / times["before"])
                afters[label].append(times["after"])
                befores[label].append(times["before"])
            print(f"round {number + 1} of {rounds} done", file=sys.stderr, flush=True)
    finally:
        for worker in workers.values():
            worker.stdin.close()
            worker.wait()
    print("| page | before ms | after ms | after / before | lowest, highest round |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, values in ratios.items():
        print(
            f"| {label} | {statistics.median(befores[label]):.1f} | "
            f"{statistics.median(afters[label]):.1f} | {statistics.median(values):.2f} | "
            f"{min(values):.2f}, {max(values):.2f} |"
        )


def option(name: str, default: str | None) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    repeat = int(option("--repeat", "30"))
    if command == "time":
        command_time(repeat)
    elif command == "profile":
        command_profile(int(option("--repeat", "10")), option("--page", None))
    elif command == "serve":
        command_serve()
    elif command == "dump" and len(sys.argv) > 2:
        command_dump(Path(sys.argv[2]).resolve())
    elif command == "compare" and len(sys.argv) > 2:
        command_compare(Path(sys.argv[2]), int(option("--rounds", "6")), repeat)
    else:
        sys.exit(__doc__)

"""Two app servers, one PostgreSQL primary with a streaming replica, one Redis: publish on
node A, and node B shows the new version at once.

    .venv/bin/python scripts/scaleout_demo.py [--corpus seeds|minimal] [--keep-clusters]

Everything runs on 127.0.0.1 and is removed at the end: the demo database, the Redis keys
(under a prefix of their own), the collected static files and the two gunicorn servers. The
dedicated clusters (scripts/replica_cluster.sh, ports 5441 and 5442) are started if they are
not running and then stopped again, unless they were already running or --keep-clusters.

The steps, each printed as it happens:
 1. a fresh database on the primary, migrated; the corpus loaded and published (v1);
 2. gunicorn node A and node B (config/gunicorn.py, DEBUG off), each with its own database
    connections (named node-a, node-b) to the primary and the replica, and the shared Redis;
 3. both nodes serve the drug page (version 1) from its stored render, and the list of
    drugs, which node A renders and caches and node B then serves from the shared cache;
 4. on node A's side a new version is written through the editorial services: an editor
    edits and submits, a reviewer approves and publishes (four eyes);
 5. node B, fetched straight after, shows version 2 on the drug page and the new summary on
    the list, a cache miss: the publish stored the page again and retired the cached list
    after commit, and the replica had applied the commit before it returned;
 6. the replica's pg_stat_activity shows node B's connection: the page was read there.
With --varnish, then (minimal corpus: sorafenib, lenvatinib and the trial sharp):
 7. Varnish (deploy/varnish.vcl, scripts/varnish.sh) in front of node B: the drug, trial and
    other drug pages read twice each, the second a hit (X-Varnish with two ids);
 8. a new version of the trial is published, which purges its keys after the commit;
 9. through Varnish at once: the trial's and its drug's pages show its new title (misses),
    the other drug's page is still a hit.

Exit status 0 when node B showed the new version at once, 1 otherwise.
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CLUSTER_SCRIPT = ROOT / "scripts" / "replica_cluster.sh"
VARNISH_SCRIPT = ROOT / "scripts" / "varnish.sh"
SLUG = "sorafenib"
TRIAL_SLUG = "sharp"
UNRELATED_SLUG = "lenvatinib"
SITE_HOST = "127.0.0.1"
SERVER_START_SECONDS = 60
STEP_SECONDS = 300

MINIMAL_CORPUS = f"""
from monographs.editorial.services.publish import root_import_publish
from monographs.models import Drug
drug = Drug.objects.create(
    inn="sorafenib",
    slug="{SLUG}",
    drug_class="Multikinase inhibitor",
    summary="Oral multikinase inhibitor of RAF and VEGFR.",
)
root_import_publish(root=drug, note="Scale-out demonstration corpus.")
other = Drug.objects.create(
    inn="lenvatinib", slug="lenvatinib", drug_class="Multikinase inhibitor",
    summary="Oral multikinase inhibitor of VEGFR and FGFR.",
)
root_import_publish(root=other, note="Scale-out demonstration corpus.")
from trials.models import Trial
trial = Trial.objects.create(
    slug="{TRIAL_SLUG}", acronym="SHARP", title="Sorafenib HCC Assessment Randomized Protocol",
    phase=Trial.Phase.PHASE_3, design=Trial.Design.RANDOMISED_CONTROLLED,
    summary="Sorafenib against placebo in advanced HCC.",
)
trial.drugs.set([drug])
root_import_publish(root=trial, note="Scale-out demonstration corpus.")
"""

PUBLISH_ON_NODE_A = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services.review import revision_approve, revision_submit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.edits import root_record_edit
from monographs.models import Drug

User = get_user_model()
def member(username, group):
    user, _ = User.objects.get_or_create(username=username, defaults={{"is_staff": True}})
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)
editor, reviewer = member("demo-editor", EDITOR), member("demo-reviewer", REVIEWER)
drug = Drug.objects.get(slug="{SLUG}")
with transaction.atomic():
    drug.summary = SUMMARY
    drug.save(update_fields=["summary"])
    root_record_edit(root=drug, user=editor)
revision_submit(root=drug, user=editor, comment="Scale-out demonstration edit.")
revision_approve(root=drug, user=reviewer)
publication = root_publish(root=drug, user=reviewer, comment="Scale-out demonstration.")
print(publication.version)
"""


PUBLISH_TRIAL = f"""
from monographs.editorial.services.publish import root_import_publish
from trials.models import Trial
trial = Trial.objects.get(slug="{TRIAL_SLUG}")
trial.title = TITLE
trial.save(update_fields=["title"])
print(root_import_publish(root=trial, note="Scale-out demonstration: a new trial version.").version)
"""


def say(message: str) -> None:
    print(f"scaleout_demo: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=STEP_SECONDS
    )
    if result.returncode != 0:
        raise SystemExit(
            f"scaleout_demo: {what} failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def fetch(port: int, path: str) -> tuple[int, str, str, float]:
    """(status, body, X-Cache header, milliseconds) of one anonymous GET.

    The Host header is the site's name, as a load balancer in front of the nodes would pass
    it on; the node's own port is not part of it.
    """
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": SITE_HOST})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode()
            status, cache = response.status, response.headers.get("X-Cache", "")
    except urllib.error.HTTPError as error:
        body, status, cache = error.read().decode(), error.code, error.headers.get("X-Cache", "")
    return status, body, cache, (time.perf_counter() - started) * 1000


def served_by(cache: str) -> str:
    """What answered, from X-Cache: the response cache (hit or miss), else the stored render
    (entry pages are answered above the cache)."""
    return f"cache {cache}" if cache else "stored render"


def fetch_headers(port: int, path: str) -> tuple[int, str, dict[str, str]]:
    """(status, body, response headers) of one anonymous GET."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": SITE_HOST})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def through_varnish(port: int, path: str) -> tuple[int, str, str]:
    """(status, body, "hit" or "miss" with Varnish's Age and X-Varnish) through the proxy."""
    status, body, headers = fetch_headers(port, path)
    proxy = headers.get("X-Proxy-Cache", "-")
    return status, body, f"{proxy} (Age {headers.get('Age')}, X-Varnish {headers.get('X-Varnish')})"


def varnish_steps(port: int, env: dict[str, str]) -> bool:
    """Pages through Varnish, cached; a new trial version; both shown new at once, the
    unrelated drug still cached."""
    pages = [f"/drugs/{SLUG}/", f"/trials/{TRIAL_SLUG}/", f"/drugs/{UNRELATED_SLUG}/"]
    say("7. through Varnish, each page twice")
    for path in pages:
        for _ in range(2):
            status, _, proxy = through_varnish(port, path)
            say(f"   varnish {path}: HTTP {status}, {proxy}")
    title = f"Sorafenib HCC Assessment Randomized Protocol, revised {secrets.token_hex(3)}"
    code = f"TITLE = {title!r}\n{PUBLISH_TRIAL}"
    published = run([str(PYTHON), "manage.py", "shell", "-v0", "-c", code], env, "trial publish")
    say(f"8. trial {TRIAL_SLUG} published as version {published.strip()}")
    say("9. through Varnish straight after the publish")
    shown = {}
    for path in pages:
        status, body, proxy = through_varnish(port, path)
        shown[path] = (status, proxy.split()[0], title in body)
        say(f"   varnish {path}: HTTP {status}, {proxy}, new trial title shown: {title in body}")
    trial_page = shown[f"/trials/{TRIAL_SLUG}/"]
    drug_page = shown[f"/drugs/{SLUG}/"]
    unrelated = shown[f"/drugs/{UNRELATED_SLUG}/"]
    return trial_page[1:] == drug_page[1:] == ("miss", True) and unrelated[1] == "hit"


def shown_version(body: str) -> int | None:
    marker = '<span class="pill">Version '
    start = body.find(marker)
    if start < 0:
        return None
    digits = body[start + len(marker) :].split("<", 1)[0]
    return int(digits) if digits.isdigit() else None


def wait_until_serving(port: int, process: subprocess.Popen, log: Path) -> None:
    """Until the node answers a request: its port opens before its workers are forked."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"scaleout_demo: gunicorn on {port} exited:\n{log.read_text()[-3000:]}"
            )
        if port_open(port) and fetch(port, "/robots.txt")[0] == 200:
            return
        time.sleep(0.2)
    raise SystemExit(f"scaleout_demo: gunicorn on {port} did not start in {SERVER_START_SECONDS} s")


def start_node(name: str, port: int, env: dict[str, str], logs: Path) -> subprocess.Popen:
    log = logs / f"{name}.log"
    node_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    for variable in ("DATABASE_URL", "DATABASE_REPLICA_URLS"):
        node_env[variable] = f"{env[variable]}?application_name={name}"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "config/gunicorn.py", "config.wsgi"],
            env=node_env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_until_serving(port, process, log)
    say(f"{name} serving on http://127.0.0.1:{port}/ (log: {log})")
    return process


def stop_node(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("seeds", "minimal"), default="seeds")
    parser.add_argument("--primary-port", type=int, default=5441)
    parser.add_argument("--replica-port", type=int, default=5442)
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--keep-clusters", action="store_true")
    parser.add_argument(
        "--varnish",
        action="store_true",
        help="then put Varnish (scripts/varnish.sh) in front of node B and publish a trial",
    )
    options = parser.parse_args()

    with ExitStack() as cleanup:
        cluster_env = {
            **os.environ,
            "SCALEOUT_PRIMARY_PORT": str(options.primary_port),
            "SCALEOUT_REPLICA_PORT": str(options.replica_port),
        }
        if not (port_open(options.primary_port) and port_open(options.replica_port)):
            say("starting the dedicated primary and replica (scripts/replica_cluster.sh)")
            run(["bash", str(CLUSTER_SCRIPT), "start"], cluster_env, "starting the clusters")
            if not options.keep_clusters:
                cleanup.callback(
                    run, ["bash", str(CLUSTER_SCRIPT), "stop"], cluster_env, "stopping clusters"
                )

        database = f"monographs_demo_{os.getpid()}"
        admin_url = f"postgresql://postgres@127.0.0.1:{options.primary_port}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        cleanup.callback(drop_database, admin_url, database)

        prefix = f"scaleout-demo-{secrets.token_hex(4)}"
        redis_client = redis.Redis.from_url(options.redis_url)
        redis_client.ping()
        cleanup.callback(delete_keys, redis_client, prefix)

        workdir = Path(tempfile.mkdtemp(prefix="scaleout-demo-"))
        cleanup.callback(shutil.rmtree, workdir, True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{options.primary_port}/{database}",
            "DATABASE_REPLICA_URLS": (
                f"postgres://postgres@127.0.0.1:{options.replica_port}/{database}"
            ),
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": options.redis_url,
            "CACHE_KEY_PREFIX": prefix,
            "STATIC_ROOT": str(workdir / "static"),
            "API_THROTTLE_ANON": "off",
            "GUNICORN_WORKERS": "2",
            "AXES_ENABLED": "0",
        }
        varnish_port, purge_port = free_port(), free_port()
        if options.varnish:
            env["CACHE_PURGE_URLS"] = f"http://127.0.0.1:{purge_port}/"

        say(f"1. database {database} on the primary: migrate, collect static files, load corpus")
        run([str(PYTHON), "manage.py", "migrate", "--no-input", "-v0"], env, "migrate")
        run([str(PYTHON), "manage.py", "collectstatic", "--no-input", "-v0"], env, "collectstatic")
        if options.corpus == "seeds":
            run([str(PYTHON), "manage.py", "load_seeds"], env, "load_seeds")
        else:
            run([str(PYTHON), "manage.py", "shell", "-v0", "-c", MINIMAL_CORPUS], env, "corpus")

        say("2. starting node A and node B (gunicorn, config/gunicorn.py)")
        port_a, port_b = free_port(), free_port()
        nodes = {}
        for name, port in (("node-a", port_a), ("node-b", port_b)):
            nodes[name] = start_node(name, port, env, workdir)
            cleanup.callback(stop_node, nodes[name])

        page, listing = f"/drugs/{SLUG}/", "/drugs/"
        say(f"3. {page} (its stored render) and {listing} (the response cache) before the publish")
        for name, port in (("node A", port_a), ("node B", port_b), ("node B", port_b)):
            status, body, cache, milliseconds = fetch(port, page)
            say(
                f"   {name}: {page} HTTP {status}, version {shown_version(body)}, "
                f"{served_by(cache)}, {milliseconds:.1f} ms"
            )
            listed, _, list_cache, list_ms = fetch(port, listing)
            say(f"   {name}: {listing} HTTP {listed}, {served_by(list_cache)}, {list_ms:.1f} ms")
            if status != 200 or listed != 200:
                return 1
        before = shown_version(body)

        say("4. on node A's side: editor edits and submits, reviewer approves and publishes")
        summary = f"Scale-out demonstration edit {secrets.token_hex(3)}."
        node_a_env = {**env, "DATABASE_URL": f"{env['DATABASE_URL']}?application_name=node-a"}
        code = f"SUMMARY = {summary!r}\n{PUBLISH_ON_NODE_A}"
        published = run(
            [str(PYTHON), "manage.py", "shell", "-v0", "-c", code], node_a_env, "publish"
        )
        say(f"   published version {published.strip()}")

        say("5. node B straight after the publish")
        status, body, cache, milliseconds = fetch(port_b, page)
        after = shown_version(body)
        say(
            f"   node B: {page} HTTP {status}, version {after}, {served_by(cache)}, "
            f"{milliseconds:.1f} ms, new summary shown: {summary in body}"
        )
        listed, list_body, list_cache, list_ms = fetch(port_b, listing)
        say(
            f"   node B: {listing} HTTP {listed}, {served_by(list_cache)}, {list_ms:.1f} ms, "
            f"new summary listed: {summary in list_body}"
        )
        again_status, _, again_cache, again_ms = fetch(port_b, listing)
        say(
            f"   node B again: {listing} HTTP {again_status}, {served_by(again_cache)}, "
            f"{again_ms:.1f} ms"
        )

        replica_url = f"postgresql://postgres@127.0.0.1:{options.replica_port}/postgres"
        with psycopg.connect(replica_url, autocommit=True) as connection:
            in_recovery, readers = connection.execute(
                "SELECT pg_is_in_recovery(), count(*) FILTER (WHERE application_name = 'node-b') "
                "FROM pg_stat_activity WHERE datname = %s",
                [database],
            ).fetchone()
        say(f"6. replica in recovery: {in_recovery}; node B connections on it: {readers}")

        shown = summary in body and summary in list_body and list_cache == "miss"
        if status == 200 and after == (before or 0) + 1 and shown and readers > 0:
            say(f"node B shows version {after} at once: publish on A, read on B, no stale page")
            if not options.varnish:
                return 0
            # Its own directory, readable by the user varnishd drops to (workdir is private).
            varnish_dir = Path(tempfile.mkdtemp(prefix="scaleout-varnish-"))
            varnish_dir.chmod(0o755)
            cleanup.callback(shutil.rmtree, varnish_dir, True)
            run(
                [
                    "bash",
                    str(VARNISH_SCRIPT),
                    "start",
                    str(varnish_dir),
                    str(port_b),
                    str(varnish_port),
                    str(purge_port),
                ],
                env,
                "starting Varnish",
            )
            cleanup.callback(
                run,
                ["bash", str(VARNISH_SCRIPT), "stop", str(varnish_dir)],
                env,
                "stopping Varnish",
            )
            if varnish_steps(varnish_port, env):
                say(
                    "Varnish shows the new trial at once on both pages; the other drug stays cached"
                )
                return 0
            say("FAILED: Varnish served a stale page or purged an unrelated one")
            return 1
        say(f"FAILED: node B showed version {after} (expected {(before or 0) + 1})")
        return 1


def drop_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def delete_keys(client: redis.Redis, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


if __name__ == "__main__":
    sys.exit(main())

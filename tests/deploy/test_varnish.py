"""Varnish in front (deploy/varnish.vcl, started by scripts/varnish.sh): pages cached at the
edge, and a publish purges exactly the pages showing what changed, after it commits
(scripts/scaleout_demo.py --varnish, on the dedicated primary, its replica and Redis)."""

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from monographs.publishing.cache import proxies_purge
from tests.deploy.conftest import REDIS_URL, require_redis
from tests.deploy.scaleout import requires_scaleout

pytestmark = [pytest.mark.scaleout, requires_scaleout]

ROOT = Path(__file__).resolve().parents[2]
DEMO_SECONDS = 300
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")


def test_a_publish_purges_the_pages_showing_it_from_varnish_at_once():
    require_redis()
    assert VARNISHD, "varnishd is not installed: apt-get install varnish varnish-modules"
    primary, replica = settings.DATABASES["default"], settings.DATABASES.get("replica_1")
    assert replica is not None, "SCALEOUT_TESTS=1 needs DATABASE_REPLICA_URLS"

    result = subprocess.run(
        [
            sys.executable,
            "scripts/scaleout_demo.py",
            "--corpus=minimal",
            "--varnish",
            f"--primary-port={primary['PORT']}",
            f"--replica-port={replica['PORT']}",
            f"--redis-url={REDIS_URL}",
            "--keep-clusters",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEMO_SECONDS,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for path in ("/drugs/sorafenib/", "/trials/sharp/", "/drugs/lenvatinib/"):
        assert f"varnish {path}: HTTP 200, hit" in output, f"{path} was not cached:\n{output}"
    assert "varnish /trials/sharp/: HTTP 200, miss" in output.split("9. through Varnish")[1]
    assert "new trial title shown: True" in output
    assert "other drug stays cached" in output


class HeldPage(BaseHTTPRequestHandler):
    """An entry page as the app stores it: read at the start of the request (the version
    then published), answered when the test lets it go."""

    published = 1
    reading = threading.Event()
    answer = threading.Event()

    def do_GET(self):  # noqa: N802 (the method's name is the HTTP verb)
        version = HeldPage.published
        HeldPage.reading.set()
        HeldPage.answer.wait(10)
        body = f"version {version}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Surrogate-Key", "drug:sorafenib")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def through(port: int) -> tuple[str, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/drugs/sorafenib/", timeout=10) as r:
        return r.read().decode(), r.headers["X-Proxy-Cache"]


def test_a_page_read_before_a_commit_and_stored_after_its_purge_is_purged_again(settings):
    """The race the first purge leaves open, with a real Varnish: a stored page read just
    before a publish commits reaches Varnish after the purge and is kept; the purge sent
    again CACHE_PURGE_REPEAT later drops it, instead of the two minutes of its TTL."""
    assert VARNISHD, "varnishd is not installed: apt-get install varnish varnish-modules"
    HeldPage.published = 1
    HeldPage.reading.clear()
    HeldPage.answer.clear()
    backend = ThreadingHTTPServer(("127.0.0.1", 0), HeldPage)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port, purge_port = free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="varnish-race-"))
    workdir.chmod(0o755)  # read by the user varnishd drops to
    script = ROOT / "scripts" / "varnish.sh"
    start = [str(backend.server_address[1]), str(port), str(purge_port)]
    settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{purge_port}/"]
    settings.CACHE_PURGE_REPEAT = 1.0
    try:
        started = subprocess.run(
            ["bash", script, "start", workdir, *start], capture_output=True, text=True
        )
        assert started.returncode == 0, started.stdout + started.stderr
        early_read: list[tuple[str, str]] = []
        reader = threading.Thread(target=lambda: early_read.append(through(port)))
        reader.start()
        assert HeldPage.reading.wait(10), "Varnish did not ask the backend"
        HeldPage.published = 2  # the publish commits while the read is on its way
        proxies_purge(keys=["drug:sorafenib"])
        purged = time.monotonic()
        HeldPage.answer.set()
        reader.join(10)

        assert early_read == [("version 1", "miss")]
        assert through(port) == ("version 1", "hit"), "the read outran the first purge"
        while time.monotonic() - purged < 5 and through(port)[0] == "version 1":
            time.sleep(0.05)
        assert time.monotonic() - purged >= 1.0
        assert through(port) == ("version 2", "hit"), "the old page outlived the repeated purge"
    finally:
        HeldPage.answer.set()
        subprocess.run(["bash", script, "stop", workdir], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
        backend.shutdown()
        backend.server_close()

"""deploy/nginx.conf, checked by Debian's nginx and run in front of the site.

The file's machine paths (logs, pid, certificate, static root) and ports are swapped for
temporary ones; everything else is tested as written. Without nginx these tests are skipped
with the reason; with SCALEOUT_TESTS=1 (the scale-out step of .ci/run, which installs nginx)
they fail instead.
"""

import contextlib
import gzip
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import cache

from monographs.editorial.services.publish import root_import_publish
from monographs.models import Drug
from tests.deploy.scaleout import SCALEOUT_TESTS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
)
HASHED_CSS = "css/site.0123456789ab.css"


@pytest.fixture(scope="module")
def nginx() -> str:
    if NGINX is None:
        message = (
            "nginx is not installed (apt-get install nginx-light): deploy/nginx.conf unchecked"
        )
        if SCALEOUT_TESTS:
            pytest.fail(message)
        pytest.skip(message)
    return NGINX


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "site.pem", directory / "site.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return certificate, key


def render(
    directory: Path,
    *,
    http_port: int = 80,
    https_port: int = 443,
    upstream: str = "127.0.0.1:8000",
    user: str = "www-data",
    trusted_balancer: str | None = None,
) -> Path:
    """deploy/nginx.conf with this machine's temporary paths, ports and worker user.

    With `trusted_balancer`, its commented set_real_ip_from line is filled in with it.
    """
    certificate, key = self_signed_certificate(directory)
    text = CONFIG.read_text()
    for original, replacement in (
        ("user www-data;", f"user {user};"),
        ("pid /run/nginx.pid;", f"pid {directory}/nginx.pid;"),
        ("/var/log/nginx/", f"{directory}/"),
        ("/etc/ssl/certs/monographs.pem", str(certificate)),
        ("/etc/ssl/private/monographs.key", str(key)),
        ("root /srv/monographs;", f"root {directory};"),
        ("server 127.0.0.1:8000 ", f"server {upstream} "),
        ("listen 80 ", f"listen 127.0.0.1:{http_port} "),
        ("listen 443 ", f"listen 127.0.0.1:{https_port} "),
    ):
        assert original in text, f"deploy/nginx.conf no longer contains {original!r}"
        text = text.replace(original, replacement)
    if trusted_balancer:
        original = "# set_real_ip_from 10.0.0.0/8;"
        assert original in text, f"deploy/nginx.conf no longer contains {original!r}"
        text = text.replace(original, f"set_real_ip_from {trusted_balancer};")
    text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
    rendered = directory / "nginx.conf"
    rendered.write_text(text)
    return rendered


def test_debian_nginx_accepts_the_configuration(nginx, tmp_path):
    rendered = render(tmp_path)

    result = subprocess.run(
        [nginx, "-t", "-c", str(rendered), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def fetch(url: str, **headers: str):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        return opener.open(urllib.request.Request(url, headers=headers), timeout=10)
    except urllib.error.HTTPError as error:
        return error


@contextlib.contextmanager
def running(nginx: str, tmp_path: Path, live_server, **render_options):
    """nginx in front of the live server; yields its HTTP and HTTPS base URLs."""
    http_port, https_port = free_port(), free_port()
    upstream = live_server.url.removeprefix("http://")
    # The workers read the temporary static files, private to the user running the tests.
    user = pwd.getpwuid(os.geteuid()).pw_name
    rendered = render(
        tmp_path,
        http_port=http_port,
        https_port=https_port,
        upstream=upstream,
        user=user,
        **render_options,
    )
    process = subprocess.Popen(
        [nginx, "-c", str(rendered), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", https_port)) != 0:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode is not None


@pytest.mark.django_db(transaction=True)
def test_nginx_proxies_the_site_and_serves_static_files(nginx, tmp_path, live_server, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    drug = Drug.objects.create(inn="sorafenib", slug="sorafenib", summary="Multikinase.")
    root_import_publish(root=drug, note="test")
    static = tmp_path / "static" / "css"
    static.mkdir(parents=True)
    stylesheet = b"body { color: #222; }\n" * 100
    (static / Path(HASHED_CSS).name).write_bytes(stylesheet)
    (static / (Path(HASHED_CSS).name + ".gz")).write_bytes(gzip.compress(stylesheet))
    with running(nginx, tmp_path, live_server) as (http, https):
        plain = fetch(f"{http}/drugs/sorafenib/")
        assert plain.status == 301
        assert plain.headers["Location"] == "https://127.0.0.1/drugs/sorafenib/"

        page = fetch(f"{https}/drugs/sorafenib/", **{"Accept-Encoding": "gzip"})
        assert page.status == 200
        assert page.headers["Content-Encoding"] == "gzip"
        assert b"Version 1" in gzip.decompress(page.read())

        feed = fetch(f"{https}/feed/").read()
        assert b"https://127.0.0.1/drugs/sorafenib/" in feed, "Host or scheme not passed on"

        css = fetch(f"{https}/static/{HASHED_CSS}", **{"Accept-Encoding": "gzip"})
        assert css.status == 200
        assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert css.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(css.read()) == stylesheet


@pytest.fixture
def one_trusted_proxy(settings):
    """The app servers' settings behind the shipped nginx: NUM_PROXIES=1, a small allowance."""
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.API_THROTTLE_ANON = "2/minute"
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_at_the_edge_a_forged_x_forwarded_for_does_not_lift_the_rate_limit(
    nginx, tmp_path, live_server, one_trusted_proxy
):
    with running(nginx, tmp_path, live_server) as (_, https):
        statuses = [
            fetch(f"{https}/api/v1/changes/", **{"X-Forwarded-For": f"198.51.100.{n}"}).status
            for n in range(3)
        ]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db(transaction=True)
def test_behind_a_trusted_balancer_each_client_keeps_its_own_allowance(
    nginx, tmp_path, live_server, one_trusted_proxy
):
    # The tests reach nginx from 127.0.0.1: here that is the balancer, naming the client.
    with running(nginx, tmp_path, live_server, trusted_balancer="127.0.0.1") as (_, https):

        def get(client: str) -> int:
            return fetch(f"{https}/api/v1/changes/", **{"X-Forwarded-For": client}).status

        first = [get("203.0.113.5") for _ in range(3)]
        forged_then_second = get("198.51.100.1, 203.0.113.6")

    assert first == [200, 200, 429]
    assert forged_then_second == 200

"""deploy/nginx.conf, checked by Debian's nginx and run in front of the site.

The file's machine paths (logs, pid, certificate, static root) and ports are swapped for
temporary ones; everything else is tested as written. Without nginx these tests are skipped
with the reason; with SCALEOUT_TESTS=1 (the scale-out step of .ci/run, which installs nginx)
they fail instead.
"""

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

from monographs.editorial.services import root_import_publish
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
) -> Path:
    """deploy/nginx.conf with this machine's temporary paths, ports and worker user."""
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
    http_port, https_port = free_port(), free_port()
    upstream = live_server.url.removeprefix("http://")
    # The workers read the temporary static files, private to the user running the tests.
    user = pwd.getpwuid(os.geteuid()).pw_name
    rendered = render(
        tmp_path, http_port=http_port, https_port=https_port, upstream=upstream, user=user
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
        https = f"https://127.0.0.1:{https_port}"

        plain = fetch(f"http://127.0.0.1:{http_port}/drugs/sorafenib/")
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
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode is not None

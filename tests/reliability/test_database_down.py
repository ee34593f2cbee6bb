"""The database goes away: pages and the API answer 503 at once, and recover by themselves."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from config.health import server_error
from tests.site.corpus import published_drug

BASE_DIR = Path(__file__).resolve().parents[2]
PAGES = ["/", "/drugs/", "/drugs/sorafenib/", "/trials/", "/search/?q=sorafenib", "/feed/"]
API = ["/api/v1/drugs/", "/api/v1/drugs/sorafenib/", "/api/v1/changes/"]

# Static files are not collected for this run: serve their plain names, as with DEBUG on.
PROBE = """
import json, time
from django.conf import settings
from django.test import Client
settings.STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
client = Client(raise_request_exception=False)
answers = {}
for url in json.loads(URLS):
    started = time.monotonic()
    response = client.get(url)
    answers[url] = [response.status_code, time.monotonic() - started,
                    response.get("Content-Type", ""), response.get("Retry-After"),
                    response.content.decode()]
print(json.dumps(answers))
"""


def test_an_unreachable_database_gives_503_within_a_second():
    """A real PostgreSQL configuration whose server does not answer (nothing on the port)."""
    urls = PAGES + API + ["/healthz", "/readyz"]
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/monographs",
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-key-for-this-test-only-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_REPLICA_URLS": "",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            PROBE.replace("URLS", repr(json.dumps(urls))),
        ],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    for url in PAGES:
        status, seconds, content_type, retry_after, body = answers[url]
        assert (status, content_type, retry_after) == (503, "text/html; charset=utf-8", "30"), url
        assert seconds < 1.0, (url, seconds)
        assert "briefly unavailable" in body and "Traceback" not in body
    for url in API:
        status, seconds, content_type, retry_after, body = answers[url]
        assert (status, content_type, retry_after) == (503, "application/json", "30"), url
        assert seconds < 1.0, (url, seconds)
        assert json.loads(body)["status"] == 503
    assert answers["/healthz"][0] == 200
    assert answers["/readyz"][0] == 503 and answers["/readyz"][1] < 1.0


@pytest.mark.django_db
def test_pages_answer_503_while_queries_fail_and_recover_without_a_restart(client, monkeypatch):
    drug = published_drug()
    page, endpoint = f"/drugs/{drug.slug}/", f"/api/v1/drugs/{drug.slug}/"
    assert client.get(page).status_code == 200

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as broken:
        broken.setattr(connection, "cursor", lost)
        down = [client.get(url) for url in (page, endpoint, "/drugs/", "/readyz", "/healthz")]

    assert [response.status_code for response in down] == [503, 503, 503, 503, 200]
    assert b"briefly unavailable" in down[0].content
    assert down[1].json()["detail"].startswith("The service is briefly unavailable")
    assert [client.get(url).status_code for url in (page, endpoint, "/readyz")] == [200, 200, 200]


def test_a_lost_database_outside_a_view_is_a_503_too():
    request = RequestFactory().get("/drugs/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    try:
        raise ValueError("a bug")
    except ValueError:
        bug = server_error(request)

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert bug.status_code == 500


class TcpRelay:
    """A port that forwards to PostgreSQL until it is stopped: a database that goes away."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        for sock in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_going_away_and_coming_back(client):
    page = f"/drugs/{published_drug().slug}/"
    relay = TcpRelay(
        (
            connection.settings_dict["HOST"] or "127.0.0.1",
            int(connection.settings_dict["PORT"] or 5432),
        )
    )
    relay.start()
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(relay.port)
    try:
        assert client.get(page).status_code == 200
        relay.stop()
        started = time.monotonic()
        down = [client.get(url) for url in (page, "/api/v1/drugs/", "/readyz")]
        elapsed = time.monotonic() - started
        relay.start()
        back = [client.get(url) for url in (page, "/api/v1/drugs/", "/readyz")]
    finally:
        relay.stop()
        connection.close()
        connection.settings_dict["PORT"] = original_port

    assert [response.status_code for response in down] == [503, 503, 503]
    assert elapsed < 1.0 * len(down)
    assert [response.status_code for response in back] == [200, 200, 200]

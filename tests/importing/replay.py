"""A local HTTP server that replays sample payloads: real sockets on 127.0.0.1, no network."""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

SAMPLES = Path(__file__).parent / "samples"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class ReplayServer:
    """Routes a path to a list of replies, served in turn (the last one repeats)."""

    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def add(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def add_sample(self, path: str, sample: str, content_type: str = "application/json") -> None:
        self.add(path, Reply(200, (SAMPLES / sample).read_bytes(), content_type))

    def start(self) -> str:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                url = urlsplit(self.path)
                server.requests.append(
                    Request(url.path, parse_qs(url.query), dict(self.headers.items()))
                )
                replies = server.routes.get(url.path) or [Reply(404, b'{"error": "not found"}')]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped waiting (a timeout test)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def replay(settings):
    """A running replay server; every service's base URL points at it, retries do not wait."""
    server = ReplayServer()
    base = server.start()
    settings.CROSSREF_API_URL = f"{base}/crossref"
    settings.NCBI_EUTILS_URL = f"{base}/eutils"
    settings.CLINICALTRIALS_API_URL = f"{base}/ctgov/api/v2"
    settings.IMPORT_HTTP_BACKOFF = 0
    settings.IMPORT_HTTP_RETRIES = 2
    settings.IMPORT_HTTP_TIMEOUT = 2
    settings.IMPORT_CONTACT_EMAIL = "editors@example.org"
    yield server
    server.stop()


@pytest.fixture
def unreachable(settings):
    """Base URLs at a port nobody listens on: every request is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings.CROSSREF_API_URL = settings.NCBI_EUTILS_URL = base
    settings.CLINICALTRIALS_API_URL = base
    settings.IMPORT_HTTP_BACKOFF = 0
    settings.IMPORT_HTTP_RETRIES = 1
    return base

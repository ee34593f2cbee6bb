import socket

import pytest

from tests.importing.replay import ReplayServer


@pytest.fixture
def replay(settings):
    """A running replay server; every service's base URL points at it, retries do not wait."""
    server = ReplayServer()
    base = server.start()
    settings.CROSSREF_API_URL = f"{base}/crossref"
    settings.NCBI_EUTILS_URL = f"{base}/eutils"
    settings.CLINICALTRIALS_API_URL = f"{base}/ctgov/api/v2"
    settings.IMPORT_HTTP_BACKOFF = 0
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

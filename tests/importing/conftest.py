"""The replay server and an unreachable address for every importer test.

By default every service's base URL is a closed port on 127.0.0.1, so a test that forgot
to set up the replay server fails instead of reaching the network.
"""

import pytest

from tests.importing.replay import replay, unreachable  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def no_network(settings):
    settings.CROSSREF_API_URL = "http://127.0.0.1:9/crossref"
    settings.NCBI_EUTILS_URL = "http://127.0.0.1:9/eutils"
    settings.CLINICALTRIALS_API_URL = "http://127.0.0.1:9/ctgov"
    settings.IMPORT_HTTP_RETRIES = 0

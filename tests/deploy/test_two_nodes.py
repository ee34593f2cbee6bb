"""The scale-out demonstration as a test: two gunicorn nodes, a primary with a streaming
replica and Redis; a publish on node A shows on node B at once (scripts/scaleout_demo.py).

The demonstration uses a database of its own on the dedicated primary and a small corpus of
its own, and removes both afterwards.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.deploy.conftest import REDIS_URL, require_redis
from tests.deploy.scaleout import requires_scaleout

pytestmark = [pytest.mark.scaleout, requires_scaleout]

ROOT = Path(__file__).resolve().parents[2]
DEMO_SECONDS = 300


def test_a_publish_on_node_a_shows_on_node_b_at_once():
    require_redis()
    primary, replica = settings.DATABASES["default"], settings.DATABASES.get("replica_1")
    assert replica is not None, "SCALEOUT_TESTS=1 needs DATABASE_REPLICA_URLS"

    result = subprocess.run(
        [
            sys.executable,
            "scripts/scaleout_demo.py",
            "--corpus=minimal",
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
    assert "node B: /drugs/ HTTP 200, cache hit" in output, "node B did not share A's cache"
    assert "node A: /drugs/sorafenib/ HTTP 200, version 1, stored render" in output
    assert "node B: /drugs/sorafenib/ HTTP 200, version 2, stored render" in output
    assert "new summary shown: True" in output
    assert "node B: /drugs/ HTTP 200, cache miss" in output
    assert "new summary listed: True" in output
    assert "replica in recovery: True" in output

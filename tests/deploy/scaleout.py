"""The switch for tests that need the dedicated primary, its streaming replica and Redis.

They run when SCALEOUT_TESTS=1 and the suite is pointed at the clusters that
scripts/replica_cluster.sh starts (.ci/run does both; docs/deploy.md shows the commands).
"""

import os

import pytest

SCALEOUT_TESTS = os.environ.get("SCALEOUT_TESTS") == "1"

requires_scaleout = pytest.mark.skipif(
    not SCALEOUT_TESTS,
    reason="needs a streaming replica and Redis: run `scripts/replica_cluster.sh start`, then "
    "SCALEOUT_TESTS=1 with DATABASE_URL and DATABASE_REPLICA_URLS from its output "
    "(see docs/deploy.md)",
)

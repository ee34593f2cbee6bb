"""Varnish in front (deploy/varnish.vcl, started by scripts/varnish.sh): pages cached at the
edge, and a publish purges exactly the pages showing what changed, after it commits
(scripts/scaleout_demo.py --varnish, on the dedicated primary, its replica and Redis)."""

import shutil
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

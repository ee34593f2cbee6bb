"""Settings for `make bench` alone: the site plus the benchmark's own endpoints.

The floor view and the naive baseline (docs/performance.md) are routed under /bench/ only
here; the baseline reads the working copy, drafts included, so no other settings module
routes it. Everything else is the production settings, driven by the same environment.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"

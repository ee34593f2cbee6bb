"""Settings for `make bench` alone: the site plus the load-test app and its endpoints.

The synthetic corpus (`generate_corpus`), the floor view and the naive baseline
(docs/performance.md) exist only here; the baseline reads the working copy, drafts included,
so no other settings module routes it. Everything else is the production settings, driven by
the same environment, but for the response cache's key, which also holds the header the
benchmark misses the cache with.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "monographs.loadtest"]
ROOT_URLCONF = "monographs.loadtest.site_urls"
# The benchmark's uncached rows miss the response cache by a unique Accept-Language on every
# request (scripts/bench.py), which the production key leaves out.
PUBLISHED_RESPONSE_CACHE_KEY_HEADERS = ("accept-language",)

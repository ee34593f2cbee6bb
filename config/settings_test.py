"""Settings for the test suite: the production settings plus the load-test app.

The suite builds corpora with `generate_corpus` and its generator, so it installs the app;
its /bench/ endpoints stay unrouted here, as in production (tests that need them say so).
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "monographs.loadtest"]

"""Published content for the performance tests, made with the factories and the real services.

Query counts are asserted, not times: these machines are shared, so times are left to the
benchmark (make bench), which compares side by side in one run.
"""

from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def throttling_off(settings):
    settings.API_THROTTLE_ANON = "off"
    cache.clear()


def without_ids(value: Any) -> Any:
    """A document with its database ids left out: what stays the same from one database to
    another when the same content is written again."""
    if isinstance(value, dict):
        return {key: without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    return value

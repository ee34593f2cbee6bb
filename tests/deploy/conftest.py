"""Deployment fixtures: an isolated response cache (local memory or a real Redis), published
drugs, staff clients, and the replica switch.

Redis: REDIS_URL (or TEST_REDIS_URL), else redis://127.0.0.1:6379/0. Each test gets a key
prefix of its own and its keys are deleted afterwards; the database is never flushed, since
others may share it. Without a reachable Redis the Redis cases are skipped, except with
SCALEOUT_TESTS=1 (the scale-out step of .ci/run), where they fail.
"""

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client

from monographs.editorial.roles import REVIEWER
from monographs.editorial.services.publish import root_import_publish
from monographs.models import Drug
from tests.deploy.scaleout import SCALEOUT_TESTS

REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
)
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"
CACHE_SECONDS = 600


def redis_client() -> redis.Redis | None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


def require_redis() -> redis.Redis:
    client = redis_client()
    if client is None:
        message = f"Redis is not reachable at {REDIS_URL}: start redis-server or set TEST_REDIS_URL"
        if SCALEOUT_TESTS:
            pytest.fail(message)
        pytest.skip(message)
    return client


def delete_prefixed(client: redis.Redis, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def isolated_cache(settings) -> None:
    """A private local-memory cache, the response cache off and no rate limit, unless asked."""
    settings.CACHES = {"default": {"BACKEND": LOCMEM, "LOCATION": f"deploy-{uuid.uuid4().hex}"}}
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 0
    settings.API_THROTTLE_ANON = "off"


@pytest.fixture(autouse=True)
def replicas_only_for_scaleout_tests(request, monkeypatch) -> None:
    """Other tests run inside a transaction that a replica cannot see: they read the primary."""
    if "scaleout" not in request.keywords:
        monkeypatch.setattr("config.routers.replica_aliases", lambda: [])


@pytest.fixture(params=["locmem", "redis"])
def response_cache(request, settings) -> Iterator[str]:
    """The response cache on, over local memory and over a real Redis. API details answered by
    their view and searches are cached at their first miss, as every other response is, so
    that what a test reads twice is a hit; tests/deploy/test_cache.py holds the default (their
    second miss). Stored entry pages and details are answered above the cache."""
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = CACHE_SECONDS
    settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES = 1
    settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES = 1
    if request.param == "locmem":
        yield "locmem"
        return
    client = require_redis()
    prefix = f"test-deploy-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": REDIS, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    try:
        yield "redis"
    finally:
        caches["default"].close()
        delete_prefixed(client, prefix)


@pytest.fixture
def publish_drug(db, django_capture_on_commit_callbacks) -> Callable[..., Drug]:
    """Publish a drug, or a new version of it, running the after-commit hooks as a commit would."""

    def publish(slug: str = "sorafenib", summary: str = "Oral multikinase inhibitor.") -> Drug:
        drug = Drug.objects.filter(slug=slug).first()
        if drug is None:
            drug = Drug.objects.create(
                inn=slug, slug=slug, drug_class="Multikinase inhibitor", summary=summary
            )
        else:
            drug.summary = summary
            drug.save(update_fields=["summary"])
        with django_capture_on_commit_callbacks(execute=True):
            root_import_publish(root=drug, note="test")
        return drug

    return publish


@pytest.fixture
def reviewer(db, django_user_model):
    user = django_user_model.objects.create_user(
        username="reviewer", password="not-used-here", is_staff=True
    )
    user.groups.add(Group.objects.get(name=REVIEWER))
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def staff_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client

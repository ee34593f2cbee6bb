"""What the environment turns on: replicas and their router, Redis, WhiteNoise's storage.

Each case runs config/settings.py afresh with its own environment, leaving the settings of
this test run alone.
"""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
DEPLOYMENT_VARIABLES = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "PUBLISHED_RESPONSE_CACHE_SECONDS",
    "DEBUG",
    "SECRET_KEY",
    "STATIC_ROOT",
)


@pytest.fixture
def load_settings(monkeypatch):
    for name in DEPLOYMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**environment: str) -> dict:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def test_a_newcomer_gets_sqlite_local_memory_and_no_router(load_settings):
    settings = load_settings()

    assert list(settings["DATABASES"]) == ["default"]
    assert settings["DATABASES"]["default"]["ENGINE"] == "monographs.publishing.sqlite_backend"
    assert "DATABASE_ROUTERS" not in settings
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert settings["PUBLISHED_RESPONSE_CACHE_SECONDS"] == 0
    assert settings["STORAGES"]["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    assert "Manifest" not in settings["STORAGES"]["staticfiles"]["BACKEND"]


def test_replica_urls_become_mirrored_aliases_behind_the_router(load_settings):
    settings = load_settings(
        DATABASE_URL="postgres://app@primary.internal:5432/monographs",
        DATABASE_REPLICA_URLS=(
            "postgres://app@replica-a.internal:5432/monographs, "
            "postgres://app@replica-b.internal:5432/monographs?application_name=web"
        ),
    )

    databases = settings["DATABASES"]
    assert list(databases) == ["default", "replica_1", "replica_2"]
    assert databases["replica_1"]["HOST"] == "replica-a.internal"
    assert databases["replica_2"]["HOST"] == "replica-b.internal"
    assert databases["replica_2"]["OPTIONS"]["application_name"] == "web"
    for alias in ("replica_1", "replica_2"):
        assert databases[alias]["TEST"] == {"MIRROR": "default"}
        for option, value in databases["default"].get("OPTIONS", {}).items():
            assert databases[alias]["OPTIONS"][option] == value, "replicas share the options"
    assert settings["DATABASE_ROUTERS"] == ["config.routers.ReplicaRouter"]


@pytest.mark.parametrize("seconds", ["-1", "30"])
def test_a_purge_repeated_never_or_later_than_a_process_may_wait_is_refused(load_settings, seconds):
    with pytest.raises(ImproperlyConfigured, match=f"CACHE_PURGE_REPEAT={seconds} is seconds"):
        load_settings(CACHE_PURGE_REPEAT=seconds)
    assert load_settings(CACHE_PURGE_REPEAT="0")["CACHE_PURGE_REPEAT"] == 0


def test_replicas_of_sqlite_are_refused(load_settings):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URLS"):
        load_settings(DATABASE_REPLICA_URLS="postgres://app@replica.internal/monographs")


def test_redis_url_shares_the_cache_and_turns_the_response_cache_on(load_settings):
    settings = load_settings(REDIS_URL="redis://cache.internal:6379/2", CACHE_KEY_PREFIX="site")

    cache = settings["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/2"
    assert cache["KEY_PREFIX"] == "site"
    assert settings["PUBLISHED_RESPONSE_CACHE_SECONDS"] == 600


def test_debug_off_serves_hashed_compressed_static_files(load_settings, tmp_path):
    settings = load_settings(DEBUG="0", SECRET_KEY="x" * 50, STATIC_ROOT=str(tmp_path))

    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings["STATIC_ROOT"] == tmp_path
    assert settings["WHITENOISE_USE_FINDERS"] is False


def test_middleware_order(load_settings):
    middleware = load_settings()["MIDDLEWARE"]

    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    cache = middleware.index("monographs.publishing.cache.PublishedResponseCacheMiddleware")
    headers_on_every_response = [
        "django.middleware.security.SecurityMiddleware",
        "config.middleware.ContentSecurityPolicyMiddleware",
        "config.middleware.DatabaseUnavailableMiddleware",
    ]
    assert all(middleware.index(name) < cache for name in headers_on_every_response)
    # Stored entry pages and details: under every response's headers and the readers' rate
    # limits, right above the cache, whose lookup would only add a round trip to their read.
    stored = middleware.index("monographs.site.middleware.StoredPageMiddleware")
    assert stored == cache - 1
    assert all(middleware.index(name) < stored for name in headers_on_every_response)
    assert middleware.index("monographs.api.http.RateLimitHeadersMiddleware") < stored
    marks_what_must_not_be_stored = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]
    assert all(middleware.index(name) > cache for name in marks_what_must_not_be_stored)
    assert middleware.index("config.routers.PublicReadRoutingMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


def test_statements_are_bounded_on_postgresql_and_replicas_alike(load_settings, monkeypatch):
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT", raising=False)
    default = load_settings(
        DATABASE_URL="postgres://app@primary.internal:5432/monographs",
        DATABASE_REPLICA_URLS="postgres://app@replica-a.internal:5432/monographs",
    )
    shorter = load_settings(DATABASE_STATEMENT_TIMEOUT="2.5")
    off = load_settings(DATABASE_STATEMENT_TIMEOUT="0")

    assert default["DATABASES"]["default"]["OPTIONS"]["options"] == "-c statement_timeout=5000"
    assert default["DATABASES"]["replica_1"]["OPTIONS"]["options"] == "-c statement_timeout=5000"
    assert shorter["DATABASES"]["default"]["OPTIONS"]["options"] == "-c statement_timeout=2500"
    assert off["DATABASES"]["default"]["OPTIONS"]["options"] == "-c statement_timeout=0"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_STATEMENT_TIMEOUT"):
        load_settings(DATABASE_STATEMENT_TIMEOUT="-1")


def test_management_commands_run_without_the_statement_timeout(monkeypatch):
    """migrate, load_seeds or rebuild_read_tables may need longer than a web request waits."""
    environment = {**os.environ, "DATABASE_URL": "postgres://app@primary.internal:5432/x"}
    environment.pop("DATABASE_STATEMENT_TIMEOUT", None)
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", show],
        cwd=SETTINGS_FILE.parents[1],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "statement_timeout=0" in result.stdout

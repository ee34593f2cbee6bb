from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import settings as hypothesis_settings


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL's behaviour (row locks, real concurrency)."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def files_of_this_test(settings, tmp_path):
    """Files a test writes (bulk snapshots) stay its own: a rolled-back test's ids come back
    in the next one, and a database made for another run or worker names its snapshots alike."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s per user; the tests are about rules, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Property-based tests explore the same examples on every run and every machine, so a
# failure in CI reproduces locally; the example database stays out of the tree.
hypothesis_settings.register_profile("project", derandomize=True, database=None)
hypothesis_settings.load_profile("project")


@pytest.fixture(scope="module")
def published_seed_corpus(django_db_setup, django_db_blocker):
    """The seed corpus loaded and published once per module, and rolled back afterwards:
    what readers find and read is judged on the real records."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seeds", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def pages_rendered_live(settings):
    """For tests reading an entry page's template context: a stored page is bytes with none,
    so they read the live render, which is the same function the stored one came from."""
    settings.SERVE_STORED_PAGES = False

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


def _transactional(request) -> bool:
    """Whether the test ran outside a rolled-back transaction, as pytest-django decides."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        from pytest_django.fixtures import validate_django_db

        outside_a_transaction, reset_sequences, *_ = validate_django_db(marker)
        if outside_a_transaction or reset_sequences:
            return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def search_words_forgotten(request, django_db_blocker):
    """The search's word tables (PostgreSQL) are written by SQL, outside Django's models, so
    the flush that ends a transactional test leaves them: the words one test indexed would be
    known to a later test's queries, and correct its misspellings (a search for "hepatoma"
    found what an earlier test's seed corpus had indexed, in some orders of the suite)."""
    yield
    if connection.vendor != "postgresql" or not _transactional(request):
        return
    from monographs.search.indexing import SPELLING_TABLE, VOCABULARY_TABLE

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # A migration test may leave the schema of before the tables.
        cursor.execute(
            "SELECT to_regclass(%s), to_regclass(%s)", [VOCABULARY_TABLE, SPELLING_TABLE]
        )
        if None not in cursor.fetchone():
            cursor.execute(f"TRUNCATE {VOCABULARY_TABLE}, {SPELLING_TABLE}")


@pytest.fixture(autouse=True)
def purges_repeated_within_their_test():
    """A purge's repeat (CACHE_PURGE_REPEAT) is a timer: one a test leaves would purge
    during the next, from a proxy address that test never named."""
    yield
    from monographs.publishing.cache import _purges_repeated

    with _purges_repeated._lock:
        if _purges_repeated._timer is not None:
            _purges_repeated._timer.cancel()
    _purges_repeated._forget()


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

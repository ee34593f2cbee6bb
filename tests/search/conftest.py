from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def published_seed_corpus(django_db_setup, django_db_blocker):
    """The seed corpus loaded and published once per module, and rolled back afterwards:
    search is judged on what readers can find."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seeds", stdout=StringIO())
        yield
        transaction.set_rollback(True)

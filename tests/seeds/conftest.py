from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def seeded_corpus(django_db_setup, django_db_blocker):
    """The whole seed corpus loaded once per module as drafts, and rolled back afterwards.

    Tests that use it are still wrapped in their own transaction, so they cannot disturb
    one another; loading once keeps the module fast.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        output = StringIO()
        call_command("load_seeds", "--draft", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)

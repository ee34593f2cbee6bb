"""An as_of answer never changes: publish and withdrawal times are their commit's (PostgreSQL).

A publish that takes a while writes its rows, then commits. A reader asking for a moment in
between sees the version before, during the publish; after the commit, the same URL must
answer the same. Reproduced with a real transaction held open in another thread.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from monographs.editorial.models import EditorialEvent
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry, Publication
from tests.factories import DrugFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def as_of(slug: str, moment) -> tuple[int, int | None]:
    response = Client().get(
        f"/api/v1/drugs/{slug}/", {"as_of": moment.isoformat().replace("+00:00", "Z")}
    )
    return response.status_code, response.json().get("version")


def held_open(work) -> tuple[threading.Event, threading.Event, threading.Thread, list]:
    """Run work() in a transaction that waits, once written, until released."""
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                written.set()
                assert release.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return written, release, thread, failures


def test_an_as_of_during_a_publish_answers_the_same_once_it_commits(settings):
    settings.API_THROTTLE_ANON = "off"
    drug = DrugFactory(inn="stampinib", atc_code=None)
    root_import_publish(root=drug, note="v1")
    drug.summary = "Second version."
    drug.save()
    started = timezone.now()

    written, release, thread, failures = held_open(
        lambda: root_import_publish(root=drug, note="v2")
    )
    assert written.wait(timeout=30)
    time.sleep(0.05)
    during = timezone.now()
    answer_during = as_of("stampinib", during)
    time.sleep(0.05)
    before_commit = timezone.now()
    release.set()
    thread.join(timeout=30)
    assert not failures, failures

    assert answer_during == (200, 1)
    assert as_of("stampinib", during) == answer_during
    second = Publication.objects.get(root_id=drug.pk, kind="drug", version=2)
    assert second.published_at >= before_commit > during > started
    entry = Entry.objects.get(kind="drug", root_id=drug.pk)
    event = EditorialEvent.objects.get(publication=second, action="published")
    assert entry.last_published_at == event.created_at == second.published_at
    assert as_of("stampinib", timezone.now()) == (200, 2)


def test_a_withdrawal_counts_from_its_commit(settings):
    settings.API_THROTTLE_ANON = "off"
    reviewer = UserFactory(is_staff=True, is_superuser=True)
    drug = DrugFactory(inn="gonestamp", atc_code=None)
    first = root_import_publish(root=drug, note="v1")

    written, release, thread, failures = held_open(
        lambda: root_withdraw(root=drug, user=reviewer, reason="Under correction.")
    )
    assert written.wait(timeout=30)
    time.sleep(0.05)
    during = timezone.now()
    answer_during = as_of("gonestamp", during)
    release.set()
    thread.join(timeout=30)
    assert not failures, failures

    entry = Entry.objects.get(kind="drug", root_id=drug.pk)
    event = EditorialEvent.objects.get(kind="drug", root_id=drug.pk, action="withdrawn")
    assert entry.withdrawn_at == event.created_at > during
    # Live again (a withdrawn entry answers 410 whatever the moment): the moment read during
    # the withdrawal still finds the first version, as it did then.
    root_import_publish(root=drug, note="Corrected.")
    assert answer_during == (200, 1)
    assert as_of("gonestamp", during) == answer_during
    # The first publication kept its own commit time, a single stamp per transaction.
    assert Publication.objects.get(pk=first.pk).published_at < during

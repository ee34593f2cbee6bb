"""Publish and withdrawal times are taken when their transaction commits, on every database.

PostgreSQL stamps them with a trigger deferred to COMMIT; the project's SQLite backend runs
the same updates as the transaction's last statements. Either way a reader asking `as_of`
a moment before the commit never meets a version that was not yet visible then.
"""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from monographs.editorial.models import EditorialEvent
from monographs.editorial.services.publish import root_import_publish, roots_import_publish_bulk
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import Drug
from monographs.publishing.models import Entry, Publication
from tests.factories import DrugFactory

pytestmark = pytest.mark.django_db(transaction=True)


def slow_commit(work) -> tuple:
    """Run work() in one transaction that stays open a while after writing: (started, ending)."""
    started = timezone.now()
    with transaction.atomic():
        work()
        time.sleep(0.05)
        ending = timezone.now()
    return started, ending


def test_a_publish_is_stamped_with_its_commit_time_on_every_row():
    drug = DrugFactory(inn="stampinib", atc_code=None)

    started, ending = slow_commit(lambda: root_import_publish(root=drug, note="v1"))

    publication = Publication.objects.get(kind="drug", root_id=drug.pk)
    entry = Entry.objects.get(kind="drug", root_id=drug.pk)
    event = EditorialEvent.objects.get(publication=publication, action="published")
    assert publication.published_at >= ending > started
    assert entry.first_published_at == entry.last_published_at == publication.published_at
    assert event.created_at == publication.published_at


def test_a_second_version_keeps_the_first_publication_time():
    drug = DrugFactory(inn="stampinib", atc_code=None)
    root_import_publish(root=drug, note="v1")
    first = Entry.objects.get(kind="drug", root_id=drug.pk).first_published_at
    drug.summary = "Second version."
    drug.save()

    _, ending = slow_commit(lambda: root_import_publish(root=drug, note="v2"))

    entry = Entry.objects.get(kind="drug", root_id=drug.pk)
    second = Publication.objects.get(kind="drug", root_id=drug.pk, version=2)
    assert entry.first_published_at == first < ending
    assert entry.last_published_at == second.published_at >= ending


def test_a_withdrawal_is_stamped_with_its_commit_time(reviewer):
    drug = DrugFactory(inn="stampinib", atc_code=None)
    root_import_publish(root=drug, note="v1")

    _, ending = slow_commit(
        lambda: root_withdraw(root=drug, user=reviewer, reason="Superseded by the label.")
    )

    entry = Entry.objects.get(kind="drug", root_id=drug.pk)
    event = EditorialEvent.objects.get(kind="drug", root_id=drug.pk, action="withdrawn")
    assert entry.withdrawn_at == event.created_at >= ending


def test_a_bulk_publish_stamps_every_root_of_its_batch_with_one_time():
    drugs = [DrugFactory(inn=f"batchinib{n}", atc_code=None) for n in range(3)]
    started = timezone.now()

    roots_import_publish_bulk(
        kind="drug", roots=Drug.objects.filter(pk__in=[d.pk for d in drugs]), note="load"
    )

    times = set(
        Publication.objects.filter(kind="drug", root_id__in=[d.pk for d in drugs]).values_list(
            "published_at", flat=True
        )
    )
    events = set(
        EditorialEvent.objects.filter(
            action="published", root_id__in=[d.pk for d in drugs]
        ).values_list("created_at", flat=True)
    )
    assert len(times) == 1 and times == events
    assert times.pop() >= started


def test_a_rolled_back_publish_leaves_nothing_to_stamp_in_the_next_transaction():
    drug = DrugFactory(inn="stampinib", atc_code=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        root_import_publish(root=drug, note="v1")
        raise RuntimeError("abandoned")
    assert getattr(transaction.get_connection(), "events_stamped_at_commit", []) == []

    _, ending = slow_commit(lambda: root_import_publish(root=drug, note="v1"))
    assert Publication.objects.get(kind="drug", root_id=drug.pk).published_at >= ending

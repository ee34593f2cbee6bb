"""Real concurrency on PostgreSQL: row locks decide, nobody's work is silently lost."""

import threading
import time

import pytest
from django.db import connection, transaction

from monographs.editorial.exceptions import ConcurrentEditError, TransitionNotAllowed
from monographs.editorial.services.edits import root_check_lock_version, root_record_edit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.review import revision_approve, revision_submit
from monographs.models import Drug, MonographSection
from monographs.publishing.models import Publication

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*workers):
    """Start the workers at the same moment; collect what each returned or raised."""
    barrier = threading.Barrier(len(workers))
    outcomes = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait()
            outcomes[index] = work()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_reviewers_publishing_at_once_make_exactly_one_version(
    drafted_drug, editor, reviewer, second_reviewer
):
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)

    outcomes = run_together(
        lambda: root_publish(root=Drug.objects.get(pk=drafted_drug.pk), user=reviewer),
        lambda: root_publish(root=Drug.objects.get(pk=drafted_drug.pk), user=second_reviewer),
    )

    published = [o for o in outcomes if isinstance(o, Publication)]
    refused = [o for o in outcomes if isinstance(o, TransitionNotAllowed)]
    assert (len(published), len(refused)) == (1, 1), outcomes
    assert "published" in str(refused[0])
    assert list(Publication.objects.values_list("version", flat=True)) == [1]


def test_two_editors_saving_at_once_give_one_conflict_and_no_lost_update(
    drafted_drug, editor, second_editor
):
    opened_at = drafted_drug.lock_version

    def save(user, text):
        def work():
            with transaction.atomic():
                drug = Drug.objects.get(pk=drafted_drug.pk)
                root_check_lock_version(root=drug, expected_lock_version=opened_at)
                time.sleep(0.2)
                MonographSection.objects.filter(drug=drug).update(body=text)
                root_record_edit(root=drug, user=user)
            return text

        return work

    outcomes = run_together(save(editor, "Ann's wording"), save(second_editor, "Bob's wording"))

    saved = [o for o in outcomes if isinstance(o, str)]
    conflicts = [o for o in outcomes if isinstance(o, ConcurrentEditError)]
    assert (len(saved), len(conflicts)) == (1, 1), outcomes
    assert MonographSection.objects.get(drug=drafted_drug).body == saved[0]
    drafted_drug.refresh_from_db()
    assert drafted_drug.lock_version == opened_at + 1

"""The change feed never lets a mirror skip a change, whatever order transactions commit in.

A long publish draws its event id first and commits last; a quick one draws a later id and
commits first. A mirror reading in between must not be handed the quick one's token, or it
would never see the long one. Reproduced with two real transactions on PostgreSQL.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from monographs.editorial.services.publish import root_import_publish
from tests.factories import DrugFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def feed(since: int) -> dict:
    return Client().get("/api/v1/changes/", {"since": since}).json()


def test_a_mirror_reading_during_a_long_publish_misses_nothing(settings):
    settings.API_THROTTLE_ANON = "off"
    # No word in common: two publishes indexing the same new word queue on its row.
    slow = DrugFactory(inn="slowtinib", drug_class="Alphaclass", summary="Slowly.", atc_code=None)
    quick = DrugFactory(inn="quickib", drug_class="Betaclass", summary="Quickly.", atc_code=None)
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def long_publish() -> None:
        try:
            with transaction.atomic():
                root_import_publish(root=slow, note="A long import.")
                written.set()  # its event id is drawn; the commit waits
                assert release.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=long_publish)
    thread.start()
    assert written.wait(timeout=30)
    root_import_publish(root=quick, note="A quick one, committed first.")

    during = feed(0)
    release.set()
    thread.join(timeout=30)
    assert not failures, failures
    after = feed(during["last_token"] if during["results"] else 0)

    mirror = {c["slug"] for c in during["results"]} | {c["slug"] for c in after["results"]}
    assert mirror == {"slowtinib", quick.slug}
    assert [c["slug"] for c in during["results"]] == []  # held back behind the open one
    tokens = [c["token"] for c in after["results"]]
    assert tokens == sorted(tokens)


def test_a_transaction_that_began_first_but_drew_its_event_id_last_skips_nothing(settings):
    """The first transaction takes its transaction id, a second draws event id n and stays
    open, the first draws n+1 and commits: the feed holds n+1 back until n commits."""
    settings.API_THROTTLE_ANON = "off"
    early = DrugFactory(inn="earlytinib", drug_class="Gammaclass", summary="Early.", atc_code=None)
    open_ = DrugFactory(inn="opentinib", drug_class="Deltaclass", summary="Open.", atc_code=None)
    began, drawn, release = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:  # takes its transaction id first, draws its event id last
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_current_xact_id()")
                began.set()
                assert drawn.wait(timeout=30)
                root_import_publish(root=early, note="Began first, drew its id last.")
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connection.close()

    def second() -> None:  # draws its event id first and stays open
        try:
            assert began.wait(timeout=30)
            with transaction.atomic():
                root_import_publish(root=open_, note="Drew its id first, commits last.")
                drawn.set()
                assert release.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
            drawn.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    threads[0].join(timeout=30)

    during = feed(0)
    release.set()
    threads[1].join(timeout=30)
    assert not failures, failures
    after = feed(during["last_token"] if during["results"] else 0)

    assert [c["slug"] for c in during["results"]] == []  # the open one's id is below it
    assert [c["slug"] for c in after["results"]] == ["opentinib", "earlytinib"]


def test_a_publish_in_another_database_of_the_cluster_does_not_hold_the_feed_back(settings):
    """The lock table is the cluster's: a second site or a benchmark publishing in another
    database holds only its own feed back."""
    import psycopg

    from monographs.editorial.event_order import KEY_OFFSET

    settings.API_THROTTLE_ANON = "off"
    root_import_publish(root=DrugFactory(inn="herenib", atc_code=None), note="Here.")
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as elsewhere, elsewhere.transaction():
        # Another database's publish, in flight with a key below every event here.
        elsewhere.execute("SELECT pg_advisory_xact_lock_shared(%s)", [KEY_OFFSET])
        assert [c["slug"] for c in feed(0)["results"]] == ["herenib"]

"""Against a real streaming replica: public reads go there and see a publish at once.

Run with the clusters of scripts/replica_cluster.sh (see tests/deploy/scaleout.py). The
tests are transactional: the replica sees only what the primary has committed.
"""

import re

import pytest
from django.apps import apps
from django.db import connections
from django.http.response import HttpResponseBase
from django.test.utils import CaptureQueriesContext

from config.routers import PUBLISHED_MODELS, replica_aliases
from monographs.editorial.services.withdrawal import root_withdraw
from tests.deploy.scaleout import requires_scaleout

pytestmark = [
    pytest.mark.scaleout,
    requires_scaleout,
    pytest.mark.django_db(transaction=True, databases=["default", "replica_1"]),
]

DRUG_PAGE = "/drugs/sorafenib/"
PUBLISHED_TABLES = {apps.get_model(label)._meta.db_table for label in PUBLISHED_MODELS}


@pytest.fixture(autouse=True)
def streaming_replica() -> None:
    if replica_aliases() != ["replica_1"]:
        pytest.fail(
            "SCALEOUT_TESTS=1 needs DATABASE_REPLICA_URLS naming one replica, e.g. the output "
            "of `scripts/replica_cluster.sh urls`."
        )


def queries_on_each_database(request) -> tuple[list[str], list[str], HttpResponseBase]:
    """The SQL one request sent to the primary and to the replica, and its response.

    A streamed body is read inside, since its queries run while it is read.
    """
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica_1"]) as replica,
    ):
        response = request()
        if response.streaming:
            b"".join(response.streaming_content)
    return [q["sql"] for q in primary], [q["sql"] for q in replica], response


def test_the_replica_is_a_read_only_standby_of_the_primary():
    with connections["replica_1"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
        assert cursor.fetchone() == (True, "on")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('synchronous_commit')")
        assert cursor.fetchone() == (False, "remote_apply")


def test_each_publish_is_read_from_the_replica_at_once(publish_drug, client):
    for version in range(1, 6):
        publish_drug(summary=f"Summary of version {version}.")

        primary, replica, page = queries_on_each_database(lambda: client.get(DRUG_PAGE))

        assert page.status_code == 200
        assert f"Version {version}".encode() in page.content
        assert f"Summary of version {version}.".encode() in page.content
        assert (primary, bool(replica)) == ([], True)


def test_a_withdrawal_is_read_from_the_replica_at_once(publish_drug, reviewer, client):
    drug = publish_drug()
    client.get(DRUG_PAGE)

    root_withdraw(root=drug, user=reviewer, reason="Withdrawn pending a safety review.")

    primary, replica, page = queries_on_each_database(lambda: client.get(DRUG_PAGE))
    assert page.status_code == 410
    assert b"Withdrawn pending a safety review." in page.content
    assert (primary, bool(replica)) == ([], True)


@pytest.mark.parametrize(
    "url", ["/drugs/", "/search/?q=sorafenib", "/api/v1/drugs/", "/api/v1/export/trials.csv"]
)
def test_lists_search_api_and_streamed_exports_read_the_replica(url, publish_drug, client):
    publish_drug()

    primary, replica, response = queries_on_each_database(lambda: client.get(url))

    assert response.status_code == 200
    assert (primary, bool(replica)) == ([], True)


def test_signed_in_staff_read_the_primary(publish_drug, staff_client):
    publish_drug()

    primary, replica, page = queries_on_each_database(lambda: staff_client.get(DRUG_PAGE))

    assert page.status_code == 200
    assert (bool(primary), replica) == (True, [])


def test_a_public_page_reads_only_published_tables_on_the_replica(publish_drug, client):
    publish_drug()

    _, replica, page = queries_on_each_database(lambda: client.get(DRUG_PAGE))

    assert page.status_code == 200
    tables = set(re.findall(r'(?:FROM|JOIN) "(\w+)"', " ".join(replica)))
    assert tables and tables <= PUBLISHED_TABLES, tables


def test_a_cached_page_is_replaced_at_once_after_a_publish(publish_drug, client, response_cache):
    """The cached list and the stored entry page, read on the replica straight after the
    publish returns, both show it."""
    publish_drug(summary="Before.")
    assert b"Before." in client.get("/drugs/").content
    assert client.get("/drugs/")["X-Cache"] == "hit"
    assert b"Before." in client.get(DRUG_PAGE).content

    publish_drug(summary="After.")

    primary, replica, listing = queries_on_each_database(lambda: client.get("/drugs/"))
    assert b"After." in listing.content
    assert listing["X-Cache"] == "miss"
    assert (primary, bool(replica)) == ([], True)
    primary, replica, page = queries_on_each_database(lambda: client.get(DRUG_PAGE))
    assert b"After." in page.content
    assert b"Version 2" in page.content
    assert (primary, len(replica)) == ([], 1)

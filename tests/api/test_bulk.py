"""The bulk download: files written once from one snapshot, listed with checksums, served as is."""

import gzip
import hashlib
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from monographs.api.exports import bulk
from monographs.api.exports.bulk import bulk_snapshot_build, bulk_snapshots
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry
from tests.api.conftest import edit_without_publishing, publish
from tests.factories import DrugFactory, UserFactory

BULK = "/api/v1/bulk/"


def fetch_part(client, part: dict) -> bytes:
    response = client.get(part["url"])
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)
    assert response["ETag"] == f'"{part["sha256"]}"'
    assert "immutable" in response["Cache-Control"]
    return body


def records(client, manifest: dict, kind: str) -> list[dict]:
    found = []
    for part in manifest["parts"]:
        if part["kind"] == kind:
            body = fetch_part(client, part)
            assert (len(body), hashlib.sha256(body).hexdigest()) == (part["bytes"], part["sha256"])
            results = json.loads(gzip.decompress(body))["results"]
            assert len(results) == part["records"]
            found += results
    return found


@pytest.mark.django_db
def test_the_manifest_lists_every_part_with_its_checksum_and_the_token_to_sync_from(
    client, make_drug, make_trial, withdraw
):
    sorafenib = make_drug("sorafenib")
    make_drug("axitinib")
    make_trial("sharp", drugs=(sorafenib,))
    withdraw(make_drug("regorafenib"))
    make_drug("lenvatinib", published=False)
    edit_without_publishing(sorafenib, summary="Unreviewed summary.")
    call_command("build_bulk", "--part-records=1", stdout=io.StringIO())

    manifest = client.get(BULK).json()

    assert manifest["token"] == client.get("/api/v1/changes/").json()["last_token"]
    assert manifest["records"] == {"drug": 2, "trial": 1, "fixture": manifest["records"]["fixture"]}
    assert [p["name"] for p in manifest["parts"]] == [
        "drugs-0001.json.gz",
        "drugs-0002.json.gz",
        "trials-0001.json.gz",
        "published-corpus.json.gz",
    ]
    live = {str(e.uid): e.current.document for e in Entry.objects.live()}
    mirrored = {
        r["id"]: r["document"] for k in ("drug", "trial") for r in records(client, manifest, k)
    }
    assert mirrored == live
    fixture = json.loads(gzip.decompress(fetch_part(client, manifest["parts"][-1])))
    assert len(fixture) == manifest["records"]["fixture"]
    assert "Unreviewed summary." not in json.dumps(fixture)
    # Continue from its token: nothing changed since.
    assert client.get(f"/api/v1/sync/?since={manifest['token']}").json()["items"] == []


@pytest.mark.django_db
def test_a_part_is_revalidated_and_an_unlisted_one_is_404(client, make_drug):
    make_drug("sorafenib")
    part = client.get(BULK).json()["parts"][0]

    unchanged = client.get(part["url"], HTTP_IF_NONE_MATCH=f'"{part["sha256"]}"')
    missing = client.get(part["url"].replace(part["name"], "drugs-9999.json.gz"))

    assert unchanged.status_code == 304
    assert missing.status_code == 404 and "drugs-9999.json.gz" in missing.json()["detail"]


@pytest.mark.django_db
def test_one_snapshot_per_state_of_the_public_record(
    client, make_drug, django_assert_max_num_queries
):
    sorafenib = make_drug("sorafenib")
    first = client.get(BULK).json()

    with django_assert_max_num_queries(1):
        again = client.get(BULK).json()
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)
    after = client.get(BULK).json()

    assert again == first
    assert after["token"] > first["token"]
    assert bulk_snapshots() == [first["snapshot"], after["snapshot"]]
    assert records(client, after, "drug")[0]["document"]["summary"] == "Second version."


@pytest.mark.django_db
def test_without_building_on_request_the_newest_built_is_served(client, make_drug, settings):
    settings.BULK_BUILD_ON_REQUEST = False
    assert client.get(BULK).status_code == 503
    sorafenib = make_drug("sorafenib")
    built = bulk_snapshot_build()
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)

    served = client.get(BULK).json()

    assert served["token"] == built["token"]  # behind: sync from it catches up
    caught_up = client.get(f"/api/v1/sync/?since={served['token']}").json()["items"]
    assert [item["version"] for item in caught_up] == [2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_publish_and_a_withdrawal_committed_during_a_build_are_not_in_it(settings, tmp_path):
    """The fixture of one state: entries, their publications and rows, at the manifest's token."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.API_THROTTLE_ANON = "off"
    reviewer = UserFactory(is_superuser=True, is_staff=True)
    kept, changed, withdrawn = (
        DrugFactory(inn=name, atc_code=None) for name in ("keptinib", "changinib", "gonetinib")
    )
    for drug in (kept, changed, withdrawn):
        root_import_publish(root=drug, note="v1")
    drugs_written, release = threading.Event(), threading.Event()
    original = bulk._entry_parts
    failures: list[BaseException] = []

    def slow_entry_parts(*args, **kwargs):
        parts = original(*args, **kwargs)
        if args[3] == "drug":
            drugs_written.set()
            assert release.wait(timeout=30)
        return parts

    def build() -> None:
        try:
            bulk_snapshot_build()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
            drugs_written.set()
        finally:
            connection.close()

    bulk._entry_parts = slow_entry_parts
    try:
        thread = threading.Thread(target=build)
        thread.start()
        assert drugs_written.wait(timeout=60)
        changed.summary = "Changed during the build."
        changed.save()
        root_import_publish(root=changed, note="v2")
        with transaction.atomic():
            root_withdraw(root=withdrawn, user=reviewer, reason="Withdrawn during the build.")
        release.set()
        thread.join(timeout=60)
    finally:
        bulk._entry_parts = original
    assert not failures, failures

    [snapshot] = bulk_snapshots()
    manifest = bulk.bulk_manifest_read(snapshot=snapshot)
    client = Client()
    for part in manifest["parts"]:
        part["url"] = f"{BULK}{snapshot}/{part['name']}"
    fixture = json.loads(gzip.decompress(fetch_part(client, manifest["parts"][-1])))
    publications = {o["pk"]: o["fields"] for o in fixture if o["model"] == "publishing.publication"}
    entries = [o["fields"] for o in fixture if o["model"] == "publishing.entry"]
    assert all(entry["current"] in publications for entry in entries)
    assert sorted((p["slug"], p["version"]) for p in publications.values()) == [
        ("changinib", 1),
        ("gonetinib", 1),
        ("keptinib", 1),
    ]
    assert sorted(e["slug"] for e in entries) == ["changinib", "gonetinib", "keptinib"]
    # The token is that state's: syncing from it brings the publish and the withdrawal.
    items = client.get(f"/api/v1/sync/?since={manifest['token']}").json()["items"]
    assert [(i["type"], i["slug"]) for i in items] == [
        ("entry", "changinib"),
        ("withdrawn", "gonetinib"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_snapshot_read_while_the_feed_is_held_back_is_not_named_as_an_empty_one():
    """Publications the feed still holds back (a transaction in flight drew a lower id) are
    in what a snapshot reads: it must not take the empty feed's name, nor any name another
    state of the record could have."""
    import psycopg

    from monographs.editorial.event_order import KEY_OFFSET

    assert bulk.change_feed_head() == (0, "0")
    root_import_publish(root=DrugFactory(inn="heldinib", atc_code=None), note="Held back.")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as in_flight, in_flight.transaction():
        in_flight.execute("SELECT pg_advisory_xact_lock_shared(%s)", [KEY_OFFSET])
        token, held_back = bulk.change_feed_head()
    assert token == 0
    assert held_back != "0"
    assert bulk.change_feed_head()[1] not in ("0", held_back)

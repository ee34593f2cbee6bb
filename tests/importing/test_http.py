"""The service clients: retries with back-off, User-Agent, plain messages when a service fails."""

import time

import pytest

from monographs.importing.clients import ClinicalTrialsClient, CrossrefClient, PubMedClient
from monographs.importing.errors import NotFound, ServiceUnavailable
from tests.importing.replay import Reply


def test_a_work_is_fetched_with_a_descriptive_user_agent(replay):
    replay.add_sample("/crossref/works/10.1056/NEJMoa0708857", "crossref_work.json")
    with CrossrefClient() as client:
        work = client.work("10.1056/NEJMoa0708857")
    assert work["DOI"] == "10.1056/NEJMoa0708857"
    (request,) = replay.requests
    assert request.headers["User-Agent"].startswith("OncologyMonographs-importer/")
    assert "mailto:editors@example.org" in request.headers["User-Agent"]
    assert request.query["mailto"] == ["editors@example.org"]


def test_server_errors_are_retried_with_growing_pauses(replay):
    replay.add(
        "/ctgov/api/v2/studies/NCT00105443",
        Reply(503, b"busy"),
        Reply(429, b"slow down"),
        Reply(200, b'{"protocolSection": {}}'),
    )
    pauses = []
    with ClinicalTrialsClient(backoff=0.5, retries=2, sleep=pauses.append) as client:
        assert client.study("NCT00105443") == {"protocolSection": {}}
    assert pauses == [0.5, 1.0]
    assert len(replay.requests) == 3


def test_a_service_that_keeps_failing_says_so_plainly(replay):
    replay.add("/eutils/efetch.fcgi", Reply(502, b"bad gateway"))
    with PubMedClient(retries=1) as client, pytest.raises(ServiceUnavailable) as raised:
        client.articles_xml(["18650514"])
    assert str(raised.value).startswith("PubMed could not be reached; nothing was changed.")
    assert "HTTP 502, 2 attempts" in str(raised.value)
    assert len(replay.requests) == 2


def test_a_refused_connection_is_a_plain_message(unreachable):
    with CrossrefClient() as client, pytest.raises(ServiceUnavailable) as raised:
        client.work("10.1056/NEJMoa0708857")
    assert str(raised.value).startswith("Crossref could not be reached; nothing was changed.")


def test_a_slow_service_times_out(replay):
    replay.add("/crossref/works/10.1/slow", Reply(200, b"{}", delay=1.0))
    started = time.monotonic()
    with (
        CrossrefClient(timeout=0.2, retries=0) as client,
        pytest.raises(ServiceUnavailable, match="no answer within the time limit"),
    ):
        client.work("10.1/slow")
    assert time.monotonic() - started < 0.9


def test_an_unknown_identifier_is_not_found(replay):
    with CrossrefClient() as client, pytest.raises(NotFound) as raised:
        client.work("10.9999/unknown")
    assert "Crossref, DOI 10.9999/unknown: Crossref has no record for it (HTTP 404)" in str(
        raised.value
    )


def test_a_pmcid_is_resolved_to_its_pmid(replay):
    replay.add_sample("/eutils/esearch.fcgi", "pubmed_esearch_pmcid.json")
    with PubMedClient() as client:
        assert client.pmid_for_pmcid("PMC1234567") == "19095497"
    (request,) = replay.requests
    assert request.query["term"] == ["PMC1234567[pmcid]"]
    assert request.query["tool"] == ["oncology-monographs"]


def test_retries_stop_at_the_deadline(replay):
    replay.add("/crossref/works/10.1056/slow", Reply(200, b"{}", delay=0.6))
    started = time.monotonic()
    with (
        CrossrefClient(timeout=0.3, retries=10, backoff=0.05, deadline=1.0) as client,
        pytest.raises(ServiceUnavailable, match="no answer within the time limit"),
    ):
        client.work("10.1056/slow")
    assert time.monotonic() - started < 1.5
    assert 2 <= len(replay.requests) <= 4

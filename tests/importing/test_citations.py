"""Citations from identifiers and files: plan first, write on confirm, never a duplicate."""

import pytest

from monographs.importing.citations import (
    CREATE,
    SKIP,
    UPDATE,
    citation_records_fetch,
    citations_import,
    citations_import_plan,
    identifier_parse,
)
from monographs.importing.errors import ImportProblem, NotFound, ServiceUnavailable
from monographs.importing.parsers import parse_file
from monographs.models import Citation
from tests.factories import CitationFactory
from tests.importing.replay import SAMPLES, Reply

pytestmark = pytest.mark.django_db


def sample_records(name: str):
    return parse_file(name, (SAMPLES / name).read_bytes())


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("10.1056/NEJMoa0708857", ("doi", "10.1056/NEJMoa0708857")),
        ("https://doi.org/10.1056/NEJMoa0708857", ("doi", "10.1056/NEJMoa0708857")),
        ("doi:10.1056/nejmoa0708857", ("doi", "10.1056/nejmoa0708857")),
        ("18650514", ("pmid", "18650514")),
        ("PMID: 18650514", ("pmid", "18650514")),
        ("pmc1234567", ("pmcid", "PMC1234567")),
    ],
)
def test_identifiers_are_recognised(text, parsed):
    assert identifier_parse(text) == parsed


def test_an_unrecognised_identifier_is_named():
    with pytest.raises(ImportProblem, match="'NCT00105443': is not a DOI"):
        identifier_parse("NCT00105443")


def test_a_doi_becomes_a_citation_from_crossref(replay):
    replay.add_sample("/crossref/works/10.1056/NEJMoa0708857", "crossref_work.json")
    records, known = citation_records_fetch(identifiers=["https://doi.org/10.1056/NEJMoa0708857"])
    assert known == []
    (plan,) = citations_import_plan(records=records)
    assert plan.action == CREATE and plan.key == "llovet-2008-sorafenib-in-advanced-hepatocellular"
    assert Citation.objects.count() == 0  # the plan writes nothing

    result = citations_import(records=records)
    citation = Citation.objects.get()
    assert result.created == [citation]
    assert citation.authors[:2] == ["Llovet JM", "Ricci S"]
    assert citation.group_author == "SHARP Investigators Study Group"
    assert (citation.journal, citation.year, citation.volume, citation.issue, citation.pages) == (
        "N Engl J Med", 2008, "359", "4", "378-390",
    )  # fmt: skip
    assert citation.issn == "0028-4793" and citation.publisher == "Massachusetts Medical Society"
    assert citation.abstract.startswith("In a phase 3 trial")


def test_pmids_are_fetched_in_one_request_and_a_cut_author_list_reads_et_al(replay):
    replay.add_sample("/eutils/efetch.fcgi", "pubmed_efetch.xml", "text/xml")
    records, _ = citation_records_fetch(identifiers=["18650514", "19095497"])
    citations_import(records=records)
    (request,) = replay.requests
    assert request.query["id"] == ["18650514,19095497"] and request.query["db"] == ["pubmed"]
    asia_pacific = Citation.objects.get(pmid="19095497")
    assert asia_pacific.authors_incomplete
    assert asia_pacific.vancouver().startswith("Cheng AL, Kang YK, Chen Z, et al. Efficacy")
    sharp = Citation.objects.get(pmid="18650514")
    assert not sharp.authors_incomplete and sharp.doi == "10.1056/NEJMoa0708857"


def test_a_pmcid_is_resolved_through_pubmed(replay):
    replay.add_sample("/eutils/esearch.fcgi", "pubmed_esearch_pmcid.json")
    replay.add_sample("/eutils/efetch.fcgi", "pubmed_efetch.xml", "text/xml")
    records, _ = citation_records_fetch(identifiers=["PMC1234567"])
    assert [r.pmid for r in records] == ["19095497"]


def test_an_identifier_already_in_the_library_is_offered_not_fetched(replay):
    existing = CitationFactory(doi="10.1056/NEJMOA0708857", key="sharp")
    records, known = citation_records_fetch(identifiers=["10.1056/nejmoa0708857"])
    assert records == [] and replay.requests == []
    assert known[0].existing == existing and known[0].action == SKIP
    assert "already in the library as sharp" in known[0].reason


def test_an_unknown_pmid_is_not_found_and_nothing_is_written(replay):
    replay.add(
        "/eutils/efetch.fcgi",
        Reply(200, b"<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>", "text/xml"),
    )
    with pytest.raises(NotFound, match="PubMed, PMID 99999999: PubMed returned no article"):
        citation_records_fetch(identifiers=["99999999"])
    assert Citation.objects.count() == 0


def test_an_unreachable_service_changes_nothing(unreachable):
    with pytest.raises(
        ServiceUnavailable, match="PubMed could not be reached; nothing was changed"
    ):
        citation_records_fetch(identifiers=["18650514"])


def test_a_file_plans_create_update_and_skip_against_the_library():
    # Same DOI in another case: matched; its empty fields are filled, its own values kept.
    existing = CitationFactory(
        key="sharp",
        doi="10.1056/NEJMOA0708857",
        pmid=None,
        title="Sorafenib in advanced HCC",
        journal="N Engl J Med",
        volume="",
        issue="",
        pages="",
    )
    records = sample_records("references.ris")
    create_or_update = {p.record.doi: p for p in citations_import_plan(records=records)}
    update = create_or_update["10.1056/NEJMoa0708857"]
    assert update.action == UPDATE and update.existing == existing
    assert {"pmid", "volume", "issue", "pages"} <= set(update.changes)
    assert update.differences["title"] == (
        "Sorafenib in advanced HCC",
        "Sorafenib in advanced hepatocellular carcinoma",
    )
    assert create_or_update["10.1056/NEJMoa060655"].action == CREATE

    result = citations_import(records=records)
    existing.refresh_from_db()
    assert existing.title == "Sorafenib in advanced HCC"  # never overwritten
    assert (existing.pmid, existing.pages) == ("18650514", "378-390")
    assert len(result.created) == 1 and result.updated == [existing]

    # Importing the same file again has nothing to add.
    again = citations_import_plan(records=sample_records("references.ris"))
    assert [p.action for p in again] == [SKIP, SKIP]


def test_the_same_work_twice_in_one_batch_is_skipped_the_second_time():
    records = sample_records("references.ris") + sample_records("references.bib")
    plan = citations_import_plan(records=records)
    assert [p.action for p in plan] == [CREATE, CREATE, SKIP, CREATE]
    assert plan[2].reason == "same work as record 1 above"


def test_identifiers_pointing_at_two_citations_are_not_merged_silently():
    CitationFactory(key="by-doi", doi="10.1056/NEJMoa0708857", pmid=None)
    CitationFactory(key="by-pmid", doi=None, pmid="18650514")
    (plan, _) = citations_import_plan(records=sample_records("references.ris"))
    assert plan.action == SKIP and "by-doi, by-pmid" in plan.reason


def test_keys_stay_unique():
    CitationFactory(key="llovet-2008-sorafenib-in-advanced-hepatocellular")
    (plan, _) = citations_import_plan(records=sample_records("references.ris"))
    assert plan.key == "llovet-2008-sorafenib-in-advanced-hepatocellular-2"


def test_a_record_the_database_refuses_writes_nothing_at_all():
    records = sample_records("references.ris")
    records[1].year = 1700  # past the model's plausible years
    with pytest.raises(ImportProblem, match="references.ris, record 2"):
        citations_import(records=records)
    assert Citation.objects.count() == 0


def test_an_error_answer_from_efetch_is_not_found(replay):
    error = b"<?xml version='1.0'?><eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>"
    replay.add("/eutils/efetch.fcgi", Reply(200, error, "text/xml"))
    with pytest.raises(NotFound, match="PMID 18650514"):
        citation_records_fetch(identifiers=["18650514"])


def test_long_pmid_lists_are_fetched_in_several_requests(replay, monkeypatch):
    monkeypatch.setattr("monographs.importing.citations.PMIDS_PER_REQUEST", 1)
    replay.add_sample("/eutils/efetch.fcgi", "pubmed_efetch.xml", "text/xml")
    records, _ = citation_records_fetch(identifiers=["18650514", "19095497"])
    assert [r.pmid for r in records] == ["18650514", "19095497"]
    assert [r.query["id"] for r in replay.requests] == [["18650514"], ["19095497"]]


def test_a_crossref_work_missing_its_title_or_of_an_unknown_type_is_named(replay):
    import json

    work = json.loads((SAMPLES / "crossref_work.json").read_text())
    untitled = json.loads(json.dumps(work))
    untitled["message"]["title"] = []
    component = json.loads(json.dumps(work))
    component["message"]["type"] = "component"
    replay.add("/crossref/works/10.1056/untitled", Reply(200, json.dumps(untitled).encode()))
    replay.add("/crossref/works/10.1056/component", Reply(200, json.dumps(component).encode()))
    with pytest.raises(ImportProblem, match="Crossref, DOI 10.1056/untitled, field title: has no"):
        citation_records_fetch(identifiers=["10.1056/untitled"])
    with pytest.raises(
        ImportProblem, match="DOI 10.1056/component, field type: unknown record type"
    ):
        citation_records_fetch(identifiers=["10.1056/component"])
    assert Citation.objects.count() == 0

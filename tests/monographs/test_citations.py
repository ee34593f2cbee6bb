"""Citations formatted in the Vancouver (ICMJE) style, from the model and from a frozen dict."""

import datetime
import json

import pytest

from monographs.models import Citation, format_vancouver
from tests.factories import CitationFactory

SHARP_AUTHORS = ["Llovet JM", "Ricci S", "Mazzaferro V", "Hilgard P", "Gane E", "Blanc JF"]


@pytest.mark.django_db
def test_journal_article_with_six_authors_lists_them_all():
    citation = CitationFactory(
        authors=SHARP_AUTHORS, doi="10.1056/NEJMoa0708857", pmid="18650514", pmcid=None
    )

    assert citation.vancouver() == (
        "Llovet JM, Ricci S, Mazzaferro V, Hilgard P, Gane E, Blanc JF. "
        "Sorafenib in advanced hepatocellular carcinoma. "
        "N Engl J Med. 2008 Jul;359(4):378-90. "
        "doi:10.1056/NEJMoa0708857. PMID: 18650514."
    )


@pytest.mark.django_db
def test_an_incomplete_author_list_ends_with_et_al_in_every_format():
    from monographs.api.exports.citations import bibtex_record, ris_record

    citation = CitationFactory(
        authors=["Gounder M"], authors_incomplete=True, doi=None, pmid=None, pmcid=None
    )
    reference = citation.as_reference()

    assert citation.vancouver().startswith("Gounder M, et al. Sorafenib")
    assert "AU  - Gounder M\r\nN1  - Author list incomplete in the source (et al.).\r\n" in (
        ris_record(reference)
    )
    assert "author = {Gounder, M. and others}" in bibtex_record(reference)
    complete = CitationFactory(authors=["Xia P", "Dubrovska A"], doi=None, pmid=None, pmcid=None)
    assert "et al." not in complete.vancouver()
    assert "others" not in bibtex_record(complete.as_reference())


@pytest.mark.django_db
def test_journal_article_with_more_than_six_authors_lists_six_then_et_al():
    citation = CitationFactory(
        authors=[*SHARP_AUTHORS, "de Oliveira AC", "Santoro A"],
        doi="10.1056/NEJMoa0708857",
        pmid="18650514",
    )

    text = citation.vancouver()

    assert text.startswith(
        "Llovet JM, Ricci S, Mazzaferro V, Hilgard P, Gane E, Blanc JF, et al. Sorafenib in"
    )
    assert "de Oliveira AC" not in text
    assert "Santoro A" not in text


def test_identifiers_follow_the_source_in_the_order_doi_pmid_pmcid():
    text = format_vancouver(
        {
            "kind": "journal_article",
            "authors": ["Cheng AL", "Kang YK", "Chen Z"],
            "title": "Efficacy and safety of sorafenib in patients in the Asia-Pacific region",
            "journal": "Lancet Oncol",
            "year": 2009,
            "volume": "10",
            "issue": "1",
            "pages": "25-34",
            "doi": "10.1016/S1470-2045(08)70285-7",
            "pmid": "19095497",
            "pmcid": "PMC1234567",
        }
    )

    assert text == (
        "Cheng AL, Kang YK, Chen Z. "
        "Efficacy and safety of sorafenib in patients in the Asia-Pacific region. "
        "Lancet Oncol. 2009;10(1):25-34. "
        "doi:10.1016/S1470-2045(08)70285-7. PMID: 19095497. PMCID: PMC1234567."
    )


def test_article_without_identifiers_or_issue_ends_with_its_pages():
    text = format_vancouver(
        {
            "kind": "review",
            "authors": ["Wilhelm SM"],
            "title": "Preclinical overview of sorafenib.",
            "journal": "Mol Cancer Ther",
            "year": 2008,
            "volume": "7",
            "pages": "3129-40",
        }
    )

    assert text == "Wilhelm SM. Preclinical overview of sorafenib. Mol Cancer Ther. 2008;7:3129-40."


def test_article_number_stands_in_for_pages():
    text = format_vancouver(
        {
            "kind": "journal_article",
            "authors": ["Zhu YJ"],
            "title": "Sorafenib resistance",
            "journal": "Cancers (Basel)",
            "year": 2021,
            "volume": "13",
            "article_number": "e1234",
        }
    )

    assert text.endswith("Cancers (Basel). 2021;13:e1234.")


@pytest.mark.django_db
def test_web_page_gives_publisher_year_address_and_date_cited():
    citation = CitationFactory(
        kind=Citation.Kind.WEB_PAGE,
        authors=[],
        group_author="National Cancer Institute",
        title="Common Terminology Criteria for Adverse Events (CTCAE) v5.0",
        journal="",
        year=2017,
        month="",
        volume="",
        issue="",
        pages="",
        publisher="U.S. Department of Health and Human Services",
        url="https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm",
        accessed_on=datetime.date(2024, 5, 1),
        doi=None,
        pmid=None,
        issn="",
    )

    assert citation.vancouver() == (
        "National Cancer Institute. "
        "Common Terminology Criteria for Adverse Events (CTCAE) v5.0 [Internet]. "
        "U.S. Department of Health and Human Services; 2017 [cited 2024 May 1]. "
        "Available from: "
        "https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm"
    )


def test_registry_record_without_author_starts_with_its_title():
    text = format_vancouver(
        {
            "kind": "registry_record",
            "title": "Sorafenib HCC Assessment Randomized Protocol (SHARP)",
            "publisher": "ClinicalTrials.gov",
            "year": 2005,
            "url": "https://clinicaltrials.gov/study/NCT00105443",
            "accessed_on": "2024-05-01",
        }
    )

    assert text == (
        "Sorafenib HCC Assessment Randomized Protocol (SHARP) [Internet]. "
        "ClinicalTrials.gov; 2005 [cited 2024 May 1]. "
        "Available from: https://clinicaltrials.gov/study/NCT00105443"
    )


@pytest.mark.django_db
def test_web_page_without_publisher_or_year_leaves_no_dangling_separator():
    text = format_vancouver(
        {"kind": "web_page", "title": "Can sorafenib be stopped?", "url": "https://example.org/a"}
    )

    assert text == "Can sorafenib be stopped? [Internet]. Available from: https://example.org/a"


@pytest.mark.django_db
def test_frozen_reference_formats_exactly_like_the_citation():
    citation = CitationFactory(accessed_on=datetime.date(2024, 5, 1), pmcid="PMC2569139")

    reference = json.loads(json.dumps(citation.as_reference()))

    assert reference["accessed_on"] == "2024-05-01"
    assert format_vancouver(reference) == citation.vancouver()
    assert citation.vancouver().endswith(
        f"doi:{citation.doi}. PMID: {citation.pmid}. PMCID: PMC2569139."
    )

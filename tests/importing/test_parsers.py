"""Reference files in each format become records; broken ones are refused with a clear message."""

import pytest

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers import detect_format, parse_file
from monographs.models import Citation
from tests.importing.replay import SAMPLES

BAD = SAMPLES / "bad"


def parse(name: str, folder=SAMPLES):
    return parse_file(name, (folder / name).read_bytes())


def test_ris_records_with_vancouver_names_pages_and_identifiers():
    first, second = parse("references.ris")
    assert first.kind == Citation.Kind.JOURNAL_ARTICLE
    assert first.authors == ["Llovet JM", "Ricci S", "Mazzaferro V"]
    assert (first.journal, first.year, first.month) == ("N Engl J Med", 2008, "Jul")
    assert (first.volume, first.issue, first.pages) == ("359", "4", "378-390")
    assert (first.doi, first.pmid, first.issn) == ("10.1056/NEJMoa0708857", "18650514", "0028-4793")
    assert not first.authors_incomplete
    # "et al." closing an author list is a mark, not an author.
    assert second.authors == ["Escudier B", "Eisen T"] and second.authors_incomplete


def test_bibtex_names_months_dashes_and_others():
    llovet, brose = parse("references.bib")
    assert llovet.authors == ["Llovet JM", "Ricci S", "Mazzaferro V"]
    assert llovet.authors_incomplete  # "and others"
    assert (llovet.month, llovet.pages) == ("Jul", "378-390")
    assert brose.authors == ["Brose MS", "Nutting CM", "Jarzab B"]
    assert brose.doi == "10.1016/S0140-6736(14)60421-9"
    assert llovet.label == "record 1 (@llovet2008)"


def test_csl_json_items():
    escudier, wilhelm = parse("references.csl.json")
    assert (escudier.pmid, escudier.year, escudier.month) == ("17215530", 2007, "Jan")
    assert escudier.journal == "N Engl J Med"
    assert wilhelm.authors == ["Wilhelm SM"] and wilhelm.authors_incomplete


def test_pubmed_xml_marks_an_author_list_pubmed_says_is_incomplete():
    sharp, asia_pacific = parse("pubmed_efetch.xml")
    assert sharp.pmid == "18650514" and sharp.doi == "10.1056/NEJMoa0708857"
    assert sharp.group_author == "SHARP Investigators Study Group"
    assert sharp.authors[-1] == "Bruix J" and not sharp.authors_incomplete
    assert sharp.abstract.startswith("BACKGROUND: No effective systemic therapy")
    assert (sharp.pages, sharp.month) == ("378-90", "Jul")
    assert asia_pacific.authors == ["Cheng AL", "Kang YK", "Chen Z"]
    assert asia_pacific.authors_incomplete


def test_medline_records_with_continuation_lines():
    sharp, asia_pacific = parse("references.nbib")
    assert sharp.abstract.endswith("assigned to sorafenib or placebo.")
    assert sharp.group_author == "SHARP Investigators Study Group"
    assert sharp.issn == "1533-4406"
    assert asia_pacific.title.endswith("placebo-controlled trial.")
    assert asia_pacific.doi == "10.1016/S1470-2045(08)70285-7"


def test_format_is_detected_from_the_content_when_the_extension_says_nothing():
    assert detect_format("export.txt", "TY  - JOUR\n") == "ris"
    assert detect_format("export.txt", "PMID- 1\n") == "medline"
    assert detect_format("export", "@article{x,}") == "bibtex"
    with pytest.raises(ImportProblem, match="export.txt: is not a reference file"):
        detect_format("export.txt", "hello")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.ris", "malformed.ris, record 1: line 3 is not 'XX  - value'"),
        ("unknown_type.ris", "unknown_type.ris, record 1, field TY: unknown record type 'PAT'"),
        ("malformed.bib", "malformed.bib: is not valid BibTeX: the block at line 1"),
        ("unknown_type.bib", "unknown_type.bib, record 1 (@p1), field entry type: unknown record"),
        ("malformed.csl.json", "malformed.csl.json: is not valid JSON"),
        (
            "missing_title.csl.json",
            "missing_title.csl.json, record 2 (id b), field title: has no title",
        ),
        ("bad_doi.csl.json", "bad_doi.csl.json, record 1 (id a), field DOI: 'doi.org/not-a-doi'"),
        ("malformed.xml", "malformed.xml: is not well-formed XML"),
        (
            "not_pubmed.xml",
            "not_pubmed.xml: is XML but not PubMed XML: its root is <eSearchResult>",
        ),
    ],
)
def test_bad_files_say_which_file_record_and_field(name, message):
    with pytest.raises(ImportProblem) as raised:
        parse(name, BAD)
    assert message in str(raised.value)


def test_a_ris_file_cut_short_is_refused():
    text = (SAMPLES / "references.ris").read_text().rsplit("ER  -", 1)[0]
    with pytest.raises(ImportProblem, match="record 2: the last record does not end with ER"):
        parse_file("cut.ris", text.encode())


def test_a_pubmed_book_record_is_an_unknown_record_type():
    xml = b"<PubmedArticleSet><PubmedBookArticle/></PubmedArticleSet>"
    with pytest.raises(ImportProblem, match="record 1: unknown record type <PubmedBookArticle>"):
        parse_file("books.xml", xml)


def test_xml_entities_are_not_expanded():
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        b"<ArticleTitle>&e;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        b"</PubmedArticleSet>"
    )
    (record,) = parse_file("entities.xml", xml)
    assert record.title == "&e;"  # left as written, the file it names never read


def test_empty_and_non_utf8_files():
    with pytest.raises(ImportProblem, match="empty.ris: holds no reference records"):
        parse_file("empty.ris", b"\n")
    with pytest.raises(ImportProblem, match="latin.ris: is not UTF-8 text"):
        parse_file("latin.ris", "TY  - JOUR\nTI  - Caf\u00e9\nER  - \n".encode("latin-1"))


def test_csl_raw_dates_and_marked_up_titles():
    text = (
        '[{"id": "a", "type": "article-journal", "title": "Sorafenib in <i>BRAF</i> mutant '
        'tumours", "issued": {"raw": "2012-05"}}]'
    )
    (record,) = parse_file("raw.json", text.encode())
    assert (record.title, record.year) == ("Sorafenib in BRAF mutant tumours", 2012)

"""PubMed XML (efetch db=pubmed retmode=xml, or PubMed's "Save > PubMed XML"), read with lxml."""

from lxml import etree

from monographs.importing.errors import ImportProblem
from monographs.importing.parsers.common import finish, month_name, year_of
from monographs.importing.records import CitationRecord
from monographs.models import Citation

# No DTD is loaded, no entity expanded, nothing fetched: the file is data, not instructions.
PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


def is_article_set(data: bytes) -> bool:
    """Whether an answer is a <PubmedArticleSet> (efetch answers errors in other shapes)."""
    try:
        return etree.fromstring(data, parser=PARSER).tag == "PubmedArticleSet"
    except etree.XMLSyntaxError:
        return False


def parse_pubmed_xml(name: str, data: bytes) -> list[CitationRecord]:
    try:
        root = etree.fromstring(data, parser=PARSER)
    except etree.XMLSyntaxError as error:
        raise ImportProblem(f"is not well-formed XML: {error}", source=name) from error
    if root.tag != "PubmedArticleSet":
        raise ImportProblem(
            f"is XML but not PubMed XML: its root is <{root.tag}>, not <PubmedArticleSet>.",
            source=name,
        )
    records = []
    for number, element in enumerate(root, start=1):
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        if element.tag == "DeleteCitation":
            continue
        label = f"record {number}"
        pmid = element.findtext("MedlineCitation/PMID")
        if pmid:
            label += f" (PMID {pmid.strip()})"
        if element.tag != "PubmedArticle":
            raise ImportProblem(
                f"unknown record type <{element.tag}>; this desk imports <PubmedArticle>.",
                source=name,
                record=label,
            )
        records.append(pubmed_article(element, source=name, label=label))
    return finish(records)


def pubmed_article(element, *, source: str, label: str) -> CitationRecord:
    """One <PubmedArticle> as a record (not yet normalised)."""
    record = CitationRecord(source=source, label=label)
    citation = element.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if article is None:
        raise record.problem("has no <MedlineCitation>/<Article>.", "Article")
    record.pmid = (citation.findtext("PMID") or "").strip()
    record.title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    journal = article.find("Journal")
    if journal is not None:
        record.journal = (
            journal.findtext("ISOAbbreviation")
            or citation.findtext("MedlineJournalInfo/MedlineTA")
            or journal.findtext("Title")
            or ""
        )
        record.issn = journal.findtext("ISSN") or ""
        issue = journal.find("JournalIssue")
        if issue is not None:
            record.volume = issue.findtext("Volume") or ""
            record.issue = issue.findtext("Issue") or ""
            year = issue.findtext("PubDate/Year") or issue.findtext("PubDate/MedlineDate") or ""
            record.year = year_of(year, record, "PubDate")
            record.month = month_name(issue.findtext("PubDate/Month"))
    record.pages = article.findtext("Pagination/MedlinePgn") or ""
    if not record.pages:
        record.pages = article.findtext("Pagination/StartPage") or ""
    authors = article.find("AuthorList")
    if authors is not None:
        record.authors_incomplete = authors.get("CompleteYN", "Y") == "N"
        for author in authors.findall("Author"):
            if author.get("ValidYN", "Y") == "N":
                continue
            collective = author.findtext("CollectiveName")
            if collective:
                record.group_author = record.group_author or collective.strip()
                continue
            last = author.findtext("LastName") or ""
            initials = author.findtext("Initials") or ""
            if last:
                record.authors.append(f"{last} {initials}".strip())
    paragraphs = []
    for part in article.findall("Abstract/AbstractText"):
        text = _text(part)
        heading = part.get("Label")
        paragraphs.append(f"{heading}: {text}" if heading else text)
    record.abstract = "\n\n".join(p for p in paragraphs if p)
    for location in article.findall("ELocationID"):
        if location.get("EIdType") == "doi":
            record.doi = record.doi or (location.text or "")
    for identifier in element.findall("PubmedData/ArticleIdList/ArticleId"):
        kind = identifier.get("IdType")
        if kind == "doi" and not record.doi:
            record.doi = identifier.text or ""
        elif kind == "pmc":
            record.pmcid = identifier.text or ""
    types = {(t.text or "").strip() for t in article.findall("PublicationTypeList/PublicationType")}
    if "Review" in types or "Systematic Review" in types:
        record.kind = Citation.Kind.REVIEW
    return record


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""

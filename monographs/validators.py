r"""Identifier formats, shared by model validators and database check constraints.

Each pattern is written once and used twice, so a form error and a refused INSERT
always agree about what a valid identifier is.

Patterns end in \Z, not $: in Python (validators, and SQLite's REGEXP) $ also matches before
a trailing newline, so "NCT00105443\n" would pass there while PostgreSQL refuses it. \Z means
the end of the string in both Python and PostgreSQL regular expressions.
"""

import re
from urllib.parse import unquote

from django.core.validators import RegexValidator

NCT_PATTERN = r"^NCT[0-9]{8}\Z"
PMID_PATTERN = r"^[1-9][0-9]{0,8}\Z"
PMCID_PATTERN = r"^PMC[0-9]{1,9}\Z"
DOI_PATTERN = r"^10\.[0-9]{4,9}/[^\s]+\Z"
ATC_PATTERN = r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}\Z"
DRUGBANK_PATTERN = r"^DB[0-9]{5}\Z"
UNII_PATTERN = r"^[A-Z0-9]{10}\Z"
RXCUI_PATTERN = r"^[0-9]{1,8}\Z"
NCIT_PATTERN = r"^C[0-9]{1,7}\Z"
ISSN_PATTERN = r"^[0-9]{4}-[0-9]{3}[0-9X]\Z"
# Gene symbols are capitals, digits and hyphens; "orf" (as in C9orf72) is the one lower-case part.
HGNC_SYMBOL_PATTERN = r"^[A-Z][A-Z0-9-]*(?:orf[0-9]+[A-Z0-9-]*)?\Z"

validate_nct_id = RegexValidator(NCT_PATTERN, "Enter an NCT number: NCT followed by 8 digits.")
validate_pmid = RegexValidator(PMID_PATTERN, "Enter a PubMed id: digits only, no leading zero.")
validate_pmcid = RegexValidator(PMCID_PATTERN, "Enter a PubMed Central id: PMC followed by digits.")
validate_doi = RegexValidator(
    DOI_PATTERN, "Enter a DOI of the form 10.xxxx/suffix, without https://doi.org/."
)
validate_atc_code = RegexValidator(ATC_PATTERN, "Enter a 7-character ATC code such as L01EX02.")
validate_drugbank_id = RegexValidator(
    DRUGBANK_PATTERN, "Enter a DrugBank id: DB followed by 5 digits."
)
validate_unii = RegexValidator(
    UNII_PATTERN, "Enter a 10-character FDA UNII (capital letters and digits)."
)
validate_rxcui = RegexValidator(RXCUI_PATTERN, "Enter an RxNorm concept id: digits only.")
validate_ncit_code = RegexValidator(
    NCIT_PATTERN, "Enter an NCI Thesaurus code: C followed by digits."
)
validate_issn = RegexValidator(ISSN_PATTERN, "Enter an ISSN of the form 1234-567X.")
validate_hgnc_symbol = RegexValidator(
    HGNC_SYMBOL_PATTERN, "Enter an HGNC gene symbol such as BRAF, KDR or C9orf72."
)


# How editors paste identifiers: a resolver address, a "doi:" or "PMID:" label. Each is
# reduced to the bare identifier the patterns above accept; anything else is left as typed,
# for the validator to say what is wrong with it.
DOI_WRITTEN = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(?P<id>\S+)$", re.IGNORECASE)
PMID_WRITTEN = re.compile(
    r"^(?:pmid:?\s*|https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/)"
    r"(?P<id>[0-9]+)/?$",
    re.IGNORECASE,
)
PMCID_WRITTEN = re.compile(
    r"^(?:(?:pmcid:?\s*|https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pmc|pmc\.ncbi\.nlm\.nih\.gov)"
    r"/articles/)(?:pmc)?|pmc)(?P<id>[0-9]+)/?$",
    re.IGNORECASE,
)


def normalise_doi(text: str | None) -> str | None:
    """'https://doi.org/10.1056/X', 'doi: 10.1056/X' -> '10.1056/X' (case kept: DOIs ignore it)."""
    if text is None:
        return None
    value = text.strip()
    match = DOI_WRITTEN.match(value)
    return unquote(match["id"]) if match else value


def normalise_pmid(text: str | None) -> str | None:
    """'PMID: 18650514', 'https://pubmed.ncbi.nlm.nih.gov/18650514/' -> '18650514'."""
    if text is None:
        return None
    value = text.strip()
    match = PMID_WRITTEN.match(value)
    return match["id"] if match else value


def normalise_pmcid(text: str | None) -> str | None:
    """'pmc123', 'PMCID: PMC123', its PMC address -> 'PMC123'."""
    if text is None:
        return None
    value = text.strip()
    match = PMCID_WRITTEN.match(value)
    return f"PMC{match['id']}" if match else value

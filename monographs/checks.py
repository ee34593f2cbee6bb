"""Quality checks for a drug monograph document."""

from monographs.document_types import DrugDocument
from monographs.editorial.checks import (
    WARNING,
    DrugSlugs,
    Finding,
    check_citation_keys,
    check_figures_have_sources,
    check_referenced_drugs,
    check_review_date,
)

SOURCED_TABLES = {
    "dose_regimens": "Dose regimen",
    "pharmacokinetics": "Pharmacokinetic parameter",
    "adverse_events": "Adverse event",
}


def drug_checks(document: DrugDocument, *, drug_slugs: DrugSlugs | None = None) -> list[Finding]:
    findings = check_figures_have_sources(document, SOURCED_TABLES)
    findings += check_citation_keys(document)
    for section in document["sections"]:
        if not section["body"].strip():
            findings.append(
                Finding(WARNING, "empty_section", "is empty.", f"Section {section['title']}")
            )
    if not document["summary"].strip():
        findings.append(
            Finding(WARNING, "no_summary", "has no summary for lists and search.", "Drug")
        )
    referenced = {
        i["interacting_drug"]["slug"] for i in document["interactions"] if i["interacting_drug"]
    }
    referenced |= {
        s["therapy_drug"]["slug"] for s in document["subsequent_therapies"] if s["therapy_drug"]
    }
    referenced.discard(document["slug"])
    findings += check_referenced_drugs(referenced, where="Drug references", drug_slugs=drug_slugs)
    findings += check_review_date(document)
    return findings

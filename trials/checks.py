"""Quality checks for a trial document."""

from typing import Any

from monographs.editorial.checks import (
    ERROR,
    WARNING,
    DrugSlugs,
    Finding,
    check_citation_keys,
    check_figures_have_sources,
    check_referenced_drugs,
    check_review_date,
    check_within,
)

SOURCED_TABLES = {"outcomes": "Outcome", "adverse_events": "Adverse event", "arms": "Arm"}


def trial_checks(document: dict[str, Any], *, drug_slugs: DrugSlugs | None = None) -> list[Finding]:
    findings = check_figures_have_sources(document, SOURCED_TABLES)
    findings += check_citation_keys(document)
    for index, row in enumerate(document["outcomes"], start=1):
        where = f"Outcome row {index} ({row['measure']})"
        findings += check_within(row, "value", "ci_low", "ci_high", where=where, what="The value")
        findings += check_within(
            row,
            "hazard_ratio",
            "hazard_ratio_ci_low",
            "hazard_ratio_ci_high",
            where=where,
            what="The hazard ratio",
        )
    enrolment = document.get("enrolment")
    arm_total = sum(arm["participants"] or 0 for arm in document["arms"])
    if enrolment is not None and arm_total > enrolment:
        findings.append(
            Finding(
                ERROR,
                "arms_exceed_enrolment",
                f"arm sizes add up to {arm_total}, more than the enrolment of {enrolment}.",
                "Arms",
            )
        )
    if not document["arms"]:
        findings.append(Finding(WARNING, "no_arms", "has no arms.", "Trial"))
    if not document["publications"]:
        findings.append(Finding(WARNING, "no_publication", "names no publication.", "Trial"))
    findings += check_referenced_drugs(
        {d["slug"] for d in document["drugs"]}, where="Drugs", drug_slugs=drug_slugs
    )
    findings += check_review_date(document)
    return findings

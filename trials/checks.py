"""Quality checks for a trial document."""

from decimal import Decimal
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


def rounding_tolerance(stated: float | int) -> Decimal:
    """How far a percentage may be from the exact count/denominator and still be that figure
    rounded as stated: half a unit of its last decimal (18 -> 0.5, 17.6 -> 0.05)."""
    exponent = Decimal(str(stated)).normalize().as_tuple().exponent
    return Decimal(5) * Decimal(10) ** (min(int(exponent), 0) - 1)


def check_percent_against_count(
    row: dict, percent: str, *, where: str, what: str = "The percentage"
) -> list[Finding]:
    """A percentage given with its count and denominator must be that fraction, rounded.

    A warning, not an error: a source may give its percentage over another population.
    """
    stated, count, denominator = row.get(percent), row.get("count"), row.get("denominator")
    if stated is None or count is None or not denominator:
        return []
    exact = Decimal(count) * 100 / Decimal(denominator)
    if abs(exact - Decimal(str(stated))) <= rounding_tolerance(stated):
        return []
    return [
        Finding(
            WARNING,
            "percent_disagrees_with_count",
            f"{what} {stated} % does not match {count}/{denominator}, which is "
            f"{exact.quantize(Decimal('0.1'))} %: check the count, the denominator and the "
            "percentage against the source.",
            where,
        )
    ]


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
        if row.get("unit") == "%":
            findings += check_percent_against_count(row, "value", where=where, what="The value")
    for index, row in enumerate(document["adverse_events"], start=1):
        if row.get("percent_high") is None:  # a range's low end is not the count's share
            where = f"Adverse event row {index} ({row['term']['name']}, {row['arm'] or 'all'})"
            findings += check_percent_against_count(row, "percent", where=where)
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

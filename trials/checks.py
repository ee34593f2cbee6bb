"""Quality checks for a trial document."""

from monographs.editorial.checks import (
    ERROR,
    WARNING,
    DrugSlugs,
    Finding,
    check_citation_keys,
    check_figures_have_sources,
    check_referenced_drugs,
    check_review_date,
)
from monographs.figures import percent_mismatch
from trials.document_types import TrialDocument

SOURCED_TABLES = {"outcomes": "Outcome", "adverse_events": "Adverse event", "arms": "Arm"}


def check_percent_against_count(
    row: dict, percent: str, *, where: str, what: str = "The percentage"
) -> list[Finding]:
    """A percentage given with its count and denominator must be that fraction, rounded.

    A warning, not an error: a source may give its percentage over another population.
    """
    stated, count, denominator = row.get(percent), row.get("count"), row.get("denominator")
    exact = percent_mismatch(stated, count, denominator)
    if exact is None:
        return []
    return [
        Finding(
            WARNING,
            "percent_disagrees_with_count",
            f"{what} {stated} % does not match {count}/{denominator}, which is {exact} %: "
            "check the count, the denominator and the percentage against the source.",
            where,
        )
    ]


def arms_exceeding_enrolment(enrolment: int | None, arm_sizes: list[int | None]) -> str:
    """Why the arms do not fit the trial, or '': arms are disjoint groups of the enrolled
    patients (subgroups are outcomes), so their sizes never add up to more."""
    total = sum(size or 0 for size in arm_sizes)
    if enrolment is None or total <= enrolment:
        return ""
    return (
        f"the arms add up to {total} participants, more than the enrolment of {enrolment}: "
        "arms must not overlap (record subgroups as outcomes instead)."
    )


def trial_checks(document: TrialDocument, *, drug_slugs: DrugSlugs | None = None) -> list[Finding]:
    findings = check_figures_have_sources(document, SOURCED_TABLES)
    findings += check_citation_keys(document)
    for index, row in enumerate(document["outcomes"], start=1):
        where = f"Outcome row {index} ({row['measure']})"
        if row.get("unit") == "%":
            findings += check_percent_against_count(row, "value", where=where, what="The value")
    for index, row in enumerate(document["adverse_events"], start=1):
        if row.get("percent_high") is None:  # a range's low end is not the count's share
            where = f"Adverse event row {index} ({row['term']['name']}, {row['arm'] or 'all'})"
            findings += check_percent_against_count(row, "percent", where=where)
    excess = arms_exceeding_enrolment(
        document.get("enrolment"), [arm["participants"] for arm in document["arms"]]
    )
    if excess:
        findings.append(Finding(ERROR, "arms_exceed_enrolment", excess, "Arms"))
    if not document["arms"]:
        findings.append(Finding(WARNING, "no_arms", "has no arms.", "Trial"))
    if not document["publications"]:
        findings.append(Finding(WARNING, "no_publication", "names no publication.", "Trial"))
    findings += check_referenced_drugs(
        {d["slug"] for d in document["drugs"]}, where="Drugs", drug_slugs=drug_slugs
    )
    findings += check_review_date(document)
    return findings

"""Quality checks run on a document before approval and again before publishing.

Errors block approval and publishing; warnings are shown to the reviewer and do not block.
Checks read the document, not the working copy, so they judge exactly what would go live.
A row's own number rules (order, bounds, ranges) are its model's constraints, which no saved
row can break; checks hold what spans rows or may rightly differ from the usual (warnings).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from monographs.richtext import citation_keys

ERROR = "error"
WARNING = "warning"

NUMBER_FIELDS_NEEDING_A_SOURCE = (
    "value", "ci_low", "ci_high", "hazard_ratio", "p_value", "count", "percent", "percent_high",
    "participants", "dose_amount", "range_low", "range_high", "test_statistic_value",
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    message: str
    where: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def rows_with_figures(document: dict[str, Any], table: str) -> Iterable[tuple[int, dict]]:
    for index, row in enumerate(document.get(table) or [], start=1):
        has_figure = any(row.get(field) is not None for field in NUMBER_FIELDS_NEEDING_A_SOURCE)
        has_range = any(
            isinstance(row.get(field), list) and any(v is not None for v in row[field])
            for field in ("any_grade", "grade_3_plus")
        )
        if has_figure or has_range:
            yield index, row


def check_figures_have_sources(document: dict[str, Any], tables: dict[str, str]) -> list[Finding]:
    """Every number a reader sees must say where it came from."""
    findings = []
    for table, label in tables.items():
        for index, row in rows_with_figures(document, table):
            if not row.get("source"):
                findings.append(
                    Finding(
                        ERROR,
                        "figure_without_source",
                        "has figures but no source: choose the citation they come from.",
                        f"{label} row {index}",
                    )
                )
    return findings


def prose_places(document: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """Each piece of Markdown a document holds, with where an editor finds it: the summary,
    each section by its title, each answer by its question's number."""
    if isinstance(document.get("summary"), str):
        yield "Summary", document["summary"]
    for section in document.get("sections") or []:
        yield section.get("title") or "Section", section.get("body") or ""
    for number, question in enumerate(document.get("questions") or [], start=1):
        yield f"Question {number}", question.get("answer") or ""


def check_citation_keys(document: dict[str, Any]) -> list[Finding]:
    """A [@key] that names no citation, reported where it is written ("Dosing: unknown
    citation [@xyz]"), so the editor goes straight to the section to fix."""
    unknown = list(document.get("unknown_citation_keys") or [])
    findings: list[Finding] = []
    located: set[str] = set()
    for where, text in prose_places(document):
        for key in dict.fromkeys(citation_keys(text)):
            if key in unknown:
                located.add(key)
                findings.append(unknown_citation(key, where))
    findings += [unknown_citation(key, "Text") for key in unknown if key not in located]
    return findings


def unknown_citation(key: str, where: str) -> Finding:
    return Finding(
        ERROR,
        "unknown_citation",
        f"unknown citation [@{key}]: add the citation or fix the key.",
        where,
    )


def check_review_date(document: dict[str, Any], *, today: date | None = None) -> list[Finding]:
    due = document.get("next_review_due")
    today = today or timezone.localdate()
    if due and date.fromisoformat(due) < today:
        return [
            Finding(
                WARNING,
                "review_overdue",
                f"the review date {due} has passed: review the content and set a new date.",
                "review",
            )
        ]
    return []


@dataclass(frozen=True)
class DrugSlugs:
    """Which drug slugs exist in the working copy and which have a live monograph."""

    known: frozenset[str]
    live: frozenset[str]


def drug_slugs_resolve(slugs: Iterable[str] | None = None) -> DrugSlugs:
    """Resolve drug slugs in two queries; None resolves every drug, for checking many documents.

    Drugs number in the thousands at most, so the whole set is small enough to hold.
    """
    from monographs.models import Drug
    from monographs.publishing.models import Entry

    drugs = Drug.objects.all()
    entries = Entry.objects.live().filter(kind="drug")
    if slugs is not None:
        slugs = set(slugs)
        drugs, entries = drugs.filter(slug__in=slugs), entries.filter(slug__in=slugs)
    return DrugSlugs(
        known=frozenset(drugs.values_list("slug", flat=True)),
        live=frozenset(entries.values_list("slug", flat=True)),
    )


def check_referenced_drugs(
    slugs: set[str], *, where: str, drug_slugs: DrugSlugs | None = None
) -> list[Finding]:
    """References to drugs must resolve; drugs that are not public yet are worth a warning.

    drug_slugs, when given, answers from slugs resolved beforehand, so a batch of documents
    is checked without a query per document.
    """
    if not slugs:
        return []
    resolved = drug_slugs or drug_slugs_resolve(slugs)
    known = slugs & resolved.known
    live = slugs & resolved.live
    findings = [
        Finding(ERROR, "unknown_drug", f"refers to an unknown drug '{slug}'.", where)
        for slug in sorted(slugs - known)
    ]
    findings += [
        Finding(
            WARNING,
            "unpublished_drug",
            f"refers to '{slug}', which has no published monograph yet; its link will not show.",
            where,
        )
        for slug in sorted(known - live)
    ]
    return findings

"""A drug document as a monograph page: reading order, charts, headline results."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst

from monographs.charts import Estimate, IncidenceRow, forest_plot, incidence_chart
from monographs.editorial.models import Entry
from monographs.figures import incidence
from monographs.models.base import GradeScope
from monographs.models.content import DrugAdverseEvent, SectionKind
from monographs.views.presentation import entry_url
from trials.headline import headline_result

TABLES_BY_SECTION = {
    SectionKind.MECHANISM: ["targets"],
    SectionKind.INDICATIONS: ["approvals"],
    SectionKind.DOSAGE: ["dose_regimens", "formulations"],
    SectionKind.PHARMACOKINETICS: ["pharmacokinetics"],
    SectionKind.WARNINGS: ["warnings"],
    SectionKind.CONTRAINDICATIONS: ["contraindications"],
    SectionKind.SPECIAL_POPULATIONS: ["special_populations"],
    SectionKind.ADVERSE_EVENTS: ["adverse_events"],
    SectionKind.INTERACTIONS: ["interactions"],
    SectionKind.RESISTANCE: ["resistance_mechanisms"],
    SectionKind.SUBSEQUENT_THERAPY: ["subsequent_therapies"],
}
SECTION_ORDER = {kind: position for position, kind in enumerate(SectionKind.values)}
GRADE_SCOPE_LABELS = dict(GradeScope.choices)
FREQUENCY_LABELS = dict(DrugAdverseEvent.FrequencyBand.choices)
IDENTIFIER_LINKS = {
    "atc_code": ("ATC code", "https://atcddd.fhi.no/atc_ddd_index/?code={}"),
    "drugbank_id": ("DrugBank", "https://go.drugbank.com/drugs/{}"),
    "unii": ("UNII", "https://precision.fda.gov/uniisearch/srs/unii/{}"),
    "rxcui": ("RxCUI", "https://mor.nlm.nih.gov/RxNav/search?searchBy=RXCUI&searchTerm={}"),
    "ncit_code": (
        "NCIt",
        "https://ncit.nci.nih.gov/ncitbrowser/ConceptReport.jsp?dictionary=NCI_Thesaurus&code={}",
    ),
}


@dataclass
class Block:
    """One part of the monograph: a prose section, the tables that belong with it, or both."""

    anchor: str
    title: str
    kind: str
    html: str = ""
    tables: list[str] = field(default_factory=list)


def monograph_outline(document: dict[str, Any]) -> list[Block]:
    """The monograph in reading order: each table placed with the section it belongs to.

    A table whose section was not written gets a block of its own, where that section
    would stand in the usual order of a monograph.
    """
    blocks = [
        Block(
            anchor=f"section-{section['kind']}",
            title=section["title"],
            kind=section["kind"],
            html=section["html"],
            tables=[t for t in TABLES_BY_SECTION.get(section["kind"], []) if document.get(t)],
        )
        for section in document.get("sections") or []
    ]
    written = {block.kind for block in blocks}
    for kind, tables in TABLES_BY_SECTION.items():
        present = [t for t in tables if document.get(t)]
        if kind in written or not present:
            continue
        block = Block(anchor=f"section-{kind}", title=kind.label, kind=kind, tables=present)
        position = next(
            (
                index
                for index, existing in enumerate(blocks)
                if SECTION_ORDER.get(existing.kind, len(SECTION_ORDER)) > SECTION_ORDER[kind]
            ),
            len(blocks),
        )
        blocks.insert(position, block)
    return blocks


def identifier_links(document: dict[str, Any]) -> list[dict[str, str]]:
    identifiers = document.get("identifiers") or {}
    return [
        {"label": label, "value": identifiers[name], "url": url.format(identifiers[name])}
        for name, (label, url) in IDENTIFIER_LINKS.items()
        if identifiers.get(name)
    ]


def adverse_event_chart(document: dict[str, Any]) -> dict[str, str] | None:
    """Incidence bars grouped by the population or study the figures come from."""
    events = document.get("adverse_events") or []
    contexts = list(dict.fromkeys(ae["context"] for ae in events))
    rows = [
        IncidenceRow(
            group=ae["context"],
            label=capfirst(ae["term"]["name"]),
            any_grade=incidence(ae["any_grade"], ae.get("any_grade_bound") or ""),
            severe=incidence(ae["grade_3_plus"], ae.get("grade_3_plus_bound") or ""),
            severe_scope=GRADE_SCOPE_LABELS[ae.get("grade_3_plus_scope") or "grade_3_plus"],
        )
        for ae in sorted(events, key=lambda ae: contexts.index(ae["context"]))
    ]
    return incidence_chart(
        rows,
        title=f"Incidence of adverse events with {document['title']}, in % of patients",
        after="The table below gives every figure with its source.",
    )


def trial_summaries(trials: list[Entry]) -> list[dict[str, Any]]:
    """What the drug page shows of each trial (from drug_trials): its design and headline result."""
    return [
        {
            "entry": trial,
            "url": entry_url("trial", trial.slug),
            "document": trial.document_members,
            "name": trial.document_members["acronym"] or trial.document_members["title"],
            "headline": headline_result(trial.document_members),
        }
        for trial in trials
    ]


def hazard_ratio_chart(drug_title: str, trials: list[Entry]) -> dict[str, str] | None:
    estimates = []
    for trial in trials:
        document = trial.document_members
        name = document["acronym"] or document["title"]
        for outcome in document.get("outcomes") or []:
            if outcome.get("hazard_ratio") is None:
                continue
            comparison = " vs ".join(
                arm for arm in (outcome.get("arm"), outcome.get("comparator_arm")) if arm
            )
            estimates.append(
                Estimate(
                    label=name,
                    detail=" · ".join(p for p in (outcome["measure"], comparison) if p),
                    value=outcome["hazard_ratio"],
                    low=outcome.get("hazard_ratio_ci_low"),
                    high=outcome.get("hazard_ratio_ci_high"),
                )
            )
    if not estimates:
        return None
    with_ci = sum(1 for e in estimates if e.low and e.high)
    title = f"Hazard ratios in trials of {drug_title}"
    caption = "Hazard ratios on a log scale"
    if with_ci == len(estimates):
        title += ", with 95% confidence intervals"
        caption += ", with their 95% confidence intervals"
    elif with_ci:
        caption += "; a line shows the 95% confidence interval where the source gives one"
    caption += (
        ". Below 1 favours the first-named arm of each comparison. Each trial's page gives "
        "the full results."
    )
    return {"svg": forest_plot(estimates, title=title), "caption": caption}

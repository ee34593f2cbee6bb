"""A drug document as a monograph page: reading order, charts, headline results."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.utils.text import capfirst

from monographs.charts.drawing import responsive
from monographs.charts.estimates import Estimate, forest_plot
from monographs.charts.incidence import IncidenceRow, incidence_chart
from monographs.figures import incidence
from monographs.models.base import GradeScope
from monographs.models.content import SectionKind, section_anchor
from monographs.models.experience import DrugAdverseEvent
from monographs.publishing.models import Entry
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
# Sections whose lists and tables the structured rows restate in full: there the page shows
# the rows once, as a table, and keeps only the prose the table cannot carry.
RESTATED_BY_TABLES = {
    SectionKind.WARNINGS,
    SectionKind.SPECIAL_POPULATIONS,
    SectionKind.INTERACTIONS,
    SectionKind.SUBSEQUENT_THERAPY,
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


class _TopLevelBlocks(HTMLParser):
    """Where each top-level element of a fragment starts and ends, as character offsets."""

    VOID = {"br", "hr", "img", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.depth = 0
        self.blocks: list[tuple[str, int, int]] = []
        self._start: tuple[str, int] | None = None
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.VOID:
            return
        if self.depth == 0:
            self._start = (tag, self._offset())
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        self.depth -= 1
        if self.depth == 0 and self._start:
            end = self.html.index(">", self._offset()) + 1
            self.blocks.append((self._start[0], self._start[1], end))
            self._start = None


_ONLY_CITATIONS = re.compile(r"^<p>\s*(<sup class=\"citations\">.*?</sup>\s*)+</p>$", re.S)


def prose_beyond_tables(html: str) -> str:
    """A section's prose less its lists and tables, when structured rows restate them.

    Paragraphs stay (they carry what a table cannot: context, order, caveats), except one
    that holds nothing but citation marks for a table now gone.
    """
    kept = [
        html[start:end]
        for tag, start, end in _TopLevelBlocks(html).blocks
        if tag not in ("ul", "ol", "table") and not _ONLY_CITATIONS.match(html[start:end])
    ]
    return "\n".join(kept)


def monograph_outline(document: dict[str, Any]) -> list[Block]:
    """The monograph in reading order: each table placed with the section it belongs to.

    A table whose section was not written gets a block of its own, where that section
    would stand in the usual order of a monograph. Where the section's lists and tables
    say again what its structured rows say (RESTATED_BY_TABLES), the rows are shown once.
    """
    blocks = []
    for section in document.get("sections") or []:
        tables = [t for t in TABLES_BY_SECTION.get(section["kind"], []) if document.get(t)]
        html = section["html"]
        if tables and section["kind"] in RESTATED_BY_TABLES:
            html = prose_beyond_tables(html)
        blocks.append(
            Block(
                anchor=section_anchor(section["kind"]),
                title=section["title"],
                kind=section["kind"],
                html=html,
                tables=tables,
            )
        )
    written = {block.kind for block in blocks}
    for kind, tables in TABLES_BY_SECTION.items():
        present = [t for t in tables if document.get(t)]
        if kind in written or not present:
            continue
        block = Block(anchor=section_anchor(kind), title=kind.label, kind=kind, tables=present)
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


def adverse_event_groups(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The adverse-event rows grouped by the population or study their figures come from, in
    the order each first appears, so a context shared by many rows is said once, as the
    chart groups them."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in document.get("adverse_events") or []:
        groups.setdefault(row.get("context") or "", []).append(row)
    return list(groups.items())


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
    return {"svg": responsive(forest_plot, estimates, title=title), "caption": caption}


def monograph_is_stub(document: dict[str, Any]) -> bool:
    """A drug with no written monograph: known only from what other entries say about it.

    Its page is a short entry listing those mentions, not the frame of a full monograph.
    """
    return not document.get("sections") and not document.get("questions")


@dataclass
class Mention:
    """What another published monograph says about this drug, and where it says it."""

    drug_title: str
    url: str
    lines: list[tuple[str, str]]


def drug_mention_list(slugs: Collection[str], entries: list[Entry]) -> list[Mention]:
    """Rows of other monographs (from drug_mentions) that name the drug by any of its `slugs`
    (drug_slugs_named: a row published before a rename names the old one), in words.

    Each line links to the section of the other monograph that holds the row with its
    source; the figures and citations stay there, where their reference numbers belong.
    """
    mentions = []
    for entry in entries:
        members = entry.document_members
        other = capfirst(members["title"])
        url = entry_url("drug", entry.slug)
        lines = []
        for row in members.get("interactions") or []:
            if (row.get("interacting_drug") or {}).get("slug") not in slugs:
                continue
            said = " ".join(p for p in (row.get("effect"), row.get("management")) if p)
            lines.append((f"Interacts with {other.lower()}: {said}", f"{url}#section-interactions"))
        for row in members.get("subsequent_therapies") or []:
            if (row.get("therapy_drug") or {}).get("slug") not in slugs:
                continue
            condition = row["condition"]
            name = condition["name"]
            where = (
                name[:1].lower()
                + name[1:]
                + (f" ({condition['abbreviation']})" if condition.get("abbreviation") else "")
            )
            text = f"An option after {other.lower()} in {where}"
            if row.get("setting"):
                text += f": {row['setting']}"
            lines.append((text, f"{url}#section-subsequent_therapy"))
        if lines:
            mentions.append(Mention(drug_title=other, url=url, lines=lines))
    return mentions

"""Citations from identifiers and reference files: fetch or parse, plan, then write on confirm.

The plan says, record by record, what an import would do: create a citation, fill the empty
fields of one already in the library (matched by DOI, PMID or PMCID, in any case), or skip
it. Nothing is written until citations_import is called with the records the editor saw;
it plans again inside its transaction, so what is written matches the library at that moment.
Values already in a citation are never overwritten: where the source says something else,
the plan lists it as a difference for the editor to settle by hand.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from lxml import etree

from monographs.editorial.shared import shared_edits_collected
from monographs.importing.clients import CrossrefClient, PubMedClient
from monographs.importing.errors import ImportProblem, ImportProblems, NotFound
from monographs.importing.parsers.csl import crossref_record
from monographs.importing.parsers.pubmed import PARSER, is_article_set, parse_pubmed_xml
from monographs.importing.records import IMPORTED_FIELDS, CitationRecord, citation_key
from monographs.models import Citation

CREATE, UPDATE, SKIP = "create", "update", "skip"
PMIDS_PER_REQUEST = 200  # efetch takes a list of ids; long lists go in several requests
# Filled when empty, listed as a difference when not; the kind is the editors' to change.
COMPARED_FIELDS = tuple(name for name in IMPORTED_FIELDS if name != "kind")
DOI_IN_TEXT = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.[0-9]{4,9}/\S+)$", re.I)
PMID_IN_TEXT = re.compile(r"^(?:pmid:?\s*)?([1-9][0-9]{0,8})$", re.I)
PMCID_IN_TEXT = re.compile(r"^(?:pmcid:?\s*)?(pmc[0-9]{1,9})$", re.I)


@dataclass
class PlannedCitation:
    """What importing one record would do."""

    action: str
    record: CitationRecord
    key: str = ""
    existing: Citation | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    reason: str = ""


@dataclass
class CitationImport:
    created: list[Citation] = field(default_factory=list)
    updated: list[Citation] = field(default_factory=list)
    skipped: list[PlannedCitation] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.skipped)} skipped."
        )


def identifier_parse(text: str) -> tuple[str, str]:
    """('doi' | 'pmid' | 'pmcid', normalised value) for what an editor pasted."""
    value = text.strip()
    for kind, pattern in (("doi", DOI_IN_TEXT), ("pmcid", PMCID_IN_TEXT), ("pmid", PMID_IN_TEXT)):
        match = pattern.match(value)
        if match:
            found = match.group(1)
            return kind, found.upper() if kind == "pmcid" else found
    raise ImportProblem(
        "is not a DOI (10.xxxx/...), a PMID (digits) or a PMCID (PMC followed by digits).",
        record=repr(text),
    )


def citation_find(*, doi: str = "", pmid: str = "", pmcid: str = "") -> list[Citation]:
    """Citations of the library with this DOI, PMID or PMCID, compared in any case."""
    query = Q()
    if doi:
        query |= Q(doi__iexact=doi)
    if pmid:
        query |= Q(pmid=pmid)
    if pmcid:
        query |= Q(pmcid__iexact=pmcid)
    return list(Citation.objects.filter(query).order_by("pk")) if query else []


def _merged_article_sets(answers: list[bytes]) -> bytes:
    """Several efetch answers as one <PubmedArticleSet>."""
    merged = etree.Element("PubmedArticleSet")
    for answer in answers:
        if is_article_set(answer):
            merged.extend(list(etree.fromstring(answer, parser=PARSER)))
    return etree.tostring(merged)


def citation_records_fetch(
    *,
    identifiers: list[str],
    crossref: CrossrefClient | None = None,
    pubmed: PubMedClient | None = None,
) -> tuple[list[CitationRecord], list[PlannedCitation]]:
    """Records for pasted identifiers, and those already in the library (not fetched again).

    Every identifier is parsed before any request is made; every request is made before
    anything is returned, so a failure half-way leaves nothing half-done.
    """
    parsed, problems = [], []
    for text in identifiers:
        try:
            parsed.append(identifier_parse(text))
        except ImportProblem as error:
            problems.append(error)
    if problems:
        raise problems[0] if len(problems) == 1 else ImportProblems(problems)

    known: list[PlannedCitation] = []
    wanted: list[tuple[str, str]] = []
    for kind, value in dict.fromkeys(parsed):
        existing = citation_find(**{kind: value})
        if existing:
            record = CitationRecord(title=existing[0].title, source="library", label=value)
            setattr(record, kind, value)
            known.append(
                PlannedCitation(
                    SKIP,
                    record,
                    key=existing[0].key,
                    existing=existing[0],
                    reason=f"already in the library as {existing[0].key}",
                )
            )
        else:
            wanted.append((kind, value))

    records: list[CitationRecord] = []
    dois = [v for k, v in wanted if k == "doi"]
    pmids = [v for k, v in wanted if k == "pmid"]
    pmcids = [v for k, v in wanted if k == "pmcid"]
    if dois:
        client = crossref or CrossrefClient()
        try:
            for doi in dois:
                records.append(
                    crossref_record(client.work(doi), source="Crossref", label=f"DOI {doi}")
                )
        finally:
            if crossref is None:
                client.close()
    if pmids or pmcids:
        client = pubmed or PubMedClient()
        try:
            for pmcid in pmcids:
                pmids.append(client.pmid_for_pmcid(pmcid))
            pmids = list(dict.fromkeys(pmids))
            answers = [
                client.articles_xml(pmids[i : i + PMIDS_PER_REQUEST])
                for i in range(0, len(pmids), PMIDS_PER_REQUEST)
            ]
        finally:
            if pubmed is None:
                client.close()
        xml = answers[0] if len(answers) == 1 else _merged_article_sets(answers)
        found = parse_pubmed_xml("PubMed", xml) if is_article_set(xml) else []
        by_pmid = {r.pmid: r for r in found}
        missing = [p for p in pmids if p not in by_pmid]
        if missing:
            raise NotFound(
                "PubMed returned no article for it.",
                source="PubMed",
                record="PMID " + ", ".join(missing),
            )
        for pmid in pmids:
            by_pmid[pmid].label = f"PMID {pmid}"
            records.append(by_pmid[pmid])
    return records, known


def citations_import_plan(*, records: list[CitationRecord]) -> list[PlannedCitation]:
    """What importing these records would do now; reads the library, writes nothing."""
    taken = set(Citation.objects.values_list("key", flat=True))
    seen: dict[tuple[str, str], str] = {}
    plan = []
    for record in records:
        ids = [("doi", record.doi.lower()), ("pmid", record.pmid), ("pmcid", record.pmcid.upper())]
        ids = [(k, v) for k, v in ids if v]
        earlier = next((seen[i] for i in ids if i in seen), None)
        if earlier:
            plan.append(PlannedCitation(SKIP, record, reason=f"same work as {earlier} above"))
            continue
        for i in ids:
            seen[i] = record.label
        matches = citation_find(doi=record.doi, pmid=record.pmid, pmcid=record.pmcid)
        if len(matches) > 1:
            keys = ", ".join(c.key for c in matches)
            plan.append(
                PlannedCitation(
                    SKIP,
                    record,
                    reason=f"its identifiers point at different citations ({keys}): "
                    "merge them by hand first",
                )
            )
            continue
        if not matches:
            key = citation_key(record, taken)
            taken.add(key)
            plan.append(PlannedCitation(CREATE, record, key=key))
            continue
        existing = matches[0]
        changes, differences = {}, {}
        for name in COMPARED_FIELDS:
            new, old = getattr(record, name), getattr(existing, name)
            if _empty(new):
                continue
            if _empty(old):
                changes[name] = new
            elif _comparable(old) != _comparable(new):
                differences[name] = (old, new)
        action = UPDATE if changes else SKIP
        reason = "" if changes else f"already in the library as {existing.key}, nothing to add"
        plan.append(
            PlannedCitation(
                action,
                record,
                key=existing.key,
                existing=existing,
                changes=changes,
                differences=differences,
                reason=reason,
            )
        )
    return plan


@transaction.atomic
def citations_import(
    *, records: list[CitationRecord], user: AbstractBaseUser | None = None
) -> CitationImport:
    """Write what the plan says, all or nothing. Returns what was created, updated, skipped.

    An updated citation is an edit, by this user, of every entry whose document it changes.
    """
    with shared_edits_collected(user=user):
        return _citations_write(records=records)


def _citations_write(*, records: list[CitationRecord]) -> CitationImport:
    result = CitationImport()
    for planned in citations_import_plan(records=records):
        record = planned.record
        if planned.action == SKIP:
            result.skipped.append(planned)
            continue
        if planned.action == CREATE:
            citation = Citation(key=planned.key, **record.values())
        else:
            citation = planned.existing
            for name, value in planned.changes.items():
                setattr(citation, name, value)
        try:
            citation.full_clean()
        except ValidationError as error:
            raise ImportProblems(
                [
                    ImportProblem(
                        " ".join(messages),
                        source=record.source,
                        record=record.label,
                        field=name if name != "__all__" else "",
                    )
                    for name, messages in error.message_dict.items()
                ]
            ) from error
        citation.save()
        (result.created if planned.action == CREATE else result.updated).append(citation)
    return result


def _empty(value: Any) -> bool:
    return value in (None, "", [], False)


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).casefold().rstrip(".")
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value

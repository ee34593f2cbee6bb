"""Filling the read tables from a frozen document (see monographs.api.models).

The row builders are pure functions of the document, so the same code fills the tables at
publish time and when an existing database is backfilled by the migration.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from monographs.api.models import (
    PublishedAdverseEvent,
    PublishedCitation,
    PublishedDocument,
    PublishedTrialDrug,
    PublishedTrialListing,
)
from monographs.api.stored_detail import detail_head_columns
from monographs.bulk import rows_insert
from monographs.publishing.models import Entry, Publication


def _percent(value: int | float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _pair(values: list | None) -> tuple[Decimal | None, Decimal | None]:
    low, high = (list(values or []) + [None, None])[:2]
    return _percent(low), _percent(high)


def _source(source: dict[str, Any] | None, references: dict[str, dict]) -> dict | None:
    if not source:
        return None
    reference = references.get(source.get("citation"), {})
    return {
        "citation": source.get("citation"),
        "number": source.get("number"),
        "locator": source.get("locator", ""),
        "vancouver": reference.get("vancouver", ""),
        "doi": reference.get("doi"),
        "pmid": reference.get("pmid"),
    }


def adverse_event_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Drug x term incidence rows of a drug document (other kinds have none)."""
    if document.get("kind") != "drug":
        return []
    references = {r["key"]: r for r in document.get("references") or []}
    rows = []
    for position, event in enumerate(document.get("adverse_events") or []):
        term = event["term"]
        any_low, any_high = _pair(event.get("any_grade"))
        severe_low, severe_high = _pair(event.get("grade_3_plus"))
        rows.append(
            {
                "drug_slug": document["slug"],
                "drug_name": document["title"],
                "term_slug": term["slug"],
                "term_name": term["name"],
                "term_synonyms": term.get("synonyms") or [],
                "system_organ_class": term.get("system_organ_class") or "",
                "context": event.get("context") or "",
                "any_grade_low": any_low,
                "any_grade_high": any_high,
                "grade_3_plus_low": severe_low,
                "grade_3_plus_high": severe_high,
                "any_grade_bound": event.get("any_grade_bound") or "",
                "grade_3_plus_bound": event.get("grade_3_plus_bound") or "",
                "grade_3_plus_scope": event.get("grade_3_plus_scope") or "grade_3_plus",
                "frequency_band": event.get("frequency_band") or "",
                "management": event.get("management") or "",
                "source": _source(event.get("source"), references),
                "note": event.get("note") or "",
                "stated_places": event.get("stated_places") or {},
                "sort_key": f"{document['slug']}/{term['slug']}/{position:05d}",
            }
        )
    return rows


def citation_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's reference list, one row per citation key."""
    rows = {}
    for reference in document.get("references") or []:
        rows[reference["key"]] = {
            "key": reference["key"],
            "kind": reference.get("kind") or "",
            "title": (reference.get("title") or "")[:500],
            "year": reference.get("year"),
            "pmid": reference.get("pmid") or None,
            "pmcid": reference.get("pmcid") or None,
            "doi": (reference.get("doi") or "").lower() or None,
            "reference": reference,
        }
    return list(rows.values())


def trial_drug_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The drugs a trial document studies, with what its drugs' pages order trials by."""
    if document.get("kind") != "trial":
        return []
    slugs = dict.fromkeys(drug["slug"] for drug in document.get("drugs") or [])
    return [
        {
            "drug_slug": slug,
            "start_date": document.get("start_date") or "",
            "title": document["title"],
        }
        for slug in slugs
    ]


def trial_listing_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A trial's sort key in the public trial list; drugs are not listed there."""
    if document.get("kind") != "trial":
        return []
    return [
        {
            "start_year": (document.get("start_date") or "")[:4],
            "sort_title": document["title"].lower(),
        }
    ]


ROW_BUILDERS = (
    (PublishedAdverseEvent, adverse_event_rows),
    (PublishedCitation, citation_rows),
    (PublishedTrialDrug, trial_drug_rows),
    (PublishedTrialListing, trial_listing_rows),
)
READ_TABLES = (*(model for model, _ in ROW_BUILDERS), PublishedDocument)
REBUILD_BATCH_SIZE = 500


def _entry_uids(
    publications: list[Publication], entries: Iterable[Entry] | None
) -> dict[tuple[str, int], Any]:
    """The uid of each publication's entry, from the entries given, else in one query."""
    uids = {(entry.kind, entry.root_id): entry.uid for entry in entries or ()}
    if any((publication.kind, publication.root_id) not in uids for publication in publications):
        found = Entry.objects.filter(
            root_id__in={publication.root_id for publication in publications}
        ).values_list("kind", "root_id", "uid")
        uids.update({(kind, root_id): uid for kind, root_id, uid in found})
    return uids


def read_tables_write_many(
    *, publications: Iterable[Publication], entries: Iterable[Entry] | None = None
) -> None:
    """The read-table rows of many just-frozen publications, in five inserts for the lot,
    each document with the head of its detail (stored_detail): `entries` are theirs, when the
    caller has them."""
    publications = list(publications)
    uids = _entry_uids(publications, entries) if publications else {}
    for model, rows_of in ROW_BUILDERS:
        rows_insert(
            model=model,
            rows=[
                {"publication": publication, **row}
                for publication in publications
                for row in rows_of(publication.document)
            ],
        )
    heads = detail_head_columns(
        (
            publication,
            uids[publication.kind, publication.root_id],
            publication.canonical_document,
        )
        for publication in publications
    )
    rows_insert(
        model=PublishedDocument,
        rows=[
            {"publication": publication, "body": publication.canonical_document, **head}
            for publication, head in zip(publications, heads, strict=True)
        ],
    )


def read_tables_rebuild() -> int:
    """Write every publication's read-table rows again from its frozen document; returns how
    many publications.

    The rows are derived from the documents alone, so this restores them after loading an
    export made before a read table or one of its columns existed (that export carries no
    rows for it, or rows without the column). One transaction: readers keep the old rows
    until it commits.
    """
    count = 0
    with transaction.atomic():
        for model in READ_TABLES:
            model.objects.all().delete()
        batch: list[Publication] = []
        for publication in Publication.objects.order_by("pk").iterator(
            chunk_size=REBUILD_BATCH_SIZE
        ):
            batch.append(publication)
            if len(batch) == REBUILD_BATCH_SIZE:
                read_tables_write_many(publications=batch)
                count += len(batch)
                batch = []
        read_tables_write_many(publications=batch)
        count += len(batch)
    return count

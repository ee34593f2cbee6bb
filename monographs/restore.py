"""Turn a published drug document back into the working copy ("restore vK").

The document refers to vocabulary by what readers see (citation keys, target symbols, term
and condition slugs, drug slugs); restoring looks each one up again. Children are replaced
wholesale so the working copy says exactly what the old version said; rows keep their old
ids where those are free, so the review diff of the restored draft stays row by row.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from monographs.document_types import DrugDocument
from monographs.models import (
    AdverseEventTerm,
    Approval,
    Citation,
    Condition,
    Contraindication,
    DoseRegimen,
    Drug,
    DrugAdverseEvent,
    DrugInteraction,
    DrugName,
    DrugTarget,
    DrugWarning,
    Formulation,
    MonographSection,
    PharmacokineticParameter,
    QuestionAnswer,
    ResistanceMechanism,
    SectionKind,
    SpecialPopulation,
    SubsequentTherapy,
    Target,
)

DRUG_CHILD_MODELS = (
    DrugName, DrugTarget, Approval, Formulation, MonographSection, DoseRegimen,
    PharmacokineticParameter, DrugInteraction, DrugWarning, Contraindication,
    SpecialPopulation, DrugAdverseEvent, ResistanceMechanism, SubsequentTherapy, QuestionAnswer,
)  # fmt: skip


class RestoreError(ValueError):
    """The document names something that no longer exists; the message says what to add back."""


class Lookup:
    """Resolves the document's references in one query per vocabulary."""

    def __init__(self, model: type[models.Model], field: str, values: Iterable[Any], what: str):
        wanted = {v for v in values if v}
        self.what = what
        found = model.objects.filter(**{f"{field}__in": wanted})
        self.rows = {getattr(row, field): row for row in found}

    def __call__(self, value: Any) -> Any:
        if not value:
            return None
        try:
            return self.rows[value]
        except KeyError:
            raise RestoreError(
                f"The version refers to {self.what} '{value}', which no longer exists: "
                "add it again, then restore."
            ) from None


def as_decimal(value: int | float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def source_fields(row: dict[str, Any], citation: Lookup) -> dict[str, Any]:
    source = row.get("source") or {}
    if source.get("inherited"):
        # The row named no source of its own: it takes its section's or drug's default.
        source = {}
    return {
        "citation": citation(source.get("citation")),
        "source_locator": source.get("locator") or "",
        "editorial_note": row.get("note") or "",
    }


def seed_keys_of(rows: models.QuerySet) -> dict[int, str]:
    """The seed identity of each row, so a restored row still matches its record in seeds/."""
    if not any(f.name == "seed_key" for f in rows.model._meta.fields):
        return {}
    return dict(rows.exclude(seed_key="").values_list("pk", "seed_key"))


def replace_rows(
    model: type[models.Model],
    rows: list[tuple[int | None, dict[str, Any]]],
    *,
    seed_keys: dict[int, str],
) -> None:
    """Create the rows, reusing each old id (and its seed identity) unless another row has it."""
    wanted = [row_id for row_id, _ in rows if row_id]
    taken = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for row_id, values in rows:
        if row_id and row_id not in taken:
            values = {"pk": row_id, **values}
            if row_id in seed_keys:
                values["seed_key"] = seed_keys[row_id]
        model.objects.create(**values)


def cited_keys(document: dict[str, Any]) -> set[str]:
    """Citation keys the rows of a document take their figures from, and default sources."""
    keys = {
        (row.get("source") or {}).get("citation")
        for value in document.values()
        if isinstance(value, list)
        for row in value
        if isinstance(row, dict)
    }
    keys |= {s.get("default_source") for s in document.get("sections") or []}
    return (keys | {document.get("default_source")}) - {None}


@transaction.atomic
def drug_restore_document(*, drug: Drug, document: DrugDocument) -> None:
    """Make the drug's working copy say what `document` says (its review date is kept)."""
    citation = Lookup(Citation, "key", cited_keys(document), "the citation")
    target = Lookup(Target, "symbol", [t["symbol"] for t in document["targets"]], "the target")
    condition = Lookup(
        Condition,
        "slug",
        [a["condition"] for a in document["approvals"]]
        + [d.get("condition") for d in document["dose_regimens"]]
        + [s["condition"]["slug"] for s in document["subsequent_therapies"]],
        "the condition",
    )
    term = Lookup(
        AdverseEventTerm,
        "slug",
        [ae["term"]["slug"] for ae in document["adverse_events"]],
        "the adverse event term",
    )
    partners = [(i["interacting_drug"] or {}).get("slug") for i in document["interactions"]]
    partners += [(s["therapy_drug"] or {}).get("slug") for s in document["subsequent_therapies"]]
    other_drug = Lookup(Drug, "slug", partners, "the drug")
    other_drug.rows[document["slug"]] = drug

    drug.inn = document["inn"]
    drug.slug = document["slug"]
    drug.drug_class = document["drug_class"]
    drug.summary = document["summary"]
    drug.default_citation = citation(document.get("default_source"))
    for name, value in document["identifiers"].items():
        setattr(drug, name, value)
    drug.save()

    seed_keys = {
        model: seed_keys_of(model.objects.filter(drug=drug)) for model in DRUG_CHILD_MODELS
    }
    for model in DRUG_CHILD_MODELS:
        model.objects.filter(drug=drug).delete()

    def rows(table: str, build) -> list[tuple[int | None, dict[str, Any]]]:
        return [
            (row.get("id"), {"drug": drug, "position": position, **build(row)})
            for position, row in enumerate(document.get(table, []))
        ]

    def unpositioned(table: str, build) -> list[tuple[int | None, dict[str, Any]]]:
        return [(row.get("id"), {"drug": drug, **build(row)}) for row in document.get(table, [])]

    replace_rows(
        DrugName,
        unpositioned(
            "names",
            lambda r: {"name": r["name"], "kind": r["kind"], **source_fields(r, citation)},
        ),
        seed_keys=seed_keys[DrugName],
    )
    replace_rows(
        DrugTarget,
        rows(
            "targets",
            lambda r: {
                "target": target(r["symbol"]),
                "action": r["action"],
                "note": r["target_note"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[DrugTarget],
    )
    replace_rows(
        Approval,
        rows(
            "approvals",
            lambda r: {
                "agency": r["agency"],
                "indication": r["indication"],
                "condition": condition(r["condition"]),
                "year": r["year"],
                "approved_on": as_date(r["date"]),
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[Approval],
    )
    replace_rows(
        Formulation,
        unpositioned(
            "formulations",
            lambda r: {
                "dosage_form": r["dosage_form"],
                "strength": r["strength"],
                "route": r["route"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[Formulation],
    )
    replace_rows(
        MonographSection,
        rows(
            "sections",
            lambda r: {
                "kind": r["kind"],
                "title": "" if r["title"] == SectionKind(r["kind"]).label else r["title"],
                "body": r["body"],
                "default_citation": citation(r.get("default_source")),
            },
        ),
        seed_keys=seed_keys[MonographSection],
    )
    replace_rows(
        DoseRegimen,
        rows(
            "dose_regimens",
            lambda r: {
                "indication": r["indication"],
                "condition": condition(r.get("condition")),
                "dose_amount": as_decimal(r["dose_amount"]),
                "dose_unit": r["dose_unit"],
                "frequency": r["frequency"],
                "route": r["route"],
                "daily_dose_amount": as_decimal(r["daily_dose_amount"]),
                "instructions": r["instructions"],
                "adjustment": r["adjustment"],
                "stated_places": r.get("stated_places") or {},
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[DoseRegimen],
    )
    replace_rows(
        PharmacokineticParameter,
        rows(
            "pharmacokinetics",
            lambda r: {
                "parameter": r["parameter"],
                "value": as_decimal(r["value"]),
                "range_low": as_decimal(r["range_low"]),
                "range_high": as_decimal(r["range_high"]),
                "unit": r["unit"],
                "qualifier": r["qualifier"],
                "population": r["population"],
                "note": r["pk_note"],
                "stated_places": r.get("stated_places") or {},
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[PharmacokineticParameter],
    )
    replace_rows(
        DrugInteraction,
        rows(
            "interactions",
            lambda r: {
                "interacting_drug": other_drug((r["interacting_drug"] or {}).get("slug")),
                "interacting_agent": r["interacting_agent"],
                "effect": r["effect"],
                "mechanism": r["mechanism"],
                "management": r["management"],
                "severity": "not_stated" if r["severity"] == "unknown" else r["severity"],
                "effect_measure": r.get("effect_measure") or "",
                "change_low": as_decimal((r.get("change") or [None, None])[0]),
                "change_high": as_decimal((r.get("change") or [None, None])[1]),
                "change_unit": r.get("change_unit", "%"),
                "stated_places": r.get("stated_places") or {},
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[DrugInteraction],
    )
    replace_rows(
        DrugWarning,
        rows(
            "warnings",
            lambda r: {
                "topic": r["topic"],
                "description": r["description"],
                "monitoring": r["monitoring"],
                "action": r["action"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[DrugWarning],
    )
    replace_rows(
        Contraindication,
        rows(
            "contraindications",
            lambda r: {
                "condition": r["condition"],
                "kind": r["kind"],
                "note": r["contraindication_note"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[Contraindication],
    )
    replace_rows(
        SpecialPopulation,
        rows(
            "special_populations",
            lambda r: {
                "population": r["population"],
                "recommendation": r["recommendation"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[SpecialPopulation],
    )
    replace_rows(
        DrugAdverseEvent,
        rows(
            "adverse_events",
            lambda r: {
                "term": term(r["term"]["slug"]),
                "context": r["context"],
                "any_grade_low": as_decimal(r["any_grade"][0]),
                "any_grade_high": as_decimal(r["any_grade"][1]),
                "grade_3_plus_low": as_decimal(r["grade_3_plus"][0]),
                "grade_3_plus_high": as_decimal(r["grade_3_plus"][1]),
                "any_grade_bound": r.get("any_grade_bound") or "",
                "grade_3_plus_bound": r.get("grade_3_plus_bound") or "",
                "grade_3_plus_scope": r.get("grade_3_plus_scope") or "grade_3_plus",
                "frequency_band": r["frequency_band"],
                "management": r["management"],
                "stated_places": r.get("stated_places") or {},
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[DrugAdverseEvent],
    )
    replace_rows(
        ResistanceMechanism,
        rows(
            "resistance_mechanisms",
            lambda r: {
                "name": r["name"],
                "kind": r["kind"],
                "pathway": r["pathway"],
                "description": r["description"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[ResistanceMechanism],
    )
    replace_rows(
        SubsequentTherapy,
        rows(
            "subsequent_therapies",
            lambda r: {
                "condition": condition(r["condition"]["slug"]),
                "therapy_drug": other_drug((r["therapy_drug"] or {}).get("slug")),
                "therapy": r["therapy"],
                "setting": r["setting"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[SubsequentTherapy],
    )
    replace_rows(
        QuestionAnswer,
        rows(
            "questions",
            lambda r: {
                "question": r["question"],
                "answer": r["answer"],
                "audience": r["audience"],
                **source_fields(r, citation),
            },
        ),
        seed_keys=seed_keys[QuestionAnswer],
    )

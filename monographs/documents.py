"""The drug monograph document: the whole aggregate of one Drug as a plain dict."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from monographs.document_types import DrugDocument
from monographs.editorial.documents import (
    SCHEMA_VERSION,
    References,
    as_date,
    as_number,
    source_or_default,
    sourced_fields,
    stated_places,
)
from monographs.models import (
    Citation,
    Drug,
    DrugAdverseEvent,
    DrugInteraction,
    DrugTarget,
    MonographSection,
    SectionKind,
    SubsequentTherapy,
    reference_lists_attach,
)
from monographs.richtext import citation_keys


def drug_queryset():
    """Everything a drug document needs, fetched in one query per table."""
    sourced = ("citation",)
    return Drug.objects.select_related("default_citation").prefetch_related(
        Prefetch("names", queryset=_with(Drug.names, sourced)),
        Prefetch("drug_targets", queryset=DrugTarget.objects.select_related("target", "citation")),
        Prefetch("approvals", queryset=_with(Drug.approvals, (*sourced, "condition"))),
        Prefetch("formulations", queryset=_with(Drug.formulations, sourced)),
        Prefetch("sections", queryset=MonographSection.objects.select_related("default_citation")),
        Prefetch("dose_regimens", queryset=_with(Drug.dose_regimens, (*sourced, "condition"))),
        Prefetch("pk_parameters", queryset=_with(Drug.pk_parameters, sourced)),
        Prefetch(
            "interactions",
            queryset=DrugInteraction.objects.select_related("citation", "interacting_drug"),
        ),
        Prefetch("warnings", queryset=_with(Drug.warnings, sourced)),
        Prefetch("contraindications", queryset=_with(Drug.contraindications, sourced)),
        Prefetch("special_populations", queryset=_with(Drug.special_populations, sourced)),
        Prefetch(
            "adverse_events",
            queryset=DrugAdverseEvent.objects.select_related("citation", "term"),
        ),
        Prefetch("resistance_mechanisms", queryset=_with(Drug.resistance_mechanisms, sourced)),
        Prefetch(
            "subsequent_therapies",
            queryset=SubsequentTherapy.objects.select_related(
                "citation", "condition", "therapy_drug"
            ),
        ),
        Prefetch("questions", queryset=_with(Drug.questions, sourced)),
    )


def _with(descriptor, related: tuple[str, ...]):
    return descriptor.rel.related_model.objects.select_related(*related)


def _drug_reference(drug: Drug | None) -> dict[str, str] | None:
    return {"slug": drug.slug, "name": drug.inn} if drug else None


def build_drug_document(drug: Drug) -> DrugDocument:
    """The drug's monograph as published: every section and row, sources numbered in order.

    Takes any Drug: it refetches, to stay pure of whatever the caller prefetched or forgot to.
    """
    documents = build_drug_documents(Drug.objects.filter(pk=drug.pk))
    if drug.pk not in documents:
        raise Drug.DoesNotExist(f"Drug {drug.pk} does not exist.")
    return documents[drug.pk]


def build_drug_documents(drugs: QuerySet[Drug]) -> dict[int, DrugDocument]:
    """Documents of many drugs by primary key, in a fixed number of queries for the lot.

    The one implementation behind build_drug_document: publishing one drug and publishing
    a thousand give the same documents.
    """
    fetched = list(drug_queryset().filter(pk__in=drugs.values("pk")))
    keys = {
        key
        for drug in fetched
        for text in [s.body for s in drug.sections.all()] + [q.answer for q in drug.questions.all()]
        for key in citation_keys(text)
    }
    citations_by_key = {c.key: c for c in Citation.objects.filter(key__in=keys)} if keys else {}
    documents = {drug.pk: _drug_document(drug, citations_by_key) for drug in fetched}
    reference_lists_attach(documents.values())
    return documents


# The table that goes with each kind of section: its rows inherit the section's default source.
SECTION_TABLES = {
    SectionKind.MECHANISM: "targets",
    SectionKind.INDICATIONS: "approvals",
    SectionKind.DOSAGE: "dose_regimens",
    SectionKind.PHARMACOKINETICS: "pharmacokinetics",
    SectionKind.INTERACTIONS: "interactions",
    SectionKind.WARNINGS: "warnings",
    SectionKind.CONTRAINDICATIONS: "contraindications",
    SectionKind.SPECIAL_POPULATIONS: "special_populations",
    SectionKind.ADVERSE_EVENTS: "adverse_events",
    SectionKind.RESISTANCE: "resistance_mechanisms",
    SectionKind.SUBSEQUENT_THERAPY: "subsequent_therapies",
}


def _drug_document(drug: Drug, citations_by_key: dict[str, Citation]) -> DrugDocument:
    references = References()
    sections = list(drug.sections.all())
    defaults = {
        SECTION_TABLES[section.kind]: section.default_citation
        for section in sections
        if section.default_citation_id and section.kind in SECTION_TABLES
    }

    def sourced(row, table: str) -> dict[str, Any]:
        """A row's source: its own, else its section's default, else the drug's. An inherited
        source is marked so, so the row still names none of its own when restored."""
        return source_or_default(
            sourced_fields(row, references),
            defaults.get(table) or drug.default_citation,
            references,
        )

    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "drug",
        "slug": drug.slug,
        "title": drug.inn,
        "inn": drug.inn,
        "drug_class": drug.drug_class,
        "summary": drug.summary,
        "identifiers": {
            "atc_code": drug.atc_code,
            "drugbank_id": drug.drugbank_id,
            "unii": drug.unii,
            "rxcui": drug.rxcui,
            "ncit_code": drug.ncit_code,
        },
        "next_review_due": as_date(drug.next_review_due),
    }
    # Only when set, so a document without one is unchanged (and keeps its hash).
    if drug.default_citation_id:
        document["default_source"] = drug.default_citation.key
    document["names"] = [
        {"name": n.name, "kind": n.kind, **sourced(n, "names")} for n in drug.names.all()
    ]
    document["targets"] = [
        {
            "symbol": t.target.symbol,
            "name": t.target.name,
            "aliases": t.target.aliases,
            "location": t.target.location,
            "action": t.action,
            "target_note": t.note,
            **sourced(t, "targets"),
        }
        for t in drug.drug_targets.all()
    ]
    document["approvals"] = [
        {
            "agency": a.agency,
            "indication": a.indication,
            "condition": a.condition.slug if a.condition else None,
            "year": a.year,
            "date": as_date(a.approved_on),
            **sourced(a, "approvals"),
        }
        for a in drug.approvals.all()
    ]
    document["formulations"] = [
        {
            "dosage_form": f.dosage_form,
            "strength": f.strength,
            "route": f.route,
            **sourced(f, "formulations"),
        }
        for f in drug.formulations.all()
    ]
    rendered_sections = []
    for section in sections:
        references.cite_markdown(section.body, citations_by_key)
        rendered = {
            "id": section.pk,
            "kind": section.kind,
            "title": section.display_title,
            "body": section.body,
            "html": references.render(section.body),
        }
        if section.default_citation_id:
            rendered["default_source"] = section.default_citation.key
        rendered_sections.append(rendered)
    document["sections"] = rendered_sections
    document["dose_regimens"] = [
        {
            "indication": d.indication,
            "condition": d.condition.slug if d.condition else None,
            "dose_amount": as_number(d.dose_amount),
            "dose_unit": d.dose_unit,
            "frequency": d.frequency,
            "route": d.route,
            "daily_dose_amount": as_number(d.daily_dose_amount),
            "instructions": d.instructions,
            "adjustment": d.adjustment,
            **sourced(d, "dose_regimens"),
            **stated_places(d),
        }
        for d in drug.dose_regimens.all()
    ]
    document["pharmacokinetics"] = [
        {
            "parameter": p.parameter,
            "value": as_number(p.value),
            "range_low": as_number(p.range_low),
            "range_high": as_number(p.range_high),
            "unit": p.unit,
            "qualifier": p.qualifier,
            "population": p.population,
            "pk_note": p.note,
            **sourced(p, "pharmacokinetics"),
            **stated_places(p),
        }
        for p in drug.pk_parameters.all()
    ]
    document["interactions"] = [
        {
            "interacting_drug": _drug_reference(i.interacting_drug),
            "interacting_agent": i.interacting_agent,
            "effect": i.effect,
            "mechanism": i.mechanism,
            "management": i.management,
            "severity": i.severity,
            "effect_measure": i.effect_measure,
            "change": [as_number(i.change_low), as_number(i.change_high)],
            "change_unit": i.change_unit,
            **sourced(i, "interactions"),
            **stated_places(i),
        }
        for i in drug.interactions.all()
    ]
    document["warnings"] = [
        {
            "topic": w.topic,
            "description": w.description,
            "monitoring": w.monitoring,
            "action": w.action,
            **sourced(w, "warnings"),
        }
        for w in drug.warnings.all()
    ]
    document["contraindications"] = [
        {
            "condition": c.condition,
            "kind": c.kind,
            "contraindication_note": c.note,
            **sourced(c, "contraindications"),
        }
        for c in drug.contraindications.all()
    ]
    document["special_populations"] = [
        {
            "population": s.population,
            "recommendation": s.recommendation,
            **sourced(s, "special_populations"),
        }
        for s in drug.special_populations.all()
    ]
    document["adverse_events"] = [
        {
            "term": {
                "slug": ae.term.slug,
                "name": ae.term.name,
                "system_organ_class": ae.term.system_organ_class,
                "synonyms": ae.term.synonyms,
            },
            "context": ae.context,
            "any_grade": [as_number(ae.any_grade_low), as_number(ae.any_grade_high)],
            "any_grade_bound": ae.any_grade_bound,
            "grade_3_plus": [as_number(ae.grade_3_plus_low), as_number(ae.grade_3_plus_high)],
            "grade_3_plus_bound": ae.grade_3_plus_bound,
            "grade_3_plus_scope": ae.grade_3_plus_scope,
            "frequency_band": ae.frequency_band,
            "management": ae.management,
            **sourced(ae, "adverse_events"),
            **stated_places(ae),
        }
        for ae in drug.adverse_events.all()
    ]
    document["resistance_mechanisms"] = [
        {
            "name": r.name,
            "kind": r.kind,
            "pathway": r.pathway,
            "description": r.description,
            **sourced(r, "resistance_mechanisms"),
        }
        for r in drug.resistance_mechanisms.all()
    ]
    document["subsequent_therapies"] = [
        {
            "condition": {
                "slug": s.condition.slug,
                "name": s.condition.name,
                "abbreviation": s.condition.abbreviation,
            },
            "therapy_drug": _drug_reference(s.therapy_drug),
            "therapy": s.therapy,
            "setting": s.setting,
            **sourced(s, "subsequent_therapies"),
        }
        for s in drug.subsequent_therapies.all()
    ]
    questions = []
    for q in drug.questions.all():
        references.cite_markdown(q.answer, citations_by_key)
        questions.append(
            {
                "question": q.question,
                "answer": q.answer,
                "answer_html": references.render(q.answer),
                "audience": q.audience,
                **sourced(q, "questions"),
            }
        )
    document["questions"] = questions
    document["references"] = references.as_list()
    document["unknown_citation_keys"] = references.unknown_keys
    return document


def drug_facets(document: DrugDocument) -> list[tuple[str, str]]:
    """The filterable facts of a drug document, denormalised into facet rows when publishing."""
    facets = [("drug_class", document["drug_class"])] if document.get("drug_class") else []
    facets += [("target", t["symbol"]) for t in document["targets"]]
    facets += [("condition", slug) for slug in indicated_conditions(document)]
    if document["identifiers"].get("atc_code"):
        facets.append(("atc_code", document["identifiers"]["atc_code"]))
    facets += [("term", ae["term"]["slug"]) for ae in document["adverse_events"]]
    facets += [("citation", reference["key"]) for reference in document["references"]]
    facets += drug_mention_facets(document)
    return sorted(set(facets))


def drug_mention_facets(document: DrugDocument) -> list[tuple[str, str]]:
    """The other drugs a monograph names in its rows, so their pages can say where.

    An interaction names its interacting drug ("interacts_with"); an option after this drug
    names the drug it suggests ("followed_by").
    """
    facets = [
        ("interacts_with", row["interacting_drug"]["slug"])
        for row in document.get("interactions") or []
        if row.get("interacting_drug")
    ]
    facets += [
        ("followed_by", row["therapy_drug"]["slug"])
        for row in document.get("subsequent_therapies") or []
        if row.get("therapy_drug")
    ]
    return facets


def indicated_conditions(document: DrugDocument) -> list[str]:
    """Slugs of the diseases the drug is indicated for, as its sources state them.

    An approval names one; so does a dose regimen linked to a condition, which is how a
    source that presents the drug as a treatment without naming an approval (a standard
    option in thyroid cancer, say) reaches the indication filter. Nothing is inferred from
    trials: studying a drug in a disease does not make it an indication.
    """
    slugs = [a["condition"] for a in document["approvals"] if a["condition"]]
    slugs += [d["condition"] for d in document["dose_regimens"] if d.get("condition")]
    return list(dict.fromkeys(slugs))

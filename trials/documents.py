"""The trial document: one Trial with its arms, outcomes, adverse events and publications."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from monographs.editorial.documents import (
    SCHEMA_VERSION,
    References,
    as_date,
    as_number,
    sourced_fields,
)
from monographs.models import Citation
from monographs.richtext import citation_keys
from trials.models import Arm, Outcome, Trial, TrialAdverseEvent, TrialPublication


def trial_queryset():
    """Everything a trial document needs, fetched in one query per table."""
    return Trial.objects.prefetch_related(
        "conditions",
        "drugs",
        Prefetch(
            "trial_publications",
            queryset=TrialPublication.objects.select_related("citation"),
        ),
        Prefetch(
            "arms",
            queryset=Arm.objects.select_related("citation").prefetch_related("interventions__drug"),
        ),
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.select_related("citation", "arm", "comparator_arm"),
        ),
        Prefetch(
            "adverse_events",
            queryset=TrialAdverseEvent.objects.select_related("citation", "arm", "term"),
        ),
    )


def build_trial_document(trial: Trial) -> dict[str, Any]:
    """The trial as published. Drugs and conditions are referenced by slug.

    Refetches the trial, so the document depends on the database only, never on whatever
    the caller prefetched.
    """
    documents = build_trial_documents(Trial.objects.filter(pk=trial.pk))
    if trial.pk not in documents:
        raise Trial.DoesNotExist(f"Trial {trial.pk} does not exist.")
    return documents[trial.pk]


def build_trial_documents(trials: QuerySet[Trial]) -> dict[int, dict[str, Any]]:
    """Documents of many trials by primary key, in a fixed number of queries for the lot.

    The one implementation behind build_trial_document: publishing one trial and
    publishing a hundred thousand give the same documents.
    """
    fetched = list(trial_queryset().filter(pk__in=trials.values("pk")))
    keys = {key for trial in fetched for key in citation_keys(trial.summary)}
    citations_by_key = {c.key: c for c in Citation.objects.filter(key__in=keys)} if keys else {}
    return {trial.pk: _trial_document(trial, citations_by_key) for trial in fetched}


def _trial_document(trial: Trial, citations_by_key: dict[str, Citation]) -> dict[str, Any]:
    references = References()
    links = list(trial.trial_publications.all())
    for link in links:
        if link.role in (TrialPublication.Role.PRIMARY, TrialPublication.Role.SECONDARY):
            references.cite(link.citation)
    references.cite_markdown(trial.summary, citations_by_key)

    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "trial",
        "slug": trial.slug,
        "title": trial.title,
        "acronym": trial.acronym,
        "nct_id": trial.nct_id,
        "other_registry_ids": trial.other_registry_ids,
        "phase": trial.phase,
        "phase_label": trial.get_phase_display(),
        "design": trial.design,
        "design_label": trial.get_design_display(),
        "randomised": trial.randomised,
        "masking": trial.masking,
        "placebo_controlled": trial.placebo_controlled,
        "conditions": [
            {"slug": c.slug, "name": c.name, "abbreviation": c.abbreviation}
            for c in trial.conditions.all()
        ],
        "drugs": [{"slug": d.slug, "name": d.inn} for d in trial.drugs.all()],
        "line_of_therapy": trial.line_of_therapy,
        "population": trial.population,
        "regions": trial.regions,
        "start_date": as_date(trial.start_date),
        "start_date_precision": trial.start_date_precision,
        "end_date": as_date(trial.end_date),
        "end_date_precision": trial.end_date_precision,
        "enrolment": trial.enrolment,
        "sponsor": trial.sponsor,
        "summary": trial.summary,
        "summary_html": references.render(trial.summary),
        "next_review_due": as_date(trial.next_review_due),
    }
    document["arms"] = [
        {
            "label": arm.label,
            "role": arm.role,
            "participants": arm.participants,
            "description": arm.description,
            "interventions": [
                {
                    "drug": {"slug": i.drug.slug, "name": i.drug.inn} if i.drug else None,
                    "name": i.name or (i.drug.inn if i.drug else ""),
                    "dose": i.dose,
                    "frequency": i.frequency,
                    "route": i.route,
                }
                for i in arm.interventions.all()
            ],
            **sourced_fields(arm, references),
        }
        for arm in trial.arms.all()
    ]
    document["outcomes"] = [
        {
            "measure": o.measure,
            "measure_label": o.get_measure_display(),
            "label": o.label,
            "arm": o.arm.label if o.arm else None,
            "comparator_arm": o.comparator_arm.label if o.comparator_arm else None,
            "statistic": o.statistic,
            "value": as_number(o.value),
            "unit": o.unit,
            "count": o.count,
            "denominator": o.denominator,
            "ci_level": o.ci_level,
            "ci_low": as_number(o.ci_low),
            "ci_high": as_number(o.ci_high),
            "range_low": as_number(o.range_low),
            "range_high": as_number(o.range_high),
            "hazard_ratio": as_number(o.hazard_ratio),
            "hazard_ratio_ci_low": as_number(o.hazard_ratio_ci_low),
            "hazard_ratio_ci_high": as_number(o.hazard_ratio_ci_high),
            "p_value": as_number(o.p_value),
            "p_value_relation": o.p_value_relation,
            "test_statistic_name": o.test_statistic_name,
            "test_statistic_value": as_number(o.test_statistic_value),
            "degrees_of_freedom": o.degrees_of_freedom,
            "timepoint": o.timepoint,
            "is_primary_endpoint": o.is_primary_endpoint,
            **sourced_fields(o, references),
        }
        for o in trial.outcomes.all()
    ]
    document["adverse_events"] = [
        {
            "term": {
                "slug": ae.term.slug,
                "name": ae.term.name,
                "system_organ_class": ae.term.system_organ_class,
            },
            "arm": ae.arm.label if ae.arm else None,
            "grade_scope": ae.grade_scope,
            "count": ae.count,
            "denominator": ae.denominator,
            "percent": as_number(ae.percent),
            "percent_high": as_number(ae.percent_high),
            **sourced_fields(ae, references),
        }
        for ae in trial.adverse_events.all()
    ]
    for link in links:
        references.cite(link.citation)
    document["publications"] = [
        {"citation": link.citation.key, "role": link.role, "number": references.cite(link.citation)}
        for link in links
    ]
    document["references"] = references.as_list()
    document["unknown_citation_keys"] = references.unknown_keys
    return document


def trial_facets(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Filterable facts of a trial, denormalised into facet rows when publishing."""
    facets = [("phase", document["phase"]), ("design", document["design"])]
    facets += [("drug", d["slug"]) for d in document["drugs"]]
    facets += [("condition", c["slug"]) for c in document["conditions"]]
    if document.get("nct_id"):
        facets.append(("nct_id", document["nct_id"]))
    if document.get("start_date"):
        facets.append(("start_year", document["start_date"][:4]))
    if document.get("enrolment") is not None:
        facets.append(("enrolment", str(document["enrolment"])))
    facets += [("term", ae["term"]["slug"]) for ae in document["adverse_events"]]
    facets += [("citation", reference["key"]) for reference in document["references"]]
    return sorted(set(facets))

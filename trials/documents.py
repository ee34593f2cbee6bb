"""The trial document: one Trial with its arms, outcomes, adverse events and publications."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from monographs.editorial.documents import (
    SCHEMA_VERSION,
    References,
    as_date,
    as_number,
    source_or_default,
    sourced_values,
    stated_places,
)
from monographs.models import AdverseEventTerm, Citation, Condition, Drug, reference_lists_attach
from monographs.richtext import citation_keys
from trials.document_types import TrialDocument
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication


def build_trial_document(trial: Trial) -> TrialDocument:
    """The trial as published. Drugs and conditions are referenced by slug.

    Refetches the trial, so the document depends on the database only, never on whatever
    the caller prefetched.
    """
    documents = build_trial_documents(Trial.objects.filter(pk=trial.pk))
    if trial.pk not in documents:
        raise Trial.DoesNotExist(f"Trial {trial.pk} does not exist.")
    return documents[trial.pk]


@dataclass
class _Rows:
    """The working-copy rows of a set of trials, each table read once and grouped by owner.

    A trial's own rows (publications, arms, interventions, outcomes, adverse events) are
    read as values, named tuples of their columns: a batch has thousands of them and model
    instances would cost more than the rest of the document. The rows they point at
    (citations, terms, drugs, conditions) are read once by id and looked up, rather than
    joined into every row pointing at them: a batch of trials repeats its few citations
    and arms hundreds of times.
    """

    conditions: dict[int, list[Condition]]
    drugs: dict[int, list[Drug]]
    links: dict[int, list[Any]]
    arms: dict[int, list[Any]]
    interventions: dict[int, list[Any]]
    outcomes: dict[int, list[Any]]
    adverse_events: dict[int, list[Any]]
    citations: dict[int, Citation]
    drugs_by_id: dict[int, Drug]
    terms: dict[int, AdverseEventTerm]
    arm_labels: dict[int, str]

    def sourced(self, row: Any, references: References, trial: Trial) -> dict[str, Any]:
        """The row's own source, else the trial's default source (marked inherited)."""
        return source_or_default(
            sourced_values(row, self.citations.get(row.citation_id), references),
            self.citations.get(trial.default_citation_id),
            references,
        )


def _grouped(rows: Iterable, owner: str) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[getattr(row, owner)].append(row)
    return groups


def _grouped_pairs(pairs: list[tuple[int, int]], targets: dict[int, Model]) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for owner, target in pairs:
        groups[owner].append(targets[target])
    return groups


def _by_id(model: type[Model], ids: set[int], *fields: str) -> dict[int, Model]:
    rows = model.objects.filter(pk__in=ids).order_by()
    return {row.pk: row for row in (rows.only(*fields) if fields else rows)} if ids else {}


def _values(queryset: QuerySet) -> list:
    """The rows in the model's order, as named tuples of their columns."""
    return list(queryset.values_list(named=True))


def _trial_rows(ids: list[int], default_citation_ids: set[int]) -> _Rows:
    """Everything the documents of these trials need, in one query per table."""
    condition_links = list(
        Trial.conditions.through.objects.filter(trial_id__in=ids)
        .order_by("condition__name", "condition_id")
        .values_list("trial_id", "condition_id")
    )
    drug_links = list(
        Trial.drugs.through.objects.filter(trial_id__in=ids)
        .order_by("drug__inn", "drug_id")
        .values_list("trial_id", "drug_id")
    )
    links = _values(TrialPublication.objects.filter(trial_id__in=ids))
    arms = _values(Arm.objects.filter(trial_id__in=ids))
    interventions = _values(Intervention.objects.filter(arm__trial_id__in=ids))
    outcomes = _values(Outcome.objects.filter(trial_id__in=ids))
    adverse_events = _values(TrialAdverseEvent.objects.filter(trial_id__in=ids))
    sourced = [*links, *arms, *outcomes, *adverse_events]
    drugs = _by_id(
        Drug,
        {drug_id for _, drug_id in drug_links} | {i.drug_id for i in interventions} - {None},
        "slug",
        "inn",
    )
    conditions = _by_id(Condition, {condition_id for _, condition_id in condition_links})
    arm_labels = {arm.id: arm.label for arm in arms}
    elsewhere = {o.arm_id for o in outcomes} | {o.comparator_arm_id for o in outcomes}
    elsewhere |= {ae.arm_id for ae in adverse_events}
    elsewhere -= {None, *arm_labels}
    if elsewhere:
        arm_labels |= dict(Arm.objects.filter(pk__in=elsewhere).values_list("pk", "label"))
    return _Rows(
        conditions=_grouped_pairs(condition_links, conditions),
        drugs=_grouped_pairs(drug_links, drugs),
        links=_grouped(links, "trial_id"),
        arms=_grouped(arms, "trial_id"),
        interventions=_grouped(interventions, "arm_id"),
        outcomes=_grouped(outcomes, "trial_id"),
        adverse_events=_grouped(adverse_events, "trial_id"),
        citations=_by_id(
            Citation, ({row.citation_id for row in sourced} | default_citation_ids) - {None}
        ),
        drugs_by_id=drugs,
        terms=_by_id(AdverseEventTerm, {ae.term_id for ae in adverse_events}),
        arm_labels=arm_labels,
    )


def _display(model: type[Model], name: str) -> Callable[[Any], Any]:
    """get_<name>_display() for a value read without its instance."""
    labels = dict(make_hashable(model._meta.get_field(name).flatchoices))
    return lambda value: force_str(labels.get(make_hashable(value), value), strings_only=True)


_measure_label = _display(Outcome, "measure")


def _result_bound(outcome: Any) -> dict[str, Any]:
    """An outcome's result range or bound, as document members only when it has one: the
    documents of outcomes stated as plain values stay as they were (their hashes too)."""
    if outcome.value_high is None and not outcome.value_bound:
        return {}
    return {"value_high": as_number(outcome.value_high), "value_bound": outcome.value_bound}


def build_trial_documents(trials: QuerySet[Trial]) -> dict[int, TrialDocument]:
    """Documents of many trials by primary key, in a fixed number of queries for the lot.

    The one implementation behind build_trial_document: publishing one trial and
    publishing a hundred thousand give the same documents.
    """
    fetched = list(Trial.objects.filter(pk__in=trials.values("pk")))
    rows = _trial_rows(
        [trial.pk for trial in fetched], {trial.default_citation_id for trial in fetched}
    )
    keys = {key for trial in fetched for key in citation_keys(trial.summary)}
    citations_by_key = {c.key: c for c in Citation.objects.filter(key__in=keys)} if keys else {}
    documents = {trial.pk: _trial_document(trial, rows, citations_by_key) for trial in fetched}
    reference_lists_attach(documents.values())
    return documents


def _trial_document(
    trial: Trial, rows: _Rows, citations_by_key: dict[str, Citation]
) -> TrialDocument:
    references = References()
    links = rows.links.get(trial.pk, [])
    for link in links:
        if link.role in (TrialPublication.Role.PRIMARY, TrialPublication.Role.SECONDARY):
            references.cite(rows.citations[link.citation_id])
    references.cite_markdown(trial.summary, citations_by_key)
    arm_label = rows.arm_labels.get

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
            for c in rows.conditions.get(trial.pk, [])
        ],
        "drugs": [{"slug": d.slug, "name": d.inn} for d in rows.drugs.get(trial.pk, [])],
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
    # Only when set, so a document without one is unchanged (and keeps its hash).
    if trial.default_citation_id:
        document["default_source"] = rows.citations[trial.default_citation_id].key
    document["arms"] = [
        {
            "label": arm.label,
            "role": arm.role,
            "participants": arm.participants,
            "interventions_given": arm.interventions_given,
            "description": arm.description,
            "interventions": [
                {
                    "drug": {"slug": drug.slug, "name": drug.inn} if drug else None,
                    "name": i.name or (drug.inn if drug else ""),
                    "dose": i.dose,
                    "frequency": i.frequency,
                    "route": i.route,
                }
                for i in rows.interventions.get(arm.id, [])
                for drug in [rows.drugs_by_id.get(i.drug_id)]
            ],
            **rows.sourced(arm, references, trial),
        }
        for arm in rows.arms.get(trial.pk, [])
    ]
    document["outcomes"] = [
        {
            "measure": o.measure,
            "measure_label": _measure_label(o.measure),
            "label": o.label,
            "arm": arm_label(o.arm_id),
            "comparator_arm": arm_label(o.comparator_arm_id),
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
            **_result_bound(o),
            **rows.sourced(o, references, trial),
            **stated_places(o),
        }
        for o in rows.outcomes.get(trial.pk, [])
    ]
    document["adverse_events"] = [
        {
            "term": {
                "slug": term.slug,
                "name": term.name,
                "system_organ_class": term.system_organ_class,
            },
            "arm": arm_label(ae.arm_id),
            "grade_scope": ae.grade_scope,
            "count": ae.count,
            "denominator": ae.denominator,
            "percent": as_number(ae.percent),
            "percent_high": as_number(ae.percent_high),
            "percent_bound": ae.percent_bound,
            **rows.sourced(ae, references, trial),
            **stated_places(ae),
        }
        for ae in rows.adverse_events.get(trial.pk, [])
        for term in [rows.terms[ae.term_id]]
    ]
    cited = [rows.citations[link.citation_id] for link in links]
    for citation in cited:
        references.cite(citation)
    document["publications"] = [
        {"citation": citation.key, "role": link.role, "number": references.cite(citation)}
        for link, citation in zip(links, cited, strict=True)
    ]
    document["references"] = references.as_list()
    document["unknown_citation_keys"] = references.unknown_keys
    return document


DESIGN_FLAGS = ("randomised", "placebo_controlled")
STATED_FLAG_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_stated", "Not stated")]


def stated_flag(value: bool | None) -> str:
    """A design flag as a facet value: 'yes', 'no' or 'not_stated' (the source is silent)."""
    return "not_stated" if value is None else ("yes" if value else "no")


def trial_facets(document: TrialDocument) -> list[tuple[str, str]]:
    """Filterable facts of a trial, denormalised into facet rows when publishing."""
    facets = [("phase", document["phase"]), ("design", document["design"])]
    facets += [(name, stated_flag(document.get(name))) for name in DESIGN_FLAGS]
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

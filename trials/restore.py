"""Turn a published trial document back into the working copy ("restore vK").

Arms are matched by their label: outcomes and adverse events name their arm that way in
the document, so arms are created first and the rows that point at them after.
"""

from django.db import transaction

from monographs.models import AdverseEventTerm, Citation, Condition, Drug
from monographs.restore import (
    Lookup,
    as_date,
    as_decimal,
    cited_keys,
    replace_rows,
    seed_keys_of,
    source_fields,
)
from trials.document_types import TrialDocument
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication

SCALAR_FIELDS = (
    "slug", "title", "acronym", "nct_id", "other_registry_ids", "phase", "design", "randomised",
    "masking", "placebo_controlled", "line_of_therapy", "population", "regions",
    "start_date_precision", "end_date_precision", "enrolment", "sponsor", "summary",
)  # fmt: skip
DECIMAL_OUTCOME_FIELDS = (
    "value", "ci_low", "ci_high", "range_low", "range_high", "hazard_ratio",
    "hazard_ratio_ci_low", "hazard_ratio_ci_high", "p_value", "test_statistic_value",
)  # fmt: skip
PLAIN_OUTCOME_FIELDS = (
    "measure", "label", "statistic", "unit", "count", "denominator", "ci_level",
    "p_value_relation", "test_statistic_name", "degrees_of_freedom", "timepoint",
    "is_primary_endpoint",
)  # fmt: skip


@transaction.atomic
def trial_restore_document(*, trial: Trial, document: TrialDocument) -> None:
    """Make the trial's working copy say what `document` says (its review date is kept)."""
    keys = cited_keys(document) | {p["citation"] for p in document["publications"]}
    citation = Lookup(Citation, "key", keys, "the citation")
    condition = Lookup(
        Condition, "slug", [c["slug"] for c in document["conditions"]], "the condition"
    )
    intervention_drugs = [
        (i["drug"] or {}).get("slug") for arm in document["arms"] for i in arm["interventions"]
    ]
    drug = Lookup(
        Drug, "slug", [d["slug"] for d in document["drugs"]] + intervention_drugs, "the drug"
    )
    term = Lookup(
        AdverseEventTerm,
        "slug",
        [ae["term"]["slug"] for ae in document["adverse_events"]],
        "the adverse event term",
    )

    for name in SCALAR_FIELDS:
        setattr(trial, name, document[name])
    trial.start_date = as_date(document["start_date"])
    trial.end_date = as_date(document["end_date"])
    trial.default_citation = citation(document.get("default_source"))
    trial.save()
    trial.conditions.set([condition(c["slug"]) for c in document["conditions"]])
    trial.drugs.set([drug(d["slug"]) for d in document["drugs"]])

    children = (TrialAdverseEvent, Outcome, Arm, TrialPublication)
    seed_keys = {model: seed_keys_of(model.objects.filter(trial=trial)) for model in children}
    for model in children:
        model.objects.filter(trial=trial).delete()

    replace_rows(
        TrialPublication,
        [
            (None, {"trial": trial, "citation": citation(p["citation"]), "role": p["role"]})
            for p in document["publications"]
        ],
        seed_keys=seed_keys[TrialPublication],
    )
    replace_rows(
        Arm,
        [
            (
                arm.get("id"),
                {
                    "trial": trial,
                    "position": position,
                    "label": arm["label"],
                    "role": arm["role"],
                    "participants": arm["participants"],
                    "interventions_given": arm.get("interventions_given") or "all",
                    "description": arm["description"],
                    **source_fields(arm, citation),
                },
            )
            for position, arm in enumerate(document["arms"])
        ],
        seed_keys=seed_keys[Arm],
    )
    arms = {arm.label: arm for arm in Arm.objects.filter(trial=trial)}
    for arm in document["arms"]:
        for intervention in arm["interventions"]:
            intervention_drug = drug((intervention["drug"] or {}).get("slug"))
            name = intervention["name"]
            Intervention.objects.create(
                arm=arms[arm["label"]],
                drug=intervention_drug,
                name="" if intervention_drug and name == intervention_drug.inn else name,
                dose=intervention["dose"],
                frequency=intervention["frequency"],
                route=intervention["route"],
            )
    replace_rows(
        Outcome,
        [
            (
                row.get("id"),
                {
                    "trial": trial,
                    "position": position,
                    "arm": arms.get(row["arm"]),
                    "comparator_arm": arms.get(row["comparator_arm"]),
                    **{name: row[name] for name in PLAIN_OUTCOME_FIELDS},
                    **{name: as_decimal(row[name]) for name in DECIMAL_OUTCOME_FIELDS},
                    # Present only when the result is a range or a bound.
                    "value_high": as_decimal(row.get("value_high")),
                    "value_bound": row.get("value_bound") or "",
                    "stated_places": row.get("stated_places") or {},
                    **source_fields(row, citation),
                },
            )
            for position, row in enumerate(document["outcomes"])
        ],
        seed_keys=seed_keys[Outcome],
    )
    replace_rows(
        TrialAdverseEvent,
        [
            (
                row.get("id"),
                {
                    "trial": trial,
                    "position": position,
                    "arm": arms.get(row["arm"]),
                    "term": term(row["term"]["slug"]),
                    "grade_scope": row["grade_scope"],
                    "count": row["count"],
                    "denominator": row["denominator"],
                    "percent": as_decimal(row["percent"]),
                    "percent_high": as_decimal(row.get("percent_high")),
                    "percent_bound": row.get("percent_bound") or "",
                    "stated_places": row.get("stated_places") or {},
                    **source_fields(row, citation),
                },
            )
            for position, row in enumerate(document["adverse_events"])
        ],
        seed_keys=seed_keys[TrialAdverseEvent],
    )

"""Synthetic trials: arms, interventions, outcomes with intervals and hazard ratios, adverse
events by arm, and the article that reported them."""

import random
import string
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from monographs.editorial.identity import seeded_uid
from monographs.loadtest.synthetic.drugs import (
    Planned,
    Vocabulary,
    citation,
    planned,
    stated_places,
)
from monographs.loadtest.synthetic.vocabulary import REGIONS, SPONSORS
from monographs.models import Citation, Condition, Drug
from trials.models import (
    Arm,
    DatePrecision,
    Intervention,
    Outcome,
    Trial,
    TrialAdverseEvent,
    TrialPublication,
)

PHASES = [("1", 8), ("1/2", 6), ("2", 30), ("2/3", 6), ("3", 40), ("4", 10)]
TRIAL_ADVERSE_EVENTS = 4
CITATION_NUMBERS_FROM = 1_000_000
SYNTHETIC_NCT_PREFIX = "NCT09"


@dataclass
class TrialPlan:
    """One trial and its rows, before any of them is saved."""

    trial: Trial
    citation: Citation
    drugs: list[Drug]
    conditions: list[Condition]
    arms: list[Arm] = field(default_factory=list)
    rows: list[Planned] = field(default_factory=list)


def _acronym(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return ""
    letters = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 6)))
    return f"{letters}-{rng.randint(1, 9)}" if rng.random() < 0.3 else letters


def _decimal(value: float, places: str = "0.1") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def _median_with_interval(rng: random.Random, centre: float) -> tuple[Decimal, Decimal, Decimal]:
    value = _decimal(max(0.5, rng.gauss(centre, centre / 4)))
    return value, _decimal(float(value) * 0.8), _decimal(float(value) * 1.25)


def trial_plan(
    rng: random.Random,
    *,
    index: int,
    drugs: list[Drug],
    conditions: list[Condition],
    vocabulary: Vocabulary,
) -> TrialPlan:
    """A trial of these drugs in one of these conditions, randomised against placebo or an
    active comparator, or single-arm; every figure is sourced to the trial's article."""
    phase = rng.choices([p for p, _ in PHASES], weights=[w for _, w in PHASES])[0]
    randomised = phase in ("2/3", "3", "4") or (phase == "2" and rng.random() < 0.5)
    placebo = randomised and rng.random() < 0.5
    condition = rng.choice(conditions)
    names = " plus ".join(d.inn for d in drugs)
    comparator = "placebo" if placebo else "standard of care"
    acronym = _acronym(rng)
    phase_label = dict(Trial.Phase.choices)[phase]
    title = (
        f"{phase_label} study of {names}"
        + (f" versus {comparator}" if randomised else "")
        + f" in {condition.name.lower()}"
    )
    start = date(rng.randint(2000, 2024), rng.randint(1, 12), 1)
    enrolment = rng.randint(60, 900) if randomised else rng.randint(20, 200)
    nct_id = f"{SYNTHETIC_NCT_PREFIX}{index:06d}"
    year = min(start.year + rng.randint(2, 5), 2025)
    reference = citation(
        rng,
        number=CITATION_NUMBERS_FROM + index,
        key=f"{nct_id.lower()}-{year}",
        title=f"{title} ({acronym})" if acronym else title,
        year=year,
    )
    slug = f"{acronym.lower()}-{nct_id.lower()}" if acronym else nct_id.lower()
    trial = Trial(
        uid=seeded_uid(kind="trial", slug=slug),
        slug=slug,
        acronym=acronym,
        title=title,
        nct_id=nct_id,
        phase=phase,
        design=Trial.Design.RANDOMISED_CONTROLLED if randomised else Trial.Design.SINGLE_ARM,
        randomised=randomised,
        masking=Trial.Masking.DOUBLE if placebo else Trial.Masking.NONE,
        placebo_controlled=placebo,
        line_of_therapy=rng.choice(["First line", "Second line", "After one prior therapy"]),
        population=f"Adults with advanced {condition.name.lower()}, ECOG 0-1",
        regions=rng.sample(REGIONS, rng.randint(1, 3)),
        start_date=start,
        start_date_precision=DatePrecision.MONTH,
        end_date=date(start.year + rng.randint(2, 6), start.month, 1),
        end_date_precision=DatePrecision.MONTH,
        enrolment=enrolment,
        sponsor=rng.choice(SPONSORS),
        summary=f"{names.capitalize()} was studied in {enrolment} patients with "
        f"{condition.name.lower()} [@{reference.key}].",
    )
    plan = TrialPlan(trial=trial, citation=reference, drugs=drugs, conditions=[condition])
    plan.rows.append(planned(TrialPublication, trial=trial, citation=reference, role="primary"))
    labels = [names.capitalize()] + ([comparator.capitalize()] if randomised else [])
    per_arm = enrolment // len(labels)
    comparator_role = "placebo" if placebo else "active_comparator"
    for position, label in enumerate(labels):
        experimental = position == 0
        arm = Arm(
            trial=trial,
            label=label,
            role="experimental" if experimental else comparator_role,
            participants=per_arm,
            position=position,
            citation=reference,
        )
        plan.arms.append(arm)
        plan.rows += [
            planned(
                Intervention,
                arm=arm,
                drug=drug,
                dose="400 mg",
                frequency="twice daily",
                route="oral",
            )
            for drug in (drugs if experimental else [])
        ]
        if not experimental:
            plan.rows.append(planned(Intervention, arm=arm, name=comparator, route="oral"))
    outcome_position = 0
    for measure, centre in (("PFS", 5.5), ("OS", 11.0)):
        for arm in plan.arms:
            value, low, high = _median_with_interval(rng, centre)
            plan.rows.append(
                planned(
                    Outcome,
                    trial=trial,
                    measure=measure,
                    arm=arm,
                    statistic="median",
                    value=value,
                    unit="months",
                    ci_level=95,
                    ci_low=low,
                    ci_high=high,
                    stated_places=stated_places(value=value, ci_low=low, ci_high=high),
                    is_primary_endpoint=measure == "OS",
                    position=outcome_position,
                    citation=reference,
                )
            )
            outcome_position += 1
        if randomised:
            ratio = _decimal(rng.uniform(0.45, 1.1), "0.01")
            ratio_low = _decimal(float(ratio) * 0.8, "0.01")
            ratio_high = _decimal(float(ratio) * 1.25, "0.01")
            plan.rows.append(
                planned(
                    Outcome,
                    trial=trial,
                    measure=measure,
                    arm=plan.arms[0],
                    comparator_arm=plan.arms[1],
                    statistic="hazard ratio",
                    hazard_ratio=ratio,
                    hazard_ratio_ci_low=ratio_low,
                    hazard_ratio_ci_high=ratio_high,
                    stated_places=stated_places(
                        hazard_ratio=ratio,
                        hazard_ratio_ci_low=ratio_low,
                        hazard_ratio_ci_high=ratio_high,
                    ),
                    p_value=_decimal(rng.uniform(0.0001, 0.2), "0.0001"),
                    position=outcome_position,
                    citation=reference,
                )
            )
            outcome_position += 1
    if index % 3 == 0:
        # Some reports give a rate only as a bound ("complete responses did not exceed 5%"),
        # drawn from the trial's index so the random draws of every other figure stay put.
        plan.rows.append(
            planned(
                Outcome,
                trial=trial,
                measure="CR",
                arm=plan.arms[0],
                statistic="rate",
                value_high=Decimal(5),
                value_bound="le" if index % 2 else "lt",
                unit="%",
                position=outcome_position,
                citation=reference,
            )
        )
    terms = rng.sample(vocabulary.terms, TRIAL_ADVERSE_EVENTS)
    for arm in plan.arms:
        for position, term in enumerate(terms):
            count = rng.randint(0, per_arm)
            percent = _decimal(100 * count / per_arm)
            plan.rows.append(
                planned(
                    TrialAdverseEvent,
                    trial=trial,
                    arm=arm,
                    term=term,
                    grade_scope="any",
                    count=count,
                    denominator=per_arm,
                    percent=percent,
                    stated_places=stated_places(percent=percent),
                    position=position,
                    citation=reference,
                )
            )
    return plan

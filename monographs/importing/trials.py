"""Draft trials from their ClinicalTrials.gov record (API v2 study JSON).

study_plan (monographs/importing/study_plans.py) reads a study into plain rows and checks every
field it uses, writing nothing; trial_import_study writes the plan in one transaction and
records the edit through the editorial services, so the trial is a draft (a published one gets
a new draft beside its live version) and the review diff shows what the import changed.
Nothing is submitted, approved or published here.

Every imported row is sourced to one citation, the registry record, with the module it
came from as its locator. On a re-import the rows sourced to the registry record are
replaced; rows an editor sourced elsewhere, and arms, interventions and trial fields the
registry cannot state, are kept.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from monographs.editorial.services.edits import root_record_edit
from monographs.importing.errors import ImportProblem
from monographs.importing.study_fields import AE_MODULE, ARMS_MODULE, OUTCOMES_MODULE
from monographs.importing.study_plans import StudyPlan, study_plan
from monographs.models import AdverseEventTerm, Citation, Condition, Drug, DrugName
from trials.models import (
    Arm,
    Intervention,
    Outcome,
    Trial,
    TrialAdverseEvent,
    TrialPublication,
)


@dataclass
class TrialImport:
    trial: Trial
    created: bool
    registry_citation: Citation
    has_results: bool
    counts: dict[str, int]
    notes: list[str]

    def summary(self) -> str:
        action = "Created" if self.created else "Updated"
        counted = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        results = "" if self.has_results else " The registry has no posted results for it."
        return f"{action} draft trial {self.trial} ({self.trial.nct_id}): {counted}.{results}"


# -- writing ---------------------------------------------------------------------------------


@transaction.atomic
def trial_import_study(
    *,
    study: dict[str, Any],
    user: AbstractBaseUser | None,
    source: str = "ClinicalTrials.gov",
    require_results: bool = False,
) -> TrialImport:
    """Create or update the draft trial of a study, all or nothing; never publishes."""
    plan = study_plan(study, source=source)
    if require_results and not plan.has_results:
        raise ImportProblem(
            "has no posted results (hasResults is false); nothing was imported.",
            source=source,
            record=plan.nct_id,
            field="resultsSection",
        )
    notes = list(plan.notes)
    trial = Trial.objects.select_for_update().filter(nct_id=plan.nct_id).first()
    created = trial is None
    if created:
        trial = Trial(nct_id=plan.nct_id, title=plan.brief_title, acronym=plan.acronym)
        trial.slug = _free_slug(plan.acronym or plan.nct_id, plan.nct_id)
    else:
        trial.title = trial.title or plan.brief_title
        trial.acronym = trial.acronym or plan.acronym
    for name, value in plan.trial.items():
        if name == "design" and not created and trial.design != Trial.Design.NOT_STATED:
            if trial.design != value:
                notes.append(
                    f"Design kept as {trial.get_design_display()!r}; "
                    f"the registry suggests {Trial.Design(value).label!r}."
                )
            continue
        setattr(trial, name, value)
    trial.regions = list(dict.fromkeys([*(trial.regions or []), *plan.countries]))
    _save(trial, source, plan.nct_id)

    citation = _registry_citation(plan)
    TrialPublication.objects.get_or_create(
        trial=trial, citation=citation, defaults={"role": TrialPublication.Role.REGISTRY}
    )
    for pmid in plan.result_pmids:
        paper = Citation.objects.filter(pmid=pmid).first()
        if paper is None:
            notes.append(
                f"The registry lists PMID {pmid} as a results publication; it is not in the "
                "library yet: add it from its PMID and link it to the trial (importing the "
                "trial again links it too)."
            )
        else:
            TrialPublication.objects.get_or_create(
                trial=trial, citation=paper, defaults={"role": TrialPublication.Role.PRIMARY}
            )

    _link_vocabulary(trial, plan, notes)
    arms = _write_arms(trial, plan, citation)
    outcomes, adverse_events = 0, 0
    if plan.has_results:
        Outcome.objects.filter(trial=trial, citation=citation).delete()
        TrialAdverseEvent.objects.filter(trial=trial, citation=citation).delete()
        outcomes = _write_outcomes(trial, plan, citation, arms)
        adverse_events = _write_adverse_events(trial, plan, citation, arms)
    else:
        notes.append("The registry has no posted results: no outcomes or adverse events.")
    root_record_edit(root=trial, user=user, created=created)
    return TrialImport(
        trial=trial,
        created=created,
        registry_citation=citation,
        has_results=plan.has_results,
        counts={
            "arms": len(plan.arms),
            "outcomes": outcomes,
            "adverse events": adverse_events,
        },
        notes=notes,
    )


def _save(row, source: str, record: str, exclude: tuple[str, ...] = ()) -> None:
    try:
        row.full_clean(exclude=list(exclude), validate_unique=False)
        row.save()
    except ValidationError as error:
        problems = [
            f"{name if name != '__all__' else type(row).__name__}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        ]
        raise ImportProblem(
            f"{type(row).__name__} {row} cannot be saved: " + "; ".join(problems),
            source=source,
            record=record,
        ) from error
    except IntegrityError as error:
        raise ImportProblem(
            f"the database refused {type(row).__name__} {row}: {error}",
            source=source,
            record=record,
        ) from error


def _free_slug(base: str, nct_id: str) -> str:
    slug = slugify(base)[:120] or slugify(nct_id)
    if Trial.objects.filter(slug=slug).exists():
        slug = slugify(f"{base}-{nct_id}")[:120]
    return slug


def _registry_citation(plan: StudyPlan) -> Citation:
    url = f"{settings.CLINICALTRIALS_STUDY_URL}{plan.nct_id}"
    # The library may hold the record under an older address (…/ct2/show/NCT…): same study.
    citation = (
        Citation.objects.filter(url__iexact=url).first()
        or Citation.objects.filter(
            kind=Citation.Kind.REGISTRY_RECORD, url__icontains=plan.nct_id
        ).first()
    )
    if citation is None:
        citation = Citation(key=_free_citation_key(f"clinicaltrials-gov-{plan.nct_id.lower()}"))
    citation.kind = Citation.Kind.REGISTRY_RECORD
    citation.title = f"{plan.brief_title} ({plan.nct_id})"[:500]
    citation.publisher = "ClinicalTrials.gov"
    citation.url = url
    citation.accessed_on = timezone.localdate()
    _save(citation, plan.source, plan.nct_id)
    return citation


def _free_citation_key(base: str) -> str:
    key, n = base, 2
    while Citation.objects.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _link_vocabulary(trial: Trial, plan: StudyPlan, notes: list[str]) -> None:
    by_name: dict[str, Condition] = {}
    for condition in Condition.objects.all():
        for name in [condition.name, condition.abbreviation, *(condition.synonyms or [])]:
            if name:
                by_name.setdefault(name.casefold(), condition)
    unmatched = []
    for name in plan.conditions:
        condition = by_name.get(name.casefold())
        if condition is None:
            unmatched.append(name)
        else:
            trial.conditions.add(condition)
    if unmatched:
        notes.append(
            "Conditions not in the vocabulary, pick them on the trial's page: "
            + "; ".join(unmatched)
            + "."
        )
    drugs = [_drug(i) for i in plan.interventions if i["type"] in {"DRUG", "BIOLOGICAL"}]
    trial.drugs.add(*[d for d in drugs if d is not None])


def _drug(intervention: dict[str, Any]) -> Drug | None:
    """The drug an intervention names: 'Sorafenib (Nexavar, BAY43-9006)' tries each name."""
    name = intervention["name"]
    names = [name, re.sub(r"\s*\(.*\)\s*$", "", name)]
    for inside in re.findall(r"\(([^)]*)\)", name):
        names += inside.split(",")
    names += intervention["other_names"]
    for candidate in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        drug = Drug.objects.filter(inn__iexact=candidate).first()
        if drug is None:
            named = DrugName.objects.filter(name__iexact=candidate).select_related("drug").first()
            drug = named.drug if named else None
        if drug is not None:
            return drug
    return None


def _write_arms(trial: Trial, plan: StudyPlan, citation: Citation) -> dict[str, Arm]:
    existing = {arm.label.casefold(): arm for arm in Arm.objects.filter(trial=trial)}
    arms = {}
    for row in plan.arms:
        arm = existing.get(row["label"].casefold()) or Arm(trial=trial, label=row["label"])
        arm.role, arm.position = row["role"], row["position"]
        arm.description = row["description"] or arm.description
        if row["participants"] is not None:
            arm.participants = row["participants"]
        arm.citation, arm.source_locator = citation, ARMS_MODULE
        _save(arm, plan.source, f"arm {arm.label!r}", exclude=("trial", "citation"))
        arms[row["label"]] = arm
    for item in plan.interventions:
        drug = _drug(item) if item["type"] in {"DRUG", "BIOLOGICAL"} else None
        for label in item["arms"]:
            arm = arms.get(label) or next(
                (a for name, a in arms.items() if name.casefold() == label.casefold()), None
            )
            if arm is None:
                continue
            present = Intervention.objects.filter(arm=arm)
            if drug is not None and present.filter(drug=drug).exists():
                continue
            if drug is None and present.filter(name__iexact=item["name"]).exists():
                continue
            Intervention.objects.create(arm=arm, drug=drug, name="" if drug else item["name"][:200])
    return arms


def _write_outcomes(trial, plan: StudyPlan, citation, arms: dict[str, Arm]) -> int:
    for position, row in enumerate(plan.outcomes):
        values = dict(row)
        values["arm"] = arms.get(row.get("arm")) if row.get("arm") else None
        if row.get("comparator_arm"):
            values["comparator_arm"] = arms.get(row["comparator_arm"])
        outcome = Outcome(trial=trial, citation=citation, position=position, **values)
        _save(
            outcome,
            plan.source,
            f"{OUTCOMES_MODULE}: {row['label'][:80]}",
            exclude=("trial", "arm", "comparator_arm", "citation"),
        )
    return len(plan.outcomes)


def _write_adverse_events(trial, plan: StudyPlan, citation, arms: dict[str, Arm]) -> int:
    terms: dict[str, AdverseEventTerm] = {}
    for term in AdverseEventTerm.objects.all():
        for name in [term.name, *(term.synonyms or [])]:
            terms.setdefault(name.casefold(), term)
    rows = []
    for position, row in enumerate(plan.adverse_events):
        term = terms.get(row["term"].casefold())
        if term is None:
            term = AdverseEventTerm(
                name=row["term"],
                slug=_free_term_slug(row["term"]),
                system_organ_class=row["organ_system"] or "Not stated",
                ctcae_version="",
            )
            _save(term, plan.source, f"{AE_MODULE}: {row['term']}")
            terms[row["term"].casefold()] = term
        rows.append(
            TrialAdverseEvent(
                trial=trial,
                arm=arms.get(row["arm"]) if row["arm"] else None,
                term=term,
                grade_scope=row["grade_scope"],
                count=row["count"],
                denominator=row["denominator"],
                citation=citation,
                source_locator=row["source_locator"],
                editorial_note=row["editorial_note"],
                position=position,
            )
        )
    try:
        TrialAdverseEvent.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ImportProblem(
            f"the database refused an adverse-event row: {error}",
            source=plan.source,
            record=AE_MODULE,
        ) from error
    return len(rows)


def _free_term_slug(name: str) -> str:
    base = slugify(name)[:110] or "term"
    slug, n = base, 2
    while AdverseEventTerm.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug

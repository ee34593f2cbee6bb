"""Writing a synthetic corpus and publishing it through the real publishing service."""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from django.db import transaction
from django.utils import timezone

from monographs.editorial.services import REVIEW_INTERVAL, roots_import_publish_bulk
from monographs.models import AdverseEventTerm, Citation, Condition, Drug, Target
from monographs.synthetic.drugs import DrugPlan, Vocabulary, drug_names, drug_plan
from monographs.synthetic.trials import SYNTHETIC_NCT_PREFIX, TrialPlan, trial_plan
from monographs.synthetic.vocabulary import ADVERSE_EVENT_TERMS, CONDITIONS, TARGETS
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication

# progress(stage, done, total): called as each stage advances.
Progress = Callable[[str, int, int], None]
NOTE = "Synthetic corpus for load testing (generate_corpus)."
DRUG_BATCH = 100
TRIAL_BATCH = 500
INSERT_BATCH = 2000


class CorpusError(Exception):
    """The corpus cannot be generated here; the message says why and what to do."""


@dataclass(frozen=True)
class CorpusReport:
    drugs: int
    trials: int
    publications: int


def _vocabulary() -> Vocabulary:
    """The conditions, targets and CTCAE terms the corpus uses, shared with any already here."""
    Condition.objects.bulk_create(
        [
            Condition(name=name, slug=name.lower().replace(" ", "-"), abbreviation=abbreviation)
            for name, abbreviation in CONDITIONS
        ],
        ignore_conflicts=True,
    )
    Target.objects.bulk_create(
        [Target(symbol=symbol, name=name, aliases=aliases) for symbol, name, aliases in TARGETS],
        ignore_conflicts=True,
    )
    AdverseEventTerm.objects.bulk_create(
        [
            AdverseEventTerm(
                name=name,
                slug=name.lower().replace(" ", "-").replace(",", ""),
                system_organ_class=organ_class,
                synonyms=synonyms,
            )
            for name, organ_class, synonyms in ADVERSE_EVENT_TERMS
        ],
        ignore_conflicts=True,
    )
    by_name = {c.name: c for c in Condition.objects.filter(name__in=[n for n, _ in CONDITIONS])}
    by_symbol = {t.symbol: t for t in Target.objects.filter(symbol__in=[s for s, *_ in TARGETS])}
    terms = {
        t.name: t
        for t in AdverseEventTerm.objects.filter(name__in=[n for n, *_ in ADVERSE_EVENT_TERMS])
    }
    return Vocabulary(
        conditions=[by_name[name] for name, _ in CONDITIONS],
        targets=[by_symbol[symbol] for symbol, *_ in TARGETS],
        terms=[terms[name] for name, *_ in ADVERSE_EVENT_TERMS],
    )


def _batches(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def _drugs_write(plans: list[DrugPlan]) -> None:
    Citation.objects.bulk_create([c for plan in plans for c in plan.citations], INSERT_BATCH)
    Drug.objects.bulk_create([plan.drug for plan in plans])
    rows_by_model: dict[type, list] = {}
    for plan in plans:
        for row in plan.rows:
            rows_by_model.setdefault(type(row), []).append(row)
    for model, rows in rows_by_model.items():
        model.objects.bulk_create(rows, INSERT_BATCH)


def _trials_write(plans: list[TrialPlan]) -> None:
    Citation.objects.bulk_create([plan.citation for plan in plans], INSERT_BATCH)
    Trial.objects.bulk_create([plan.trial for plan in plans], INSERT_BATCH)
    Trial.drugs.through.objects.bulk_create(
        [
            Trial.drugs.through(trial_id=plan.trial.pk, drug_id=drug.pk)
            for plan in plans
            for drug in plan.drugs
        ],
        INSERT_BATCH,
    )
    Trial.conditions.through.objects.bulk_create(
        [
            Trial.conditions.through(trial_id=plan.trial.pk, condition_id=condition.pk)
            for plan in plans
            for condition in plan.conditions
        ],
        INSERT_BATCH,
    )
    Arm.objects.bulk_create([arm for plan in plans for arm in plan.arms], INSERT_BATCH)
    for model in (TrialPublication, Intervention, Outcome, TrialAdverseEvent):
        rows = [row for plan in plans for row in plan.rows if type(row) is model]
        model.objects.bulk_create(rows, INSERT_BATCH)


def corpus_generate(
    *, drugs: int, trials: int, seed: int, progress: Progress | None = None
) -> CorpusReport:
    """Write and publish a realistic synthetic corpus: the same seed gives the same content.

    Drugs get full monographs; trials study one or two of them, the most studied drugs
    having the most trials, as in the literature. Working-copy rows are bulk-inserted and
    published with roots_import_publish_bulk, so the corpus goes through the same
    documents, checks, facets, search index and read tables as curated content.
    """
    report = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    names = drug_names(rng, drugs)
    taken = list(Drug.objects.filter(slug__in=[name for name, _ in names[:1000]])[:1])
    taken += list(Trial.objects.filter(nct_id__startswith=SYNTHETIC_NCT_PREFIX)[:1])
    if taken:
        raise CorpusError(
            f"This database already holds synthetic content ('{taken[0]}'). "
            "Generate the corpus into a fresh database (migrate an empty one first)."
        )
    review_due = timezone.localdate() + REVIEW_INTERVAL
    vocabulary = _vocabulary()

    plans: list[DrugPlan] = []
    for batch in _batches(drugs, DRUG_BATCH):
        batch_plans = [
            drug_plan(rng, index=i, inn=names[i][0], drug_class=names[i][1], vocabulary=vocabulary)
            for i in batch
        ]
        for plan in batch_plans:
            plan.drug.next_review_due = review_due
        with transaction.atomic():
            _drugs_write(batch_plans)
        plans += batch_plans
        report("drugs written", batch.stop, drugs)
    drug_ids = [plan.drug.pk for plan in plans]
    published = roots_import_publish_bulk(
        kind="drug",
        roots=Drug.objects.filter(pk__in=drug_ids),
        note=NOTE,
        batch_size=DRUG_BATCH,
        progress=_counter(report, "drugs published", drugs),
    )

    # The most studied drugs have the most trials: weight 1/(rank + 10).
    weights = list(accumulate(1 / (rank + 10) for rank in range(max(drugs, 1))))
    for batch in _batches(trials, TRIAL_BATCH):
        batch_plans = []
        for i in batch:
            chosen = rng.choices(plans, cum_weights=weights, k=1 if rng.random() < 0.75 else 2)
            chosen = list({id(plan): plan for plan in chosen}.values())
            trial = trial_plan(
                rng,
                index=i,
                drugs=[plan.drug for plan in chosen],
                conditions=chosen[0].conditions,
                vocabulary=vocabulary,
            )
            trial.trial.next_review_due = review_due
            batch_plans.append(trial)
        with transaction.atomic():
            _trials_write(batch_plans)
        report("trials written", batch.stop, trials)
    published += roots_import_publish_bulk(
        kind="trial",
        roots=Trial.objects.filter(nct_id__startswith=SYNTHETIC_NCT_PREFIX),
        note=NOTE,
        batch_size=TRIAL_BATCH,
        progress=_counter(report, "trials published", trials),
    )
    return CorpusReport(drugs=drugs, trials=trials, publications=published)


def _counter(report: Progress, stage: str, total: int) -> Callable[[int], None]:
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        report(stage, done, total)

    return advance

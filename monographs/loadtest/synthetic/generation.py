"""Writing a synthetic corpus and publishing it through the real publishing service."""

import multiprocessing
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate

from django.db import OperationalError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from monographs.bulk import rows_insert
from monographs.editorial.services.publish import roots_import_publish_bulk
from monographs.editorial.services.review import REVIEW_INTERVAL
from monographs.loadtest.synthetic.drugs import DrugPlan, Planned, Vocabulary, drug_names, drug_plan
from monographs.loadtest.synthetic.trials import SYNTHETIC_NCT_PREFIX, TrialPlan, trial_plan
from monographs.loadtest.synthetic.vocabulary import ADVERSE_EVENT_TERMS, CONDITIONS, TARGETS
from monographs.models import AdverseEventTerm, Citation, Condition, Drug, Target
from monographs.publishing.projections import projections_deferred
from monographs.search import Mentioned, search_index_mentions_refresh
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication

# progress(stage, done, total): called as each stage advances.
Progress = Callable[[str, int, int], None]
NOTE = "Synthetic corpus for load testing (generate_corpus)."
DRUG_BATCH = 100
TRIAL_BATCH = 500


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
            Condition(name=name, slug=_slug(name), abbreviation=abbreviation)
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
                slug=_slug(name),
                system_organ_class=organ_class,
                synonyms=synonyms,
            )
            for name, organ_class, synonyms in ADVERSE_EVENT_TERMS
        ],
        ignore_conflicts=True,
    )
    conditions = _by_slug_or_name(Condition, [(_slug(name), name) for name, _ in CONDITIONS])
    targets = {t.symbol: t for t in Target.objects.filter(symbol__in=[s for s, *_ in TARGETS])}
    terms = _by_slug_or_name(
        AdverseEventTerm, [(_slug(name), name) for name, *_ in ADVERSE_EVENT_TERMS]
    )
    return Vocabulary(
        conditions=conditions,
        targets=[targets[symbol] for symbol, *_ in TARGETS],
        terms=terms,
    )


def _slug(name: str) -> str:
    return slugify(name)


def _by_slug_or_name(model, wanted: list[tuple[str, str]]) -> list:
    """Rows already here (from the seeds, say) may share a slug or a name: use them."""
    slugs, names = [slug for slug, _ in wanted], [name for _, name in wanted]
    found = model.objects.filter(Q(slug__in=slugs) | Q(name__in=names))
    by_key = {row.slug: row for row in found} | {row.name: row for row in found}
    return [by_key.get(slug) or by_key[name] for slug, name in wanted]


def _batches(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def _rows_by_model(rows: list[Planned]) -> dict[type, list[dict]]:
    by_model: dict[type, list[dict]] = {}
    for model, values in rows:
        by_model.setdefault(model, []).append(values)
    return by_model


def _drugs_write(plans: list[DrugPlan]) -> None:
    rows_insert(model=Citation, rows=[c for plan in plans for c in plan.citations])
    rows_insert(model=Drug, rows=[plan.drug for plan in plans])
    for model, rows in _rows_by_model([row for plan in plans for row in plan.rows]).items():
        rows_insert(model=model, rows=rows)


def _trials_write(plans: list[TrialPlan]) -> None:
    rows_insert(model=Citation, rows=[plan.citation for plan in plans])
    rows_insert(model=Trial, rows=[plan.trial for plan in plans])
    drugs, conditions = Trial.drugs.through, Trial.conditions.through
    rows_insert(
        model=drugs,
        rows=[drugs(trial_id=plan.trial.pk, drug_id=d.pk) for plan in plans for d in plan.drugs],
    )
    rows_insert(
        model=conditions,
        rows=[
            conditions(trial_id=plan.trial.pk, condition_id=c.pk)
            for plan in plans
            for c in plan.conditions
        ],
    )
    rows_insert(model=Arm, rows=[arm for plan in plans for arm in plan.arms])
    by_model = _rows_by_model([row for plan in plans for row in plan.rows])
    for model in (TrialPublication, Intervention, Outcome, TrialAdverseEvent):
        rows_insert(model=model, rows=by_model.get(model, []))


@dataclass(frozen=True)
class _TrialContext:
    """What every trial is drawn from; workers inherit it when they are forked."""

    seed: int
    drugs: list[DrugPlan]
    weights: list[float]
    vocabulary: Vocabulary


_context: _TrialContext | None = None


def _trial_rng(seed: int, index: int) -> random.Random:
    """Each trial draws from its own stream, so the corpus does not depend on how the trials
    are shared out between workers."""
    return random.Random(seed * 1_000_003 + index)


# Times a worker's share is written again after PostgreSQL broke a deadlock by rolling it back.
DEADLOCK_RETRIES = 5
DEADLOCK_DETECTED = "40P01"


def _trials_publish(bounds: tuple[int, int]) -> tuple[int, int, Mentioned]:
    """Write trials [start, stop) and publish them: how many trials, how many publications,
    and what they mention.

    Workers add the words of their search rows to the shared vocabulary batch after batch in
    one transaction: each statement adds them in order, but two workers' later batches can
    still each wait for a word the other added earlier. PostgreSQL then rolls one back whole,
    and it is written again: the same trials, since each draws from its own stream.
    """
    for _ in range(DEADLOCK_RETRIES):
        try:
            return _trials_publish_once(bounds)
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", "") != DEADLOCK_DETECTED:
                raise
    return _trials_publish_once(bounds)


def _trials_publish_once(bounds: tuple[int, int]) -> tuple[int, int, Mentioned]:
    context = _context
    review_due = timezone.localdate() + REVIEW_INTERVAL
    plans = []
    for index in range(*bounds):
        rng = _trial_rng(context.seed, index)
        count = 1 if rng.random() < 0.75 else 2
        chosen = rng.choices(context.drugs, cum_weights=context.weights, k=count)
        chosen = list({id(plan): plan for plan in chosen}.values())
        plan = trial_plan(
            rng,
            index=index,
            drugs=[drug.drug for drug in chosen],
            conditions=chosen[0].conditions,
            vocabulary=context.vocabulary,
        )
        plan.trial.next_review_due = review_due
        plans.append(plan)
    mentioned = Mentioned()
    with _transaction():
        with projections_deferred() as pending:
            _trials_write(plans)
            published = roots_import_publish_bulk(
                kind="trial",
                roots=Trial.objects.filter(pk__in=[plan.trial.pk for plan in plans]),
                note=NOTE,
                batch_size=TRIAL_BATCH,
            )
        for batch_mentioned in pending.get("search", []):
            mentioned.update(batch_mentioned)
        # Each trial's article is cited by that trial alone, so its reference's search row
        # is final now and is written here, in parallel, rather than in one long pass at
        # the end. The adverse-event terms every trial shares are left for that pass.
        search_index_mentions_refresh(mentioned=Mentioned(keys=mentioned.keys))
    return len(plans), published, Mentioned(terms=mentioned.terms)


# For the generator's own transactions: the commit does not wait for the write-ahead log to
# reach the disk (a crash may lose the last batches, never corrupt what was written, and a
# corpus that stops short is generated again anyway), and large values such as documents
# are compressed with lz4 where the server has it, several times faster than the default.
GENERATOR_SETTINGS = """
    SELECT set_config('synchronous_commit', 'off', true),
           set_config('default_toast_compression',
                      CASE WHEN 'lz4' = ANY(enumvals) THEN 'lz4' ELSE setting END, true)
    FROM pg_settings WHERE name = 'default_toast_compression'
"""


@contextmanager
def _transaction() -> Iterator[None]:
    """A transaction of the generator's own, with GENERATOR_SETTINGS on PostgreSQL."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(GENERATOR_SETTINGS)
        yield


# Statistics are refreshed after the drugs, then each time the trials written grow this much.
ANALYZE_FIRST, ANALYZE_GROWTH = 2_500, 4


def _statistics_refresh() -> None:
    """ANALYZE, so the planner's row counts keep up with tables the corpus fills by the
    hundred thousand. Otherwise, autovacuum being off or behind, PostgreSQL plans for the
    empty tables it last saw, and a query meant to read one batch's rows reads the corpus:
    each batch then costs more than the last."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _forked_pool(jobs: int):
    connections.close_all()
    return multiprocessing.get_context("fork").Pool(jobs)


def corpus_generate(
    *, drugs: int, trials: int, seed: int, jobs: int = 1, progress: Progress | None = None
) -> CorpusReport:
    """Write and publish a realistic synthetic corpus: the same seed gives the same content.

    Drugs get full monographs; trials study one or two of them, the most studied drugs
    having the most trials, as in the literature. Working-copy rows are written with
    rows_insert (COPY on PostgreSQL) and published with roots_import_publish_bulk, so the
    corpus goes through the same documents, checks, facets, search index and read tables as
    curated content. With jobs > 1 on PostgreSQL, trials are written and published by that
    many processes, each writing its trials' reference search rows as it goes; statistics
    are refreshed as the tables grow (_statistics_refresh).
    """
    global _context
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
        with _transaction():
            _drugs_write(batch_plans)
        plans += batch_plans
        report("drugs written", batch.stop, drugs)
    with _transaction():
        published = roots_import_publish_bulk(
            kind="drug",
            roots=Drug.objects.filter(pk__in=[plan.drug.pk for plan in plans]),
            note=NOTE,
            batch_size=DRUG_BATCH,
            progress=_counter(report, "drugs published", drugs),
        )

    _statistics_refresh()

    # The most studied drugs have the most trials: weight 1/(rank + 10).
    _context = _TrialContext(
        seed=seed,
        drugs=plans,
        weights=list(accumulate(1 / (rank + 10) for rank in range(drugs))),
        vocabulary=vocabulary,
    )
    chunks = [(batch.start, batch.stop) for batch in _batches(trials, TRIAL_BATCH)]
    mentioned = Mentioned()
    done, next_analyze = 0, ANALYZE_FIRST
    parallel = jobs > 1 and len(chunks) > 1 and connection.vendor == "postgresql"
    pool = _forked_pool(jobs) if parallel else None
    try:
        results = (
            pool.imap_unordered(_trials_publish, chunks) if pool else map(_trials_publish, chunks)
        )
        for written, count, chunk_mentioned in results:
            published += count
            mentioned.update(chunk_mentioned)
            done += written
            report("trials published", done, trials)
            if done >= next_analyze:
                _statistics_refresh()
                next_analyze *= ANALYZE_GROWTH
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        _context = None
    report("search index", 0, 1)
    with _transaction():
        search_index_mentions_refresh(mentioned=mentioned)
    report("search index", 1, 1)
    return CorpusReport(drugs=drugs, trials=trials, publications=published)


def _counter(report: Progress, stage: str, total: int) -> Callable[[int], None]:
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        report(stage, done, total)

    return advance

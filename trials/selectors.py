"""Reads for the public trial pages: live entries and their publications only."""

from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Lower

from monographs.editorial.cache import published_value
from monographs.editorial.querysets import EntryQuerySet
from monographs.selectors import FacetOption, facet_options, live_entries
from trials.models import Trial

TRIAL_FILTERS = {
    "phase": "Phase",
    "condition": "Condition",
    "drug": "Drug",
    "design": "Design",
}
CHOICE_LABELS = {
    "phase": dict(Trial.Phase.choices),
    "design": dict(Trial.Design.choices),
}
PHASE_ORDER = {value: position for position, value in enumerate(Trial.Phase.values)}


def trial_filter_options() -> dict[str, list[FacetOption]]:
    """Filter values live trials have, phases in their natural order.

    Counted over every live trial, so once per publication generation for every URL.
    """
    return published_value(name="trial-filter-options", compute=_trial_filter_options)


def _trial_filter_options() -> dict[str, list[FacetOption]]:
    options = facet_options(kind="trial", names=list(TRIAL_FILTERS), labels=CHOICE_LABELS)
    options["phase"].sort(key=lambda option: PHASE_ORDER.get(option.value, len(PHASE_ORDER)))
    return options


def trial_list(*, facets: dict[str, str]) -> EntryQuerySet:
    """Live trials having every chosen filter value, the most recently started first.

    The start year is joined rather than looked up per trial: with 100,000 trials a
    correlated subquery for each one cost 3x the join before the first 50 could be kept.
    """
    return (
        live_entries(kind="trial", facets=facets)
        .annotate(
            start_year_facet=FilteredRelation(
                "current__facets", condition=Q(current__facets__name="start_year")
            )
        )
        .order_by(F("start_year_facet__number").desc(nulls_last=True), Lower("title"), "pk")
    )

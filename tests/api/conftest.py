"""Published content for the API tests, made through the editorial services.

Working-copy rows come from the factories; `publish` freezes them with
root_import_publish, exactly as the seed loader does. Throttling is off unless a test
turns it on.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.cache import cache

from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import AdverseEventTerm, Condition, Drug, Target
from monographs.publishing.models import Publication
from tests.factories import (
    ApprovalFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    DrugTargetFactory,
    MonographSectionFactory,
    OutcomeFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    TrialPublicationFactory,
    UserFactory,
)
from trials.models import Trial


@pytest.fixture(autouse=True)
def throttling_off(settings):
    settings.API_THROTTLE_ANON = "off"
    cache.clear()


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin-api", is_staff=True, is_superuser=True)


def publish(root, note: str = "test") -> Publication:
    return root_import_publish(root=root, note=note)


@pytest.fixture
def withdraw(administrator) -> Callable:
    def withdraw(root, reason: str = "Superseded by a corrected monograph.") -> None:
        root_withdraw(root=root, user=administrator, reason=reason)

    return withdraw


def edit_without_publishing(root, **changes) -> None:
    """An editor changes the working copy of a published root: a draft that must not show."""
    for name, value in changes.items():
        setattr(root, name, value)
    root.save()
    root_record_edit(root=root, user=None)


def term(slug: str, name: str, organ_class: str) -> AdverseEventTerm:
    found, _ = AdverseEventTerm.objects.get_or_create(
        slug=slug, defaults={"name": name, "system_organ_class": organ_class}
    )
    return found


def target(symbol: str) -> Target:
    found, _ = Target.objects.get_or_create(symbol=symbol, defaults={"name": symbol})
    return found


def condition(slug: str, name: str | None = None) -> Condition:
    found, _ = Condition.objects.get_or_create(
        slug=slug, defaults={"name": name or slug.replace("-", " ").capitalize()}
    )
    return found


HAND_FOOT = (
    "palmar-plantar-erythrodysesthesia-syndrome",
    "Palmar-plantar erythrodysesthesia syndrome",
    "Skin and subcutaneous tissue disorders",
)
DIARRHOEA = ("diarrhea", "Diarrhea", "Gastrointestinal disorders")
HYPERTENSION = ("hypertension", "Hypertension", "Vascular disorders")


@pytest.fixture
def make_drug(db) -> Callable[..., Drug]:
    """A drug with a section, target, approval and adverse events; published unless asked not to."""

    def make(
        slug: str,
        *,
        drug_class: str = "Multikinase inhibitor",
        atc_code: str = "L01EX02",
        targets: tuple[str, ...] = ("KDR",),
        indication: str | None = "hepatocellular-carcinoma",
        adverse_events: tuple = ((HAND_FOOT, "21", "45", "8", "11"),),
        citation=None,
        published: bool = True,
    ) -> Drug:
        citation = citation or CitationFactory()
        drug = DrugFactory(
            inn=slug.replace("-", " "), slug=slug, drug_class=drug_class, atc_code=atc_code
        )
        MonographSectionFactory(
            drug=drug, kind="mechanism", body=f"Blocks kinases [@{citation.key}]."
        )
        for symbol in targets:
            DrugTargetFactory(drug=drug, target=target(symbol))
        if indication:
            ApprovalFactory(drug=drug, condition=condition(indication), citation=citation)
        for (
            term_slug,
            name,
            organ_class,
        ), any_low, any_high, severe_low, severe_high in adverse_events:
            DrugAdverseEventFactory(
                drug=drug,
                term=term(term_slug, name, organ_class),
                citation=citation,
                source_locator="Table 3",
                any_grade_low=Decimal(any_low) if any_low else None,
                any_grade_high=Decimal(any_high) if any_high else None,
                grade_3_plus_low=Decimal(severe_low) if severe_low else None,
                grade_3_plus_high=Decimal(severe_high) if severe_high else None,
                any_grade_bound="le" if any_high and not any_low else "",
                grade_3_plus_bound="le" if severe_high and not severe_low else "",
            )
        if published:
            publish(drug)
        return drug

    return make


@pytest.fixture
def make_trial(db) -> Callable[..., Trial]:
    """A trial of some drugs in a condition, with one outcome and one adverse event."""

    def make(
        slug: str,
        *,
        drugs: tuple[Drug, ...] = (),
        condition_slug: str = "hepatocellular-carcinoma",
        phase: str = Trial.Phase.PHASE_3,
        design: str = Trial.Design.RANDOMISED_CONTROLLED,
        nct_id: str | None = None,
        start_year: int = 2005,
        enrolment: int = 602,
        published: bool = True,
    ) -> Trial:
        citation = CitationFactory()
        trial = TrialFactory(
            slug=slug,
            acronym=slug.upper(),
            phase=phase,
            design=design,
            start_date=datetime.date(start_year, 3, 1),
            end_date=datetime.date(start_year + 2, 4, 1),
            enrolment=enrolment,
            **({"nct_id": nct_id} if nct_id else {}),
        )
        trial.drugs.set(drugs)
        trial.conditions.set([condition(condition_slug)])
        TrialPublicationFactory(trial=trial, citation=citation)
        outcome = OutcomeFactory(
            trial=trial, citation=citation, arm__participants=100, arm__citation=citation
        )
        TrialAdverseEventFactory(
            trial=trial, arm=outcome.arm, citation=citation, term=term(*HYPERTENSION)
        )
        if published:
            publish(trial)
        return trial

    return make

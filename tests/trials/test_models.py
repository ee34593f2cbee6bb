"""The trial models: database constraints, validators, clean() and readable names.

Constraint tests bypass model validation (factory create = `objects.create`, or a queryset
`update()`), so what they show is that the database itself refuses the row.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.assertions import assert_insert_refused, assert_update_accepted, assert_update_refused
from tests.factories import (
    AdverseEventTermFactory,
    ArmFactory,
    CitationFactory,
    DrugFactory,
    InterventionFactory,
    OutcomeFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    TrialPublicationFactory,
)
from trials.models import Arm, Outcome, Trial, TrialAdverseEvent

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    TrialFactory,
    TrialPublicationFactory,
    ArmFactory,
    InterventionFactory,
    OutcomeFactory,
    TrialAdverseEventFactory,
]


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=lambda f: f._meta.model.__name__)
def test_factory_rows_pass_model_validation(factory_class):
    first, second = factory_class(), factory_class()

    first.full_clean()
    second.full_clean()
    assert factory_class._meta.model.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_comparison_outcome_factory_compares_two_arms_of_its_trial():
    outcome = OutcomeFactory(comparison=True)

    outcome.full_clean()
    assert outcome.arm.trial == outcome.comparator_arm.trial == outcome.trial
    assert outcome.hazard_ratio_ci_low < outcome.hazard_ratio < outcome.hazard_ratio_ci_high


# --- NCT numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["NCT0010544", "nct00105443", "NCT-0105443", "00105443", "NCT0010544A", "NCX00105443", ""],
)
def test_nct_id_format_refuses_a_malformed_value(value):
    assert_update_refused(TrialFactory(), nct_id=value)


@pytest.mark.parametrize("value", ["NCT00105443", "NCT00000001", None])
def test_nct_id_format_accepts_a_well_formed_value(value):
    assert_update_accepted(TrialFactory(), nct_id=value)


def test_full_clean_explains_a_malformed_nct_id():
    trial = TrialFactory.build(nct_id="NCT105443")

    with pytest.raises(ValidationError) as error:
        trial.full_clean()

    assert error.value.message_dict == {
        "nct_id": ["Enter an NCT number: NCT followed by 8 digits."]
    }


@pytest.mark.parametrize("field, value", [("nct_id", "NCT00105443"), ("slug", "sharp")])
def test_unique_trial_field_refuses_a_duplicate(field, value):
    TrialFactory(**{field: value})

    assert_insert_refused(TrialFactory, **{field: value})


def test_trials_without_nct_id_are_stored_as_null_and_may_repeat():
    rows = [TrialFactory(nct_id=blank, design="retrospective") for blank in ("", " ", "", None)]

    for row in rows:
        row.refresh_from_db()
    assert [row.nct_id for row in rows] == [None] * 4


def test_save_strips_whitespace_around_the_nct_id():
    trial = TrialFactory(nct_id=" NCT00105443 ")

    trial.refresh_from_db()
    assert trial.nct_id == "NCT00105443"


# --- unique together ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory_class, fields",
    [(TrialPublicationFactory, ("trial", "citation")), (ArmFactory, ("trial", "label"))],
    ids=["TrialPublication", "Arm"],
)
def test_unique_together_refuses_a_duplicate_but_not_in_another_trial(factory_class, fields):
    _parent, child = fields
    first = factory_class()

    assert_insert_refused(factory_class, **{field: getattr(first, field) for field in fields})
    factory_class(**{child: getattr(first, child)})
    assert factory_class._meta.model.objects.filter(**{child: getattr(first, child)}).count() == 2


# --- check constraints --------------------------------------------------------------------

# Outcome rows below start from an arm's median OS, 10.7 months (95% CI 9.4-13.3), or from
# the comparison (HR 0.69, 95% CI 0.55-0.87), and break one rule at a time.
NO_CI = {"ci_low": None, "ci_high": None}
HR = {"comparison": True}

REFUSED = [
    pytest.param(
        TrialFactory,
        {"start_date": datetime.date(2007, 4, 1), "end_date": datetime.date(2005, 3, 1)},
        id="trial_dates_ordered",
    ),
    pytest.param(TrialFactory, {"enrolment": -1}, id="trial-enrolment-negative"),
    pytest.param(ArmFactory, {"participants": -1}, id="arm-participants-negative"),
    pytest.param(
        InterventionFactory, {"drug": None, "name": ""}, id="intervention_names_something"
    ),
    pytest.param(OutcomeFactory, {"value": Decimal("9.3")}, id="outcome_value_not_below_ci"),
    pytest.param(OutcomeFactory, {"value": Decimal("13.4")}, id="outcome_value_not_above_ci"),
    pytest.param(
        OutcomeFactory,
        {"value": None, "ci_low": Decimal("13.3"), "ci_high": Decimal("9.4")},
        id="outcome_ci_ordered",
    ),
    pytest.param(
        OutcomeFactory,
        {"range_low": Decimal("14.2"), "range_high": Decimal("0.3")},
        id="outcome_range_ordered",
    ),
    pytest.param(
        OutcomeFactory, {**HR, "hazard_ratio": Decimal("0.54")}, id="outcome_hr_not_below_ci"
    ),
    pytest.param(
        OutcomeFactory, {**HR, "hazard_ratio": Decimal("0.88")}, id="outcome_hr_not_above_ci"
    ),
    pytest.param(
        OutcomeFactory,
        {"measure": "ORR", "count": 300, "denominator": 299},
        id="outcome_count_within_denominator",
    ),
    pytest.param(OutcomeFactory, {**HR, "p_value": Decimal("-0.001")}, id="p-value-negative"),
    pytest.param(OutcomeFactory, {**HR, "p_value": Decimal("1.001")}, id="p-value-above-one"),
    pytest.param(
        OutcomeFactory,
        {**HR, "hazard_ratio": Decimal("0"), "hazard_ratio_ci_low": None},
        id="outcome_hr_positive-zero",
    ),
    pytest.param(
        OutcomeFactory,
        {**HR, "hazard_ratio": Decimal("-0.69"), "hazard_ratio_ci_low": None},
        id="outcome_hr_positive-negative",
    ),
    pytest.param(
        OutcomeFactory,
        {**NO_CI, "measure": "ORR", "unit": "%", "value": Decimal("100.1")},
        id="outcome_percentage_range-above",
    ),
    pytest.param(
        OutcomeFactory,
        {**NO_CI, "measure": "ORR", "unit": "%", "value": Decimal("-0.1")},
        id="outcome_percentage_range-below",
    ),
    pytest.param(OutcomeFactory, {"ci_level": 0}, id="outcome_ci_level_range-0"),
    pytest.param(OutcomeFactory, {"ci_level": 100}, id="outcome_ci_level_range-100"),
    pytest.param(OutcomeFactory, {"denominator": -1}, id="outcome-denominator-negative"),
    pytest.param(
        OutcomeFactory,
        {**HR, "hazard_ratio": None, "hazard_ratio_ci_low": Decimal("0.9")},
        id="outcome_hr_ci_ordered",
    ),
    pytest.param(
        OutcomeFactory,
        {**HR, "hazard_ratio": None, "hazard_ratio_ci_low": Decimal("0")},
        id="outcome_hr_ci_positive",
    ),
    pytest.param(
        TrialAdverseEventFactory,
        {"percent": Decimal("9"), "percent_high": Decimal("8")},
        id="trial_ae_percent_ordered",
    ),
    pytest.param(
        TrialAdverseEventFactory,
        {"percent": None, "percent_high": Decimal("100.5")},
        id="trial_ae_percentage_high",
    ),
    pytest.param(
        TrialAdverseEventFactory, {"percent": Decimal("-0.01")}, id="trial_ae_percentage-below"
    ),
    pytest.param(
        TrialAdverseEventFactory, {"percent": Decimal("100.01")}, id="trial_ae_percentage-above"
    ),
    pytest.param(
        TrialAdverseEventFactory,
        {"count": 298, "denominator": 297},
        id="trial_ae_count_within_denominator",
    ),
    pytest.param(
        TrialAdverseEventFactory,
        {"count": None, "denominator": 0},
        id="trial_ae_denominator_positive",
    ),
]

ACCEPTED = [
    pytest.param(
        TrialFactory,
        {"start_date": datetime.date(2005, 3, 1), "end_date": datetime.date(2005, 3, 1)},
        id="trial-start-and-end-same-day",
    ),
    pytest.param(
        TrialFactory,
        {"start_date": datetime.date(2005, 3, 1), "end_date": None},
        id="trial-still-running",
    ),
    pytest.param(OutcomeFactory, {"value": Decimal("9.4")}, id="outcome-value-at-ci-low"),
    pytest.param(OutcomeFactory, {"value": Decimal("13.3")}, id="outcome-value-at-ci-high"),
    pytest.param(
        OutcomeFactory,
        {"value": Decimal("10.7"), "ci_low": Decimal("10.7"), "ci_high": Decimal("10.7")},
        id="outcome-ci-of-one-value",
    ),
    pytest.param(
        OutcomeFactory,
        {"value": Decimal("10.7"), "ci_low": Decimal("9.4"), "ci_high": None},
        id="outcome-ci-not-estimable-above",
    ),
    pytest.param(
        OutcomeFactory,
        {"range_low": Decimal("0.3"), "range_high": Decimal("0.3")},
        id="outcome-range-of-one-value",
    ),
    pytest.param(
        OutcomeFactory, {**HR, "hazard_ratio": Decimal("0.55")}, id="outcome-hr-at-ci-low"
    ),
    pytest.param(
        OutcomeFactory, {**HR, "hazard_ratio": Decimal("0.87")}, id="outcome-hr-at-ci-high"
    ),
    pytest.param(
        OutcomeFactory,
        {**HR, "hazard_ratio": Decimal("1.0001"), "hazard_ratio_ci_high": None},
        id="outcome-hr-above-one",
    ),
    pytest.param(OutcomeFactory, {**HR, "p_value": Decimal("0")}, id="p-value-0"),
    pytest.param(OutcomeFactory, {**HR, "p_value": Decimal("1")}, id="p-value-1"),
    pytest.param(
        OutcomeFactory,
        {"measure": "ORR", "count": 299, "denominator": 299},
        id="outcome-count-equals-denominator",
    ),
    pytest.param(
        OutcomeFactory,
        {**NO_CI, "measure": "DCR", "unit": "%", "value": Decimal("0")},
        id="outcome-percentage-0",
    ),
    pytest.param(
        OutcomeFactory,
        {**NO_CI, "measure": "DCR", "unit": "%", "value": Decimal("100")},
        id="outcome-percentage-100",
    ),
    pytest.param(
        OutcomeFactory,
        {**NO_CI, "measure": "FOLLOW_UP", "unit": "months", "value": Decimal("150")},
        id="outcome-over-100-when-not-percent",
    ),
    pytest.param(OutcomeFactory, {"ci_level": 1}, id="outcome-ci-level-1"),
    pytest.param(OutcomeFactory, {"ci_level": 99}, id="outcome-ci-level-99"),
    pytest.param(
        TrialAdverseEventFactory, {"percent": Decimal("0"), "count": 0}, id="trial-ae-none"
    ),
    pytest.param(
        TrialAdverseEventFactory,
        {"percent": Decimal("100"), "count": 297, "denominator": 297},
        id="trial-ae-everyone",
    ),
]


def _plain(values: dict) -> dict:
    """The column values of a parameter set (without factory traits such as `comparison`)."""
    return {field: value for field, value in values.items() if field != "comparison"}


@pytest.mark.parametrize("factory_class, values", REFUSED)
def test_check_constraint_refuses_a_violating_row(factory_class, values):
    assert_insert_refused(factory_class, **values)


@pytest.mark.parametrize("factory_class, values", ACCEPTED)
def test_check_constraint_accepts_a_boundary_row(factory_class, values):
    row = factory_class(**values)

    row.refresh_from_db()
    assert {field: getattr(row, field) for field in _plain(values)} == _plain(values)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"hazard_ratio": Decimal("0.9")}, id="hr-outside-its-ci"),
        pytest.param({"p_value": Decimal("2")}, id="p-value"),
        pytest.param({"count": 10, "denominator": 5}, id="count-over-denominator"),
    ],
)
def test_check_constraint_refuses_an_update_into_violation(values):
    assert_update_refused(OutcomeFactory(comparison=True), **values)


def test_intervention_may_be_a_drug_or_a_named_agent():
    placebo = InterventionFactory(drug=None, name="Placebo", dose="2 tablets")
    sorafenib = InterventionFactory(drug=DrugFactory(inn="sorafenib"), name="")

    assert (placebo.drug, sorafenib.name) == (None, "")


# --- clean() ------------------------------------------------------------------------------


@pytest.mark.parametrize("arm_field", ["arm", "comparator_arm"])
def test_outcome_clean_refuses_an_arm_of_another_trial(arm_field):
    outcome = OutcomeFactory(comparison=True)
    setattr(outcome, arm_field, ArmFactory(label="Sorafenib (other trial)"))

    with pytest.raises(ValidationError) as error:
        outcome.clean()

    assert error.value.message_dict == {arm_field: ["This arm belongs to another trial."]}


def test_outcome_clean_accepts_arms_of_its_trial_and_a_trial_level_outcome():
    OutcomeFactory(comparison=True).clean()
    trial_level = OutcomeFactory(arm=None, measure="FOLLOW_UP", value=Decimal("8"), **NO_CI)
    trial_level.full_clean()

    assert Outcome.objects.filter(arm__isnull=True).count() == 1


def test_trial_adverse_event_clean_refuses_an_arm_of_another_trial():
    event = TrialAdverseEventFactory()
    event.arm = ArmFactory()

    with pytest.raises(ValidationError) as error:
        event.clean()

    assert error.value.message_dict == {"arm": ["This arm belongs to another trial."]}


# --- readable names -----------------------------------------------------------------------


def _sharp():
    return TrialFactory(acronym="SHARP", title="Sorafenib HCC Assessment Randomized Protocol")


SHARP = "SHARP: Sorafenib HCC Assessment Randomized Protocol"

STR_CASES = [
    pytest.param(_sharp, SHARP, id="Trial"),
    pytest.param(
        lambda: TrialFactory(acronym="", title="Sorafenib in advanced HCC"),
        "Sorafenib in advanced HCC",
        id="Trial-no-acronym",
    ),
    pytest.param(
        lambda: TrialPublicationFactory(
            trial=_sharp(), citation=CitationFactory(key="llovet-2008")
        ),
        f"{SHARP} - llovet-2008 (primary results)",
        id="TrialPublication",
    ),
    pytest.param(
        lambda: ArmFactory(label="Sorafenib 400 mg twice daily", participants=299),
        "Sorafenib 400 mg twice daily (n=299)",
        id="Arm",
    ),
    pytest.param(
        lambda: ArmFactory(label="Placebo", role=Arm.Role.PLACEBO, participants=None),
        "Placebo",
        id="Arm-n-not-stated",
    ),
    pytest.param(
        lambda: InterventionFactory(drug=DrugFactory(inn="sorafenib")),
        "sorafenib 400 mg twice daily",
        id="Intervention",
    ),
    pytest.param(
        lambda: InterventionFactory(drug=None, name="Placebo", dose="", frequency="twice daily"),
        "Placebo twice daily",
        id="Intervention-placebo",
    ),
    pytest.param(
        lambda: OutcomeFactory(trial=_sharp(), arm__label="Sorafenib"),
        f"{SHARP}: Overall survival (Sorafenib)",
        id="Outcome",
    ),
    pytest.param(
        lambda: OutcomeFactory(trial=_sharp(), arm=None, label="OS at 1 year"),
        f"{SHARP}: OS at 1 year",
        id="Outcome-trial-level",
    ),
    pytest.param(
        lambda: TrialAdverseEventFactory(
            trial=_sharp(),
            term=AdverseEventTermFactory(name="Diarrhea"),
            grade_scope=TrialAdverseEvent.GradeScope.GRADE_3_PLUS,
        ),
        f"{SHARP}: Diarrhea (Grade ≥3)",
        id="TrialAdverseEvent",
    ),
]


@pytest.mark.parametrize("make, expected", STR_CASES)
def test_str_is_readable(make, expected):
    row = make()
    row.refresh_from_db()

    assert str(row) == expected


def test_trial_factory_is_a_randomised_placebo_controlled_phase_3_trial():
    trial = TrialFactory()

    assert (trial.phase, trial.design, trial.randomised, trial.placebo_controlled) == (
        Trial.Phase.PHASE_3,
        Trial.Design.RANDOMISED_CONTROLLED,
        True,
        True,
    )
    assert trial.nct_id.startswith("NCT") and len(trial.nct_id) == 11

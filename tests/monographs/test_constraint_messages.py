"""Every database constraint of an editable model has a plain message, shown beside the field.

The editor reads "CI low 12.0 is above CI high 9.1." next to CI low, never the constraint's
name; the database still refuses what slips past (tests/monographs/test_models.py).
"""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.urls import reverse

from monographs.models.base import CONSTRAINT_RULES
from tests.admin_forms import change_form_data
from tests.factories import (
    ApprovalFactory,
    ArmFactory,
    CitationFactory,
    CitationLinkFactory,
    DoseRegimenFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    DrugInteractionFactory,
    DrugNameFactory,
    DrugTargetFactory,
    InterventionFactory,
    MonographSectionFactory,
    OutcomeFactory,
    PharmacokineticParameterFactory,
    SubsequentTherapyFactory,
    TargetFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    TrialPublicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EDITABLE_APPS = ("monographs", "trials")
# Written by the editorial, publishing, API and search services only, never typed by an editor.
NOT_EDITABLE = ("monographs.editorial.", "monographs.api.", "monographs.models.search")
D = Decimal


def duplicate(factory, fields: tuple[str, ...], **values):
    """An unsaved row repeating a saved one's values for `fields`."""
    first = factory(**values)
    return factory.build(**{**values, **{name: getattr(first, name) for name in fields}})


def _drug_ae(**bad):
    return DrugAdverseEventFactory.build(drug=DrugFactory(), term=_term(), **bad)


def _term():
    from tests.factories import AdverseEventTermFactory

    return AdverseEventTermFactory()


def _outcome(**bad):
    return OutcomeFactory.build(trial=(trial := TrialFactory()), arm=ArmFactory(trial=trial), **bad)


def _trial_ae(**bad):
    return TrialAdverseEventFactory.build(
        trial=(trial := TrialFactory()), arm=ArmFactory(trial=trial), term=_term(), **bad
    )


# constraint name -> (how to make the offending row, the field, what the message says)
CASES = {
    "section_kind_unique_per_drug": (
        lambda: duplicate(MonographSectionFactory, ("drug", "kind"), kind="mechanism"),
        "kind",
        "already has a section of this kind",
    ),
    "dose_regimen_amount_positive": (
        lambda: DoseRegimenFactory.build(drug=DrugFactory(), dose_amount=D("0")),
        "dose_amount",
        "The dose is 0; a dose is more than zero",
    ),
    "pk_range_ordered": (
        lambda: PharmacokineticParameterFactory.build(
            drug=DrugFactory(), value=None, range_low=D("25.0"), range_high=D("8.0")
        ),
        "range_low",
        "Range low 25.0 is above range high 8.0.",
    ),
    "pk_value_not_below_range": (
        lambda: PharmacokineticParameterFactory.build(
            drug=DrugFactory(), value=D("3.0"), range_low=D("8.0"), range_high=None
        ),
        "value",
        "The value 3.0 is below its range, which starts at 8.0.",
    ),
    "pk_value_not_above_range": (
        lambda: PharmacokineticParameterFactory.build(
            drug=DrugFactory(), value=D("30.0"), range_low=None, range_high=D("8.0")
        ),
        "value",
        "The value 30.0 is above its range, which ends at 8.0.",
    ),
    "interaction_change_ordered": (
        lambda: DrugInteractionFactory.build(
            drug=DrugFactory(), change_low=D("80"), change_high=D("36")
        ),
        "change_low",
        "The change's low end 80 is above its high end 36.",
    ),
    "interaction_names_partner": (
        lambda: DrugInteractionFactory.build(
            drug=DrugFactory(), interacting_drug=None, interacting_agent=""
        ),
        "interacting_agent",
        "Name what it interacts with",
    ),
    "subsequent_therapy_names_therapy": (
        lambda: SubsequentTherapyFactory.build(
            drug=DrugFactory(), condition=_condition(), therapy_drug=None, therapy=""
        ),
        "therapy",
        "Name the therapy",
    ),
    "drug_ae_any_low_percentage": (
        lambda: _drug_ae(any_grade_low=D("120.0"), any_grade_high=None),
        "any_grade_low",
        "Any grade, low, is 120.0 %; a percentage is 0 to 100.",
    ),
    "drug_ae_any_high_percentage": (
        lambda: _drug_ae(any_grade_high=D("101"), grade_3_plus_high=None),
        "any_grade_high",
        "Any grade, high, is 101 %",
    ),
    "drug_ae_g3_low_percentage": (
        lambda: _drug_ae(grade_3_plus_low=D("-1"), grade_3_plus_high=None),
        "grade_3_plus_low",
        "Grade ≥3, low, is -1 %",
    ),
    "drug_ae_g3_high_percentage": (
        lambda: _drug_ae(grade_3_plus_low=None, grade_3_plus_high=D("200"), any_grade_high=None),
        "grade_3_plus_high",
        "Grade ≥3, high, is 200 %",
    ),
    "drug_ae_any_ordered": (
        lambda: _drug_ae(any_grade_low=D("45.0"), any_grade_high=D("21.0")),
        "any_grade_low",
        "Any grade: low 45.0 % is above high 21.0 %.",
    ),
    "drug_ae_g3_ordered": (
        lambda: _drug_ae(grade_3_plus_low=D("11.0"), grade_3_plus_high=D("8.0")),
        "grade_3_plus_low",
        "Grade ≥3: low 11.0 % is above high 8.0 %.",
    ),
    "drug_ae_g3_within_any_grade": (
        lambda: _drug_ae(grade_3_plus_high=D("50.0"), any_grade_high=D("45.0")),
        "grade_3_plus_high",
        "Grade ≥3 high 50.0 % is above any grade high 45.0 %",
    ),
    "drug_atc_code_format": (
        lambda: DrugFactory.build(atc_code="L1EX02"),
        "atc_code",
        "Enter a 7-character ATC code",
    ),
    "drug_drugbank_id_format": (
        lambda: DrugFactory.build(drugbank_id="DB123"),
        "drugbank_id",
        "DrugBank id: DB followed by 5 digits",
    ),
    "drug_unii_format": (
        lambda: DrugFactory.build(unii="abc"),
        "unii",
        "10-character FDA UNII",
    ),
    "drug_rxcui_format": (
        lambda: DrugFactory.build(rxcui="RX1"),
        "rxcui",
        "RxNorm concept id",
    ),
    "drug_ncit_code_format": (
        lambda: DrugFactory.build(ncit_code="X123"),
        "ncit_code",
        "NCI Thesaurus code",
    ),
    "drug_name_unique_per_drug": (
        lambda: duplicate(DrugNameFactory, ("drug", "name"), name="Nexavar"),
        "name",
        "already has the name “Nexavar”.",
    ),
    "drug_target_unique": (
        lambda: duplicate(DrugTargetFactory, ("drug", "target")),
        "target",
        "is already a target of",
    ),
    "approval_year_plausible": (
        lambda: ApprovalFactory.build(
            drug=DrugFactory(), condition=_condition(), year=1066, approved_on=None
        ),
        "year",
        "The year 1066 is not a plausible approval year",
    ),
    "citation_pmid_format": (
        lambda: CitationFactory.build(pmid="0123"),
        "pmid",
        "PubMed id",
    ),
    "citation_pmcid_format": (
        lambda: CitationFactory.build(pmcid="123"),
        "pmcid",
        "PubMed Central id",
    ),
    "citation_doi_format": (
        lambda: CitationFactory.build(doi="https://doi.org/10.1/x"),
        "doi",
        "Enter a DOI",
    ),
    "citation_doi_unique_any_case": (
        lambda: CitationFactory.build(doi=CitationFactory(doi="10.1056/NEJMoa0708857").doi.lower()),
        "doi",
        "Another citation already has the DOI 10.1056/nejmoa0708857 (DOIs ignore case)",
    ),
    "citation_issn_format": (
        lambda: CitationFactory.build(issn="12345678"),
        "issn",
        "ISSN of the form 1234-567X",
    ),
    "citation_year_plausible": (
        lambda: CitationFactory.build(year=3000),
        "year",
        "The year 3000 is not a plausible publication year",
    ),
    "citation_link_unique": (
        lambda: duplicate(CitationLinkFactory, ("citing", "cited")),
        "cited",
        "already cites",
    ),
    "citation_link_not_self": (
        lambda: CitationLinkFactory.build(citing=(c := CitationFactory()), cited=c),
        "cited",
        "A source cannot cite itself",
    ),
    "target_symbol_format": (
        lambda: TargetFactory.build(symbol="braf"),
        "symbol",
        "HGNC gene symbol",
    ),
    "trial_nct_id_format": (
        lambda: TrialFactory.build(nct_id="NCT123"),
        "nct_id",
        "NCT followed by 8 digits",
    ),
    "trial_dates_ordered": (
        lambda: TrialFactory.build(
            start_date=__import__("datetime").date(2008, 1, 1),
            end_date=__import__("datetime").date(2007, 1, 1),
        ),
        "end_date",
        "The end date 2007-01-01 is before the start date 2008-01-01.",
    ),
    "trial_publication_unique": (
        lambda: duplicate(TrialPublicationFactory, ("trial", "citation")),
        "citation",
        "already listed for the trial",
    ),
    "arm_label_unique_per_trial": (
        lambda: duplicate(ArmFactory, ("trial", "label"), label="Placebo"),
        "label",
        "already has an arm called “Placebo”",
    ),
    "intervention_names_something": (
        lambda: InterventionFactory.build(arm=ArmFactory(), drug=None, name=""),
        "name",
        "Name the intervention",
    ),
    "outcome_value_not_below_ci": (
        lambda: _outcome(value=D("8.0"), ci_low=D("9.4"), ci_high=None),
        "value",
        "The value 8.0 is below its CI, which starts at 9.4.",
    ),
    "outcome_value_not_above_ci": (
        lambda: _outcome(value=D("14.0"), ci_low=None, ci_high=D("13.3")),
        "value",
        "The value 14.0 is above its CI, which ends at 13.3.",
    ),
    "outcome_ci_ordered": (
        lambda: _outcome(value=None, ci_low=D("12.0"), ci_high=D("9.1")),
        "ci_low",
        "CI low 12.0 is above CI high 9.1.",
    ),
    "outcome_range_ordered": (
        lambda: _outcome(range_low=D("30"), range_high=D("2")),
        "range_low",
        "Range low 30 is above range high 2.",
    ),
    "outcome_hr_not_below_ci": (
        lambda: _outcome(
            hazard_ratio=D("0.50"), hazard_ratio_ci_low=D("0.55"), hazard_ratio_ci_high=None
        ),
        "hazard_ratio",
        "The hazard ratio 0.50 is below its CI, which starts at 0.55.",
    ),
    "outcome_hr_not_above_ci": (
        lambda: _outcome(
            hazard_ratio=D("0.90"), hazard_ratio_ci_low=None, hazard_ratio_ci_high=D("0.87")
        ),
        "hazard_ratio",
        "The hazard ratio 0.90 is above its CI, which ends at 0.87.",
    ),
    "outcome_hr_ci_ordered": (
        lambda: _outcome(
            hazard_ratio=None, hazard_ratio_ci_low=D("0.87"), hazard_ratio_ci_high=D("0.55")
        ),
        "hazard_ratio_ci_low",
        "HR CI low 0.87 is above HR CI high 0.55.",
    ),
    "outcome_hr_ci_positive": (
        lambda: _outcome(hazard_ratio=None, hazard_ratio_ci_low=D("0"), hazard_ratio_ci_high=None),
        "hazard_ratio_ci_low",
        "HR CI low is 0; a hazard ratio is above zero.",
    ),
    "outcome_count_within_denominator": (
        lambda: _outcome(count=82, denominator=67),
        "count",
        "The count 82 is more than the denominator 67.",
    ),
    "outcome_p_value_probability": (
        lambda: _outcome(p_value=D("1.5")),
        "p_value",
        "The p-value 1.5 is not a probability (0 to 1).",
    ),
    "outcome_hr_positive": (
        lambda: _outcome(hazard_ratio=D("0"), hazard_ratio_ci_low=None),
        "hazard_ratio",
        "The hazard ratio is 0; a hazard ratio is above zero.",
    ),
    "outcome_percentage_range": (
        lambda: _outcome(value=D("171"), unit="%", ci_low=None, ci_high=None),
        "value",
        "The value is 171 %; a percentage is 0 to 100.",
    ),
    "outcome_ci_level_range": (
        lambda: _outcome(ci_level=100),
        "ci_level",
        "The CI level 100 is not a percentage between 0 and 100",
    ),
    "trial_ae_percentage": (
        lambda: _trial_ae(percent=D("140.0"), percent_high=None, count=None),
        "percent",
        "The percentage is 140.0 %; a percentage is 0 to 100.",
    ),
    "trial_ae_percentage_high": (
        lambda: _trial_ae(percent=None, percent_high=D("101")),
        "percent_high",
        # The field's own validator says it first.
        "Ensure this value is less than or equal to 100.",
    ),
    "trial_ae_percent_ordered": (
        lambda: _trial_ae(percent=D("12.0"), percent_high=D("8.0")),
        "percent",
        "The percentage 12.0 % is above the upper percentage 8.0 %.",
    ),
    "trial_ae_count_within_denominator": (
        lambda: _trial_ae(count=300, denominator=297, percent=None),
        "count",
        "The count 300 is more than the denominator 297.",
    ),
    "trial_ae_denominator_positive": (
        lambda: _trial_ae(count=None, denominator=0, percent=None),
        "denominator",
        "The denominator is 0",
    ),
    "trial_ae_percent_bound_fits": (
        lambda: _trial_ae(count=None, percent=D("8"), percent_high=None, percent_bound="le"),
        "percent_bound",
        "The percentage is “At most (≤)”: that figure is the high end alone; move 8 to the "
        "high end",
    ),
    "outcome_value_ordered": (
        lambda: _outcome(value=D("12"), value_high=D("8"), ci_low=None, ci_high=None),
        "value",
        "The value 12 is above the high end of its result 8.",
    ),
    "outcome_value_bound_fits": (
        lambda: _outcome(value=D("8"), value_bound="lt", ci_low=None, ci_high=None),
        "value_bound",
        "The result is “Less than (<)”: that figure is the high end alone; move 8 to the high end",
    ),
    "outcome_denominator_positive": (
        lambda: _outcome(count=None, denominator=0),
        "denominator",
        "The denominator is 0; it counts patients",
    ),
    "dose_regimen_daily_amount_positive": (
        lambda: DoseRegimenFactory.build(drug=DrugFactory(), daily_dose_amount=D("0")),
        "daily_dose_amount",
        "The daily dose is 0; a dose is more than zero",
    ),
    "drug_ae_any_bound_fits": (
        lambda: _drug_ae(any_grade_low=None, any_grade_high=D("5"), any_grade_bound=""),
        "any_grade_bound",
        "Any grade has only a high end (5): choose “less than” or “at most”",
    ),
    "drug_ae_g3_bound_fits": (
        lambda: _drug_ae(grade_3_plus_low=None, grade_3_plus_high=D("1"), grade_3_plus_bound="gt"),
        "grade_3_plus_bound",
        "is “More than (>)”: that figure is the low end alone; move 1 to the low end",
    ),
}


def _condition():
    from tests.factories import ConditionFactory

    return ConditionFactory()


def editable_constraints() -> dict[str, type[models.Model]]:
    found = {}
    for app in EDITABLE_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__module__.startswith(NOT_EDITABLE):
                continue
            for constraint in model._meta.constraints:
                found[constraint.name] = model
    return found


def test_every_constraint_of_an_editable_model_has_a_plain_rule_and_a_test():
    names = set(editable_constraints())

    assert names - set(CONSTRAINT_RULES) == set()
    assert names - set(CASES) == set()
    assert len(names) > 50


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_message_is_plain_and_beside_the_field(name):
    make, field, expected = CASES[name]
    row = make()

    with pytest.raises(ValidationError) as caught:
        row.full_clean()

    errors = caught.value.message_dict
    messages = " ".join(message for values in errors.values() for message in values)
    assert any(expected in message for message in errors.get(field, [])), errors
    assert name not in messages
    assert "Constraint" not in messages and "violated" not in messages
    assert NON_FIELD_ERRORS not in errors


def test_the_admin_shows_the_sentence_beside_the_field_not_the_constraint_name(client):
    outcome = OutcomeFactory(value=None, ci_low=D("9.4"), ci_high=D("13.3"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:trials_outcome_change", args=(outcome.pk,))
    data = change_form_data(client.get(url))

    response = client.post(url, {**data, "ci_low": "12.0", "ci_high": "9.1"})

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["ci_low"] == ["CI low 12.0 is above CI high 9.1."]
    assert "outcome_ci_ordered" not in response.content.decode()
    assert form.non_field_errors() == []


def test_a_message_names_a_relation_not_chosen_yet_as_empty():
    from monographs.models import DrugName

    rule = CONSTRAINT_RULES["drug_name_unique_per_drug"]

    assert rule.explain(DrugName(name="Nexavar")) == "(empty) already has the name “Nexavar”."

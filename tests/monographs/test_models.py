"""The monograph models: database constraints, validators, clean() and readable names.

Constraint tests bypass model validation (factory create = `objects.create`, or a queryset
`update()`), so what they show is that the database itself refuses the row.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from monographs.models import Approval, Citation, Drug, SectionKind
from tests.assertions import assert_insert_refused, assert_update_accepted, assert_update_refused
from tests.factories import (
    AdverseEventTermFactory,
    ApprovalFactory,
    CitationFactory,
    CitationLinkFactory,
    ConditionFactory,
    ContraindicationFactory,
    DoseRegimenFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    DrugInteractionFactory,
    DrugNameFactory,
    DrugTargetFactory,
    DrugWarningFactory,
    FormulationFactory,
    MonographSectionFactory,
    PharmacokineticParameterFactory,
    QuestionAnswerFactory,
    ResistanceMechanismFactory,
    SpecialPopulationFactory,
    SubsequentTherapyFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    DrugFactory,
    DrugNameFactory,
    DrugTargetFactory,
    ApprovalFactory,
    FormulationFactory,
    MonographSectionFactory,
    DoseRegimenFactory,
    PharmacokineticParameterFactory,
    DrugInteractionFactory,
    DrugWarningFactory,
    ContraindicationFactory,
    SpecialPopulationFactory,
    ResistanceMechanismFactory,
    SubsequentTherapyFactory,
    QuestionAnswerFactory,
    DrugAdverseEventFactory,
    ConditionFactory,
    TargetFactory,
    AdverseEventTermFactory,
    CitationFactory,
    CitationLinkFactory,
]


# --- factories ----------------------------------------------------------------------------


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=lambda f: f._meta.model.__name__)
def test_factory_rows_pass_model_validation(factory_class):
    first, second = factory_class(), factory_class()

    first.full_clean()
    second.full_clean()
    assert factory_class._meta.model.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_user_factory_makes_a_staff_user_who_can_log_in():
    user = UserFactory()

    assert user.is_staff
    assert user.check_password("correct-horse-battery-staple")
    assert user.email == f"{user.username}@example.org"


# --- identifier formats (check constraints with a regex) ----------------------------------

# (factory, field): (accepted values, refused values). Refused values fit the column, so the
# check constraint (not the column length) is what refuses them. Updates skip save(), which
# would otherwise strip whitespace and turn "" into NULL.
IDENTIFIER_FORMATS = {
    (DrugFactory, "atc_code"): (
        ["L01EX02", "A01AA01"],
        ["L01EX2", "l01ex02", "L01EXO2", "1L0EX02", "L01 X02", ""],
    ),
    (DrugFactory, "drugbank_id"): (
        ["DB00398", "DB12345"],
        ["DB0398", "db00398", "DB-0398", "BD00398", ""],
    ),
    (DrugFactory, "unii"): (
        ["9ZOQ3TZI87", "0000000000"],
        ["9ZOQ3TZI8", "9zoq3tzi87", "9ZOQ3TZI-7", ""],
    ),
    (DrugFactory, "rxcui"): (
        ["495881", "1"],
        ["49588A", "-495881", "RX495881", "495881\n", ""],
    ),
    (DrugFactory, "ncit_code"): (
        ["C61948", "C1"],
        ["61948", "c61948", "C", "C-61948", "C61948\n", ""],
    ),
    (TargetFactory, "symbol"): (
        ["KDR", "PDGFRB", "HLA-A", "C9orf72"],
        ["braf", "Braf", "1BRAF", "BRAF V600E", "-KIT", "BRAF\n", ""],
    ),
    (CitationFactory, "pmid"): (
        ["18650514", "1", "999999999"],
        ["018650514", "PMID186505", "1234567890", "1865.0514", "18650514\n", ""],
    ),
    (CitationFactory, "pmcid"): (
        ["PMC2569139", "PMC1"],
        ["2569139", "pmc2569139", "PMC", "PMC 2569139", "PMC2569139\n", ""],
    ),
    (CitationFactory, "doi"): (
        ["10.1056/NEJMoa0708857", "10.1016/S1470-2045(08)70285-7"],
        [
            "https://doi.org/10.1056/NEJMoa0708857",
            "doi:10.1056/NEJMoa0708857",
            "10.105/NEJMoa0708857",
            "10.1056/NEJMoa 0708857",
            "10.1056/",
            "10.1056/NEJMoa0708857\n",
            "",
        ],
    ),
    (CitationFactory, "issn"): (
        ["0028-4793", "1474-547X", ""],
        ["00284793", "0028-479x", "0028 4793", "002-84793"],
    ),
}


def identifier_cases(which: int):
    return [
        pytest.param(factory_class, field, value, id=f"{field}={value!r}")
        for (factory_class, field), values in IDENTIFIER_FORMATS.items()
        for value in values[which]
    ]


@pytest.mark.parametrize("factory_class, field, value", identifier_cases(1))
def test_identifier_format_refuses_a_malformed_value(factory_class, field, value):
    assert_update_refused(factory_class(), **{field: value})


@pytest.mark.parametrize("factory_class, field, value", identifier_cases(0))
def test_identifier_format_accepts_a_well_formed_value(factory_class, field, value):
    assert_update_accepted(factory_class(), **{field: value})


MESSAGES = [
    (DrugFactory, "atc_code", "L1EX02", "Enter a 7-character ATC code such as L01EX02."),
    (DrugFactory, "drugbank_id", "DB398", "Enter a DrugBank id: DB followed by 5 digits."),
    (
        DrugFactory,
        "unii",
        "9zoq3tzi87",
        "Enter a 10-character FDA UNII (capital letters and digits).",
    ),
    (DrugFactory, "rxcui", "RX4958", "Enter an RxNorm concept id: digits only."),
    (DrugFactory, "ncit_code", "61948", "Enter an NCI Thesaurus code: C followed by digits."),
    (
        TargetFactory,
        "symbol",
        "Vegfr2",
        "Enter an HGNC gene symbol such as BRAF, KDR or C9orf72.",
    ),
    (CitationFactory, "pmid", "018650514", "Enter a PubMed id: digits only, no leading zero."),
    (CitationFactory, "pmcid", "2569139", "Enter a PubMed Central id: PMC followed by digits."),
    (
        CitationFactory,
        "doi",
        "NEJMoa0708857",
        "Enter a DOI of the form 10.xxxx/suffix, without https://doi.org/.",
    ),
    (CitationFactory, "issn", "00284793", "Enter an ISSN of the form 1234-567X."),
    # A trailing newline is not the end of an identifier for the validator either.
    (
        TargetFactory,
        "symbol",
        "BRAF\n",
        "Enter an HGNC gene symbol such as BRAF, KDR or C9orf72.",
    ),
    # A pasted address or label is reduced to the identifier (test_citation_admin.py); what
    # is left must still be one.
    (CitationFactory, "pmid", "1865-0514", "Enter a PubMed id: digits only, no leading zero."),
]


@pytest.mark.parametrize(
    "factory_class, field, value, message",
    [pytest.param(*case, id=f"{case[1]}={case[2]!r}") for case in MESSAGES],
)
def test_full_clean_explains_a_malformed_identifier(factory_class, field, value, message):
    instance = factory_class.build(**{field: value})

    with pytest.raises(ValidationError) as error:
        instance.full_clean()

    assert error.value.message_dict == {field: [message]}


# --- unique fields and unique constraints -------------------------------------------------


@pytest.mark.parametrize(
    "factory_class, shared, other",
    [
        (ConditionFactory, {"name": "Hepatocellular carcinoma"}, {"slug": "hcc"}),
        (ConditionFactory, {"slug": "hepatocellular-carcinoma"}, {}),
        (TargetFactory, {"symbol": "KDR"}, {}),
        (AdverseEventTermFactory, {"name": "Diarrhea"}, {"slug": "diarrhoea"}),
        (AdverseEventTermFactory, {"slug": "diarrhea"}, {}),
        (DrugFactory, {"inn": "sorafenib"}, {"slug": "sorafenib-tosylate"}),
        (DrugFactory, {"slug": "sorafenib"}, {}),
        (DrugFactory, {"drugbank_id": "DB00398"}, {}),
        (DrugFactory, {"unii": "9ZOQ3TZI87"}, {}),
        (DrugFactory, {"rxcui": "495881"}, {}),
        (DrugFactory, {"ncit_code": "C61948"}, {}),
        (CitationFactory, {"key": "llovet-2008-sharp"}, {}),
        (CitationFactory, {"pmid": "18650514"}, {}),
        (CitationFactory, {"pmcid": "PMC2569139"}, {}),
        (CitationFactory, {"doi": "10.1056/NEJMoa0708857"}, {}),
    ],
    ids=lambda value: "+".join(value) if isinstance(value, dict) else value._meta.model.__name__,
)
def test_unique_field_refuses_a_duplicate(factory_class, shared, other):
    factory_class(**shared)

    assert_insert_refused(factory_class, **shared, **other)


def test_atc_code_is_not_unique_salts_of_one_substance_share_it():
    DrugFactory(inn="imatinib", atc_code="L01EA01")
    DrugFactory(inn="imatinib mesilate", atc_code="L01EA01")

    assert Drug.objects.filter(atc_code="L01EA01").count() == 2


@pytest.mark.parametrize(
    "factory_class, fields",
    [
        (DrugFactory, ("atc_code", "drugbank_id", "unii", "rxcui", "ncit_code")),
        (CitationFactory, ("pmid", "pmcid", "doi")),
    ],
    ids=lambda value: value._meta.model.__name__ if hasattr(value, "_meta") else None,
)
def test_blank_identifiers_are_stored_as_null_and_may_repeat(factory_class, fields):
    rows = [factory_class(**dict.fromkeys(fields, blank)) for blank in ("", "  ", "", None)]

    for row in rows:
        row.refresh_from_db()
        assert {field: getattr(row, field) for field in fields} == dict.fromkeys(fields)


def test_two_citations_without_doi_both_save():
    CitationFactory(doi="", pmid="", key="label-sorafenib-2018")
    CitationFactory(doi="", pmid="", key="label-lenvatinib-2018")

    assert Citation.objects.filter(doi__isnull=True, pmid__isnull=True).count() == 2


def test_save_strips_whitespace_around_an_identifier():
    drug = DrugFactory(drugbank_id=" DB00398 ", atc_code="L01EX02 ")

    drug.refresh_from_db()
    assert (drug.drugbank_id, drug.atc_code) == ("DB00398", "L01EX02")


def test_full_clean_turns_blank_identifiers_into_null():
    citation = CitationFactory.build(doi="", pmid="", pmcid="")

    citation.full_clean()

    assert (citation.doi, citation.pmid, citation.pmcid) == (None, None, None)


@pytest.mark.parametrize(
    "factory_class, fields",
    [
        (DrugNameFactory, ("drug", "name")),
        (DrugTargetFactory, ("drug", "target")),
        (MonographSectionFactory, ("drug", "kind")),
        (CitationLinkFactory, ("citing", "cited")),
    ],
    ids=lambda value: value._meta.model.__name__ if hasattr(value, "_meta") else None,
)
def test_unique_together_refuses_a_duplicate_but_not_under_another_parent(factory_class, fields):
    _parent, child = fields
    first = factory_class()

    assert_insert_refused(factory_class, **{field: getattr(first, field) for field in fields})
    factory_class(**{child: getattr(first, child)})
    assert factory_class._meta.model.objects.filter(**{child: getattr(first, child)}).count() == 2


# --- check constraints --------------------------------------------------------------------

REFUSED = [
    pytest.param(ApprovalFactory, {"year": 1899, "approved_on": None}, id="approval-year-1899"),
    pytest.param(ApprovalFactory, {"year": 2101, "approved_on": None}, id="approval-year-2101"),
    pytest.param(DoseRegimenFactory, {"dose_amount": Decimal("0")}, id="dose-zero"),
    pytest.param(DoseRegimenFactory, {"dose_amount": Decimal("-400")}, id="dose-negative"),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": None, "range_low": Decimal("48"), "range_high": Decimal("25")},
        id="pk-range-reversed",
    ),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": Decimal("24.9"), "range_low": Decimal("25"), "range_high": None},
        id="pk-value-below-range",
    ),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": Decimal("48.1"), "range_low": None, "range_high": Decimal("48")},
        id="pk-value-above-range",
    ),
    pytest.param(
        DrugInteractionFactory,
        {"interacting_drug": None, "interacting_agent": ""},
        id="interaction-without-partner",
    ),
    pytest.param(
        SubsequentTherapyFactory,
        {"therapy_drug": None, "therapy": ""},
        id="subsequent-therapy-without-therapy",
    ),
    pytest.param(CitationFactory, {"year": 1799}, id="citation-year-1799"),
    pytest.param(CitationFactory, {"year": 2101}, id="citation-year-2101"),
    pytest.param(
        DrugTargetFactory, {"position": -1}, id="positive-integer-column-refuses-negative"
    ),
]

# Each incidence column on its own, just outside 0-100 (its partner emptied so the range
# ordering constraint is not what refuses it), then each range reversed.
for _column, _partner in [
    ("any_grade_low", "any_grade_high"),
    ("any_grade_high", "any_grade_low"),
    ("grade_3_plus_low", "grade_3_plus_high"),
    ("grade_3_plus_high", "grade_3_plus_low"),
]:
    for _bad in ("-0.01", "100.01"):
        REFUSED.append(
            pytest.param(
                DrugAdverseEventFactory,
                {_column: Decimal(_bad), _partner: None},
                id=f"ae-{_column}-{_bad}",
            )
        )
REFUSED += [
    pytest.param(
        DrugAdverseEventFactory,
        {"any_grade_low": Decimal("45"), "any_grade_high": Decimal("21")},
        id="ae-any-grade-reversed",
    ),
    pytest.param(
        DrugAdverseEventFactory,
        {"grade_3_plus_low": Decimal("11"), "grade_3_plus_high": Decimal("8")},
        id="ae-grade-3-reversed",
    ),
    pytest.param(
        DrugAdverseEventFactory,
        {"grade_3_plus_high": Decimal("46"), "any_grade_high": Decimal("45")},
        id="ae-grade-3-above-any-grade",
    ),
]

ACCEPTED = [
    pytest.param(ApprovalFactory, {"year": 1900, "approved_on": None}, id="approval-year-1900"),
    pytest.param(ApprovalFactory, {"year": 2100, "approved_on": None}, id="approval-year-2100"),
    pytest.param(DoseRegimenFactory, {"dose_amount": Decimal("0.001")}, id="dose-smallest"),
    pytest.param(DoseRegimenFactory, {"dose_amount": None}, id="dose-not-stated"),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": Decimal("25"), "range_low": Decimal("25"), "range_high": Decimal("48")},
        id="pk-value-at-range-low",
    ),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": Decimal("48"), "range_low": Decimal("25"), "range_high": Decimal("48")},
        id="pk-value-at-range-high",
    ),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": Decimal("3"), "range_low": Decimal("3"), "range_high": Decimal("3")},
        id="pk-range-of-one-value",
    ),
    pytest.param(
        PharmacokineticParameterFactory,
        {"value": None, "range_low": None, "range_high": Decimal("48")},
        id="pk-upper-bound-only",
    ),
    pytest.param(CitationFactory, {"year": 1800}, id="citation-year-1800"),
    pytest.param(CitationFactory, {"year": 2100}, id="citation-year-2100"),
    pytest.param(CitationFactory, {"year": None}, id="citation-year-not-stated"),
    pytest.param(
        DrugAdverseEventFactory,
        {
            "any_grade_low": Decimal("0"),
            "any_grade_high": Decimal("100"),
            "grade_3_plus_low": Decimal("0"),
            "grade_3_plus_high": Decimal("100"),
        },
        id="ae-percentages-0-and-100",
    ),
    pytest.param(
        DrugAdverseEventFactory,
        {
            "any_grade_low": Decimal("21"),
            "any_grade_high": Decimal("21"),
            "grade_3_plus_low": None,
            "grade_3_plus_high": None,
        },
        id="ae-single-figure-as-equal-bounds",
    ),
]


@pytest.mark.parametrize("factory_class, values", REFUSED)
def test_check_constraint_refuses_a_violating_row(factory_class, values):
    assert_insert_refused(factory_class, **values)


@pytest.mark.parametrize("factory_class, values", ACCEPTED)
def test_check_constraint_accepts_a_boundary_row(factory_class, values):
    row = factory_class(**values)

    row.refresh_from_db()
    assert {field: getattr(row, field) for field in values} == values


def test_check_constraint_refuses_an_update_into_violation():
    regimen = DoseRegimenFactory()

    assert_update_refused(regimen, dose_amount=Decimal("0"))


def test_interaction_may_name_a_drug_or_an_agent():
    with_drug = DrugInteractionFactory(
        interacting_drug=DrugFactory(inn="rifampicin"), interacting_agent=""
    )
    with_agent = DrugInteractionFactory(interacting_agent="strong CYP3A4 inhibitors")

    assert str(with_drug).endswith("+ rifampicin")
    assert str(with_agent).endswith("+ strong CYP3A4 inhibitors")


def test_subsequent_therapy_may_name_a_drug_or_a_kind_of_therapy():
    regorafenib = DrugFactory(inn="regorafenib")
    with_drug = SubsequentTherapyFactory(therapy_drug=regorafenib, therapy="")

    assert with_drug.therapy_drug == regorafenib
    assert SubsequentTherapyFactory(therapy="PD-1/PD-L1 immunotherapy").therapy_drug is None


def test_citation_link_refuses_a_citation_citing_itself():
    review = CitationFactory(kind=Citation.Kind.REVIEW)

    assert_insert_refused(CitationLinkFactory, citing=review, cited=review)


# --- clean() ------------------------------------------------------------------------------


def test_approval_clean_refuses_a_year_that_contradicts_the_date():
    approval = ApprovalFactory.build(year=2008, approved_on=datetime.date(2007, 11, 16))

    with pytest.raises(ValidationError) as error:
        approval.clean()

    assert error.value.message_dict == {"year": ["The year must match the approval date."]}


@pytest.mark.parametrize(
    "year, approved_on",
    [(2007, datetime.date(2007, 11, 16)), (2005, None)],
    ids=["year-of-the-date", "year-only"],
)
def test_approval_clean_accepts_a_consistent_year(year, approved_on):
    approval = ApprovalFactory(year=year, approved_on=approved_on)

    approval.full_clean()
    assert Approval.objects.get(pk=approval.pk).year == year


# --- readable names -----------------------------------------------------------------------


def _sorafenib():
    return DrugFactory(inn="sorafenib")


STR_CASES = [
    pytest.param(_sorafenib, "sorafenib", id="Drug"),
    pytest.param(
        lambda: DrugNameFactory(drug=_sorafenib(), name="Nexavar"),
        "Nexavar (brand name of sorafenib)",
        id="DrugName",
    ),
    pytest.param(
        lambda: DrugTargetFactory(drug=_sorafenib(), target=TargetFactory(symbol="KDR")),
        "sorafenib inhibitor of KDR",
        id="DrugTarget",
    ),
    pytest.param(
        lambda: ApprovalFactory(agency="FDA", indication="Unresectable HCC"),
        "FDA 2007-11-16: Unresectable HCC",
        id="Approval-with-date",
    ),
    pytest.param(
        lambda: ApprovalFactory(agency="EMA", indication="HCC", year=2007, approved_on=None),
        "EMA 2007: HCC",
        id="Approval-year-only",
    ),
    pytest.param(
        lambda: FormulationFactory(drug=_sorafenib()),
        "sorafenib 200 mg film-coated tablet",
        id="Formulation",
    ),
    pytest.param(
        lambda: MonographSectionFactory(drug=_sorafenib(), kind=SectionKind.MECHANISM, title=""),
        "sorafenib: Mechanism of action",
        id="MonographSection",
    ),
    pytest.param(
        lambda: DoseRegimenFactory(drug=_sorafenib()),
        "sorafenib 400 mg twice daily",
        id="DoseRegimen",
    ),
    pytest.param(
        lambda: PharmacokineticParameterFactory(drug=_sorafenib()),
        "sorafenib: elimination half-life",
        id="PharmacokineticParameter",
    ),
    pytest.param(
        lambda: DrugInteractionFactory(drug=_sorafenib(), interacting_agent="grapefruit juice"),
        "sorafenib + grapefruit juice",
        id="DrugInteraction",
    ),
    pytest.param(
        lambda: DrugWarningFactory(drug=_sorafenib()), "sorafenib: Hypertension", id="DrugWarning"
    ),
    pytest.param(
        lambda: ContraindicationFactory(drug=_sorafenib(), condition="Pregnancy"),
        "sorafenib: Pregnancy",
        id="Contraindication",
    ),
    pytest.param(
        lambda: SpecialPopulationFactory(drug=_sorafenib()),
        "sorafenib: Child-Pugh B hepatic impairment",
        id="SpecialPopulation",
    ),
    pytest.param(
        lambda: ResistanceMechanismFactory(drug=_sorafenib()),
        "sorafenib: Activation of PI3K/Akt signalling (acquired)",
        id="ResistanceMechanism",
    ),
    pytest.param(
        lambda: SubsequentTherapyFactory(
            drug=_sorafenib(),
            therapy_drug=DrugFactory(inn="regorafenib"),
            condition=ConditionFactory(name="Hepatocellular carcinoma", abbreviation="HCC"),
        ),
        "sorafenib then regorafenib (Hepatocellular carcinoma (HCC))",
        id="SubsequentTherapy",
    ),
    pytest.param(
        lambda: QuestionAnswerFactory(question="Can I drink grapefruit juice?"),
        "Can I drink grapefruit juice?",
        id="QuestionAnswer",
    ),
    pytest.param(
        lambda: DrugAdverseEventFactory(
            drug=_sorafenib(), term=AdverseEventTermFactory(name="Diarrhea")
        ),
        "sorafenib: Diarrhea",
        id="DrugAdverseEvent",
    ),
    pytest.param(
        lambda: ConditionFactory(name="Renal cell carcinoma", abbreviation="RCC"),
        "Renal cell carcinoma (RCC)",
        id="Condition",
    ),
    pytest.param(
        lambda: ConditionFactory(name="Desmoid tumour", abbreviation=""),
        "Desmoid tumour",
        id="Condition-no-abbreviation",
    ),
    pytest.param(
        lambda: TargetFactory(symbol="KDR", aliases=["VEGFR-2"]), "KDR (VEGFR-2)", id="Target"
    ),
    pytest.param(lambda: TargetFactory(symbol="RET", aliases=[]), "RET", id="Target-no-alias"),
    pytest.param(
        lambda: AdverseEventTermFactory(name="Palmar-plantar erythrodysesthesia syndrome"),
        "Palmar-plantar erythrodysesthesia syndrome",
        id="AdverseEventTerm",
    ),
    pytest.param(
        lambda: CitationFactory(key="llovet-2008"),
        "Llovet JM (2008) Sorafenib in advanced hepatocellular carcinoma [llovet-2008]",
        id="Citation",
    ),
    pytest.param(
        lambda: CitationFactory(
            key="ctcae-5",
            authors=[],
            group_author="National Cancer Institute",
            year=None,
            title="CTCAE v5.0",
        ),
        "National Cancer Institute (n.d.) CTCAE v5.0 [ctcae-5]",
        id="Citation-group-author",
    ),
    pytest.param(
        lambda: CitationLinkFactory(
            citing=CitationFactory(key="review-2020"), cited=CitationFactory(key="sharp-2008")
        ),
        "review-2020 cites sharp-2008",
        id="CitationLink",
    ),
]


@pytest.mark.parametrize("make, expected", STR_CASES)
def test_str_is_readable(make, expected):
    row = make()
    row.refresh_from_db()

    assert str(row) == expected

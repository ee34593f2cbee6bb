"""factory-boy factories for the working-copy models of monographs and trials.

Values are realistic for oncology (sorafenib, the SHARP trial, CTCAE terms) and every unique
field comes from a sequence, so any number of rows can be created in one test. Identifiers
always match their formats (NCT + 8 digits, DOI 10.xxxx/..., ATC L01EX02, DrugBank DB#####).

Publication, Entry and EditorialEvent have no factories: the editorial services make them.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from monographs.models import (
    AdverseEventTerm,
    Approval,
    Citation,
    CitationLink,
    Condition,
    Contraindication,
    DoseRegimen,
    Drug,
    DrugAdverseEvent,
    DrugInteraction,
    DrugName,
    DrugTarget,
    DrugWarning,
    Formulation,
    MonographSection,
    PharmacokineticParameter,
    QuestionAnswer,
    ResistanceMechanism,
    SectionKind,
    SpecialPopulation,
    SubsequentTherapy,
    Target,
)
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication


def cycled(values):
    """A sequence that walks through `values`, numbering them once the list is used up.

    The first round gives the plain values ("sorafenib", "lenvatinib", ...); later rounds
    add a number ("sorafenib 2") so the result stays unique.
    """

    def pick(n: int):
        value = values[n % len(values)]
        lap = n // len(values)
        return value if lap == 0 else f"{value} {lap + 1}"

    return factory.Sequence(pick)


def cycled_symbol(values):
    """Like `cycled`, for HGNC symbols: the lap number is appended without a space."""

    def pick(n: int):
        value = values[n % len(values)]
        lap = n // len(values)
        return value if lap == 0 else f"{value}{lap + 1}"

    return factory.Sequence(pick)


DRUG_INNS = [
    "sorafenib",
    "lenvatinib",
    "regorafenib",
    "cabozantinib",
    "sunitinib",
    "pazopanib",
    "imatinib",
    "vandetanib",
    "axitinib",
    "selpercatinib",
]
ATC_CODES = ["L01EX02", "L01EX08", "L01EX05", "L01EX07", "L01EX01", "L01EX03", "L01EA01"]
TARGET_SYMBOLS = ["BRAF", "RAF1", "KDR", "FLT1", "FLT4", "PDGFRB", "KIT", "FLT3", "RET"]
TARGET_NAMES = {
    "BRAF": ("B-Raf proto-oncogene, serine/threonine kinase", ["B-Raf"]),
    "RAF1": ("Raf-1 proto-oncogene, serine/threonine kinase", ["c-RAF", "CRAF"]),
    "KDR": ("kinase insert domain receptor", ["VEGFR-2"]),
    "FLT1": ("fms related receptor tyrosine kinase 1", ["VEGFR-1"]),
    "FLT4": ("fms related receptor tyrosine kinase 4", ["VEGFR-3"]),
    "PDGFRB": ("platelet derived growth factor receptor beta", ["PDGFR-beta"]),
    "KIT": ("KIT proto-oncogene, receptor tyrosine kinase", ["c-KIT", "CD117"]),
    "FLT3": ("fms related receptor tyrosine kinase 3", ["FLT-3", "CD135"]),
    "RET": ("ret proto-oncogene", []),
}
CONDITIONS = [
    ("Hepatocellular carcinoma", "HCC"),
    ("Renal cell carcinoma", "RCC"),
    ("Differentiated thyroid carcinoma", "DTC"),
    ("Gastrointestinal stromal tumour", "GIST"),
    ("Desmoid tumour", ""),
]
AE_TERMS = [
    ("Palmar-plantar erythrodysesthesia syndrome", "Skin and subcutaneous tissue disorders"),
    ("Diarrhea", "Gastrointestinal disorders"),
    ("Fatigue", "General disorders and administration site conditions"),
    ("Hypertension", "Vascular disorders"),
    ("Alopecia", "Skin and subcutaneous tissue disorders"),
    ("Anorexia", "Metabolism and nutrition disorders"),
    ("Weight loss", "Investigations"),
    ("Rash maculo-papular", "Skin and subcutaneous tissue disorders"),
]
AE_SYNONYMS = {
    "Palmar-plantar erythrodysesthesia syndrome": ["hand-foot skin reaction", "hand-foot syndrome"],
    "Diarrhea": ["diarrhoea"],
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"editor{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Editor{n}")
    password = factory.django.Password("correct-horse-battery-staple")
    is_staff = True


# --- vocabulary ---------------------------------------------------------------------------


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    name = cycled([name for name, _ in CONDITIONS])
    slug = factory.LazyAttribute(lambda condition: slugify(condition.name))
    abbreviation = factory.Sequence(lambda n: CONDITIONS[n % len(CONDITIONS)][1])
    synonyms = factory.LazyFunction(list)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    symbol = cycled_symbol(TARGET_SYMBOLS)
    name = factory.Sequence(lambda n: TARGET_NAMES[TARGET_SYMBOLS[n % len(TARGET_SYMBOLS)]][0])
    aliases = factory.Sequence(
        lambda n: list(TARGET_NAMES[TARGET_SYMBOLS[n % len(TARGET_SYMBOLS)]][1])
    )
    family = "Protein kinase"
    location = "intracellular"


class AdverseEventTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdverseEventTerm

    name = cycled([name for name, _ in AE_TERMS])
    slug = factory.LazyAttribute(lambda term: slugify(term.name))
    system_organ_class = factory.Sequence(lambda n: AE_TERMS[n % len(AE_TERMS)][1])
    synonyms = factory.Sequence(lambda n: list(AE_SYNONYMS.get(AE_TERMS[n % len(AE_TERMS)][0], [])))
    ctcae_version = "5.0"


# --- citations ----------------------------------------------------------------------------


class CitationFactory(factory.django.DjangoModelFactory):
    """A journal article shaped like the SHARP report (N Engl J Med 2008;359(4):378-90)."""

    class Meta:
        model = Citation

    key = factory.Sequence(lambda n: f"llovet-2008-sharp-{n}")
    kind = Citation.Kind.JOURNAL_ARTICLE
    authors = factory.LazyFunction(
        lambda: ["Llovet JM", "Ricci S", "Mazzaferro V", "Hilgard P", "Gane E", "Blanc JF"]
    )
    title = "Sorafenib in advanced hepatocellular carcinoma"
    journal = "N Engl J Med"
    year = 2008
    month = "Jul"
    volume = "359"
    issue = "4"
    pages = "378-90"
    pmid = factory.Sequence(lambda n: str(18650514 + n))
    pmcid = None
    doi = factory.Sequence(lambda n: f"10.1056/NEJMoa{708857 + n:07d}")
    issn = "0028-4793"


class CitationLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitationLink

    citing = factory.SubFactory(CitationFactory, kind=Citation.Kind.REVIEW)
    cited = factory.SubFactory(CitationFactory)
    position = factory.Sequence(lambda n: n + 1)


# --- drugs --------------------------------------------------------------------------------


class DrugFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drug

    inn = cycled(DRUG_INNS)
    slug = factory.LazyAttribute(lambda drug: slugify(drug.inn))
    drug_class = "Multikinase inhibitor"
    summary = factory.LazyAttribute(
        lambda drug: f"{drug.inn.capitalize()} is an oral multikinase inhibitor."
    )
    atc_code = factory.Sequence(lambda n: ATC_CODES[n % len(ATC_CODES)])
    drugbank_id = factory.Sequence(lambda n: f"DB{398 + n:05d}")
    unii = factory.Sequence(lambda n: f"9ZOQ{n:06d}")
    rxcui = factory.Sequence(lambda n: str(495881 + n))
    ncit_code = factory.Sequence(lambda n: f"C{61948 + n}")


class DrugNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrugName

    drug = factory.SubFactory(DrugFactory)
    name = cycled(["Nexavar", "BAY 43-9006", "Lenvima", "Stivarga", "Cabometyx"])
    kind = DrugName.Kind.BRAND


class DrugTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrugTarget

    drug = factory.SubFactory(DrugFactory)
    target = factory.SubFactory(TargetFactory)
    action = "inhibitor"
    position = factory.Sequence(lambda n: n)


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    drug = factory.SubFactory(DrugFactory)
    agency = "FDA"
    indication = "Unresectable hepatocellular carcinoma"
    condition = factory.SubFactory(ConditionFactory)
    year = 2007
    approved_on = datetime.date(2007, 11, 16)


class FormulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Formulation

    drug = factory.SubFactory(DrugFactory)
    dosage_form = "film-coated tablet"
    strength = "200 mg"
    route = "oral"


class MonographSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonographSection

    drug = factory.SubFactory(DrugFactory)
    kind = factory.Sequence(lambda n: SectionKind.values[n % len(SectionKind.values)])
    position = factory.Sequence(lambda n: n)
    body = "Inhibits RAF kinases and VEGF receptors [@llovet-2008-sharp-0]."


class DoseRegimenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoseRegimen

    drug = factory.SubFactory(DrugFactory)
    indication = "Hepatocellular carcinoma"
    dose_amount = Decimal("400")
    dose_unit = "mg"
    frequency = "twice daily"
    route = "oral"
    daily_dose_amount = Decimal("800")
    instructions = "Without food, or with a low- or moderate-fat meal."
    adjustment = "Reduce to 400 mg once daily for skin toxicity of grade 2 or more."


class PharmacokineticParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PharmacokineticParameter

    drug = factory.SubFactory(DrugFactory)
    parameter = "elimination half-life"
    value = Decimal("30")
    range_low = Decimal("25")
    range_high = Decimal("48")
    unit = "h"
    qualifier = "mean"
    population = "healthy volunteers"


class DrugInteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrugInteraction

    drug = factory.SubFactory(DrugFactory)
    interacting_drug = None
    interacting_agent = "strong CYP3A4 inducers (e.g. rifampicin)"
    effect = "Lower plasma concentrations and possibly reduced efficacy."
    mechanism = "Induction of CYP3A4-mediated metabolism."
    management = "Avoid the combination where possible."
    severity = DrugInteraction.Severity.MODERATE


class DrugWarningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrugWarning

    drug = factory.SubFactory(DrugFactory)
    topic = "Hypertension"
    description = "Blood pressure rises, usually early in treatment."
    monitoring = "Blood pressure weekly for the first 6 weeks, then regularly."
    action = "Treat with antihypertensives; interrupt for severe or persistent hypertension."


class ContraindicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contraindication

    drug = factory.SubFactory(DrugFactory)
    condition = "Hypersensitivity to the active substance or to any of the excipients"
    kind = Contraindication.Kind.ABSOLUTE


class SpecialPopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialPopulation

    drug = factory.SubFactory(DrugFactory)
    population = "Child-Pugh B hepatic impairment"
    recommendation = "Limited data; use with caution and monitor closely."


class ResistanceMechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResistanceMechanism

    drug = factory.SubFactory(DrugFactory)
    name = "Activation of PI3K/Akt signalling"
    kind = ResistanceMechanism.Kind.ACQUIRED
    pathway = "PI3K/Akt/mTOR"
    description = "Compensatory survival signalling bypasses RAF/MEK/ERK inhibition."


class SubsequentTherapyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubsequentTherapy

    drug = factory.SubFactory(DrugFactory)
    condition = factory.SubFactory(ConditionFactory)
    therapy_drug = None
    therapy = "PD-1/PD-L1 immunotherapy"
    setting = "after progression"


class QuestionAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionAnswer

    drug = factory.SubFactory(DrugFactory)
    question = "Should I take the tablets with food?"
    answer = "Take them without food or with a meal that is not high in fat."
    audience = "patients"


class DrugAdverseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrugAdverseEvent

    drug = factory.SubFactory(DrugFactory)
    term = factory.SubFactory(AdverseEventTermFactory)
    context = "Advanced HCC, phase III (SHARP)"
    any_grade_low = Decimal("21.00")
    any_grade_high = Decimal("45.00")
    grade_3_plus_low = Decimal("8.00")
    grade_3_plus_high = Decimal("11.00")
    frequency_band = DrugAdverseEvent.FrequencyBand.VERY_COMMON
    management = "Urea cream, dose interruption or reduction."


# --- trials -------------------------------------------------------------------------------


class TrialFactory(factory.django.DjangoModelFactory):
    """A randomised, placebo-controlled phase III trial shaped like SHARP."""

    class Meta:
        model = Trial

    slug = factory.Sequence(lambda n: f"sharp-{n}")
    acronym = "SHARP"
    title = "Sorafenib HCC Assessment Randomized Protocol"
    nct_id = factory.Sequence(lambda n: f"NCT{105443 + n:08d}")
    phase = Trial.Phase.PHASE_3
    design = Trial.Design.RANDOMISED_CONTROLLED
    randomised = True
    masking = Trial.Masking.DOUBLE
    placebo_controlled = True
    line_of_therapy = "first line"
    population = "Advanced HCC, Child-Pugh A, ECOG 0-2, no prior systemic therapy."
    regions = factory.LazyFunction(lambda: ["Europe", "North America", "South America"])
    start_date = datetime.date(2005, 3, 1)
    end_date = datetime.date(2007, 4, 1)
    enrolment = 602
    sponsor = "Bayer"


class TrialPublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialPublication

    trial = factory.SubFactory(TrialFactory)
    citation = factory.SubFactory(CitationFactory)
    role = TrialPublication.Role.PRIMARY


class ArmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arm

    trial = factory.SubFactory(TrialFactory)
    label = cycled(["Sorafenib 400 mg twice daily", "Placebo"])
    role = Arm.Role.EXPERIMENTAL
    participants = 299
    position = factory.Sequence(lambda n: n)


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    arm = factory.SubFactory(ArmFactory)
    drug = factory.SubFactory(DrugFactory)
    name = ""
    dose = "400 mg"
    frequency = "twice daily"
    route = "oral"


class OutcomeFactory(factory.django.DjangoModelFactory):
    """An arm's median overall survival; the `comparison` trait adds the hazard ratio."""

    class Meta:
        model = Outcome

    trial = factory.SubFactory(TrialFactory)
    arm = factory.SubFactory(ArmFactory, trial=factory.SelfAttribute("..trial"))
    measure = Outcome.Measure.OS
    statistic = "median"
    value = Decimal("10.7")
    unit = "months"
    ci_level = 95
    ci_low = Decimal("9.4")
    ci_high = Decimal("13.3")
    is_primary_endpoint = True

    class Params:
        comparison = factory.Trait(
            comparator_arm=factory.SubFactory(
                ArmFactory, trial=factory.SelfAttribute("..trial"), role=Arm.Role.PLACEBO
            ),
            hazard_ratio=Decimal("0.69"),
            hazard_ratio_ci_low=Decimal("0.55"),
            hazard_ratio_ci_high=Decimal("0.87"),
            p_value=Decimal("0.00058"),
        )


class TrialAdverseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialAdverseEvent

    trial = factory.SubFactory(TrialFactory)
    arm = factory.SubFactory(ArmFactory, trial=factory.SelfAttribute("..trial"))
    term = factory.SubFactory(AdverseEventTermFactory)
    grade_scope = TrialAdverseEvent.GradeScope.ANY
    count = 116
    denominator = 297
    percent = Decimal("39.06")

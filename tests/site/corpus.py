"""Published content for the public-site tests: a full monograph and a full trial.

Everything is made in the working copy with the factories and published through the
editorial service, exactly as the site will meet it.
"""

from decimal import Decimal

from monographs.editorial.services.publish import root_import_publish
from monographs.models import Drug, SectionKind
from tests.factories import (
    AdverseEventTermFactory,
    ApprovalFactory,
    ArmFactory,
    CitationFactory,
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
    InterventionFactory,
    MonographSectionFactory,
    OutcomeFactory,
    PharmacokineticParameterFactory,
    QuestionAnswerFactory,
    ResistanceMechanismFactory,
    SpecialPopulationFactory,
    SubsequentTherapyFactory,
    TargetFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    TrialPublicationFactory,
)
from trials.models import Arm, Outcome, Trial, TrialAdverseEvent


def drug_with_monograph(**drug_values) -> Drug:
    """A drug with every part of a monograph filled in, not yet published."""
    drug = DrugFactory(**drug_values)
    label = CitationFactory(
        kind="label", title=f"{drug.inn.capitalize()} prescribing information", journal=""
    )
    article = CitationFactory(pmcid=None)
    DrugNameFactory(drug=drug, name=f"Brand{drug.pk}", kind="brand")
    DrugNameFactory(drug=drug, name=f"BAY {drug.pk}-9006", kind="code")
    DrugTargetFactory(drug=drug, target=TargetFactory(), citation=article)
    condition = ConditionFactory()
    ApprovalFactory(drug=drug, condition=condition, citation=label)
    FormulationFactory(drug=drug, citation=label)
    MonographSectionFactory(
        drug=drug,
        kind=SectionKind.MECHANISM,
        position=1,
        body=f"Inhibits RAF kinases and VEGF receptors [@{article.key}].",
    )
    MonographSectionFactory(
        drug=drug,
        kind=SectionKind.DOSAGE,
        position=2,
        body=f"Take **400 mg twice daily** [@{label.key}].",
    )
    MonographSectionFactory(
        drug=drug,
        kind=SectionKind.ADVERSE_EVENTS,
        position=3,
        body=f"Skin reactions are common and usually early [@{article.key}; @{label.key}].",
    )
    DoseRegimenFactory(drug=drug, citation=label)
    PharmacokineticParameterFactory(drug=drug, citation=label)
    DrugInteractionFactory(drug=drug, citation=label)
    DrugWarningFactory(drug=drug, citation=label)
    ContraindicationFactory(drug=drug, citation=label)
    SpecialPopulationFactory(drug=drug, citation=label)
    DrugAdverseEventFactory(
        drug=drug,
        term=AdverseEventTermFactory(),
        citation=article,
        editorial_note="The label and the trial report different ranges.",
    )
    DrugAdverseEventFactory(
        drug=drug,
        term=AdverseEventTermFactory(),
        citation=article,
        any_grade_low=Decimal("30"),
        any_grade_high=None,
        grade_3_plus_low=Decimal("2"),
        grade_3_plus_high=None,
    )
    ResistanceMechanismFactory(drug=drug, citation=article)
    SubsequentTherapyFactory(drug=drug, condition=condition, citation=article)
    QuestionAnswerFactory(drug=drug, citation=label)
    return drug


def published_drug(**drug_values) -> Drug:
    drug = drug_with_monograph(**drug_values)
    root_import_publish(root=drug, note="Test publication")
    return drug


def trial_with_results(*, drugs: list[Drug], **trial_values) -> Trial:
    """A randomised trial with two arms, medians, a hazard ratio and adverse events."""
    trial = TrialFactory(**trial_values)
    trial.drugs.set(drugs)
    trial.conditions.add(ConditionFactory())
    report = CitationFactory(pmcid=f"PMC{2000000 + trial.pk}")
    TrialPublicationFactory(trial=trial, citation=report)
    experimental = ArmFactory(
        trial=trial, label="Sorafenib", role=Arm.Role.EXPERIMENTAL, citation=report
    )
    placebo = ArmFactory(trial=trial, label="Placebo", role=Arm.Role.PLACEBO, citation=report)
    for drug in drugs:
        InterventionFactory(arm=experimental, drug=drug)
    InterventionFactory(arm=placebo, drug=None, name="placebo")
    OutcomeFactory(
        trial=trial,
        arm=experimental,
        measure=Outcome.Measure.OS,
        comparator_arm=placebo,
        hazard_ratio=Decimal("0.69"),
        hazard_ratio_ci_low=Decimal("0.55"),
        hazard_ratio_ci_high=Decimal("0.87"),
        p_value=Decimal("0.00058"),
        citation=report,
    )
    OutcomeFactory(
        trial=trial,
        arm=placebo,
        measure=Outcome.Measure.OS,
        value=Decimal("7.9"),
        ci_low=Decimal("6.8"),
        ci_high=Decimal("9.1"),
        citation=report,
    )
    term = AdverseEventTermFactory()
    for arm, scope, percent in (
        (experimental, TrialAdverseEvent.GradeScope.ANY, Decimal("21")),
        (experimental, TrialAdverseEvent.GradeScope.GRADE_3_PLUS, Decimal("8")),
        (placebo, TrialAdverseEvent.GradeScope.ANY, Decimal("3")),
    ):
        TrialAdverseEventFactory(
            trial=trial,
            arm=arm,
            term=term,
            grade_scope=scope,
            percent=percent,
            count=None,
            denominator=None,
            citation=report,
        )
    return trial


def published_trial(*, drugs: list[Drug], **trial_values) -> Trial:
    trial = trial_with_results(drugs=drugs, **trial_values)
    root_import_publish(root=trial, note="Test publication")
    return trial

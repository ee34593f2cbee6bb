"""Restore vK: an old publication becomes the working copy again, as a new draft."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from monographs.documents import build_drug_document
from monographs.editorial.exceptions import EditorialPermissionDenied, TransitionNotAllowed
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.restore import root_restore_version
from monographs.models import DoseRegimen, DrugAdverseEvent, DrugName, MonographSection, SectionKind
from monographs.publishing.models import Entry, Publication
from monographs.restore import RestoreError, drug_restore_document
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
    TrialAdverseEventFactory,
    TrialFactory,
    TrialPublicationFactory,
    UserFactory,
)
from trials.documents import build_trial_document

pytestmark = pytest.mark.django_db

VOLATILE = {"id", "next_review_due"}


def without_volatile(value):
    """The document minus what a restore may legitimately change: row ids and the review date."""
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


@pytest.fixture
def editor():
    user = UserFactory(username="editor-ann")
    user.groups.add(Group.objects.get(name=EDITOR))
    return user


@pytest.fixture
def full_drug():
    """A drug with at least one row in every child table, sourced and cross-referenced."""
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    partner = DrugFactory(inn="rifampicin", slug="rifampicin")
    citation = CitationFactory(key="llovet-2008")
    other = CitationFactory(key="cheng-2009")
    condition = ConditionFactory()
    DrugNameFactory(drug=drug, name="Nexavar", citation=citation, source_locator="p. 1")
    DrugNameFactory(drug=drug, name="BAY 43-9006", kind=DrugName.Kind.CODE)
    DrugTargetFactory(drug=drug, note="including mutant forms", citation=other)
    DrugTargetFactory(drug=drug)
    ApprovalFactory(drug=drug, condition=condition, citation=citation, editorial_note="Disputed.")
    ApprovalFactory(drug=drug, condition=None, year=2005, approved_on=None, agency="EMA")
    FormulationFactory(drug=drug)
    MonographSectionFactory(
        drug=drug, kind=SectionKind.MECHANISM, body="Blocks RAF [@llovet-2008]."
    )
    MonographSectionFactory(
        drug=drug, kind=SectionKind.SUMMARY, title="In short", body="See [@cheng-2009]."
    )
    DoseRegimenFactory(drug=drug, citation=citation, dose_amount=Decimal("400.5"))
    PharmacokineticParameterFactory(drug=drug, citation=other)
    DrugInteractionFactory(drug=drug, interacting_drug=partner, interacting_agent="")
    DrugInteractionFactory(drug=drug)
    DrugWarningFactory(drug=drug, citation=citation)
    ContraindicationFactory(drug=drug)
    SpecialPopulationFactory(drug=drug)
    DrugAdverseEventFactory(
        drug=drug, citation=citation, grade_3_plus_low=None, grade_3_plus_bound="le"
    )
    ResistanceMechanismFactory(drug=drug)
    SubsequentTherapyFactory(drug=drug, condition=condition, therapy_drug=partner, therapy="")
    SubsequentTherapyFactory(drug=drug, condition=condition)
    QuestionAnswerFactory(drug=drug, answer="Yes [@llovet-2008].")
    return drug


def test_a_drug_restored_from_v1_builds_the_v1_document_again(full_drug, editor):
    v1 = root_import_publish(root=full_drug, note="first")
    MonographSection.objects.filter(drug=full_drug, kind=SectionKind.MECHANISM).update(
        body="Rewritten."
    )
    DoseRegimen.objects.filter(drug=full_drug).delete()
    DrugAdverseEvent.objects.filter(drug=full_drug).update(any_grade_high=Decimal("50"))
    DrugNameFactory(drug=full_drug, name="Added later")
    full_drug.summary = "Changed summary."
    full_drug.save()
    assert without_volatile(build_drug_document(full_drug)) != without_volatile(v1.document)

    root_restore_version(root=full_drug, user=editor, version=1)

    assert without_volatile(build_drug_document(full_drug)) == without_volatile(v1.document)


def test_restore_keeps_row_ids_so_the_review_diff_stays_row_by_row(full_drug, editor):
    v1 = root_import_publish(root=full_drug, note="first")
    MonographSection.objects.filter(drug=full_drug).update(body="Rewritten.")

    root_restore_version(root=full_drug, user=editor, version=1)

    restored = build_drug_document(full_drug)
    assert [s["id"] for s in restored["sections"]] == [s["id"] for s in v1.document["sections"]]


def test_restore_leaves_a_draft_records_the_event_and_keeps_the_live_version(full_drug, editor):
    v1 = root_import_publish(root=full_drug, note="first")
    full_drug.summary = "Second version."
    full_drug.save()
    v2 = root_import_publish(root=full_drug, note="second")
    lock_version = type(full_drug).objects.get(pk=full_drug.pk).lock_version

    root_restore_version(root=full_drug, user=editor, version=1)

    full_drug.refresh_from_db()
    assert full_drug.status == Status.DRAFT
    assert full_drug.summary == v1.document["summary"]
    assert full_drug.lock_version == lock_version + 1
    assert Entry.objects.get(kind="drug", root_id=full_drug.pk).current == v2
    assert Publication.objects.filter(kind="drug", root_id=full_drug.pk).count() == 2
    event = EditorialEvent.objects.of_root(kind="drug", root_id=full_drug.pk).last()
    assert event.action == EditorialEvent.Action.RESTORED
    assert (event.user, event.publication, event.to_status) == (editor, v1, Status.DRAFT)
    assert "v1" in event.comment


def test_restore_of_a_missing_version_is_refused(full_drug, editor):
    root_import_publish(root=full_drug, note="first")

    with pytest.raises(TransitionNotAllowed, match="no published version 7"):
        root_restore_version(root=full_drug, user=editor, version=7)


def test_restore_needs_permission_to_edit_the_root(full_drug):
    root_import_publish(root=full_drug, note="first")
    reviewer = UserFactory()
    reviewer.groups.add(Group.objects.get(name=REVIEWER))

    with pytest.raises(EditorialPermissionDenied, match="change_drug"):
        root_restore_version(root=full_drug, user=reviewer, version=1)


def test_restore_names_what_no_longer_exists_and_changes_nothing(full_drug):
    document = build_drug_document(full_drug)
    document["adverse_events"][0]["term"]["slug"] = "no-such-term"
    before = build_drug_document(full_drug)

    with pytest.raises(RestoreError, match="adverse event term 'no-such-term'"):
        drug_restore_document(drug=full_drug, document=document)

    assert build_drug_document(full_drug) == before


def test_a_trial_restored_from_v1_builds_the_v1_document_again(editor):
    trial = TrialFactory()
    drug = DrugFactory()
    trial.drugs.add(drug)
    trial.conditions.add(ConditionFactory())
    citation = CitationFactory()
    TrialPublicationFactory(trial=trial, citation=citation)
    experimental = ArmFactory(trial=trial, label="Sorafenib", citation=citation)
    placebo = ArmFactory(trial=trial, label="Placebo", role="placebo", citation=citation)
    InterventionFactory(arm=experimental, drug=drug)
    InterventionFactory(arm=placebo, drug=None, name="Placebo", dose="")
    OutcomeFactory(trial=trial, arm=experimental, citation=citation)
    OutcomeFactory(  # a result stated only as a bound: "did not exceed 8%"
        trial=trial,
        arm=experimental,
        measure="ORR",
        value=None,
        value_high=Decimal("8"),
        value_bound="le",
        unit="%",
        ci_low=None,
        ci_high=None,
        citation=citation,
    )
    OutcomeFactory(
        trial=trial,
        arm=experimental,
        comparator_arm=placebo,
        hazard_ratio=Decimal("0.69"),
        p_value=Decimal("0.00058"),
        citation=citation,
    )
    TrialAdverseEventFactory(
        trial=trial, arm=placebo, term=AdverseEventTermFactory(), citation=citation
    )
    v1 = root_import_publish(root=trial, note="first")
    placebo.delete()
    trial.title = "Another title"
    trial.save()

    root_restore_version(root=trial, user=editor, version=1)

    assert without_volatile(build_trial_document(trial)) == without_volatile(v1.document)
    assert [o.get("value_bound") for o in v1.document["outcomes"]] == [None, "le", None]

"""A default source, on the drug or on a section, stands for every row that names none."""

import pytest

from monographs.checks import drug_checks
from monographs.documents import build_drug_document
from monographs.editorial.documents import document_hash
from monographs.models import DoseRegimen, DrugAdverseEvent, MonographSection
from monographs.restore import drug_restore_document
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DoseRegimenFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def drug():
    """Dosing rows without a source under a section with a default; one AE row with its own."""
    label, sharp, own = (CitationFactory(key=k) for k in ("label-2020", "sharp-2008", "own-2010"))
    drug = DrugFactory(default_citation=label)
    MonographSectionFactory(drug=drug, kind="dosage", body="400 mg.", default_citation=sharp)
    DoseRegimenFactory(drug=drug, citation=None, source_locator="")
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=None)
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=own)
    return drug


def test_rows_take_their_sections_default_else_the_drugs_and_keep_their_own(drug):
    document = build_drug_document(drug)

    dose = document["dose_regimens"][0]["source"]
    assert (dose["citation"], dose["inherited"]) == ("sharp-2008", True)
    inherited, own = sorted(
        (row["source"] for row in document["adverse_events"]), key=lambda s: s["citation"]
    )
    assert (inherited["citation"], inherited["inherited"]) == ("label-2020", True)
    assert own["citation"] == "own-2010" and "inherited" not in own
    assert document["default_source"] == "label-2020"
    assert document["sections"][0]["default_source"] == "sharp-2008"
    cited = {r["key"]: r["number"] for r in document["references"]}
    assert dose["number"] == cited["sharp-2008"] and inherited["number"] == cited["label-2020"]


def test_an_inherited_source_counts_for_the_figures_check(drug):
    findings = drug_checks(build_drug_document(drug))

    assert not [f for f in findings if f.code == "figure_without_source"]
    drug.default_citation = None
    drug.save()
    findings = drug_checks(build_drug_document(drug))
    unsourced = [f.where for f in findings if f.code == "figure_without_source"]
    assert len(unsourced) == 1 and unsourced[0].startswith("Adverse event row")


def test_a_document_without_defaults_is_unchanged_by_them():
    plain = DrugFactory()
    DoseRegimenFactory(drug=plain, citation=CitationFactory())
    document = build_drug_document(plain)

    assert "default_source" not in document
    assert all("inherited" not in row["source"] for row in document["dose_regimens"])
    assert document_hash(document) == document_hash(build_drug_document(plain))


def test_restoring_keeps_inherited_sources_inherited(drug):
    document = build_drug_document(drug)
    DoseRegimen.objects.filter(drug=drug).update(citation=CitationFactory(key="later"))
    MonographSection.objects.filter(drug=drug).update(default_citation=None)

    drug_restore_document(drug=drug, document=document)

    assert DoseRegimen.objects.get(drug=drug).citation is None
    assert MonographSection.objects.get(drug=drug).default_citation.key == "sharp-2008"
    assert DrugAdverseEvent.objects.filter(drug=drug, citation__isnull=True).count() == 1
    drug.refresh_from_db()
    assert build_drug_document(drug) | {"sections": None} == document | {"sections": None}

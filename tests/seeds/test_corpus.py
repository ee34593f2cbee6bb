"""The seed corpus as loaded: the facts of the five source documents, each with its source."""

from decimal import Decimal

import pytest

from monographs.models import (
    Approval,
    Citation,
    CitationLink,
    Drug,
    DrugInteraction,
    MonographSection,
)
from monographs.richtext import citation_keys
from monographs.seeding import schema
from trials.models import Arm, Outcome, Trial, TrialAdverseEvent, TrialPublication

pytestmark = pytest.mark.django_db

SOURCE_DOCUMENTS = {
    "sorafenib-hcc-web-article": "000",
    "zhu-2017-sorafenib-resistance": "001",
    "thyroid-phase-2-sorafenib-long-term": "002",
    "sorafenib-stopping-patient-answer": "003",
    "paediatric-sarcoma-mtki-2025": "004",
}
SOURCED_MODELS = [
    spec.model
    for spec in [*schema.DRUG_ROWS.values(), *schema.TRIAL_ROWS.values()]
    if "citation" in {f.name for f in spec.model._meta.concrete_fields}
    and spec.model is not TrialPublication
]


def test_the_load_reports_every_file(seeded_corpus):
    for name in ("000_sorafenib_hcc_article.yaml", "004_paediatric_sarcoma_mtki.yaml"):
        assert f"  {name}: " in seeded_corpus
    assert "Done: " in seeded_corpus and " created, 0 changed, 0 unchanged" in seeded_corpus


def test_each_source_document_is_a_citation(seeded_corpus):
    assert set(
        Citation.objects.filter(key__in=SOURCE_DOCUMENTS).values_list("key", flat=True)
    ) == set(SOURCE_DOCUMENTS)
    review = Citation.objects.get(key="zhu-2017-sorafenib-resistance")
    assert (review.kind, review.doi, review.journal, review.year) == (
        "review", "10.1038/aps.2017.5", "Acta Pharmacol Sin", 2017,
    )  # fmt: skip
    library_record = Citation.objects.get(key="paediatric-sarcoma-mtki-2025")
    assert (library_record.doi, library_record.issn) == ("10.1002/cam4.70951", "2045-7634")


def test_sharp_has_its_patients_survival_and_sources(seeded_corpus):
    sharp = Trial.objects.get(slug="sharp")
    assert (sharp.phase, sharp.enrolment, sharp.placebo_controlled) == ("3", 602, True)
    assert {a.label: a.participants for a in sharp.arms.all()} == {"Sorafenib": 299, "Placebo": 303}
    medians = {
        o.arm.label: o.value for o in sharp.outcomes.filter(measure="OS", statistic="median")
    }
    assert medians == {"Sorafenib": Decimal("10.7"), "Placebo": Decimal("7.9")}
    for outcome in sharp.outcomes.all():
        assert outcome.citation.key == "sorafenib-hcc-web-article"
        assert outcome.source_locator
        assert outcome.hazard_ratio is None  # no source gives SHARP's hazard ratio
    assert set(sharp.publications.values_list("key", flat=True)) >= {
        "sorafenib-hcc-web-article-ref-08",
        "llovet-2008-sorafenib-advanced-hcc",
    }


def test_thyroid_phase_2_survival_with_confidence_intervals(seeded_corpus):
    trial = Trial.objects.get(slug="sorafenib-dtc-phase-2-long-term")
    pfs = trial.outcomes.get(measure="PFS")
    assert (pfs.value, pfs.unit, pfs.ci_level, pfs.ci_low, pfs.ci_high) == (
        Decimal("18"), "months", 95, Decimal("7"), Decimal("29"),
    )  # fmt: skip
    os_ = trial.outcomes.get(measure="OS")
    assert (os_.value, os_.ci_low, os_.ci_high) == (Decimal("34.5"), Decimal("19"), Decimal("50"))
    assert pfs.citation.key == "thyroid-phase-2-sorafenib-long-term"


def test_paediatric_sarcoma_series(seeded_corpus):
    trial = Trial.objects.get(slug="paediatric-sarcoma-mtki-single-centre")
    assert (trial.enrolment, trial.design) == (18, "retrospective")
    assert sum(arm.participants or 0 for arm in trial.arms.all()) == 18
    log_rank = trial.outcomes.get(test_statistic_name="log-rank χ²")
    assert (log_rank.test_statistic_value, log_rank.degrees_of_freedom, log_rank.p_value) == (
        Decimal("8.13"), 1, Decimal("0.004"),
    )  # fmt: skip
    assert log_rank.comparator_arm.role == Arm.Role.NO_INTERVENTION
    assert set(trial.drugs.values_list("slug", flat=True)) == {
        "sorafenib",
        "regorafenib",
        "pazopanib",
    }


def test_both_liver_cancer_approval_years_are_kept_with_their_sources(seeded_corpus):
    approvals = Approval.objects.filter(
        drug__slug="sorafenib", agency="FDA", condition__slug="hepatocellular-carcinoma"
    )
    by_year = {a.year: a for a in approvals}
    assert set(by_year) == {2007, 2008}
    assert by_year[2008].citation.key == "sorafenib-hcc-web-article"
    assert by_year[2008].approved_on.isoformat() == "2008-11-19"
    assert by_year[2007].citation.key == "zhu-2017-sorafenib-resistance"
    for approval in approvals:
        assert "disagree" in approval.editorial_note


def test_both_stable_disease_counts_of_the_liver_phase_2_study_are_kept(seeded_corpus):
    stable = Outcome.objects.filter(trial__slug="sorafenib-hcc-phase-2-abou-alfa", measure="SD")
    assert sorted((o.count, o.value) for o in stable) == [
        (46, Decimal("33.6")),
        (50, Decimal("36.5")),
    ]
    assert all("disagree" in o.editorial_note for o in stable)


def test_the_garbled_inr_is_noted(seeded_corpus):
    warfarin = DrugInteraction.objects.get(
        drug__slug="sorafenib", interacting_drug__slug="warfarin"
    )
    assert "INR" in warfarin.management and "MHO" in warfarin.editorial_note


def test_reference_list_of_the_review_is_complete(seeded_corpus):
    listed = CitationLink.objects.filter(
        citing__key="zhu-2017-sorafenib-resistance", position__isnull=False
    ).order_by("position")
    assert [link.position for link in listed] == [1, 2, 3, 4, 5]
    assert listed[0].cited.key == "llovet-2008-sorafenib-advanced-hcc"
    web_article = CitationLink.objects.filter(citing__key="sorafenib-hcc-web-article")
    assert sorted(web_article.values_list("position", flat=True)) == list(range(1, 17))


def test_the_citing_articles_of_the_thyroid_trial(seeded_corpus):
    citing = Citation.objects.filter(cited_works__key="thyroid-phase-2-sorafenib-long-term")
    assert citing.count() == 5
    assert set(citing.values_list("pmid", flat=True)) == {
        "39924483", "39701599", "39570323", "39473507", "37823053",
    }  # fmt: skip
    assert Citation.objects.get(pmid="39924483").pmcid == "PMC11808998"


def test_every_figure_has_a_source_and_every_trial_a_publication(seeded_corpus):
    for model in SOURCED_MODELS:
        assert not model.objects.filter(citation__isnull=True).exists(), model.__name__
    assert not Trial.objects.filter(trial_publications__isnull=True).exists()
    assert Trial.objects.count() == 20
    assert TrialAdverseEvent.objects.exclude(
        percent__isnull=True, percent_high__isnull=True
    ).exists()


def test_every_other_drug_named_has_an_entry_and_is_linked(seeded_corpus):
    expected = {
        "axitinib", "capecitabine", "docetaxel", "gk-00687", "imatinib", "interferon-alfa",
        "irinotecan", "lenvatinib", "neomycin", "nilotinib", "pazopanib", "regorafenib",
        "sorafenib", "sunitinib", "warfarin",
    }  # fmt: skip
    assert set(Drug.objects.values_list("slug", flat=True)) == expected
    sorafenib = Drug.objects.get(slug="sorafenib")
    alternatives = {
        (s.condition.slug, s.therapy_drug.slug if s.therapy_drug else s.therapy)
        for s in sorafenib.subsequent_therapies.all()
    }
    assert ("hepatocellular-carcinoma", "lenvatinib") in alternatives
    assert ("renal-cell-carcinoma", "PD-1/PD-L1 immunotherapy") not in alternatives
    assert ("hepatocellular-carcinoma", "PD-1/PD-L1 immunotherapy") in alternatives


def test_markdown_cites_only_known_citations(seeded_corpus):
    known = set(Citation.objects.values_list("key", flat=True))
    texts = [s.body for s in MonographSection.objects.all()]
    texts += list(Trial.objects.values_list("summary", flat=True))
    cited = {key for text in texts for key in citation_keys(text)}
    assert cited and cited <= known

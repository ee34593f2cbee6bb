"""The curated records say what their sources say: frequency words, indications, cautions.

docs/curation.md lists the records corrected against the five source documents and why;
these tests hold the rules those corrections follow, over the whole corpus.
"""

import re
from decimal import Decimal

import pytest

from monographs.documents import build_drug_document, drug_facets
from monographs.models import Drug, DrugAdverseEvent, DrugWarning, SpecialPopulation

pytestmark = pytest.mark.django_db

# CIOMS frequency bands, as DrugAdverseEvent.FrequencyBand labels them: [low, high) in %.
BANDS = {
    "very_common": (Decimal(10), Decimal(101)),
    "common": (Decimal(1), Decimal(10)),
    "uncommon": (Decimal("0.1"), Decimal(1)),
    "rare": (Decimal("0.01"), Decimal("0.1")),
    "very_rare": (Decimal(0), Decimal("0.01")),
}
BAND_WORDS = {
    "very_common": "very common",
    "common": "common",
    "uncommon": "uncommon",
    "rare": "rare",
    "very_rare": "very rare",
}


def stated_span(ae: DrugAdverseEvent) -> tuple[Decimal, Decimal, bool] | None:
    """Lowest and highest any-grade incidence the source allows, and whether the top is open."""
    low, high, bound = ae.any_grade_low, ae.any_grade_high, ae.any_grade_bound
    if high is None and low is None:
        return None
    if bound in ("lt", "le"):
        return Decimal(0), high, bound == "lt"
    if bound in ("gt", "ge"):
        return low, Decimal(100), False
    return (low if low is not None else high), (high if high is not None else low), False


def test_a_frequency_band_is_stated_by_the_source_or_fixed_by_the_figure(seeded_corpus):
    """A band is a word the reader takes as the source's: record one only where the source
    names it (quoted in the editorial note) or where the stated figure falls wholly in it.
    '<1%' alone could be uncommon or rare, so it fixes no band."""
    banded = DrugAdverseEvent.objects.exclude(frequency_band__in=["", "not_known"]).select_related(
        "term"
    )
    assert banded.exists()
    for ae in banded:
        word = BAND_WORDS[ae.frequency_band]
        if f"'{word}'" in ae.editorial_note:
            continue
        span = stated_span(ae)
        assert span is not None, (ae.seed_key, "a band without a figure or a quoted word")
        low, high, open_top = span
        band_low, band_high = BANDS[ae.frequency_band]
        assert band_low <= low and (high < band_high or (open_top and high <= band_high)), (
            ae.seed_key,
            ae.frequency_band,
            span,
        )


def test_no_frequency_word_contradicts_the_source_sentence(seeded_corpus):
    """The leaflets say heavy bleeding is 'rare'; nothing curated calls it uncommon."""
    texts = [
        " ".join([w.topic, w.description, w.action])
        for w in DrugWarning.objects.filter(drug__slug="sorafenib")
    ]
    bleeding = [t for t in texts if "bleeding" in t.lower()]
    assert bleeding
    for text in bleeding:
        assert not re.search(r"(severe|heavy) bleeding is (uncommon|common)", text), text
    assert any("heavy bleeding is rare" in t for t in bleeding)


def test_a_caution_is_only_what_the_source_advises(seeded_corpus):
    """Where the leaflets give only a fact (no data in Child-Pugh C, the effect may be
    greater), the record states the fact and adds no advice of its own."""
    child_pugh_c = SpecialPopulation.objects.get(seed_key__endswith=":hepatic-child-pugh-c")
    assert "No data" in child_pugh_c.recommendation
    assert not re.search(r"\b(care|caution|avoid|reduce)\b", child_pugh_c.recommendation)


def test_the_paediatric_series_reads_as_one_drug_per_patient_everywhere(seeded_corpus):
    children = SpecialPopulation.objects.get(seed_key__endswith=":children-sarcoma")
    assert "each patient receiving one of them" in children.recommendation
    assert not re.search(r"\bwith (regorafenib|pazopanib)\b", children.recommendation)


def test_every_indication_a_source_gives_a_dose_for_is_filterable(seeded_corpus):
    """Differentiated thyroid cancer is treated in two sources without an approval being
    named; its dose regimen names the condition, so the indication filter finds sorafenib."""
    sorafenib = Drug.objects.get(slug="sorafenib")
    document = build_drug_document(sorafenib)
    indications = {value for name, value in drug_facets(document) if name == "condition"}

    dosed = {d["condition"] for d in document["dose_regimens"] if d["condition"]}
    approved = {a["condition"] for a in document["approvals"] if a["condition"]}
    assert indications == dosed | approved
    assert "differentiated-thyroid-carcinoma" in indications
    # Studied in trials only: not an indication.
    assert "breast-cancer" not in indications and "angiosarcoma" not in indications


def test_a_band_no_source_gives_is_not_stated_never_not_known(seeded_corpus):
    """'Not known' is a band of its own (the rate cannot be estimated); a silent source
    leaves the band not stated."""
    assert not DrugAdverseEvent.objects.filter(frequency_band="not_known").exists()
    assert DrugAdverseEvent.objects.filter(frequency_band="", drug__slug="sorafenib").exists()

"""Every figure of every published document is on its pages, written as the formatter writes it;
and no page or API field meant for people names an internal key or a file.

Run over the seed corpus (load_seeds, published) and a small synthetic corpus
(generate_corpus's generator).
"""

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from monographs.editorial.services.publish import root_import_publish
from monographs.figures import (
    Figure,
    as_entered,
    format_figure,
    incidence,
    interval_text,
    outcome_figure,
    signed_change,
    trial_incidence,
)
from monographs.loadtest.synthetic import corpus_generate
from monographs.publishing.models import Entry
from tests.factories import (
    CitationFactory,
    DoseRegimenFactory,
    FormulationFactory,
    OutcomeFactory,
    PharmacokineticParameterFactory,
    TrialAdverseEventFactory,
)
from tests.site.corpus import drug_with_monograph, published_drug, trial_with_results

pytestmark = pytest.mark.django_db

# What an internal name looks like: a seed file, a seed row key, or a source document's number.
INTERNAL_NAMES = re.compile(
    r"\b\d{3}_[a-z0-9_]+\.(?:yaml|txt)\b"
    r"|\b\d{3}_[a-z0-9_]+:[a-z0-9-]+"
    r"|vocabulary/[a-z_]+\.yaml"
    r"|(?<![\w.,/-])00[0-4](?![\w.,%/-])"
)
# API members that are identifiers for programs, not words for people.
MACHINE_KEYS = {
    "slug",
    "key",
    "citation",
    "url",
    "api_url",
    "versions_url",
    "content_hash",
    "doi",
    "pmid",
    "pmcid",
    "nct_id",
    "isbn",
    "issn",
}


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    text = html.unescape(strip_tags(response.content.decode()))
    return re.sub(r"\s+", " ", text)


def drug_figures(document: dict[str, Any]) -> Iterator[str]:
    for ae in document.get("adverse_events") or []:
        for column in ("any_grade", "grade_3_plus"):
            figure = incidence(ae[column], ae.get(f"{column}_bound") or "")
            if not figure.is_empty:
                yield figure.text()
    for pk in document.get("pharmacokinetics") or []:
        if pk.get("value") is not None:
            yield format_figure(pk["value"], unit=pk.get("unit") or "")
        if pk.get("range_low") is not None and pk.get("range_high") is not None:
            yield interval_text(pk["range_low"], pk["range_high"], pk.get("unit") or "")
    for interaction in document.get("interactions") or []:
        change = signed_change(*(interaction.get("change") or [None, None]))
        if change:
            yield change
    for dose in document.get("dose_regimens") or []:
        if dose.get("dose_amount") is not None:
            yield format_figure(dose["dose_amount"], unit=dose.get("dose_unit") or "")
        if dose.get("daily_dose_amount") is not None:
            yield format_figure(dose["daily_dose_amount"], unit=dose.get("dose_unit") or "")


def trial_figures(document: dict[str, Any]) -> Iterator[str]:
    for outcome in document.get("outcomes") or []:
        figure = outcome_figure(outcome)
        if not figure.is_empty:
            yield figure.text()
        ci = interval_text(outcome.get("ci_low"), outcome.get("ci_high"), outcome.get("unit") or "")
        if ci:
            yield ci
        if outcome.get("hazard_ratio") is not None:
            yield f"HR {format_figure(outcome['hazard_ratio'])}"
        hr_ci = interval_text(
            outcome.get("hazard_ratio_ci_low"), outcome.get("hazard_ratio_ci_high")
        )
        if outcome.get("hazard_ratio_ci_low") is not None and hr_ci:
            yield hr_ci
        if outcome.get("ci_low") is None and outcome.get("range_low") is not None:
            yield interval_text(
                outcome["range_low"], outcome.get("range_high"), outcome.get("unit") or ""
            )
    yield from trial_ae_figures(document)


def trial_ae_figures(document: dict[str, Any]) -> Iterator[str]:
    for ae in document.get("adverse_events") or []:
        figure = trial_incidence(ae)
        if not figure.is_empty:
            yield figure.text()


def assert_every_figure_shown(client) -> list[str]:
    """Every figure checked, on its drug or trial page and on its term's page."""
    checked: list[str] = []
    for entry in Entry.objects.live().select_related("current"):
        document = as_entered(entry.current.document)
        if entry.kind == "drug":
            text = page_text(client, f"/drugs/{entry.slug}/")
            figures = list(drug_figures(document))
        else:
            text = page_text(client, f"/trials/{entry.slug}/")
            figures = list(trial_figures(document))
        for figure in figures:
            assert figure in text, (entry.slug, figure)
            checked.append(figure)
        by_term: dict[str, list[str]] = {}
        for ae in document.get("adverse_events") or []:
            if entry.kind == "drug":
                shown = [
                    incidence(ae[c], ae.get(f"{c}_bound") or "")
                    for c in ("any_grade", "grade_3_plus")
                ]
            else:
                shown = [trial_incidence(ae)]
            by_term.setdefault(ae["term"]["slug"], []).extend(
                f.text() for f in shown if not f.is_empty
            )
        for slug, term_figures in by_term.items():
            term_text = page_text(client, f"/adverse-events/{slug}/")
            for figure in term_figures:
                assert figure in term_text, (entry.slug, slug, figure)
                checked.append(figure)
    return checked


def people_strings(data: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for name, value in data.items():
            if name not in MACHINE_KEYS and not name.endswith("_key"):
                yield from people_strings(value, name)
    elif isinstance(data, list):
        for item in data:
            yield from people_strings(item, key)
    elif isinstance(data, str) and key not in MACHINE_KEYS:
        yield key, data


@pytest.fixture
def seed_corpus(db):
    call_command("load_seeds", stdout=StringIO())


def test_every_figure_of_the_seed_corpus_is_on_its_pages(client, seed_corpus):
    assert len(assert_every_figure_shown(client)) > 150


def test_the_figures_the_sources_state_as_ranges_and_bounds_read_so(client, seed_corpus):
    programme = page_text(client, "/trials/sorafenib-phase-1-programme/")
    sharp = page_text(client, "/trials/sharp/")
    hypertension = page_text(client, "/adverse-events/hypertension/")
    sorafenib = page_text(client, "/drugs/sorafenib/")

    assert "5–11%" in programme and "0–5%" in programme
    assert "5–11%" in hypertension and "0–5%" in hypertension
    assert sharp.count("≤8%") >= 2 and "no figure given" not in sharp.split("Adverse events")[-1]
    assert sorafenib.count("<1%") >= 2
    assert "Grade 3–4" in programme
    assert "Docetaxel AUC +36–80%" in sorafenib
    paediatric = page_text(client, "/trials/paediatric-sarcoma-mtki-single-centre/")
    assert paediatric.count("Each patient received one of:") == 4
    assert "RandomisedNo" in paediatric
    assert "RandomisedNot stated" in page_text(client, "/trials/sorafenib-desmoid-gounder/")
    assert "Severity not stated" in sorafenib


def test_an_unstated_frequency_band_reads_not_stated_never_not_known(client, seed_corpus):
    """To a screen reader and to the eye: a cell left visually empty reads, on a phone where
    the table stacks into cards, as a label with nothing after it."""
    for page in ("/drugs/sorafenib/", "/adverse-events/hypertension/"):
        html = client.get(page).content.decode()
        assert "Not known" not in html
        assert "Frequency band not stated" in html
        cells = re.findall(r'<td data-label="Frequency">(.*?)</td>', html)
        assert cells, page
        for cell in cells:
            visible = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", cell)
            assert visible.strip(), (page, cell)
            if "Frequency band not stated" in cell:  # heard once, not twice
                assert '<span class="muted" aria-hidden="true">Not stated</span>' in cell


# Columns of figures a source may leave out, on the pages that show them.
FIGURE_COLUMNS = (
    "Any grade",
    "Grade ≥3",
    "Enrolled",
    "Patients",
    "Patients (%)",
    "Strength",
    "Daily total",
    "Value",
    "Range",
    "Result",
    "Interval",
)


def figure_cells(html: str) -> list[tuple[str, str]]:
    columns = "|".join(re.escape(column) for column in FIGURE_COLUMNS)
    return re.findall(rf'<td data-label="({columns})"[^>]*>(.*?)</td>', html, re.DOTALL)


def _not_stated_columns(client, pages: list[str]) -> set[str]:
    """The figure columns seen reading "Not stated"; no figure cell may read as a dash."""
    left_out: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for column, cell in figure_cells(response.content.decode()):
            visible = strip_tags(cell).strip()
            assert visible and not visible.startswith("–"), (page, column, cell)
            if visible.startswith("Not stated"):
                left_out.add(column)
    return left_out


def test_a_figure_the_source_leaves_out_reads_not_stated_never_a_dash(client, seed_corpus):
    """A dash in a column of figures reads as "none" to many readers: a grade 3 figure the
    source does not give is not "no grade 3 events". Over the seed corpus and a synthetic
    one, every page of a live entry and two adverse-event term pages."""
    corpus_generate(drugs=3, trials=12, seed=5)
    pages = [entry.get_absolute_url() for entry in Entry.objects.live()]
    pages += ["/adverse-events/hypertension/", "/adverse-events/diarrhoea/"]

    left_out = _not_stated_columns(client, pages)

    assert left_out >= {"Any grade", "Grade ≥3", "Enrolled", "Patients", "Result", "Interval"}


def test_a_drug_whose_source_gives_no_strength_dose_or_kinetics_says_so(client):
    drug = drug_with_monograph(inn="silentinib", slug="silentinib")
    label = CitationFactory(kind="label", journal="")
    FormulationFactory(drug=drug, strength="", citation=label)
    DoseRegimenFactory(drug=drug, daily_dose_amount=None, citation=label)
    PharmacokineticParameterFactory(
        drug=drug, value=None, range_low=None, range_high=None, citation=label
    )
    root_import_publish(root=drug, note="Test publication")

    left_out = _not_stated_columns(client, ["/drugs/silentinib/"])

    assert left_out >= {"Strength", "Daily total", "Value", "Range"}


def test_a_trial_event_the_source_gives_no_figure_for_reads_not_stated_everywhere(client):
    """One wording for a figure left out: the term page's cell, the trial's grid and chart
    (drawn for its other figures), and the chart's words for screen readers."""
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    trial = trial_with_results(drugs=[drug], slug="silent-event")
    event = trial.adverse_events.get(arm__label="Placebo")
    TrialAdverseEventFactory(
        trial=trial,
        arm=event.arm,
        term=event.term,
        grade_scope="grade_3_plus",
        count=None,
        denominator=None,
        percent=None,
        citation=event.citation,
    )
    root_import_publish(root=trial, note="Test publication")

    term_page = client.get(f"/adverse-events/{event.term.slug}/").content.decode()
    trial_page = client.get("/trials/silent-event/").content.decode()

    assert "Not stated" in _not_stated_cells(term_page, "Patients (%)")
    grid = trial_page.split('class="ae-table')[1].split("</table>")[0]
    assert '<span class="muted">Not stated</span>' in grid
    assert "no figure given" not in term_page + trial_page
    assert "not reported" not in term_page + trial_page
    assert "3% / not stated" in trial_page  # the chart's label for the placebo arm
    assert "Placebo: any grade 3%, grade 3 or higher not stated" in trial_page


def _not_stated_cells(html: str, column: str) -> list[str]:
    return [strip_tags(cell).strip() for name, cell in figure_cells(html) if name == column]


def test_a_result_the_registry_gives_as_a_word_points_to_its_note(client):
    """'NR' (not reached, or not reported) is the registry's word, kept in the note: the
    result cell must not say the source is silent."""
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    trial = trial_with_results(drugs=[drug], slug="registry-nr")
    arm = trial.arms.get(label="Sorafenib")
    OutcomeFactory(
        trial=trial,
        arm=arm,
        measure="PFS",
        citation=arm.citation,
        value=None,
        ci_low=None,
        ci_high=None,
        editorial_note="The registry gives 'NR'.",
    )
    root_import_publish(root=trial, note="Test publication")

    html = client.get("/trials/registry-nr/").content.decode()
    cells = [strip_tags(cell) for column, cell in figure_cells(html) if column == "Result"]

    assert any(cell.startswith("See the note below") for cell in cells), cells
    assert "The registry gives &#x27;NR&#x27;." in html or "The registry gives 'NR'." in html


def test_the_desmoid_trial_says_which_of_its_facts_its_source_leaves_out(client, seed_corpus):
    """Its source states neither phase nor design: lines that run facts together name them."""
    desmoid = "/trials/sorafenib-desmoid-gounder/"
    page = client.get(desmoid).content.decode()
    trials = page_text(client, "/trials/")
    search = page_text(client, "/search/?q=desmoid")

    assert "<dt>Phase</dt><dd>Not stated in the source</dd>" in page
    assert "(phase not stated, design not stated)" in page
    for text in (trials, search):
        assert "Phase not stated" in text and "Design not stated" in text
        assert "Not stated in the source · Not stated in the source" not in text


def test_reference_pages_and_api_serve_et_al_notes_abstracts_and_source_types(client, seed_corpus):
    review = page_text(client, "/references/zhu-2017-sorafenib-resistance/")
    assert "Review article" in review
    assert "Zhu YJ, et al." in review
    assert "Summary" in review and "Editorial note" in review
    gounder = page_text(client, "/references/sorafenib-hcc-web-article-ref-15/")
    assert "Gounder M, et al." in gounder
    api = client.get("/api/v1/citations/?key=zhu-2017-sorafenib-resistance").json()["results"][0]
    assert api["authors_incomplete"] is True
    assert api["kind_label"] == "Review article"
    assert api["abstract"] and api["note"]
    assert api["vancouver"].startswith("Zhu YJ, et al.")


def test_reference_pages_and_api_say_how_far_to_rely_on_each_source(client, seed_corpus):
    web = page_text(client, "/references/sorafenib-hcc-web-article/")
    assert "Unsigned web article; undated; translated from Russian, it appears" in web
    # The monograph's reference list says so too, beside the source its figures come from.
    sorafenib = page_text(client, "/drugs/sorafenib/")
    assert "Unsigned web article; undated; translated from Russian, it appears." in sorafenib
    assert "Not yet assessed" not in sorafenib
    review = page_text(client, "/references/zhu-2017-sorafenib-resistance/")
    assert "Review in a peer-reviewed journal" in review
    assert "[1] Llovet JM, Ricci S, Mazzaferro V, Hilgard P, Gane E, Blanc JF, et al." in review
    assert "[5] Moreno-Aspitia A" in review
    assert "Not numbered: Bayer. Bayer website [Internet]." in review

    (api,) = client.get("/api/v1/citations/?key=zhu-2017-sorafenib-resistance").json()["results"]
    assert (api["standing"], api["standing_label"]) == (
        "peer_reviewed_review",
        "Review in a peer-reviewed journal",
    )
    assert [work["position"] for work in api["reference_list"]] == [1, 2, 3, 4, 5, None]
    assert api["reference_list"][0]["vancouver"].startswith("Llovet JM, Ricci S")
    (web_api,) = client.get("/api/v1/citations/?key=sorafenib-hcc-web-article").json()["results"]
    assert web_api["standing"] == "unsigned_web_article"
    assert web_api["translated_from"] == "Russian, it appears"
    assert web_api["standing_text"] == (
        "Unsigned web article; undated; translated from Russian, it appears"
    )


def test_no_public_page_or_api_field_names_an_internal_key_or_file(client, seed_corpus):
    urls = ["/", "/drugs/", "/trials/", "/adverse-events/", "/references/", "/feed/"]
    for entry in Entry.objects.live().select_related("current"):
        section = "drugs" if entry.kind == "drug" else "trials"
        urls += [f"/{section}/{entry.slug}/", f"/{section}/{entry.slug}/versions/"]
        document = entry.current.document
        urls += [f"/references/{r['key']}/" for r in document.get("references") or []]
        urls += [f"/adverse-events/{ae['term']['slug']}/" for ae in document["adverse_events"]]
    for url in dict.fromkeys(urls):
        text = page_text(client, url)
        found = INTERNAL_NAMES.search(text)
        assert not found, (url, text[max(found.start() - 60, 0) : found.end() + 40])

    api = [
        "/api/v1/drugs/",
        "/api/v1/trials/?page_size=100",
        "/api/v1/adverse-events/?page_size=100",
        "/api/v1/citations/?page_size=100",
        "/api/v1/changes/",
    ]
    for entry in Entry.objects.live():
        section = "drugs" if entry.kind == "drug" else "trials"
        api += [f"/api/v1/{section}/{entry.slug}/", f"/api/v1/{section}/{entry.slug}/versions/"]
    for url in api:
        response = client.get(url)
        assert response.status_code == 200, url
        for key, value in people_strings(json.loads(response.content)):
            assert not INTERNAL_NAMES.search(value), (url, key, value)


def test_every_figure_of_a_synthetic_corpus_is_on_its_pages(client):
    corpus_generate(drugs=2, trials=6, seed=5)

    checked = assert_every_figure_shown(client)

    assert len(checked) > 20
    # The generator states some figures with trailing zeros (18.0%, 8.0 months, HR 0.70).
    assert any(re.search(r"\d\.\d*0(?!\d)", figure) for figure in checked)
    # ...and some results only as a bound (complete responses at most 5%).
    assert any(figure.startswith(("<5%", "≤5%")) for figure in checked)


def test_an_empty_figure_is_a_dash():
    assert Figure().text() == "–"


def test_figures_keep_the_decimal_places_their_source_states(client):
    """30.0 stays 30.0 and 7.90 stays 7.90 on the pages, with the places served in the API."""
    drug = drug_with_monograph()
    stated = [
        (drug.pk_parameters.first(), {"value": Decimal("30.0")}),
        (drug.dose_regimens.first(), {"dose_amount": Decimal("400.0")}),
        (
            drug.interactions.first(),
            {"change_low": Decimal("36.0"), "change_high": Decimal("80.0")},
        ),
        (
            drug.adverse_events.first(),
            {"any_grade_low": Decimal("18.0"), "any_grade_high": Decimal("18.0")},
        ),
    ]
    trial = trial_with_results(drugs=[drug])
    stated += [
        (
            trial.outcomes.get(arm__label="Placebo"),
            {"value": Decimal("7.90"), "ci_low": Decimal("6.80")},
        ),
        (trial.adverse_events.get(percent=8), {"percent": Decimal("8.0")}),
    ]
    for row, figures in stated:
        for name, value in figures.items():
            setattr(row, name, value)
        row.stated_places = {name: -value.as_tuple().exponent for name, value in figures.items()}
        row.save()
    root_import_publish(root=drug, note="Test publication")
    root_import_publish(root=trial, note="Test publication")

    drug_page = page_text(client, f"/drugs/{drug.slug}/")
    trial_page = page_text(client, f"/trials/{trial.slug}/")
    assert "400.0 mg" in drug_page and "18.0%" in drug_page
    assert "+36.0–80.0%" in drug_page
    assert "7.90 months" in trial_page and "6.80–" in trial_page and "8.0%" in trial_page
    assert len(assert_every_figure_shown(client)) > 10

    api = client.get(f"/api/v1/drugs/{drug.slug}/").json()["document"]
    assert api["pharmacokinetics"][0]["stated_places"] == {"value": 1}
    assert "30.0 " in drug_page
    outcomes = client.get(f"/api/v1/trials/{trial.slug}/").json()["document"]["outcomes"]
    assert {"value": 2, "ci_low": 2} in [o.get("stated_places") for o in outcomes]


def test_an_outcome_stated_as_a_bound_reads_so_on_its_page_chart_api_and_csv(
    client, django_assert_max_num_queries
):
    drug = drug_with_monograph()
    trial = trial_with_results(drugs=[drug])
    placebo = trial.outcomes.get(arm__label="Placebo")
    placebo.value, placebo.value_bound, placebo.ci_low, placebo.ci_high = (
        Decimal("24"),
        "gt",
        None,
        None,
    )
    placebo.statistic, placebo.unit = "median", "months"
    placebo.save()
    OutcomeFactory(
        trial=trial,
        arm=placebo.arm,
        measure="ORR",
        statistic="rate",
        value=None,
        value_high=Decimal("8"),
        value_bound="le",
        unit="%",
        ci_low=None,
        ci_high=None,
        citation=placebo.citation,
    )
    root_import_publish(root=trial, note="Test publication")

    with django_assert_max_num_queries(12):
        response = client.get(f"/trials/{trial.slug}/")
    text = re.sub(r"\s+", " ", html.unescape(strip_tags(response.content.decode())))
    document = client.get(f"/api/v1/trials/{trial.slug}/").json()["document"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/api/v1/export/outcomes.csv").streaming_content).decode()
            )
        )
    )

    assert ">24 months" in text and "≤8%" in text
    assert "Placebo: >24 months" in text  # the chart's description names the bound
    assert 'fill="white"' in response.content.decode()  # drawn as a bound, not a point
    bounded = [o for o in document["outcomes"] if o.get("value_bound")]
    assert [(o["value"], o["value_high"], o["value_bound"]) for o in bounded] == [
        (24, None, "gt"),
        (None, 8, "le"),
    ]
    assert [(r["result"], r["value_high"], r["value_bound"]) for r in rows][-2:] == [
        (">24 months", "", "gt"),
        ("≤8%", "8", "le"),
    ]

"""The public drug, adverse-event, reference and site-wide pages.

Every page reads publications only: drafts and pending revisions never show, withdrawn
entries answer 410, and each page's query count stays the same as the corpus grows.
"""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry, Facet
from monographs.selectors import DRUG_LIST_MEMBERS
from monographs.views.vocabulary import short_citation
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    CitationLinkFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    DrugInteractionFactory,
    MonographSectionFactory,
    UserFactory,
)
from tests.site.corpus import drug_with_monograph, published_drug, published_trial

pytestmark = pytest.mark.django_db

MAX_QUERIES_PER_PAGE = 4


@pytest.fixture
def editor_in_chief():
    return UserFactory(is_superuser=True)


@pytest.fixture
def sorafenib():
    return published_drug(inn="sorafenib", slug="sorafenib")


def grow_corpus(drug) -> None:
    """More of everything: other drugs, and trials of this drug and of the others."""
    for _ in range(3):
        other = published_drug()
        published_trial(drugs=[drug, other])


def query_counts(client, django_assert_max_num_queries, url: str) -> int:
    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def assert_constant_queries(client, django_assert_max_num_queries, url: str, grow) -> None:
    before = query_counts(client, django_assert_max_num_queries, url)
    grow()
    after = query_counts(client, django_assert_max_num_queries, url)
    assert after == before, f"{url}: {before} queries with a small corpus, {after} with more"


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def json_ld_of(response) -> dict:
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


# --- home ------------------------------------------------------------------------------


def test_home_leads_to_the_fullest_monographs_the_latest_trials_and_the_policy(client, sorafenib):
    stub = DrugFactory(inn="stubinib", summary="")
    root_import_publish(root=stub, note="A drug known only by name")
    older = published_trial(drugs=[sorafenib])
    newer = published_trial(drugs=[sorafenib])

    response = client.get(reverse("monographs:home"))

    assert response.status_code == 200
    drugs = [item["entry"].slug for item in response.context["drugs"]]
    assert drugs == ["sorafenib", "stubinib"]
    trials = [item["entry"].slug for item in response.context["trials"]]
    assert trials == [newer.slug, older.slug]
    html = response.content.decode()
    assert 'href="/drugs/sorafenib/"' in html
    assert f'href="/trials/{newer.slug}/"' in html
    assert 'href="/about/"' in html
    assert 'action="/search/"' in html


def test_home_query_count_is_constant(client, django_assert_max_num_queries, sorafenib):
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("monographs:home"),
        lambda: grow_corpus(sorafenib),
    )


# --- drugs A-Z --------------------------------------------------------------------------


def test_drug_list_shows_live_drugs_with_their_class_and_summary(client, sorafenib):
    response = client.get(reverse("monographs:drug_list"))

    text = text_of(response)
    assert "Sorafenib" in text
    assert "Multikinase inhibitor" in text
    assert sorafenib.summary in text
    document = Entry.objects.get(slug="sorafenib").current.document
    for brand in (name["name"] for name in document["names"] if name["kind"] == "brand"):
        assert brand in text
    assert document["targets"] and all(target["symbol"] in text for target in document["targets"])
    [card] = [drug for _, drugs in response.context["letters"] for drug in drugs]
    assert set(card["document"]) == set(DRUG_LIST_MEMBERS)
    assert "document" in card["entry"].current.get_deferred_fields()


def test_drug_list_filters_by_class_target_and_indication(client, sorafenib):
    other = published_drug(drug_class="Tyrosine kinase inhibitor")
    target = sorafenib.drug_targets.first().target.symbol
    condition = sorafenib.approvals.first().condition.slug

    by_class = client.get(
        reverse("monographs:drug_list"), {"drug_class": "Tyrosine kinase inhibitor"}
    )
    by_target = client.get(reverse("monographs:drug_list"), {"target": target})
    by_condition = client.get(reverse("monographs:drug_list"), {"condition": condition})

    def slugs(response):
        return [drug["entry"].slug for _, drugs in response.context["letters"] for drug in drugs]

    assert slugs(by_class) == [other.slug]
    assert slugs(by_target) == ["sorafenib"]
    assert slugs(by_condition) == ["sorafenib"]


def test_drug_list_ignores_filter_values_that_match_nothing(client, sorafenib):
    response = client.get(
        reverse("monographs:drug_list"),
        {"drug_class": "<script>alert(1)</script>", "page": "not-a-number", "target": ["a", "b"]},
    )

    assert response.status_code == 200
    assert [d["entry"].slug for _, drugs in response.context["letters"] for d in drugs] == [
        "sorafenib"
    ]
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "Ignored a filter value" in text_of(response)


def test_drug_list_query_count_is_constant(client, django_assert_max_num_queries, sorafenib):
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("monographs:drug_list") + "?drug_class=Multikinase+inhibitor",
        lambda: grow_corpus(sorafenib),
    )


# --- the monograph ------------------------------------------------------------------------


def test_drug_page_shows_the_monograph_from_its_publication(client, sorafenib):
    response = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    assert response.status_code == 200
    text = text_of(response)
    assert text.count("Sorafenib") >= 2
    for heading in (
        "Mechanism of action",
        "Dosage and administration",
        "Adverse events",
        "Drug interactions",
        "Warnings and precautions",
        "References",
        "Cite this page",
        "Version history",
    ):
        assert heading in text
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Inhibits RAF kinases and VEGF receptors" in text
    assert "The label and the trial report different ranges." in text
    assert "CYP3A4 inducers (e.g. rifampicin)" in text
    assert sorafenib.atc_code in text
    assert "Version 1" in text
    assert '<caption id="ae-caption">' in html
    assert '<nav class="toc"' in html


@pytest.mark.usefixtures("pages_rendered_live")
def test_drug_page_numbers_references_in_order_of_first_citation(client, sorafenib):
    response = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    references = response.context["document"]["references"]
    html = response.content.decode()
    assert [r["number"] for r in references] == list(range(1, len(references) + 1))
    # Numbered in the order the monograph's body first cites them; "At a glance" above it
    # repeats the numbers of the rows it sums up.
    body = html.index("</section>", html.index('id="glance"')) if 'id="glance"' in html else 0
    first = html.index('href="#ref-1"', body)
    second = html.index('href="#ref-2"', body)
    assert first < second
    assert 'id="ref-1" value="1"' in html
    assert f"https://doi.org/{references[0]['doi']}" in html
    assert f"https://pubmed.ncbi.nlm.nih.gov/{references[0]['pmid']}/" in html


def test_drug_page_cites_the_version_and_carries_structured_data(client, sorafenib):
    response = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    html = response.content.decode()
    assert '<link rel="canonical" href="http://testserver/drugs/sorafenib/">' in html
    assert "version 1, published" in text_of(response)
    assert "http://testserver/drugs/sorafenib/versions/1/" in text_of(response)
    page, data = json_ld_of(response)["@graph"]
    assert page["@type"] == "MedicalWebPage"
    assert page["about"] == {"@id": data["@id"]}
    assert data["@type"] == "Drug"
    assert data["name"] == "Sorafenib"
    assert data["code"] == {
        "@type": "MedicalCode",
        "codeValue": sorafenib.atc_code,
        "codingSystem": "ATC",
    }
    assert data["url"] == "http://testserver/drugs/sorafenib/"


def test_drug_page_shows_its_trials_and_their_hazard_ratios(client, sorafenib):
    trial = published_trial(drugs=[sorafenib])

    response = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    html = response.content.decode()
    assert f'href="/trials/{trial.slug}/"' in html
    assert "OS HR 0.69 (95% CI 0.55–0.87)" in text_of(response)
    # Adverse events and hazard ratios, each drawn for wide screens and for phones.
    assert html.count('<svg class="chart chart--wide"') == 2
    assert html.count('<svg class="chart chart--narrow"') == 2
    assert "Hazard ratios in trials of Sorafenib" in html


def test_drug_page_links_other_drugs_only_when_they_are_live(client):
    live_partner = published_drug()
    draft_partner = DrugFactory()
    drug = drug_with_monograph()
    DrugInteractionFactory(drug=drug, interacting_drug=live_partner, citation=None)
    DrugInteractionFactory(drug=drug, interacting_drug=draft_partner, citation=None)
    root_import_publish(root=drug, note="test")

    html = client.get(reverse("monographs:drug_detail", args=[drug.slug])).content.decode()

    assert f'href="/drugs/{live_partner.slug}/"' in html
    assert f'href="/drugs/{draft_partner.slug}/"' not in html
    assert draft_partner.inn.capitalize() in html


def test_drug_page_query_count_is_constant(client, django_assert_max_num_queries, sorafenib):
    DrugInteractionFactory(drug=sorafenib, interacting_drug=published_drug(), citation=None)
    root_import_publish(root=sorafenib, note="With an interaction")
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("monographs:drug_detail", args=["sorafenib"]),
        lambda: grow_corpus(sorafenib),
    )


def test_unknown_drug_is_a_friendly_404(client):
    response = client.get(reverse("monographs:drug_detail", args=["no-such-drug"]))

    assert response.status_code == 404
    assert "We could not find that page" in text_of(response)


def test_a_drug_never_published_is_404_and_absent_everywhere(client, sorafenib):
    draft = drug_with_monograph(inn="draftinib", slug="draftinib")

    assert client.get(reverse("monographs:drug_detail", args=["draftinib"])).status_code == 404
    assert "draftinib" not in client.get(reverse("monographs:drug_list")).content.decode().lower()
    assert "draftinib" not in client.get(reverse("monographs:home")).content.decode().lower()
    search = client.get(reverse("monographs:search"), {"q": "draftinib"})
    assert search.context["results"] == []
    assert "draftinib" not in client.get("/sitemap-entries.xml").content.decode()
    assert "draftinib" not in client.get(reverse("monographs:feed")).content.decode()
    assert draft.pk


def test_a_pending_revision_does_not_change_the_page(client, sorafenib):
    before = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))
    sorafenib.summary = "UNREVIEWED summary that must not leak."
    sorafenib.save()
    MonographSectionFactory(drug=sorafenib, kind="contraindications", body="UNREVIEWED section.")
    root_record_edit(root=sorafenib, user=None)

    after = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    assert after.status_code == 200
    assert "UNREVIEWED" not in after.content.decode()
    assert text_of(after) == text_of(before)
    assert client.get(reverse("monographs:search"), {"q": "unreviewed"}).context["results"] == []
    assert "UNREVIEWED" not in client.get(reverse("monographs:drug_list")).content.decode()


def test_a_withdrawn_drug_answers_410_with_the_reason(client, sorafenib, editor_in_chief):
    root_withdraw(root=sorafenib, user=editor_in_chief, reason="Dosing table under correction.")

    response = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))
    versions = client.get(reverse("monographs:drug_versions", args=["sorafenib"]))
    old = client.get(reverse("monographs:drug_version_detail", args=["sorafenib", 1]))

    assert response.status_code == 410
    assert "Dosing table under correction." in text_of(response)
    assert versions.status_code == 410
    assert old.status_code == 410
    assert "sorafenib" not in client.get("/sitemap-entries.xml").content.decode()
    feed = client.get(reverse("monographs:feed")).content.decode()
    assert "/drugs/sorafenib/versions/" not in feed
    assert "Sorafenib withdrawn" in feed
    assert client.get(reverse("monographs:search"), {"q": "sorafenib"}).context["results"] == []
    assert "Sorafenib" not in text_of(client.get(reverse("monographs:drug_list")))


# --- conditional GET --------------------------------------------------------------------


def test_drug_page_answers_304_before_rendering(
    client, django_assert_num_queries, sorafenib, settings
):
    settings.LAST_MODIFIED_SETTLE_SECONDS = 0  # dated at once (tests/site/test_last_modified.py)
    url = reverse("monographs:drug_detail", args=["sorafenib"])
    first = client.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]

    with django_assert_num_queries(1):
        unchanged = client.get(url, headers={"if-none-match": etag})
    by_date = client.get(url, headers={"if-modified-since": last_modified})

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["ETag"] == etag
    assert by_date.status_code == 304


def test_a_new_version_or_a_new_trial_changes_the_etag(client, sorafenib):
    url = reverse("monographs:drug_detail", args=["sorafenib"])
    etag = client.get(url).headers["ETag"]

    published_trial(drugs=[sorafenib])
    after_trial = client.get(url, headers={"if-none-match": etag})
    sorafenib.summary = "A reviewed new summary."
    sorafenib.save()
    root_import_publish(root=sorafenib, note="New summary")
    after_version = client.get(url, headers={"if-none-match": after_trial.headers["ETag"]})

    assert after_trial.status_code == 200
    assert after_version.status_code == 200
    assert "A reviewed new summary." in text_of(after_version)


def test_lists_answer_304_when_nothing_changed(client, sorafenib):
    url = reverse("monographs:drug_list")
    etag = client.get(url).headers["ETag"]

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    published_drug()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


# --- versions -----------------------------------------------------------------------------


@pytest.fixture
def sorafenib_v2(sorafenib):
    sorafenib.summary = "Second reviewed summary."
    sorafenib.save()
    root_import_publish(root=sorafenib, note="Rewrote the summary.")
    return sorafenib


def test_version_history_lists_every_version(client, sorafenib_v2):
    response = client.get(reverse("monographs:drug_versions", args=["sorafenib"]))

    text = text_of(response)
    assert "Version 2" in text and "Version 1" in text
    assert "Rewrote the summary." in text
    assert "Current" in text and "Superseded" in text


def test_an_old_version_is_readable_and_marked_superseded(client, sorafenib_v2):
    old = client.get(reverse("monographs:drug_version_detail", args=["sorafenib", 1]))
    current = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    assert old.status_code == 200
    old_text = text_of(old)
    assert "Superseded: this is version 1" in old_text
    assert "replaced by version 2" in old_text
    assert "Second reviewed summary." not in old_text
    assert '<meta name="robots" content="noindex">' in old.content.decode()
    assert "Second reviewed summary." in text_of(current)
    assert "Superseded" not in text_of(current)


def test_the_current_version_page_points_to_the_permanent_address(client, sorafenib_v2):
    response = client.get(reverse("monographs:drug_version_detail", args=["sorafenib", 2]))

    assert response.status_code == 200
    assert "This is version 2, the current version." in text_of(response)
    assert '<link rel="canonical" href="http://testserver/drugs/sorafenib/">' in (
        response.content.decode()
    )


def test_an_unknown_version_is_404(client, sorafenib):
    response = client.get(reverse("monographs:drug_version_detail", args=["sorafenib", 7]))

    assert response.status_code == 404


def test_version_pages_query_counts_are_constant(
    client, django_assert_max_num_queries, sorafenib_v2
):
    for url in (
        reverse("monographs:drug_versions", args=["sorafenib"]),
        reverse("monographs:drug_version_detail", args=["sorafenib", 1]),
    ):
        assert_constant_queries(
            client, django_assert_max_num_queries, url, lambda: grow_corpus(sorafenib_v2)
        )


# --- adverse-event terms ------------------------------------------------------------------


def test_adverse_event_page_shows_incidence_by_drug_and_trial(client, sorafenib):
    drug_row = sorafenib.adverse_events.select_related("term").first()
    trial = published_trial(drugs=[sorafenib])
    from trials.models import TrialAdverseEvent

    TrialAdverseEvent.objects.filter(trial=trial).update(term=drug_row.term)
    root_import_publish(root=trial, note="Same term as the drug")

    response = client.get(reverse("monographs:adverse_event_detail", args=[drug_row.term.slug]))

    assert response.status_code == 200
    text = text_of(response)
    assert drug_row.term.name in text
    assert "21–45%" in text and "8–11%" in text
    assert "Sorafenib" in text and "Placebo" in text
    assert "21" in text and "Grade ≥3" in text
    assert '<svg class="chart chart--wide"' in response.content.decode()
    assert '<svg class="chart chart--narrow"' in response.content.decode()


def test_adverse_event_page_shows_the_latest_trials_and_counts_them_all(
    client, sorafenib, monkeypatch, editor_in_chief
):
    """Counted are the live trials whose current version reports the term: each of the
    three has a version before it did, and neither a withdrawn trial nor one whose later
    version no longer reports it counts, though earlier versions of both did."""
    from monographs.views import vocabulary
    from tests.factories import AdverseEventTermFactory
    from trials.models import TrialAdverseEvent

    monkeypatch.setattr(vocabulary, "TRIALS_PER_TERM_PAGE", 2)
    term = sorafenib.adverse_events.select_related("term").first().term
    trials = []
    for acronym in ("FIRST", "SECOND", "THIRD", "WITHDRAWN", "RECODED"):
        trial = published_trial(drugs=[sorafenib], acronym=acronym)
        TrialAdverseEvent.objects.filter(trial=trial).update(term=term)
        root_import_publish(root=trial, note="Reports the term")
        trials.append(trial)
    root_withdraw(root=trials[3], user=editor_in_chief, reason="Under correction.")
    TrialAdverseEvent.objects.filter(trial=trials[4]).update(term=AdverseEventTermFactory())
    root_import_publish(root=trials[4], note="Coded as another term")
    assert Facet.objects.filter(name="term", value=term.slug).count() >= 5

    response = client.get(reverse("monographs:adverse_event_detail", args=[term.slug]))

    assert response.status_code == 200
    shown = {row["name"] for row in response.context["trials"]}
    assert shown == {"THIRD", "SECOND"}
    assert [row["name"] for row in response.context["drugs"]] == ["Sorafenib"] * len(
        response.context["drugs"]
    )
    text = text_of(response)
    assert "Reported in 1 drug monograph and 3 trials." in text
    assert "The 2 most recently published of the 3 trials reporting it." in text


def test_a_term_with_more_figures_than_a_chart_can_compare_says_so_and_draws_none(
    client, sorafenib, monkeypatch
):
    """Hundreds of drugs report a common term at scale: its tables give every figure, and a
    chart of as many bars would be read by no one (it was 600 kB of the page)."""
    from monographs.views import vocabulary
    from trials.models import TrialAdverseEvent

    drug_row = sorafenib.adverse_events.select_related("term").first()
    trial = published_trial(drugs=[sorafenib])
    TrialAdverseEvent.objects.filter(trial=trial).update(term=drug_row.term)
    root_import_publish(root=trial, note="Same term as the drug")
    url = reverse("monographs:adverse_event_detail", args=[drug_row.term.slug])

    monkeypatch.setattr(vocabulary, "TERM_CHART_ROWS", 3)  # the drug's row and two arms
    drawn = client.get(url)
    monkeypatch.setattr(vocabulary, "TERM_CHART_ROWS", 2)
    too_many = client.get(url)

    assert "<svg" in drawn.content.decode()
    assert "<svg" not in too_many.content.decode()
    text = text_of(too_many)
    assert (
        "Figures from 1 drug and 1 trial are too many to compare in one chart: "
        "the tables below give each, with its source."
    ) in text
    assert "21–45%" in text and "8–11%" in text
    assert "Sorafenib" in text and "Placebo" in text  # the trial's arms, in its table


def test_adverse_event_page_shows_each_drug_as_last_reviewed_with_its_source(
    client, sorafenib, editor_in_chief
):
    row = sorafenib.adverse_events.select_related("term", "citation").first()
    term = row.term
    term.synonyms = ["Palmar-plantar erythrodysaesthesia", "HFSR"]
    term.system_organ_class = "Skin and subcutaneous tissue disorders"
    term.save()
    row.any_grade_high = Decimal("47.5")
    row.save()
    root_import_publish(root=sorafenib, note="Revised incidence")
    withdrawn = drug_with_monograph(inn="regorafenib", slug="regorafenib")
    DrugAdverseEventFactory(
        drug=withdrawn,
        term=term,
        citation=row.citation,
        any_grade_low=Decimal("60"),
        any_grade_high=Decimal("65"),
    )
    root_import_publish(root=withdrawn, note="Reports the term")
    root_withdraw(root=withdrawn, user=editor_in_chief, reason="Under correction.")

    response = client.get(reverse("monographs:adverse_event_detail", args=[term.slug]))

    text = text_of(response)
    assert "Also called Palmar-plantar erythrodysaesthesia, HFSR." in text
    assert "Skin and subcutaneous tissue disorders" in text
    assert "21–47.5%" in text and "21–45%" not in text
    assert "Reported in 1 drug monograph and 0 trials." in text
    assert "Regorafenib" not in text and "60–65%" not in text
    html = response.content.decode()
    assert f'<a href="/references/{row.citation.key}/">Llovet JM et al., 2008</a>' in html
    assert 'href="/drugs/sorafenib/#section-adverse_events"' in html


@pytest.mark.parametrize(
    ("authors", "group_author", "year", "title", "label"),
    [
        (["Smith J"], "", 2010, "A title", "Smith J, 2010"),
        (["Smith J", "Jones K"], "", None, "A title", "Smith J et al."),
        ([], "SHARP Investigators", 2008, "A title", "SHARP Investigators, 2008"),
        ([], "", 2001, "Prescribing information " * 4, ("Prescribing information " * 3)[:59]),
        (["Smith J", ""], "", 2010, "A title", "Smith J et al., 2010"),
    ],
)
def test_adverse_event_page_names_each_drug_source_in_its_short_form(
    client, authors, group_author, year, title, label
):
    """The term page reads of each cited reference only what its short form names, and
    names it as the reference's whole record would."""
    citation = CitationFactory(authors=authors, group_author=group_author, year=year, title=title)
    drug = drug_with_monograph(inn="lenvatinib", slug="lenvatinib")
    row = DrugAdverseEventFactory(drug=drug, citation=citation)
    root_import_publish(root=drug, note="Cites the reference")

    response = client.get(reverse("monographs:adverse_event_detail", args=[row.term.slug]))

    link = f'<a href="/references/{citation.key}/">'
    cell = response.content.decode().split(link)[1].split("</a>")[0]
    assert cell == label.rstrip() + ("…" if len(title) > 60 else "")
    reference = next(
        r
        for r in Entry.objects.get(kind="drug", slug="lenvatinib").current.document["references"]
        if r["key"] == citation.key
    )
    assert cell == short_citation(reference)


def test_adverse_event_used_only_by_drafts_is_404(client, sorafenib):
    draft = DrugFactory()
    term = AdverseEventTermFactory()
    DrugAdverseEventFactory(drug=draft, term=term)

    assert (
        client.get(reverse("monographs:adverse_event_detail", args=[term.slug])).status_code == 404
    )
    assert (
        client.get(reverse("monographs:adverse_event_detail", args=["no-such-term"])).status_code
        == 404
    )


def test_adverse_event_index_lists_terms_in_use(client, sorafenib):
    response = client.get(reverse("monographs:adverse_event_list"))

    names = [term.title for term in response.context["page"].object_list]
    assert sorted(names) == sorted(ae.term.name for ae in sorafenib.adverse_events.all())


def test_term_pages_query_counts_are_constant(client, django_assert_max_num_queries, sorafenib):
    term = sorafenib.adverse_events.select_related("term").first().term
    for url in (
        reverse("monographs:adverse_event_detail", args=[term.slug]),
        reverse("monographs:adverse_event_list"),
    ):
        assert_constant_queries(
            client, django_assert_max_num_queries, url, lambda: grow_corpus(sorafenib)
        )


# --- references -------------------------------------------------------------------------


def test_reference_page_links_out_and_lists_what_cites_it(client):
    citation = CitationFactory(pmcid="PMC2573515")
    drug = drug_with_monograph()
    MonographSectionFactory(drug=drug, kind="summary", body=f"Summary [@{citation.key}].")
    root_import_publish(root=drug, note="test")

    response = client.get(reverse("monographs:reference_detail", args=[citation.key]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="https://doi.org/{citation.doi}"' in html
    assert f'href="https://pubmed.ncbi.nlm.nih.gov/{citation.pmid}/"' in html
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2573515/"' in html
    assert f'href="/drugs/{drug.slug}/#ref-' in html
    page, data = json_ld_of(response)["@graph"]
    assert page["@type"] == "WebPage"
    assert data["@type"] == "ScholarlyArticle"
    assert data["url"] == f"https://doi.org/{citation.doi}"
    assert {"@type": "PropertyValue", "propertyID": "DOI", "value": citation.doi} in data[
        "identifier"
    ]


def test_reference_page_reads_its_standing_and_lists_the_works_it_cites(
    client, django_assert_max_num_queries
):
    review = CitationFactory(kind="review", standing="peer_reviewed_review")
    listed = CitationFactory(authors=["Llovet JM"], title="Sorafenib in advanced HCC")
    credited = CitationFactory(
        kind="web_page", authors=[], group_author="Bayer", journal="", pmid=None, doi=None
    )
    CitationLinkFactory(citing=review, cited=listed, position=1)
    CitationLinkFactory(citing=review, cited=credited, position=None)
    web = CitationFactory(
        kind="web_page", standing="unsigned_web_article", year=None, translated_from="Russian"
    )
    drug = drug_with_monograph()
    MonographSectionFactory(
        drug=drug, kind="summary", body=f"Summary [@{review.key}] [@{web.key}]."
    )
    root_import_publish(root=drug, note="test")

    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        text = strip_tags(
            client.get(reverse("monographs:reference_detail", args=[review.key])).content.decode()
        )
    web_text = strip_tags(
        client.get(reverse("monographs:reference_detail", args=[web.key])).content.decode()
    )

    assert "Review in a peer-reviewed journal" in text
    assert "Works it cites" in text
    assert "[1] Llovet JM. Sorafenib in advanced HCC." in text
    assert "Not numbered: Bayer." in text
    assert listed.key not in text
    assert "Unsigned web article; undated; translated from Russian" in web_text
    assert "Works it cites" not in web_text


def test_a_reference_only_drafts_cite_is_404(client, sorafenib):
    citation = CitationFactory()
    draft = DrugFactory()
    MonographSectionFactory(drug=draft, body=f"Draft [@{citation.key}].")

    assert (
        client.get(reverse("monographs:reference_detail", args=[citation.key])).status_code == 404
    )


def test_reference_pages_query_counts_are_constant(
    client, django_assert_max_num_queries, sorafenib
):
    key = Facet.objects.filter(name="citation").values_list("value", flat=True).first()
    for url in (
        reverse("monographs:reference_detail", args=[key]),
        reverse("monographs:reference_list"),
    ):
        assert_constant_queries(
            client, django_assert_max_num_queries, url, lambda: grow_corpus(sorafenib)
        )


# --- search page ------------------------------------------------------------------------


def test_search_page_ranks_and_highlights(client, sorafenib):
    response = client.get(reverse("monographs:search"), {"q": "sorafenib"})

    results = response.context["results"]
    assert results[0].kind == "drug" and results[0].slug == "sorafenib"
    assert "<mark>" in response.content.decode()


def test_search_page_tabs_filter_by_kind(client, sorafenib):
    response = client.get(reverse("monographs:search"), {"q": "sorafenib", "kind": "reference"})

    assert response.context["results"]
    assert {result.kind for result in response.context["results"]} == {"reference"}
    assert response.context["counts"]["drug"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "x" * 5000},
        {"q": "'; DROP TABLE monographs_entry; --"},
        {"q": "\x00sorafenib"},
        {"q": "sorafenib", "kind": "nonsense"},
        {"q": "(((", "kind": ""},
        {"q": ["a", "b"]},
    ],
)
def test_search_page_survives_odd_queries(client, sorafenib, params):
    response = client.get(reverse("monographs:search"), params)

    assert response.status_code == 200


def test_search_page_query_count_is_constant(client, django_assert_max_num_queries, sorafenib):
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("monographs:search") + "?q=sorafenib",
        lambda: grow_corpus(sorafenib),
    )


# --- feed, sitemap, robots ----------------------------------------------------------------


def test_atom_feed_lists_each_published_version(client, sorafenib_v2):
    response = client.get(reverse("monographs:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "http://testserver/drugs/sorafenib/versions/2/" in body
    assert "http://testserver/drugs/sorafenib/versions/1/" in body
    assert "Rewrote the summary." in body


def test_atom_feed_announces_a_withdrawal_with_its_reason(client, sorafenib, editor_in_chief):
    other = published_drug()
    root_withdraw(root=sorafenib, user=editor_in_chief, reason="A dose was misprinted.")

    body = client.get(reverse("monographs:feed")).content.decode()

    entries = re.findall(r"<entry>(.*?)</entry>", body, re.S)
    assert "Sorafenib withdrawn" in entries[0]
    assert "Withdrawn: A dose was misprinted." in entries[0]
    assert "http://testserver/drugs/sorafenib/#withdrawn-" in entries[0]
    # The withdrawn entry's versions left the feed with it; the live entry's stay.
    assert "/drugs/sorafenib/versions/" not in body
    assert f"/drugs/{other.slug}/versions/1/" in body
    assert len(entries) == 2


def test_a_second_withdrawal_is_a_new_feed_item(client, sorafenib, editor_in_chief):
    root_withdraw(root=sorafenib, user=editor_in_chief, reason="First reason.")
    first = re.findall(r"<id>(.*?#withdrawn-.*?)</id>", client.get("/feed/").content.decode())
    Entry.objects.filter(slug="sorafenib").update(
        withdrawn_at=Entry.objects.get(slug="sorafenib").withdrawn_at.replace(year=2030)
    )

    second = re.findall(r"<id>(.*?#withdrawn-.*?)</id>", client.get("/feed/").content.decode())

    assert len(first) == len(second) == 1 and first != second


def sitemap_locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r"<loc>(.*?)</loc>", response.content.decode())


def test_sitemap_lists_live_entries_terms_and_references(client, sorafenib):
    trial = published_trial(drugs=[sorafenib])

    sections = sitemap_locations(client, reverse("monographs:sitemap"))
    urls = [url for section in sections for url in sitemap_locations(client, section)]

    assert sections == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-entries.xml",
        "http://testserver/sitemap-vocabulary.xml",
    ]
    assert "http://testserver/drugs/sorafenib/" in urls
    assert f"http://testserver/trials/{trial.slug}/" in urls
    term = sorafenib.adverse_events.select_related("term").first().term
    assert f"http://testserver/adverse-events/{term.slug}/" in urls
    assert any(url.startswith("http://testserver/references/") for url in urls)


def test_sitemap_sections_are_split_into_pages_of_at_most_the_limit(client, sorafenib, monkeypatch):
    from monographs import sitemaps

    for _ in range(2):
        published_trial(drugs=[sorafenib])
    monkeypatch.setattr(sitemaps.EntrySitemap, "limit", 2)

    sections = sitemap_locations(client, reverse("monographs:sitemap"))
    entry_pages = [url for url in sections if "sitemap-entries" in url]
    urls = [url for page in entry_pages for url in sitemap_locations(client, page)]

    assert entry_pages == [
        "http://testserver/sitemap-entries.xml",
        "http://testserver/sitemap-entries.xml?p=2",
    ]
    assert len(urls) == len(set(urls)) == 3
    assert client.get("/sitemap-entries.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_feed_and_sitemap_query_counts_are_constant(
    client, django_assert_max_num_queries, sorafenib, editor_in_chief
):
    root_withdraw(root=published_drug(), user=editor_in_chief, reason="Under correction.")
    urls = [
        reverse("monographs:feed"),
        reverse("monographs:sitemap"),
        "/sitemap-entries.xml",
        "/sitemap-vocabulary.xml",
    ]
    for url in urls:
        assert_constant_queries(
            client, django_assert_max_num_queries, url, lambda: grow_corpus(sorafenib)
        )


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_pages_refuse_writes(client, sorafenib):
    assert client.post(reverse("monographs:drug_detail", args=["sorafenib"])).status_code == 405
    assert client.post(reverse("monographs:search")).status_code == 405


@pytest.mark.usefixtures("pages_rendered_live")
def test_editorial_notes_link_their_citations(client):
    drug = drug_with_monograph()
    row = drug.adverse_events.first()
    article = row.citation
    row.editorial_note = f"The trial report gives a lower figure [@{article.key}]."
    row.save()
    root_import_publish(root=drug, note="test")

    response = client.get(reverse("monographs:drug_detail", args=[drug.slug]))

    number = next(
        r["number"] for r in response.context["document"]["references"] if r["key"] == article.key
    )
    assert (
        f'lower figure <sup class="citations">[<a href="#ref-{number}" class="citation">'
        f"{number}</a>]</sup>."
    ) in response.content.decode()


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page": "1e3"},
        {"q": "%", "kind": "drug"},
        {"drug_class": "\x00"},
        {"target": "' OR 1=1 --"},
        {"phase": "[]", "design": "{}", "condition": "../../etc/passwd", "drug": "é"},
        {"p": "abc"},
    ],
)
def test_odd_query_parameters_never_cause_a_server_error(client, sorafenib, params):
    trial = published_trial(drugs=[sorafenib])
    term = sorafenib.adverse_events.select_related("term").first().term.slug
    urls = [
        reverse("monographs:home"),
        reverse("monographs:drug_list"),
        reverse("monographs:drug_detail", args=["sorafenib"]),
        reverse("monographs:drug_versions", args=["sorafenib"]),
        reverse("monographs:drug_version_detail", args=["sorafenib", 1]),
        reverse("monographs:adverse_event_list"),
        reverse("monographs:adverse_event_detail", args=[term]),
        reverse("monographs:reference_list"),
        reverse("monographs:search"),
        reverse("monographs:feed"),
        reverse("monographs:sitemap"),
        reverse("trials:trial_list"),
        reverse("trials:trial_detail", args=[trial.slug]),
    ]
    for url in urls:
        assert client.get(url, params).status_code < 500, url


def test_a_version_number_too_large_for_the_database_is_404(client, sorafenib):
    url = reverse("monographs:drug_version_detail", args=["sorafenib", 10**30])

    assert client.get(url).status_code == 404


def test_drugs_are_listed_alphabetically_whatever_the_case(client):
    for inn, slug in (("GK-00687", "gk-00687"), ("axitinib", "axitinib"), ("Zeta", "zeta")):
        published_drug(inn=inn, slug=slug)

    response = client.get(reverse("monographs:drug_list"))

    assert [letter for letter, _ in response.context["letters"]] == ["A", "G", "Z"]


def test_structured_data_cannot_close_its_script_tag(client):
    published_drug(summary='Breaks out </script><script>alert("x")</script> here.')

    html = client.get(reverse("monographs:drug_list")).content.decode()
    drug = Facet.objects.filter(name="drug_class").first().publication.slug
    page = client.get(reverse("monographs:drug_detail", args=[drug])).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert '<script>alert("x")</script>' not in page
    assert "\\u003C/script\\u003E" in page

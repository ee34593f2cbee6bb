"""The public trial pages: list with filters, the trial summary and its versions."""

import json
import re

import pytest
from django.urls import reverse

from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.publishing.models import Entry
from tests.factories import TrialAdverseEventFactory, UserFactory
from tests.site.corpus import published_drug, published_trial, trial_with_results
from trials.models import Trial

pytestmark = pytest.mark.django_db

MAX_QUERIES_PER_PAGE = 4


@pytest.fixture
def sorafenib():
    return published_drug(inn="sorafenib", slug="sorafenib")


@pytest.fixture
def sharp(sorafenib):
    return published_trial(drugs=[sorafenib], slug="sharp", acronym="SHARP")


def text_of(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def spoken(html: str) -> str:
    """What a screen reader reads of a fragment: nothing hidden from it, a link's label
    instead of its text."""
    html = re.sub(r'<(\w+)[^>]*aria-hidden="true"[^>]*>.*?</\1>', "", html, flags=re.S)
    html = re.sub(r'<a [^>]*aria-label="([^"]*)"[^>]*>.*?</a>', r"\1", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def grow_corpus(drug) -> None:
    for _ in range(3):
        published_trial(drugs=[drug, published_drug()])


def assert_constant_queries(client, django_assert_max_num_queries, url: str, grow) -> None:
    counts = []
    for step in (None, grow):
        if step:
            step()
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries, then {counts[1]}"


# --- list -------------------------------------------------------------------------------


def test_trial_list_shows_live_trials(client, sharp):
    response = client.get(reverse("trials:trial_list"))

    text = text_of(response)
    assert "SHARP: Sorafenib HCC Assessment Randomized Protocol" in text
    assert "Phase III" in text
    assert sharp.nct_id in text


def test_trial_list_filters_by_phase_condition_drug_and_design(client, sorafenib, sharp):
    other = published_trial(
        drugs=[published_drug()], phase=Trial.Phase.PHASE_2, design=Trial.Design.SINGLE_ARM
    )
    condition = sharp.conditions.first().slug

    def slugs(**params):
        response = client.get(reverse("trials:trial_list"), params)
        return [trial["entry"].slug for trial in response.context["trials"]]

    assert slugs(phase="2") == [other.slug]
    assert slugs(design="single_arm") == [other.slug]
    assert slugs(drug="sorafenib") == ["sharp"]
    assert slugs(condition=condition) == ["sharp"]
    assert slugs(phase="3", drug="sorafenib") == ["sharp"]
    assert slugs(phase="2", drug="sorafenib") == []


def test_trial_list_labels_filters_with_published_names(client, sharp):
    response = client.get(reverse("trials:trial_list"))

    html = response.content.decode()
    assert '<option value="sorafenib">Sorafenib (1)</option>' in html
    assert '<option value="3">Phase III (1)</option>' in html


def test_trial_list_survives_odd_parameters(client, sharp):
    response = client.get(
        reverse("trials:trial_list"), {"phase": "9/9", "page": "-3", "drug": "%00"}
    )

    assert response.status_code == 200
    assert [t["entry"].slug for t in response.context["trials"]] == ["sharp"]


def test_trial_list_query_count_is_constant(
    client, django_assert_max_num_queries, sorafenib, sharp
):
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("trials:trial_list") + "?phase=3",
        lambda: grow_corpus(sorafenib),
    )


# --- the trial page -----------------------------------------------------------------------


def test_trial_page_shows_design_arms_outcomes_and_adverse_events(client, sharp):
    response = client.get(reverse("trials:trial_detail", args=["sharp"]))

    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    assert html.count("<h1") == 1
    for expected in (
        "Phase III",
        "Randomised controlled",
        "Randomised Yes",
        "Placebo-controlled Yes",
        "Double blind",
        "602 patients",
        "March 2005",
        "Advanced HCC, Child-Pugh A",
        "Placebo comparator",
        "10.7 months",
        "95% CI 9.4–13.3",
        "HR 0.69 (95% CI 0.55–0.87) vs Placebo",
        "p = 0.00058",
        "Primary endpoint",
        "Grade ≥3",
        "21%",
        "Primary results",
    ):
        assert expected in text, expected
    assert f'href="https://clinicaltrials.gov/study/{sharp.nct_id}"' in html
    assert 'href="/drugs/sorafenib/"' in html
    assert html.count('<svg class="chart chart--wide"') == 2
    assert html.count('<svg class="chart chart--narrow"') == 2, "each chart has its phone layout"
    assert "Median outcomes by arm in SHARP" in html
    assert '<th scope="col">When</th>' not in html, "a column with nothing in it is left out"
    assert '<th scope="col">Comparison</th>' in html


@pytest.mark.usefixtures("pages_rendered_live")
def test_trial_page_pivots_adverse_events_by_arm_and_grade(client, sharp):
    response = client.get(reverse("trials:trial_detail", args=["sharp"]))

    table = response.context["adverse_events"]
    assert [(c["arm"], c["grade"]) for c in table["columns"]] == [
        ("Sorafenib", "Any grade"),
        ("Sorafenib", "Grade ≥3"),
        ("Placebo", "Any grade"),
    ]
    assert [cell["percent"] for cell in table["rows"][0]["cells"]] == [21, 8, 3]


def test_a_dash_in_the_adverse_event_grid_is_explained_only_where_there_is_one(client, sharp):
    """A dash is an arm and grade the trial gives no figure for: the line above the grid says
    so when the grid has one, and is not there to puzzle over when it has none."""
    url = reverse("trials:trial_detail", args=["sharp"])
    full = client.get(url)
    arm = sharp.arms.get(label="Sorafenib")
    TrialAdverseEventFactory(trial=sharp, arm=arm, citation=arm.citation)
    root_import_publish(root=sharp, note="A term reported in one arm only")
    with_gap = client.get(url)

    assert "A dash (–)" not in full.content.decode()
    html = with_gap.content.decode()
    assert 'aria-describedby="ae-notes"' in html and 'id="ae-notes"' in html
    assert "A dash (–): the trial states no figure for that arm and grade." in text_of(with_gap)
    assert 'class="num ae-gap"' in html  # left out of the cards a narrow screen shows


def test_the_adverse_event_grid_names_a_shared_source_once(client, sharp):
    """Every figure from one passage: said once above the grid, each cell keeping only its
    numbered marker (the passage in the marker's label for screen readers). Figures from
    different places keep each its own passage."""
    url = reverse("trials:trial_detail", args=["sharp"])
    events = list(sharp.adverse_events.all())
    for event in events:
        event.source_locator = "Table 3"
        event.save()
    root_import_publish(root=sharp, note="Every figure from Table 3")
    shared = client.get(url).content.decode()
    grid = shared.split('class="ae-table stack"')[1].split("</table>")[0]

    assert "Source of every figure: Table 3" in text_of(client.get(url))
    assert 'class="source-locator"' not in grid
    note = shared.split('id="ae-notes">')[1].split("</p>")[0]
    assert spoken(note) == "Source of every figure: Reference 1, Table 3."  # the passage once
    assert len(re.findall(r'aria-label="Reference \d+, Table 3"', grid)) == len(events)

    events[0].source_locator = "Table 4"
    events[0].save()
    root_import_publish(root=sharp, note="One figure from Table 4")
    mixed = client.get(url).content.decode()
    grid = mixed.split('class="ae-table stack"')[1].split("</table>")[0]

    assert "Source of every figure" not in mixed
    assert grid.count('class="source-locator"') == len(events)


def test_a_grid_citing_one_reference_with_no_passage_has_no_source_line(client, sharp):
    sharp.adverse_events.update(source_locator="")
    root_import_publish(root=sharp, note="No passage named")
    html = client.get(reverse("trials:trial_detail", args=["sharp"])).content.decode()
    grid = html.split('class="ae-table stack"')[1].split("</table>")[0]

    assert "Source of every figure" not in html
    assert grid.count('class="source"') == sharp.adverse_events.count()
    assert 'class="source-locator"' not in grid


def test_each_cell_of_the_adverse_event_grid_is_labelled_with_its_arm_and_grade(client, sharp):
    html = client.get(reverse("trials:trial_detail", args=["sharp"])).content.decode()
    grid = html.split('class="ae-table stack"')[1].split("</table>")[0]
    labels = set(re.findall(r'<td data-label="([^"]+)"', grid))

    assert labels == {"Sorafenib · Any grade", "Sorafenib · Grade ≥3", "Placebo · Any grade"}


def test_trial_page_carries_medical_trial_structured_data(client, sharp):
    response = client.get(reverse("trials:trial_detail", args=["sharp"]))

    page, data = json.loads(
        re.search(
            r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
        ).group(1)
    )["@graph"]
    assert page["@type"] == "MedicalWebPage"
    assert page["about"] == {"@id": data["@id"]}
    assert page["identifier"] == [
        {
            "@type": "PropertyValue",
            "propertyID": "uuid",
            "value": str(Entry.objects.get(kind="trial", slug=sharp.slug).uid),
        }
    ]
    assert data["@type"] == "MedicalTrial"
    assert data["alternateName"] == "SHARP"
    assert data["identifier"] == [
        {"@type": "PropertyValue", "propertyID": "NCT", "value": sharp.nct_id}
    ]
    assert "https://schema.org/RandomizedTrial" in data["trialDesign"]
    assert data["description"].startswith(f"{sharp.get_phase_display()} trial")
    assert data["studySubject"] == [
        {"@type": "Drug", "name": "Sorafenib", "url": "http://testserver/drugs/sorafenib/"}
    ]


def test_trial_page_query_count_is_constant(
    client, django_assert_max_num_queries, sorafenib, sharp
):
    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("trials:trial_detail", args=["sharp"]),
        lambda: grow_corpus(sorafenib),
    )


def test_trial_page_answers_304_when_unchanged(client, django_assert_num_queries, sharp):
    url = reverse("trials:trial_detail", args=["sharp"])
    etag = client.get(url).headers["ETag"]

    with django_assert_num_queries(1):
        response = client.get(url, headers={"if-none-match": etag})

    assert response.status_code == 304


def test_an_unpublished_trial_is_404_and_not_listed(client, sorafenib, sharp):
    draft = trial_with_results(drugs=[sorafenib], slug="draft-trial", acronym="DRAFTY")

    assert client.get(reverse("trials:trial_detail", args=["draft-trial"])).status_code == 404
    assert "DRAFTY" not in client.get(reverse("trials:trial_list")).content.decode()
    assert (
        "DRAFTY"
        not in client.get(reverse("monographs:drug_detail", args=["sorafenib"])).content.decode()
    )
    assert draft.pk


def test_a_pending_trial_revision_does_not_show(client, sharp):
    before = text_of(client.get(reverse("trials:trial_detail", args=["sharp"])))
    sharp.population = "UNREVIEWED population"
    sharp.save()
    root_record_edit(root=sharp, user=None)

    after = text_of(client.get(reverse("trials:trial_detail", args=["sharp"])))

    assert after == before
    assert "UNREVIEWED" not in after


def test_a_withdrawn_trial_answers_410_and_leaves_the_drug_page(client, sorafenib, sharp):
    root_withdraw(root=sharp, user=UserFactory(is_superuser=True), reason="Results retracted.")

    response = client.get(reverse("trials:trial_detail", args=["sharp"]))
    drug_page = client.get(reverse("monographs:drug_detail", args=["sorafenib"]))

    assert response.status_code == 410
    assert "Results retracted." in text_of(response)
    assert 'href="/trials/sharp/"' not in drug_page.content.decode()
    assert client.get(reverse("trials:trial_list")).context["trials"] == []


# --- versions -----------------------------------------------------------------------------


def test_trial_versions_are_listed_and_readable(client, sharp):
    sharp.population = "Reviewed new population wording."
    sharp.save()
    root_import_publish(root=sharp, note="Population reworded")

    history = client.get(reverse("trials:trial_versions", args=["sharp"]))
    old = client.get(reverse("trials:trial_version_detail", args=["sharp", 1]))

    assert "Population reworded" in text_of(history)
    assert old.status_code == 200
    assert "Superseded: this is version 1" in text_of(old)
    assert "Reviewed new population wording." not in text_of(old)
    assert client.get(reverse("trials:trial_version_detail", args=["sharp", 3])).status_code == 404

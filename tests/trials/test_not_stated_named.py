"""A trial whose source states neither its phase nor its design says so by name on every
line that runs its facts together (search results, the trial list, the drug page's trials,
home, the page's description and structured data), and a trial that states them does not."""

import json
import re

import pytest
from django.urls import reverse

from monographs.search import entry_search
from tests.site.corpus import published_drug, published_trial
from trials.models import Trial

pytestmark = pytest.mark.django_db

NOT_STATED = ("Phase not stated", "Design not stated")
BARE = "Not stated in the source ·"


@pytest.fixture
def sorafenib():
    return published_drug(inn="sorafenib", slug="sorafenib")


@pytest.fixture
def desmoid(sorafenib):
    return published_trial(
        drugs=[sorafenib],
        slug="desmoid",
        acronym="DESMOID",
        phase=Trial.Phase.NOT_STATED,
        design=Trial.Design.NOT_STATED,
        masking=Trial.Masking.NOT_STATED,
        randomised=None,
        placebo_controlled=None,
    )


@pytest.fixture
def sharp(sorafenib):
    return published_trial(drugs=[sorafenib], slug="sharp", acronym="SHARP")


def html_of(client, url: str, **params) -> str:
    return client.get(url, params).content.decode()


def structured_trial(client, slug: str) -> dict:
    page = html_of(client, reverse("trials:trial_detail", args=[slug]))
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    graph = json.loads(blocks[0])["@graph"]
    return next(node for node in graph if node["@type"] == "MedicalTrial")


def test_the_search_result_names_what_is_not_stated(desmoid, sharp):
    results = {r.slug: r for r in entry_search(query="sorafenib", kinds=["trial"])}

    condition = desmoid.conditions.get().name
    assert results["desmoid"].description == f"Phase not stated · Design not stated · {condition}"
    assert results["sharp"].description.startswith("Phase III · Randomised controlled · ")
    assert "not stated" not in results["sharp"].description.lower()


def test_the_trial_list_card_names_what_is_not_stated(client, desmoid, sharp):
    response = client.get(reverse("trials:trial_list"))
    cards = {card["entry"].slug: card for card in response.context["trials"]}

    assert (cards["desmoid"]["phase"], cards["desmoid"]["design"]) == NOT_STATED
    assert (cards["sharp"]["phase"], cards["sharp"]["design"]) == (
        "Phase III",
        "Randomised controlled, double blind",
    )
    html = response.content.decode()
    assert '<span class="pill">Phase not stated</span>' in html
    assert '<span class="pill">Not stated in the source</span>' not in html


def test_filtering_by_an_unstated_phase_says_which_filter(client, desmoid, sharp):
    html = html_of(client, reverse("trials:trial_list"), phase="not_stated")

    assert "1 trial matching <strong>Phase not stated</strong>" in html


@pytest.mark.parametrize(
    ("randomised", "heading"),
    [
        ("yes", "Randomised: yes"),
        ("no", "Randomised: no"),
        ("not_stated", "Randomised not stated"),
    ],
)
def test_filtering_by_a_yes_or_no_says_which_filter(client, randomised, heading):
    sorafenib = published_drug(inn="sorafenib", slug="sorafenib")
    published_trial(drugs=[sorafenib], slug="yes", randomised=True)
    published_trial(drugs=[sorafenib], slug="no", randomised=False)
    published_trial(drugs=[sorafenib], slug="silent", randomised=None)

    html = html_of(client, reverse("trials:trial_list"), randomised=randomised)

    assert f"1 trial matching <strong>{heading}</strong>" in html


def test_the_drug_page_trials_table_names_what_is_not_stated(client, desmoid, sharp):
    html = html_of(client, reverse("monographs:drug_detail", args=["sorafenib"]))

    assert '<td data-label="Design">Phase not stated · design not stated</td>' in html
    assert '<td data-label="Design">Phase III · randomised controlled</td>' in html


def test_home_names_what_is_not_stated(client, desmoid, sharp):
    html = html_of(client, reverse("monographs:home"))
    condition = desmoid.conditions.get().abbreviation or desmoid.conditions.get().name

    assert f'<span class="entry-item__meta">Phase not stated · {condition}</span>' in html
    assert '<span class="entry-item__meta">Phase III · ' in html
    assert BARE not in html


def test_the_trial_page_description_names_what_is_not_stated(client, desmoid, sharp):
    desmoid_page = html_of(client, reverse("trials:trial_detail", args=["desmoid"]))
    sharp_page = html_of(client, reverse("trials:trial_detail", args=["sharp"]))

    condition = desmoid.conditions.get().name.lower()
    assert (
        f'<meta name="description" content="Trial in {condition} '
        "(phase not stated, design not stated): design, arms, outcomes"
    ) in desmoid_page
    assert '<meta name="description" content="Phase III randomised controlled trial in ' in (
        sharp_page
    )
    assert "not stated" not in re.search(r'name="description" content="[^"]*"', sharp_page)[0]


def test_structured_data_names_what_is_not_stated_rather_than_leaving_it_out(
    client, desmoid, sharp
):
    assert structured_trial(client, "desmoid")["description"].startswith(
        "Phase not stated. Design not stated. Population: "
    )
    sharp_description = structured_trial(client, "sharp")["description"]
    assert sharp_description.startswith("Phase III trial. Design: randomised controlled. ")
    assert "not stated" not in sharp_description


def test_the_pages_that_now_read_the_phase_value_keep_their_query_counts(
    client, django_assert_max_num_queries, desmoid, sharp
):
    for url in (reverse("trials:trial_list"), reverse("monographs:home")):
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200

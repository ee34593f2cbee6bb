"""SQL queries per request stay within their budget and do not grow with the content.

Budgets: a public page at most 4, an API detail at most 2, an API list of 100 at most 4.
"""

import pytest
from django.urls import reverse

from monographs.views.drugs import DRUG_PAGE_TRIALS
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 4
API_DETAIL_BUDGET = 2
API_LIST_BUDGET = 4


def queries_for(client, django_assert_max_num_queries, url: str, budget: int) -> int:
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def drug():
    return published_drug(inn="sorafenib", slug="sorafenib")


def test_api_list_of_100_stays_within_budget_as_trials_grow(
    client, django_assert_max_num_queries, drug
):
    url = "/api/v1/trials/?page_size=100"
    published_trial(drugs=[drug])
    small = queries_for(client, django_assert_max_num_queries, url, API_LIST_BUDGET)
    for _ in range(12):
        published_trial(drugs=[drug, published_drug()])

    response = client.get(url)
    large = queries_for(client, django_assert_max_num_queries, url, API_LIST_BUDGET)

    assert len(response.json()["results"]) == 13
    assert large == small


def test_api_list_summaries_carry_their_facets(client, drug):
    trial = published_trial(drugs=[drug], nct_id="NCT00105443")

    summary = client.get("/api/v1/trials/?page_size=100").json()["results"][0]

    assert summary["nct_id"] == "NCT00105443"
    assert summary["drugs"] == ["sorafenib"]
    assert summary["url"] == f"http://testserver/api/v1/trials/{trial.slug}/"
    assert summary["phase"] and summary["design"] and summary["conditions"]


def test_filtered_api_list_stays_within_budget(client, django_assert_max_num_queries, drug):
    url = "/api/v1/trials/?drug=sorafenib&phase=3&page_size=100"
    published_trial(drugs=[drug], phase="3")
    small = queries_for(client, django_assert_max_num_queries, url, API_LIST_BUDGET)
    for _ in range(6):
        published_trial(drugs=[drug], phase="3")

    assert queries_for(client, django_assert_max_num_queries, url, API_LIST_BUDGET) == small


def test_drug_api_list_stays_within_budget(client, django_assert_max_num_queries, drug):
    url = "/api/v1/drugs/?page_size=100"
    small = queries_for(client, django_assert_max_num_queries, url, API_LIST_BUDGET)
    for _ in range(5):
        published_drug()

    assert queries_for(client, django_assert_max_num_queries, url, API_LIST_BUDGET) == small


@pytest.mark.parametrize("kind", ["drugs", "trials"])
def test_api_detail_stays_within_budget(client, django_assert_max_num_queries, drug, kind):
    trial = published_trial(drugs=[drug])
    slug = drug.slug if kind == "drugs" else trial.slug
    url = f"/api/v1/{kind}/{slug}/"
    small = queries_for(client, django_assert_max_num_queries, url, API_DETAIL_BUDGET)
    for _ in range(4):
        published_trial(drugs=[drug, published_drug()])

    assert queries_for(client, django_assert_max_num_queries, url, API_DETAIL_BUDGET) == small


def test_monograph_page_shows_the_latest_trials_within_budget(
    client, django_assert_max_num_queries, drug
):
    url = reverse("monographs:drug_detail", args=["sorafenib"])
    trials = [published_trial(drugs=[drug])]
    small = queries_for(client, django_assert_max_num_queries, url, PAGE_BUDGET)
    trials += [published_trial(drugs=[drug]) for _ in range(DRUG_PAGE_TRIALS)]

    response = client.get(url)
    large = queries_for(client, django_assert_max_num_queries, url, PAGE_BUDGET)

    html = response.content.decode()
    shown = sum(f'href="/trials/{trial.slug}/"' in html for trial in trials)
    assert shown == DRUG_PAGE_TRIALS
    assert 'href="/trials/?drug=sorafenib"' in html
    assert large == small


def test_trial_page_stays_within_budget(client, django_assert_max_num_queries, drug):
    trial = published_trial(drugs=[drug])
    url = reverse("trials:trial_detail", args=[trial.slug])
    small = queries_for(client, django_assert_max_num_queries, url, PAGE_BUDGET)
    for _ in range(4):
        published_trial(drugs=[drug, published_drug()])

    assert queries_for(client, django_assert_max_num_queries, url, PAGE_BUDGET) == small


def test_a_filter_by_a_fact_reads_no_publication():
    """A fact's entries are found from the facets' and the entries' indexes alone; a join
    through the publications table (1 row per version) cost a common term's page three
    times the time of its count."""
    from monographs.publishing.models import Entry, Publication

    publications = Publication._meta.db_table
    for entries in (
        Entry.objects.live().of_kind("trial").with_facet("term", "hypertension"),
        Entry.objects.live().of_kind("trial").with_facet_between("enrolment", 100, 500),
    ):
        assert publications not in str(entries.values("pk").query)

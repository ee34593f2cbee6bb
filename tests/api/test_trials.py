"""/api/v1/trials/: live trials, filtered on their facets."""

import pytest

from monographs.publishing.models import Entry
from tests.api.conftest import edit_without_publishing, publish
from trials.models import Trial

pytestmark = pytest.mark.django_db

LIST = "/api/v1/trials/"


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def trials(make_drug, make_trial):
    sorafenib = make_drug("sorafenib")
    regorafenib = make_drug("regorafenib")
    make_trial("sharp", drugs=(sorafenib,), nct_id="NCT00105443", start_year=2005, enrolment=602)
    make_trial(
        "asia-pacific", drugs=(sorafenib,), nct_id="NCT00492752", start_year=2005, enrolment=226
    )
    make_trial(
        "resorce",
        drugs=(regorafenib,),
        nct_id="NCT01774344",
        start_year=2013,
        enrolment=573,
        design=Trial.Design.RANDOMISED_CONTROLLED,
    )
    make_trial(
        "decision",
        drugs=(sorafenib,),
        condition_slug="differentiated-thyroid-carcinoma",
        nct_id="NCT00984282",
        start_year=2009,
        enrolment=417,
    )
    make_trial(
        "phase-2-hcc",
        drugs=(sorafenib,),
        phase=Trial.Phase.PHASE_2,
        design=Trial.Design.SINGLE_ARM,
        nct_id="NCT00044954",
        start_year=2002,
        enrolment=137,
    )


def test_list_item(client, trials):
    [item] = client.get(f"{LIST}?nct_id=NCT00105443").json()["results"]

    assert item == {
        "id": str(Entry.objects.get(kind="trial", slug="sharp").uid),
        "slug": "sharp",
        "title": "Sorafenib HCC Assessment Randomized Protocol",
        "acronym": "SHARP",
        "version": 1,
        "published_at": item["published_at"],
        "first_published_at": item["first_published_at"],
        "url": "http://testserver/api/v1/trials/sharp/",
        "nct_id": "NCT00105443",
        "phase": "3",
        "design": "randomised_controlled",
        "drugs": ["sorafenib"],
        "conditions": ["hepatocellular-carcinoma"],
        "start_year": 2005,
        "enrolment": 602,
    }


FILTER_CASES = [
    ("drug=regorafenib", ["resorce"]),
    ("drug=sorafenib&condition=hepatocellular-carcinoma", ["asia-pacific", "phase-2-hcc", "sharp"]),
    ("condition=differentiated-thyroid-carcinoma", ["decision"]),
    ("phase=2", ["phase-2-hcc"]),
    ("phase=3&design=randomised_controlled", ["asia-pacific", "decision", "resorce", "sharp"]),
    ("design=single_arm", ["phase-2-hcc"]),
    ("nct_id=nct00492752", ["asia-pacific"]),
    ("start_year_min=2009", ["decision", "resorce"]),
    ("start_year_max=2005", ["asia-pacific", "phase-2-hcc", "sharp"]),
    ("start_year_min=2005&start_year_max=2009", ["asia-pacific", "decision", "sharp"]),
    ("enrolment_min=500", ["resorce", "sharp"]),
    ("enrolment_max=226", ["asia-pacific", "phase-2-hcc"]),
    ("enrolment_min=200&enrolment_max=450&drug=sorafenib", ["asia-pacific", "decision"]),
    ("drug=lenvatinib", []),
]


def test_filters(client, trials):
    for query, expected in FILTER_CASES:
        assert slugs(client.get(f"{LIST}?{query}")) == expected, query


BAD_FILTER_CASES = [
    ("phase=5", "phase"),
    ("design=adaptive", "design"),
    ("nct_id=NCT123", "nct_id"),
    ("start_year_min=ancient", "start_year_min"),
    ("start_year_max=1200", "start_year_max"),
    ("enrolment_min=-4", "enrolment_min"),
    ("enrolment_max=1e99", "enrolment_max"),
    ("drug=Sora%20fenib", "drug"),
]


def test_design_flags_filter_yes_no_and_not_stated(client, make_trial):
    make_trial("sharp")
    silent = make_trial("silent", published=False)
    Trial.objects.filter(pk=silent.pk).update(randomised=None, placebo_controlled=None)
    publish(Trial.objects.get(pk=silent.pk))

    assert slugs(client.get(f"{LIST}?randomised=yes")) == ["sharp"]
    assert slugs(client.get(f"{LIST}?randomised=not_stated")) == ["silent"]
    assert slugs(client.get(f"{LIST}?placebo_controlled=no")) == []
    detail = client.get(f"{LIST}silent/").json()["document"]
    assert (detail["randomised"], detail["placebo_controlled"]) == (None, None)
    assert client.get(f"{LIST}?randomised=false").status_code == 400


def test_bad_filter_values_are_400s_naming_the_parameter(client, trials):
    for query, parameter in BAD_FILTER_CASES:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 400, query
        assert list(response.json()["parameters"]) == [parameter]


def test_drafts_and_withdrawn_trials_never_show(client, make_trial, withdraw):
    sharp = make_trial("sharp", enrolment=602)
    edit_without_publishing(sharp, enrolment=9999, title="Unreviewed title")
    make_trial("draft-trial", published=False)
    withdraw(make_trial("withdrawn-trial"), reason="Registry record retracted.")

    assert slugs(client.get(LIST)) == ["sharp"]
    assert slugs(client.get(f"{LIST}?enrolment_min=9999")) == []
    detail = client.get(f"{LIST}sharp/").json()
    assert detail["document"]["enrolment"] == 602
    assert detail["title"] != "Unreviewed title"
    assert client.get(f"{LIST}draft-trial/").status_code == 404
    gone = client.get(f"{LIST}withdrawn-trial/")
    assert gone.status_code == 410
    assert gone.json()["withdrawal_reason"] == "Registry record retracted."


def test_detail_and_versions(client, make_trial, django_assert_max_num_queries):
    make_trial("sharp")

    with django_assert_max_num_queries(2):
        detail = client.get(f"{LIST}sharp/").json()
    with django_assert_max_num_queries(2):
        versions = client.get(f"{LIST}sharp/versions/").json()
    with django_assert_max_num_queries(2):
        first = client.get(f"{LIST}sharp/versions/1/").json()

    assert detail["kind"] == "trial"
    assert detail["document"]["outcomes"][0]["measure"] == "OS"
    assert [v["version"] for v in versions] == [1]
    assert first["document"] == detail["document"]


def test_list_query_count_does_not_grow_with_the_page(
    client, make_trial, django_assert_num_queries
):
    for index in range(5):
        make_trial(f"trial-{index:02d}")
    with django_assert_num_queries(2):
        assert len(slugs(client.get(f"{LIST}?page_size=5"))) == 5
    for index in range(5, 50):
        make_trial(f"trial-{index:02d}")
    with django_assert_num_queries(2):
        assert len(slugs(client.get(f"{LIST}?page_size=50&phase=3&enrolment_min=1"))) == 50

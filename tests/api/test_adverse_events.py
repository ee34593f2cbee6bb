"""/api/v1/adverse-events/: drug x term incidence rows of live drug monographs."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from monographs.api.models import PublishedAdverseEvent
from monographs.models import AdverseEventTerm
from tests.api.conftest import DIARRHOEA, HAND_FOOT, HYPERTENSION, edit_without_publishing, publish

pytestmark = pytest.mark.django_db

LIST = "/api/v1/adverse-events/"


def rows(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return [(row["drug_slug"], row["term_slug"]) for row in response.json()["results"]]


@pytest.fixture
def two_drugs(make_drug):
    make_drug(
        "sorafenib",
        adverse_events=(
            (HAND_FOOT, "21", "45", "8", "11"),
            (DIARRHOEA, "39", "55", "8", None),
            (HYPERTENSION, "9", None, None, None),
        ),
    )
    make_drug("regorafenib", adverse_events=((HAND_FOOT, "47", "53", "13", "17"),))


def test_rows_carry_incidence_and_source(client, two_drugs):
    first = client.get(f"{LIST}?drug=sorafenib&term=diarrhea").json()["results"][0]

    assert first["drug_name"] == "sorafenib"
    assert first["term_name"] == "Diarrhea"
    assert first["system_organ_class"] == "Gastrointestinal disorders"
    assert (first["any_grade_low"], first["any_grade_high"]) == (39.0, 55.0)
    assert (first["grade_3_plus_low"], first["grade_3_plus_high"]) == (8.0, None)
    assert (first["any_grade"], first["grade_3_plus"]) == ("39–55%", "8%")
    assert (first["any_grade_bound"], first["grade_3_plus_scope"]) == ("", "grade_3_plus")
    assert first["source"]["locator"] == "Table 3"
    assert first["source"]["citation"]
    assert first["source"]["vancouver"].startswith("Llovet JM")
    assert first["drug_url"] == "http://testserver/api/v1/drugs/sorafenib/"


FILTER_CASES = [
    (
        "",
        [
            ("regorafenib", HAND_FOOT[0]),
            ("sorafenib", DIARRHOEA[0]),
            ("sorafenib", HYPERTENSION[0]),
            ("sorafenib", HAND_FOOT[0]),
        ],
    ),
    ("drug=regorafenib", [("regorafenib", HAND_FOOT[0])]),
    (f"term={HAND_FOOT[0]}", [("regorafenib", HAND_FOOT[0]), ("sorafenib", HAND_FOOT[0])]),
    ("organ_class=gastrointestinal+disorders", [("sorafenib", DIARRHOEA[0])]),
    ("min_incidence=50", [("regorafenib", HAND_FOOT[0]), ("sorafenib", DIARRHOEA[0])]),
    (
        "min_incidence=9",
        [
            ("regorafenib", HAND_FOOT[0]),
            ("sorafenib", DIARRHOEA[0]),
            ("sorafenib", HYPERTENSION[0]),
            ("sorafenib", HAND_FOOT[0]),
        ],
    ),
    (
        "grade=grade_3_plus",
        [("regorafenib", HAND_FOOT[0]), ("sorafenib", DIARRHOEA[0]), ("sorafenib", HAND_FOOT[0])],
    ),
    (
        "grade=grade_3_plus&min_incidence=10",
        [("regorafenib", HAND_FOOT[0]), ("sorafenib", HAND_FOOT[0])],
    ),
    (
        "drug=sorafenib&grade=grade_3_plus&min_incidence=8",
        [("sorafenib", DIARRHOEA[0]), ("sorafenib", HAND_FOOT[0])],
    ),
]


def test_filters(client, two_drugs):
    for query, expected in FILTER_CASES:
        assert rows(client.get(f"{LIST}?{query}")) == expected, query


BAD_FILTER_CASES = [
    ("min_incidence=150", "min_incidence"),
    ("min_incidence=a+lot", "min_incidence"),
    ("grade=4", "grade"),
    ("drug=Not+a+slug", "drug"),
]


def test_bad_filter_values_are_400s_naming_the_parameter(client, two_drugs):
    for query, parameter in BAD_FILTER_CASES:
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 400, query
        assert list(response.json()["parameters"]) == [parameter]


def test_only_the_current_version_of_a_live_drug_counts(client, make_drug, withdraw):
    sorafenib = make_drug("sorafenib", adverse_events=((HAND_FOOT, "21", "45", "8", "11"),))
    regorafenib = make_drug("regorafenib", adverse_events=((HAND_FOOT, "47", "53", "13", "17"),))
    make_drug("lenvatinib", published=False, adverse_events=((DIARRHOEA, "50", "60", None, None),))
    event = sorafenib.adverse_events.get()
    event.any_grade_high = 46
    event.save()
    publish(sorafenib)
    event.any_grade_high = 99
    event.save()
    edit_without_publishing(sorafenib)
    withdraw(regorafenib)

    [row] = client.get(LIST).json()["results"]

    assert (row["drug_slug"], row["any_grade_high"]) == ("sorafenib", 46.0)


def test_query_count_does_not_grow_with_the_page(client, make_drug, django_assert_num_queries):
    make_drug("drug-a", adverse_events=((HAND_FOOT, "1", "2", None, None),) * 5)
    with django_assert_num_queries(1):
        assert len(rows(client.get(f"{LIST}?page_size=5"))) == 5
    make_drug("drug-b", adverse_events=((DIARRHOEA, "1", "2", None, None),) * 45)
    with django_assert_num_queries(1):
        assert len(rows(client.get(f"{LIST}?page_size=50&min_incidence=1"))) == 50


def test_rows_carry_the_term_synonyms_and_the_migration_fills_older_rows(make_drug):
    AdverseEventTerm.objects.create(
        slug=HAND_FOOT[0],
        name=HAND_FOOT[1],
        system_organ_class=HAND_FOOT[2],
        synonyms=["Hand-foot skin reaction", "HFSR"],
    )
    make_drug(
        "sorafenib",
        adverse_events=((HAND_FOOT, "21", "45", "8", "11"), (DIARRHOEA, "39", "55", "8", None)),
    )
    written = dict(PublishedAdverseEvent.objects.values_list("term_slug", "term_synonyms"))
    assert written == {HAND_FOOT[0]: ["Hand-foot skin reaction", "HFSR"], DIARRHOEA[0]: []}

    PublishedAdverseEvent.objects.update(term_synonyms=[])
    migration = importlib.import_module(
        "monographs.api.migrations.0006_published_adverse_event_term_synonyms"
    )
    synonyms = ("public_api", "0006_published_adverse_event_term_synonyms")
    state = MigrationLoader(connection).project_state(synonyms)
    migration.fill_from_existing_publications(state.apps, None)

    assert dict(PublishedAdverseEvent.objects.values_list("term_slug", "term_synonyms")) == written

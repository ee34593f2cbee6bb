"""Exports: the corpus as a loadable fixture, CSV tables, RIS and BibTeX; live content only."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monographs.api.exports.citations import bibtex_name, page_range
from monographs.api.exports.fixtures import published_corpus
from monographs.editorial.documents import document_hash
from monographs.editorial.models import EditorialEvent as EditorialEventModel
from monographs.publishing.models import Entry, Publication
from tests.api.conftest import DIARRHOEA, HAND_FOOT, edit_without_publishing, publish
from tests.factories import CitationFactory, OutcomeFactory
from trials.models import Outcome, Trial

EXPORT = "/api/v1/export/"


def download(client, name: str, **params) -> str:
    response = client.get(f"{EXPORT}{name}", params)
    assert response.status_code == 200, response.content
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode()


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def corpus(make_drug, withdraw):
    """Two versions of sorafenib, a withdrawn drug, a draft drug and a draft revision."""
    sorafenib = make_drug("sorafenib", adverse_events=((HAND_FOOT, "21", "45", "8", "11"),))
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib, note="Summary rewritten.")
    edit_without_publishing(sorafenib, summary="Unreviewed summary.")
    withdraw(
        make_drug("regorafenib", citation=CitationFactory(key="withdrawn-source")),
        reason="Under correction.",
    )
    make_drug("lenvatinib", published=False, citation=CitationFactory(key="draft-source"))
    return sorafenib


@pytest.mark.django_db(transaction=True)
def test_fixture_loads_into_an_empty_database_and_reproduces_the_documents(
    client, corpus, tmp_path
):
    expected = {
        (p.kind, p.slug, p.version): (p.content_hash, p.document)
        for p in Publication.objects.filter(slug="sorafenib")
    }
    text = download(client, "fixtures.json")
    fixture = tmp_path / "published-corpus.json"
    fixture.write_text(text)

    call_command("flush", interactive=False, verbosity=0)
    assert not Publication.objects.exists()
    call_command("loaddata", str(fixture), verbosity=0)

    loaded = {
        (p.kind, p.slug, p.version): (p.content_hash, p.document) for p in Publication.objects.all()
    }
    assert loaded == expected
    assert all(
        document_hash(document) == content_hash for content_hash, document in loaded.values()
    )
    assert list(Entry.objects.values_list("slug", flat=True)) == ["sorafenib"]
    detail = client.get("/api/v1/drugs/sorafenib/").json()
    assert detail["document"] == expected[("drug", "sorafenib", 2)][1]
    assert [r["drug_slug"] for r in client.get("/api/v1/adverse-events/").json()["results"]] == [
        "sorafenib"
    ]
    assert client.get("/api/v1/drugs/?target=KDR").json()["results"][0]["slug"] == "sorafenib"


@pytest.mark.django_db(transaction=True)
def test_a_restored_trial_is_listed_and_served_at_once(client, make_drug, make_trial, tmp_path):
    make_trial("sharp", drugs=(make_drug("sorafenib"),))
    fixture = tmp_path / "published-corpus.json"
    fixture.write_text(download(client, "fixtures.json"))

    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(fixture), verbosity=0)

    models = {item["model"] for item in json.loads(fixture.read_text())}
    assert {"public_api.publishedtrialdrug", "public_api.publishedtriallisting"} <= models
    assert 'href="/trials/sharp/"' in client.get("/trials/").content.decode()
    assert 'href="/trials/sharp/"' in client.get("/drugs/sorafenib/").content.decode()
    assert client.get("/api/v1/trials/sharp/").json()["slug"] == "sharp"


@pytest.mark.django_db(transaction=True)
def test_versions_as_of_and_the_change_feed_answer_the_same_after_a_restore(
    client, make_drug, withdraw, tmp_path
):
    import datetime

    from django.utils import timezone

    from monographs.editorial.services.publish import root_import_publish

    sorafenib = make_drug("sorafenib")
    withdraw(sorafenib, reason="Under correction.")
    sorafenib.summary = "Corrected."
    sorafenib.save()
    root_import_publish(root=sorafenib, note="Corrected.")
    make_drug("axitinib")
    moments = sorted(
        {p.published_at for p in Publication.objects.all()}
        | set(Entry.objects.exclude(withdrawn_at=None).values_list("withdrawn_at", flat=True))
        | {e.created_at for e in EditorialEventModel.objects.filter(action="withdrawn")}
    )
    probes = [
        moment + offset
        for moment in moments
        for offset in (-datetime.timedelta(microseconds=1), datetime.timedelta(0))
    ] + [timezone.now()]
    urls = [
        f"/api/v1/drugs/{slug}/?as_of={moment.isoformat().replace('+00:00', 'Z')}"
        for slug in ("sorafenib", "axitinib")
        for moment in probes
    ] + [
        "/api/v1/drugs/sorafenib/versions/",
        "/api/v1/drugs/sorafenib/versions/1/",
        "/api/v1/changes/",
        "/api/v1/sync/?since=0",
    ]

    def answers() -> list:
        return [(url, client.get(url).status_code, client.get(url).content) for url in urls]

    before = answers()
    fixture = tmp_path / "published-corpus.json"
    fixture.write_text(download(client, "fixtures.json"))
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(fixture), verbosity=0)

    assert answers() == before
    statuses = {status for _, status, _ in before}
    assert {200, 404} <= statuses  # some moments before a version, and while withdrawn


@pytest.mark.django_db
def test_fixture_holds_live_history_only_and_no_user_data(client, corpus, administrator):
    objects = json.loads(download(client, "fixtures.json"))

    models = {item["model"] for item in objects}
    assert models == {
        "publishing.publication",
        "publishing.entry",
        "editorial.editorialevent",
        "publishing.facet",
        "public_api.publishedadverseevent",
        "public_api.publishedcitation",
        "public_api.publisheddocument",
    }
    publications = [o["fields"] for o in objects if o["model"] == "publishing.publication"]
    assert sorted((p["slug"], p["version"]) for p in publications) == [
        ("sorafenib", 1),
        ("sorafenib", 2),
    ]
    assert all(p["published_by"] is None and p["approved_by"] is None for p in publications)
    events = [o["fields"] for o in objects if o["model"] == "editorial.editorialevent"]
    assert [e["action"] for e in events] == ["published", "published"]
    assert all(e["user"] is None and e["revision"] is None and e["txid"] is None for e in events)
    text = json.dumps(objects)
    for private in ("Unreviewed", "regorafenib", "lenvatinib", "draft-source", "pbkdf2"):
        assert private not in text


@pytest.mark.django_db
def test_fixture_is_built_once_with_a_query_count_independent_of_the_corpus(
    client, make_drug, django_assert_num_queries
):
    def built(drugs: int) -> int:
        for index in range(drugs):
            make_drug(f"drug-{drugs}-{index}")
        with CaptureQueriesContext(connection) as queries:
            download(client, "fixtures.json")
        return len(queries)

    assert built(3) == built(9) <= len(published_corpus()) + 8
    # Built: every later download of the same state reads where the public record stands.
    with django_assert_num_queries(1):
        download(client, "fixtures.json")


@pytest.mark.django_db
def test_trials_and_outcomes_csv(client, make_drug, make_trial, withdraw):
    sorafenib = make_drug("sorafenib")
    make_trial("sharp", drugs=(sorafenib,), nct_id="NCT00105443", start_year=2005)
    make_trial("asia-pacific", drugs=(sorafenib,), nct_id="NCT00492752", start_year=2005)
    make_trial("draft-trial", published=False)
    withdraw(make_trial("withdrawn-trial"))

    trials = csv_rows(download(client, "trials.csv"))
    filtered = csv_rows(download(client, "trials.csv", nct_id="NCT00105443"))
    outcomes = csv_rows(download(client, "outcomes.csv", start_year_min=2005))

    assert [t["slug"] for t in trials] == ["asia-pacific", "sharp"]
    assert trials[1]["nct_id"] == "NCT00105443"
    assert trials[1]["drugs"] == "sorafenib"
    assert trials[1]["conditions"] == "hepatocellular-carcinoma"
    assert trials[1]["version"] == "1"
    assert [t["slug"] for t in filtered] == ["sharp"]
    assert [(o["trial_slug"], o["measure"], o["value"]) for o in outcomes] == [
        ("asia-pacific", "OS", "10.7"),
        ("sharp", "OS", "10.7"),
    ]
    assert outcomes[0]["source_citation"]


@pytest.mark.django_db
def test_csv_writes_coded_values_unchanged_and_unstated_flags_as_not_stated(client, make_trial):
    trial = make_trial("silent", published=False)
    Trial.objects.filter(pk=trial.pk).update(randomised=None, placebo_controlled=False)
    first = trial.outcomes.get()
    Outcome.objects.filter(pk=first.pk).update(label="=SUM(A1)", p_value=Decimal("0.00058"))
    OutcomeFactory(
        trial=trial,
        arm=first.arm,
        citation=first.citation,
        measure=Outcome.Measure.PFS,
        p_value=Decimal("0.001"),
        p_value_relation=Outcome.PValueRelation.LESS,
    )
    OutcomeFactory(
        trial=trial,
        arm=first.arm,
        citation=first.citation,
        measure=Outcome.Measure.OTHER,
        value=Decimal("-2.50"),
        unit="",
        ci_low=None,
        ci_high=None,
    )
    publish(Trial.objects.get(pk=trial.pk))

    trials = csv_rows(download(client, "trials.csv"))
    text = download(client, "outcomes.csv")
    outcomes = csv_rows(text)

    assert (trials[0]["randomised"], trials[0]["placebo_controlled"]) == ("not stated", "no")
    assert [o["p_value_relation"] for o in outcomes] == ["equals", "less than", ""]
    assert "'=" not in text.replace("'=SUM", "")
    assert outcomes[0]["label"] == "'=SUM(A1)"  # free text is guarded, and only free text
    assert outcomes[0]["result"] == "10.7 months"
    assert outcomes[2]["value"] == "-2.5"


@pytest.mark.django_db
def test_adverse_events_csv_writes_bounds_and_grade_scopes(client, make_drug):
    sorafenib = make_drug("sorafenib", adverse_events=((DIARRHOEA, None, "10", None, "8"),))
    sorafenib.adverse_events.update(
        any_grade_bound="lt", grade_3_plus_bound="le", grade_3_plus_scope="grade_3"
    )
    sorafenib.summary = "Bounds stated."
    sorafenib.save()
    publish(sorafenib)

    (row,) = csv_rows(download(client, "adverse-events.csv"))

    assert (row["any_grade"], row["any_grade_bound"]) == ("<10%", "lt")
    assert (row["grade_3_plus"], row["grade_3_plus_scope"]) == ("≤8%", "grade_3")


@pytest.mark.django_db
def test_csv_writes_figures_with_the_places_their_source_states(client, make_drug, make_trial):
    sorafenib = make_drug("sorafenib", adverse_events=((DIARRHOEA, "18", "55", None, "8"),))
    sorafenib.adverse_events.update(stated_places={"any_grade_low": 1, "grade_3_plus_high": 2})
    sorafenib.summary = "Places stated."
    sorafenib.save()
    publish(sorafenib)
    trial = make_trial("places", published=False)
    Outcome.objects.filter(trial=trial).update(
        value=Decimal("8"), ci_low=Decimal("7.9"), stated_places={"value": 1, "ci_low": 2}
    )
    publish(Trial.objects.get(pk=trial.pk))

    (event,) = csv_rows(download(client, "adverse-events.csv"))
    (outcome,) = csv_rows(download(client, "outcomes.csv"))

    assert (event["any_grade_low"], event["any_grade_high"]) == ("18.0", "55")
    assert (event["any_grade"], event["grade_3_plus"]) == ("18.0–55%", "≤8.00%")
    assert (outcome["value"], outcome["ci_low"]) == ("8.0", "7.90")
    assert outcome["result"] == "8.0 months"


@pytest.mark.django_db
def test_adverse_events_csv_uses_the_list_filters(client, make_drug):
    make_drug(
        "sorafenib",
        adverse_events=((HAND_FOOT, "21", "45", "8", "11"), (DIARRHOEA, "39", "55", None, None)),
    )

    rows = csv_rows(
        download(client, "adverse-events.csv", organ_class="gastrointestinal disorders")
    )
    refused = client.get(f"{EXPORT}adverse-events.csv", {"min_incidence": "101"})

    assert [(r["drug_slug"], r["term_slug"], r["any_grade_high"]) for r in rows] == [
        ("sorafenib", "diarrhea", "55")
    ]
    assert rows[0]["source_locator"] == "Table 3"
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert "min_incidence" in refused.json()["parameters"]


@pytest.mark.django_db
def test_ris_and_bibtex(client, make_drug):
    citation = CitationFactory(
        key="llovet-2008", pmid="18650514", doi="10.1056/NEJMoa0708857", pages="378-90"
    )
    make_drug("sorafenib", citation=citation)
    make_drug("lenvatinib", published=False, citation=CitationFactory(key="draft-source"))

    ris = download(client, "citations.ris")
    bibtex = download(client, "citations.bib", pmid="18650514")

    assert ris.startswith("TY  - JOUR\r\n")
    assert "AU  - Llovet JM\r\n" in ris
    assert "SP  - 378\r\nEP  - 390\r\n" in ris
    assert "DO  - 10.1056/NEJMoa0708857\r\n" in ris
    assert ris.count("ER  - ") == 1
    assert "draft-source" not in ris
    assert bibtex.startswith("@article{llovet-2008,\n")
    assert "author = {Llovet, J. M. and Ricci, S." in bibtex
    assert "pages = {378--390}" in bibtex
    assert "title = {{Sorafenib in advanced hepatocellular carcinoma}}" in bibtex


def test_csl_json_marks_an_incomplete_author_list(client, make_drug):
    citation = CitationFactory(key="gounder", authors=["Gounder M"], authors_incomplete=True)
    make_drug("sorafenib", citation=citation)

    response = client.get(f"{EXPORT}citations.csl.json")
    items = json.loads(b"".join(response.streaming_content))

    (item,) = [i for i in items if i["id"] == "gounder"]
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert item["author"] == [{"family": "Gounder", "given": "M."}, {"literal": "et al."}]
    assert item["note"].startswith("Author list incomplete in the source (et al.).")
    assert item["type"] == "article-journal"


def test_page_ranges_and_names():
    assert page_range("378-90") == ("378", "390")
    assert page_range("1161-9") == ("1161", "1169")
    assert page_range("e123") == ("e123", "")
    assert bibtex_name("Llovet JM") == "Llovet, J. M."
    assert bibtex_name("van der Berg A") == "van der Berg, A."
    assert bibtex_name("Blumenschein GR Jr") == "Blumenschein, Jr, G. R."
    assert bibtex_name("SHARP Investigators Study Group") == "{SHARP Investigators Study Group}"


@pytest.mark.django_db
def test_csv_and_citation_exports_cost_the_same_for_any_corpus(
    client, make_drug, make_trial, django_assert_max_num_queries
):
    def export_all():
        for name in ("trials.csv", "outcomes.csv", "adverse-events.csv", "citations.ris"):
            with django_assert_max_num_queries(1):
                download(client, name)

    make_trial("trial-0", drugs=(make_drug("drug-0"),))
    export_all()
    for index in range(1, 6):
        make_trial(f"trial-{index}", drugs=(make_drug(f"drug-{index}"),))
    export_all()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Sorafenib", "Sorafenib"),
        (-0.5, -0.5),
        (None, ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(value, written):
    from monographs.api.exports.tables import spreadsheet_safe

    assert spreadsheet_safe(value) == written

"""Draft trials from their registry record: design, arms, results, sourced, never published."""

import copy
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from monographs.editorial.diff import document_diff
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services.publish import root_import_publish
from monographs.importing.errors import ImportProblem, NotFound, ServiceUnavailable
from monographs.importing.study_plans import study_fetch, study_read
from monographs.importing.trials import trial_import_study
from monographs.models import AdverseEventTerm, Citation
from monographs.publishing.models import Entry, Publication
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    ConditionFactory,
    DrugFactory,
    UserFactory,
)
from tests.importing.replay import SAMPLES
from trials.documents import build_trial_document
from trials.models import Arm, Outcome, Trial, TrialAdverseEvent, TrialPublication

pytestmark = pytest.mark.django_db


def study(name: str = "study_with_results.json") -> dict:
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def editor():
    return UserFactory(username="editor-eve", is_staff=True)


def test_a_study_with_results_becomes_a_draft_trial(editor):
    ConditionFactory(name="Hepatocellular carcinoma", synonyms=["Carcinoma, Hepatocellular"])
    sorafenib = DrugFactory(inn="sorafenib")
    result = trial_import_study(study=study(), user=editor, source="study_with_results.json")

    trial = Trial.objects.get()
    assert result.created and trial == result.trial
    assert trial.status == Status.DRAFT
    assert (trial.nct_id, trial.acronym, trial.slug) == ("NCT00105443", "SHARP", "sharp")
    assert (
        trial.title == "Sorafenib Versus Placebo in Patients With Advanced Hepatocellular Carcinoma"
    )
    assert (trial.phase, trial.design, trial.masking) == (
        "3",
        "randomised_controlled",
        "double_blind",
    )
    assert trial.randomised and trial.placebo_controlled
    assert (trial.enrolment, trial.sponsor) == (602, "Bayer")
    assert (str(trial.start_date), trial.start_date_precision) == ("2005-03-01", "month")
    assert (str(trial.end_date), trial.end_date_precision) == ("2007-12-10", "day")
    assert trial.regions == ["Spain", "Italy", "United States"]
    assert trial.other_registry_ids == ["11849", "2004-003012-19"]
    assert [c.name for c in trial.conditions.all()] == ["Hepatocellular carcinoma"]
    assert list(trial.drugs.all()) == [sorafenib]

    experimental, placebo = Arm.objects.filter(trial=trial)
    assert (experimental.label, experimental.role, experimental.participants) == (
        "Sorafenib (Nexavar, BAY43-9006)", "experimental", 299,
    )  # fmt: skip
    assert (placebo.role, placebo.participants) == ("placebo", 303)
    assert experimental.interventions.get().drug == sorafenib
    assert placebo.interventions.get().name == "Placebo"

    # Every figure is sourced to the registry record, its module as locator.
    registry = Citation.objects.get(kind=Citation.Kind.REGISTRY_RECORD)
    assert registry.url == "https://clinicaltrials.gov/study/NCT00105443"
    assert TrialPublication.objects.get(trial=trial).role == TrialPublication.Role.REGISTRY
    assert set(Outcome.objects.values_list("citation", flat=True)) == {registry.pk}
    assert set(TrialAdverseEvent.objects.values_list("citation", flat=True)) == {registry.pk}
    assert experimental.source_locator == "protocolSection.armsInterventionsModule"

    os_median = Outcome.objects.get(measure="OS", arm=experimental, statistic="median")
    assert (os_median.value, os_median.unit, os_median.ci_level) == (Decimal("324"), "days", 95)
    assert (os_median.ci_low, os_median.ci_high) == (Decimal("290"), Decimal("388"))
    assert os_median.is_primary_endpoint
    assert os_median.source_locator == "resultsSection.outcomeMeasuresModule: Overall Survival (OS)"

    hazard = Outcome.objects.get(measure="OS", statistic="hazard ratio")
    assert (hazard.arm, hazard.comparator_arm) == (experimental, placebo)
    assert (hazard.hazard_ratio, hazard.hazard_ratio_ci_low, hazard.hazard_ratio_ci_high) == (
        Decimal("0.69"), Decimal("0.55"), Decimal("0.87"),
    )  # fmt: skip
    assert (hazard.p_value, hazard.p_value_relation) == (Decimal("0.00058"), "=")
    assert hazard.test_statistic_name == "Log Rank"
    assert "below 1 favours sorafenib" in hazard.editorial_note

    odds = Outcome.objects.get(measure="DCR", statistic="odds ratio")
    assert (odds.p_value_relation, odds.p_value) == ("<", Decimal("0.01"))
    dcr = Outcome.objects.get(measure="DCR", arm=placebo, statistic="count")
    assert (dcr.count, dcr.denominator, dcr.value) == (98, 303, None)
    assert Outcome.objects.get(measure="PR", arm=experimental).unit == "%"
    duration = Outcome.objects.get(label="Duration of Treatment", arm=placebo)
    assert (duration.range_low, duration.range_high) == (Decimal("0.3"), Decimal("88"))
    unestimable = Outcome.objects.get(measure="TTSP", arm=experimental, statistic="median")
    assert unestimable.ci_high is None and "upperLimit 'NA'" in unestimable.editorial_note
    spread = Outcome.objects.get(label="Change From Baseline in FHSI-8 Score", arm=experimental)
    assert spread.editorial_note == "Standard deviation: 4.1."

    # Adverse events keep the registry's scope and never get a grade.
    scopes = set(TrialAdverseEvent.objects.values_list("grade_scope", flat=True))
    assert scopes == {"serious", "other"}
    failure = TrialAdverseEvent.objects.get(term__name="Hepatic failure", arm=experimental)
    assert (failure.count, failure.denominator, failure.percent) == (5, 297, None)
    diarrhoea = TrialAdverseEvent.objects.get(term__name="Diarrhoea", arm=placebo)
    assert diarrhoea.grade_scope == "other" and "above 5% only" in diarrhoea.editorial_note
    assert AdverseEventTerm.objects.get(name="Diarrhoea").ctcae_version == ""

    # The edit is recorded, nothing is published.
    event = EditorialEvent.objects.get(kind="trial", root_id=trial.pk)
    assert (event.action, event.user) == ("created", editor)
    assert not Publication.objects.exists() and not Entry.objects.exists()
    assert any("quadruple masking" in note for note in result.notes)
    assert any("PMID 18650514" in note for note in result.notes)


def test_existing_vocabulary_and_papers_are_used(editor):
    AdverseEventTermFactory(name="Diarrhea", synonyms=["Diarrhoea"])
    paper = CitationFactory(pmid="18650514")
    trial_import_study(study=study(), user=editor)
    trial = Trial.objects.get()
    assert set(
        TrialAdverseEvent.objects.filter(term__name="Diarrhea").values_list("count", flat=True)
    ) == {164, 49}
    assert trial.trial_publications.get(citation=paper).role == TrialPublication.Role.PRIMARY


def test_a_study_without_results_imports_the_registration_only(editor):
    result = trial_import_study(study=study("study_without_results.json"), user=editor)
    trial = result.trial
    assert not result.has_results
    assert "The registry has no posted results for it." in result.summary()
    assert (trial.phase, trial.design, trial.masking) == ("2", "single_arm", "open_label")
    assert trial.enrolment == 60 and trial.end_date_precision == "month"
    assert not Outcome.objects.exists() and not TrialAdverseEvent.objects.exists()
    assert any("completionDate is an estimate" in note for note in result.notes)
    assert any("Conditions not in the vocabulary" in note for note in result.notes)


def test_requiring_results_refuses_a_study_without_them_and_writes_nothing(editor):
    with pytest.raises(ImportProblem) as raised:
        trial_import_study(
            study=study("study_without_results.json"),
            user=editor,
            source="study_without_results.json",
            require_results=True,
        )
    assert str(raised.value) == (
        "study_without_results.json, NCT09999901, field resultsSection: has no posted results "
        "(hasResults is false); nothing was imported."
    )
    assert not Trial.objects.exists() and not Citation.objects.exists()


def test_a_reimport_replaces_registry_rows_and_the_review_diff_shows_it(editor):
    trial = trial_import_study(study=study(), user=editor).trial
    root_import_publish(root=trial, note="first version")
    live = Publication.objects.get().document
    # An editor's own row, sourced to the paper, survives the re-import.
    paper = CitationFactory(pmid="18650514")
    Outcome.objects.create(trial=trial, measure="OS", label="From the paper", citation=paper)

    changed = study()
    changed["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"][0][
        "categories"
    ][0]["measurements"][0]["value"] = "325"
    changed["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 603
    result = trial_import_study(study=changed, user=editor)

    trial.refresh_from_db()
    assert not result.created and trial.status == Status.DRAFT
    assert Publication.objects.count() == 1  # the live version is untouched
    assert Outcome.objects.filter(label="From the paper").exists()
    assert Outcome.objects.filter(trial=trial).count() == 17 + 1
    changes = document_diff(old=live, new=build_trial_document(trial))
    text = repr(changes)
    assert "603" in text and "325" in text
    assert "From the paper" in text
    assert "sharp" in Trial.objects.values_list("slug", flat=True)


def test_a_reimport_keeps_what_the_editors_set(editor):
    trial = trial_import_study(study=study(), user=editor).trial
    trial.title, trial.design = "SHARP", Trial.Design.RANDOMISED_DISCONTINUATION
    trial.save()
    result = trial_import_study(study=study(), user=editor)
    trial.refresh_from_db()
    assert (trial.title, trial.design) == ("SHARP", "randomised_discontinuation")
    assert any("Design kept as" in note for note in result.notes)
    assert Arm.objects.filter(trial=trial).count() == 2
    assert Citation.objects.filter(kind="registry_record").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["protocolSection"]["identificationModule"].pop("nctId"),
            "sample.json, protocolSection.identificationModule, field nctId: is missing",
        ),
        (
            lambda s: s["protocolSection"]["identificationModule"].update(nctId="NCT123"),
            "field nctId: 'NCT123' is not an NCT number",
        ),
        (
            lambda s: s["protocolSection"]["statusModule"]["startDateStruct"].update(
                date="March 2005"
            ),
            "protocolSection.statusModule, field startDateStruct.date: 'March 2005' is not a date",
        ),
        (
            lambda s: s["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"][
                0
            ]["categories"][0]["measurements"][0].update(value="ten"),
            "resultsSection.outcomeMeasuresModule, outcome 1 (Overall Survival (OS)), "
            "measurement 1, field value: 'ten' is not a number",
        ),
        (
            lambda s: s["resultsSection"]["adverseEventsModule"]["otherEvents"][0]["stats"][
                0
            ].update(numAffected=400),
            "resultsSection.adverseEventsModule.otherEvents[0] (Diarrhoea), stats[0], "
            "field numAffected: 400 affected of 297 at risk",
        ),
        (
            lambda s: s["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0][
                "analyses"
            ][0].update(ciLowerLimit="0.75"),
            "cannot be saved",
        ),
    ],
)
def test_a_payload_with_a_bad_or_missing_field_is_named_and_nothing_is_written(
    editor, change, message
):
    payload = copy.deepcopy(study())
    change(payload)
    with pytest.raises(ImportProblem) as raised:
        trial_import_study(study=payload, user=editor, source="sample.json")
    assert message in str(raised.value)
    assert not Trial.objects.exists() and not Citation.objects.exists()
    assert not AdverseEventTerm.objects.exists()


def test_a_file_that_is_not_a_study_is_refused():
    with pytest.raises(ImportProblem, match="x.json, study, field protocolSection: is not a"):
        study_read("x.json", b'{"studies": [{"hasResults": false}]}')
    with pytest.raises(ImportProblem, match="x.json: is not valid JSON"):
        study_read("x.json", b"{")
    assert study_read("s.json", (SAMPLES / "study_with_results.json").read_bytes())["hasResults"]


def test_a_study_is_fetched_by_nct_number(replay):
    replay.add_sample("/ctgov/api/v2/studies/NCT00105443", "study_with_results.json")
    assert study_fetch(nct_id=" nct00105443 ")["hasResults"] is True
    assert replay.requests[0].query == {"format": ["json"]}
    with pytest.raises(NotFound, match=r"ClinicalTrials.gov, study NCT00000001: .*\(HTTP 404\)"):
        study_fetch(nct_id="NCT00000001")
    with pytest.raises(ImportProblem, match="NCT1: is not an NCT number"):
        study_fetch(nct_id="NCT1")


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_trial", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_imports_a_file_offline(unreachable):
    UserFactory(username="editor-eve")
    output = run(str(SAMPLES / "study_with_results.json"), "--user", "editor-eve")
    assert "Created draft trial SHARP:" in output
    assert "2 arms, 17 outcomes, 6 adverse events." in output
    assert "sourced to clinicaltrials-gov-nct00105443" in output
    assert EditorialEvent.objects.get().user.username == "editor-eve"


def test_the_command_fetches_by_nct_number(replay):
    replay.add_sample("/ctgov/api/v2/studies/NCT09999901", "study_without_results.json")
    output = run("NCT09999901")
    assert "The registry has no posted results for it." in output
    assert Trial.objects.get().nct_id == "NCT09999901"


def test_the_command_says_plainly_when_the_registry_cannot_be_reached(unreachable):
    with pytest.raises(CommandError, match="ClinicalTrials.gov could not be reached; nothing was"):
        run("NCT00105443")
    assert not Trial.objects.exists()


def test_the_command_names_the_file_of_a_bad_study(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"protocolSection": {"identificationModule": {"briefTitle": "x"}}}')
    with pytest.raises(CommandError) as raised:
        run(str(bad))
    assert "broken.json, protocolSection.identificationModule, field nctId: is missing" in str(
        raised.value
    )


def test_service_unavailable_is_not_swallowed_as_a_problem():
    assert not issubclass(ServiceUnavailable, ImportProblem)


def test_a_registry_citation_under_an_older_address_is_reused(editor):
    older = CitationFactory(
        kind=Citation.Kind.REGISTRY_RECORD,
        url="https://clinicaltrials.gov/ct2/show/NCT00105443",
        doi=None,
        pmid=None,
    )
    result = trial_import_study(study=study(), user=editor)
    assert result.registry_citation == older
    assert Citation.objects.filter(kind=Citation.Kind.REGISTRY_RECORD).count() == 1


def test_a_published_import_reads_on_the_public_page(client, editor):
    trial = trial_import_study(study=study(), user=editor).trial
    root_import_publish(root=trial, note="registry import")
    page = client.get(trial.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Serious (registry; no grade given)" in text
    assert "Hepatic failure" in text and "clinicaltrials-gov-nct00105443" in text

"""The importers' admin pages: preview, confirm, land on the draft; refuse without permission."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.roles import EDITOR
from monographs.models import Citation
from monographs.publishing.models import Publication
from tests.factories import CitationFactory, UserFactory
from tests.importing.replay import SAMPLES
from trials.models import Outcome, Trial, TrialPublication

pytestmark = pytest.mark.django_db
CITATIONS = reverse("importing:citations")
TRIAL = reverse("importing:trial")


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="editor-ed", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    client.force_login(editor)
    client.user = editor
    return client


def payload_of(response) -> str:
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


def test_the_change_lists_offer_the_imports(editor_client):
    citations = editor_client.get(reverse("admin:monographs_citation_changelist"))
    assert "Add from DOI / PMID / PMCID" in citations.content.decode()
    assert "Import reference file" in citations.content.decode()
    trials = editor_client.get(reverse("admin:trials_trial_changelist"))
    assert "Import from NCT number" in trials.content.decode()
    assert editor_client.get(CITATIONS).status_code == 200
    assert editor_client.get(TRIAL).status_code == 200
    prefilled = editor_client.get(f"{TRIAL}?nct_id=NCT00105443").content.decode()
    assert 'value="NCT00105443"' in prefilled


def test_a_file_is_previewed_then_written_on_confirm(editor_client):
    upload = SimpleUploadedFile("references.ris", (SAMPLES / "references.ris").read_bytes())
    preview = editor_client.post(CITATIONS, {"identifiers": "", "file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Nothing has been written yet" in page
    assert "llovet-2008-sorafenib-in-advanced-hepatocellular" in page
    assert "Escudier B, Eisen T, et al." in page  # the Vancouver form of the draft citation
    assert Citation.objects.count() == 0

    done = editor_client.post(CITATIONS, {"payload": payload_of(preview), "confirm": "1"})
    assert done.status_code == 302
    assert Citation.objects.count() == 2
    assert Citation.objects.get(doi="10.1056/NEJMoa060655").authors_incomplete


def test_a_tampered_preview_writes_nothing(editor_client):
    upload = SimpleUploadedFile("references.bib", (SAMPLES / "references.bib").read_bytes())
    preview = editor_client.post(CITATIONS, {"file": upload})
    forged = payload_of(preview)[:-3] + "abc"
    response = editor_client.post(CITATIONS, {"payload": forged, "confirm": "1"}, follow=True)
    assert "could not be read back: nothing was written" in response.content.decode()
    assert Citation.objects.count() == 0


def test_a_bad_file_is_named_on_the_page(editor_client):
    upload = SimpleUploadedFile(
        "unknown_type.ris", (SAMPLES / "bad" / "unknown_type.ris").read_bytes()
    )
    response = editor_client.post(CITATIONS, {"file": upload})
    page = response.content.decode()
    assert "Nothing was imported." in page
    assert "unknown_type.ris, record 1, field TY: unknown record type &#x27;PAT&#x27;" in page


def test_an_identifier_in_the_library_is_offered_instead_of_a_duplicate(editor_client, replay):
    existing = CitationFactory(pmid="18650514", key="sharp-paper")
    response = editor_client.post(CITATIONS, {"identifiers": "PMID: 18650514"})
    page = response.content.decode()
    assert "already in the library as sharp-paper" in page
    assert reverse("admin:monographs_citation_change", args=(existing.pk,)) in page
    assert replay.requests == []


def test_pubmed_down_is_a_plain_message(editor_client, unreachable):
    response = editor_client.post(CITATIONS, {"identifiers": "18650514"})
    assert "PubMed could not be reached; nothing was changed." in response.content.decode()


def test_a_trial_file_becomes_a_draft_and_the_editor_lands_on_it(editor_client):
    upload = SimpleUploadedFile(
        "study_with_results.json", (SAMPLES / "study_with_results.json").read_bytes()
    )
    response = editor_client.post(TRIAL, {"file": upload}, follow=True)
    trial = Trial.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:trials_trial_change", args=(trial.pk,))
    page = response.content.decode()
    assert "Created draft trial SHARP" in page
    assert "add PMID 18650514 and link it to this trial" in page
    assert trial.status == Status.DRAFT and not Publication.objects.exists()
    # The draft's review page and preview render the imported rows.
    review = editor_client.get(reverse("admin:trials_trial_review", args=(trial.pk,)))
    assert review.status_code == 200 and "Overall Survival (OS)" in review.content.decode()
    preview = editor_client.get(reverse("admin:trials_trial_preview", args=(trial.pk,)))
    assert preview.status_code == 200


def test_the_trial_and_its_paper_by_identifiers(editor_client, replay):
    replay.add_sample("/ctgov/api/v2/studies/NCT00105443", "study_with_results.json")
    replay.add_sample("/eutils/efetch.fcgi", "pubmed_efetch.xml", "text/xml")
    editor_client.post(TRIAL, {"nct_id": "NCT00105443"})
    trial = Trial.objects.get()

    form = editor_client.get(f"{CITATIONS}?identifiers=18650514&trial={trial.pk}")
    assert "18650514" in form.content.decode()
    preview = editor_client.post(CITATIONS, {"identifiers": "18650514", "trial": trial.pk})
    assert f"linked to <strong>{trial}</strong>" in preview.content.decode()
    done = editor_client.post(
        CITATIONS, {"payload": payload_of(preview), "confirm": "1", "trial": trial.pk}
    )
    assert done.url == reverse("admin:trials_trial_change", args=(trial.pk,))
    paper = Citation.objects.get(pmid="18650514")
    assert TrialPublication.objects.get(trial=trial, citation=paper).role == "primary"
    actions = list(
        EditorialEvent.objects.filter(kind="trial", root_id=trial.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == ["created", "edited"]
    assert Outcome.objects.filter(trial=trial).exists()


def test_a_bad_nct_number_and_a_study_without_results_when_results_are_required(editor_client):
    response = editor_client.post(TRIAL, {"nct_id": "NCT123"})
    assert "NCT123: is not an NCT number" in response.content.decode()
    upload = SimpleUploadedFile(
        "study_without_results.json", (SAMPLES / "study_without_results.json").read_bytes()
    )
    response = editor_client.post(TRIAL, {"file": upload, "require_results": "on"})
    assert "has no posted results (hasResults is false)" in response.content.decode()
    assert not Trial.objects.exists()


def test_without_permission_the_pages_are_refused(client):
    reader = UserFactory(username="staff-only", is_staff=True)
    client.force_login(reader)
    assert client.get(CITATIONS).status_code == 403
    assert client.get(TRIAL).status_code == 403
    client.logout()
    assert client.get(TRIAL).status_code == 302  # to the admin login

"""What a reviewer approved is exactly what goes live, whatever changes around it.

Each test replays a path that once published something nobody reviewed or removed
something published: a shared record edited after approval, a slug taken from a live
entry, a rename. The seeds' path is in tests/seeds/test_editors_work.py.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from monographs.editorial.actions import actions_available
from monographs.editorial.exceptions import (
    ApprovalVoid,
    FourEyesViolation,
    TransitionNotAllowed,
)
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.review import revision_approve, revision_submit
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.editorial.shared import shared_edits_collected, shared_records_changed
from monographs.models import Citation, Drug, DrugAdverseEvent
from monographs.publishing.models import Entry, Publication, RetiredSlug
from tests.factories import CitationLinkFactory, DrugFactory, DrugInteractionFactory

from .conftest import EDITOR, member_of

Action = EditorialEvent.Action


def approved(drug, *, editor, reviewer) -> None:
    revision_submit(root=drug, user=editor)
    revision_approve(root=drug, user=reviewer)


def published(drug, *, editor, reviewer) -> Publication:
    approved(drug, editor=editor, reviewer=reviewer)
    return root_publish(root=drug, user=reviewer)


def _first_citation(drug) -> Citation:
    return DrugAdverseEvent.objects.filter(drug=drug).select_related("citation").first().citation


@pytest.fixture
def reviewer_reached_by_mail(reviewer):
    reviewer.email = "rita@example.org"
    reviewer.save()
    return reviewer


class TestSharedRecordEditedAfterApproval:
    def test_the_approved_document_is_what_goes_live_or_nothing_does(
        self, drafted_drug, editor, reviewer_reached_by_mail, django_capture_on_commit_callbacks
    ):
        reviewer = reviewer_reached_by_mail
        approved(drafted_drug, editor=editor, reviewer=reviewer)
        citation = _first_citation(drafted_drug)
        with django_capture_on_commit_callbacks(execute=True), shared_edits_collected(user=editor):
            citation.title = "A phishing title"
            citation.url = "https://phishing.example/"
            citation.save()

        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.IN_REVIEW
        assert [m.to for m in mail.outbox] == [["rita@example.org"]]
        assert "changed after you approved it" in mail.outbox[0].body
        edit = EditorialEvent.objects.filter(root_id=drafted_drug.pk).latest("id")
        assert (edit.action, edit.user, edit.from_status) == (Action.EDITED, editor, "approved")
        assert "citation" in edit.comment
        with pytest.raises(TransitionNotAllowed):
            root_publish(root=drafted_drug, user=reviewer)
        assert not Publication.objects.filter(root_id=drafted_drug.pk, kind="drug").exists()

    def test_a_row_added_to_a_cited_sources_reference_list_sends_the_entry_back(
        self, drafted_drug, editor, reviewer
    ):
        approved(drafted_drug, editor=editor, reviewer=reviewer)
        citation = _first_citation(drafted_drug)
        with shared_edits_collected(user=editor):
            CitationLinkFactory(citing=citation, position=1)

        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.IN_REVIEW
        edit = EditorialEvent.objects.filter(root_id=drafted_drug.pk).latest("id")
        assert (edit.action, edit.user) == (Action.EDITED, editor)
        revision_approve(root=drafted_drug, user=reviewer)
        publication = root_publish(root=drafted_drug, user=reviewer)
        (cited,) = [r for r in publication.document["references"] if r["key"] == citation.key]
        assert [work["position"] for work in cited["reference_list"]] == [1]

    def test_whoever_edited_the_shared_record_cannot_approve_the_entries_it_changed(
        self, drafted_drug, editor, reviewer
    ):
        both = member_of(EDITOR, username="dual-dana")
        both.groups.add(*reviewer.groups.all())
        revision_submit(root=drafted_drug, user=editor)
        citation = _first_citation(drafted_drug)
        with shared_edits_collected(user=both):
            citation.title = "Retitled by someone who also reviews"
            citation.save()

        with pytest.raises(FourEyesViolation):
            revision_approve(root=drafted_drug, user=both)
        revision_approve(root=drafted_drug, user=reviewer)
        publication = root_publish(root=drafted_drug, user=reviewer)
        titles = [r["title"] for r in publication.document["references"]]
        assert "Retitled by someone who also reviews" in titles

    def test_a_change_made_without_recording_it_voids_the_approval_at_publish(
        self, drafted_drug, editor, reviewer
    ):
        approved(drafted_drug, editor=editor, reviewer=reviewer)
        Citation.objects.filter(pk=_first_citation(drafted_drug).pk).update(title="Quietly changed")

        with pytest.raises(ApprovalVoid, match="changed after it was approved"):
            root_publish(root=drafted_drug, user=reviewer)

        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.IN_REVIEW
        assert not Entry.objects.filter(kind="drug", root_id=drafted_drug.pk).exists()
        assert EditorialEvent.objects.filter(
            root_id=drafted_drug.pk, action=Action.APPROVAL_VOID
        ).exists()

    def test_a_published_entry_stays_as_published_and_gets_a_draft_with_the_change(
        self, drafted_drug, editor, reviewer
    ):
        publication = published(drafted_drug, editor=editor, reviewer=reviewer)
        citation = _first_citation(drafted_drug)
        citation.title = "New title"
        citation.save()

        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.DRAFT
        entry = Entry.objects.get(kind="drug", root_id=drafted_drug.pk)
        assert entry.current_id == publication.pk
        assert "New title" not in str(entry.current.document)
        assert (
            "New title" not in Client().get(f"/api/v1/citations/{citation.key}/").content.decode()
        )

    def test_a_change_the_document_does_not_hold_touches_no_entry(
        self, drafted_drug, editor, reviewer
    ):
        approved(drafted_drug, editor=editor, reviewer=reviewer)
        events = EditorialEvent.objects.count()
        shared_records_changed(records=[_first_citation(drafted_drug)], user=editor)

        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.APPROVED
        assert EditorialEvent.objects.count() == events

    def test_approval_refuses_a_document_other_than_the_one_reviewed(
        self, drafted_drug, editor, reviewer
    ):
        from monographs.documents import build_drug_document
        from monographs.editorial.documents import document_hash

        revision_submit(root=drafted_drug, user=editor)
        seen = document_hash(build_drug_document(drafted_drug))
        Citation.objects.filter(pk=_first_citation(drafted_drug).pk).update(title="Changed")

        with pytest.raises(TransitionNotAllowed, match="changed while you were reviewing"):
            revision_approve(root=drafted_drug, user=reviewer, reviewed_hash=seen)
        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.IN_REVIEW

    def test_a_drug_other_entries_show_is_a_shared_record_too(self, editor, reviewer):
        sorafenib = DrugFactory(inn="sorafenib-x", slug="sorafenib-x")
        warfarin = DrugFactory(inn="warfarin-x", slug="warfarin-x")
        DrugInteractionFactory(drug=sorafenib, interacting_drug=warfarin)
        root_record_edit(root=sorafenib, user=editor, created=True)
        approved(sorafenib, editor=editor, reviewer=reviewer)

        warfarin.inn = "warfarin-renamed"
        warfarin.save()
        root_record_edit(root=warfarin, user=editor)

        sorafenib.refresh_from_db()
        assert sorafenib.status == Status.IN_REVIEW


class TestNothingLiveIsDeletedByAPublish:
    def test_a_slug_held_by_a_live_entry_is_refused_at_save_and_approval(
        self, drafted_drug, editor, reviewer
    ):
        published(drafted_drug, editor=editor, reviewer=reviewer)
        versions = Publication.objects.filter(root_id=drafted_drug.pk).count()
        old_slug = drafted_drug.slug
        drafted_drug.slug = f"{old_slug}-old"
        drafted_drug.save()
        root_record_edit(root=drafted_drug, user=editor)

        newcomer = DrugFactory(inn="newcomer", slug=old_slug)
        with pytest.raises(ValidationError, match="belongs to the published entry"):
            newcomer.full_clean()
        root_record_edit(root=newcomer, user=editor, created=True)
        revision_submit(root=newcomer, user=editor)
        with pytest.raises(TransitionNotAllowed, match="belongs to the published entry"):
            revision_approve(root=newcomer, user=reviewer)

        entry = Entry.objects.get(kind="drug", slug=old_slug)
        assert entry.root_id == drafted_drug.pk and not entry.is_withdrawn
        assert Publication.objects.filter(root_id=drafted_drug.pk).count() == versions

    def test_a_withdrawn_entrys_slug_stays_its_own(self, drafted_drug, editor, reviewer):
        published(drafted_drug, editor=editor, reviewer=reviewer)
        root_withdraw(root=drafted_drug, user=reviewer, reason="Figures under check.")
        slug = drafted_drug.slug
        Drug.objects.filter(pk=drafted_drug.pk).update(slug=f"{slug}-old")
        newcomer = DrugFactory(inn="newcomer", slug=slug)
        with pytest.raises(ValidationError, match="withdrawn entry"):
            newcomer.full_clean()


class TestStableIdentity:
    def test_a_rename_keeps_the_old_address_and_the_feed_says_so(
        self, drafted_drug, editor, reviewer, client
    ):
        first = published(drafted_drug, editor=editor, reviewer=reviewer)
        old_slug = drafted_drug.slug
        uid = Entry.objects.get(kind="drug", root_id=drafted_drug.pk).uid
        assert str(uid) == str(drafted_drug.uid)
        drafted_drug.slug = f"{old_slug}-renamed"
        drafted_drug.save()
        root_record_edit(root=drafted_drug, user=editor)
        second = published(drafted_drug, editor=editor, reviewer=reviewer)

        assert RetiredSlug.objects.filter(slug=old_slug, entry__uid=uid).exists()
        page = client.get(f"/drugs/{old_slug}/")
        assert (page.status_code, page["Location"]) == (301, f"/drugs/{old_slug}-renamed/")
        api = client.get(f"/api/v1/drugs/{old_slug}/versions/1/?format=json")
        assert api.status_code == 301
        assert api["Location"] == f"/api/v1/drugs/{old_slug}-renamed/versions/1/?format=json"
        detail = client.get(f"/api/v1/drugs/{old_slug}-renamed/").json()
        assert detail["id"] == str(uid)

        changes = client.get("/api/v1/changes/").json()["results"]
        mine = [c for c in changes if c["id"] == str(uid)]
        assert [(c["slug"], c["previous_slug"], c["version"]) for c in mine] == [
            (old_slug, None, first.version),
            (f"{old_slug}-renamed", old_slug, second.version),
        ]

    def test_renaming_back_reclaims_the_old_slug(self, drafted_drug, editor, reviewer, client):
        published(drafted_drug, editor=editor, reviewer=reviewer)
        slug = drafted_drug.slug
        for new in (f"{slug}-2", slug):
            drafted_drug.slug = new
            drafted_drug.full_clean()
            drafted_drug.save()
            root_record_edit(root=drafted_drug, user=editor)
            published(drafted_drug, editor=editor, reviewer=reviewer)

        assert client.get(f"/drugs/{slug}/").status_code == 200
        assert client.get(f"/drugs/{slug}-2/")["Location"] == f"/drugs/{slug}/"


class TestWithdrawAlwaysPossible:
    def test_a_reviewer_can_withdraw_while_a_new_draft_is_pending(
        self, drafted_drug, editor, reviewer
    ):
        published(drafted_drug, editor=editor, reviewer=reviewer)
        drafted_drug.summary = "A pending rewrite."
        drafted_drug.save()
        root_record_edit(root=drafted_drug, user=editor)
        assert drafted_drug.status == Status.DRAFT

        names = [t.name for t in actions_available(root=drafted_drug, user=reviewer)]
        assert "withdraw" in names
        assert "withdraw" not in [t.name for t in actions_available(root=drafted_drug, user=editor)]
        root_withdraw(root=drafted_drug, user=reviewer, reason="Safety signal under review.")
        assert Entry.objects.get(kind="drug", root_id=drafted_drug.pk).is_withdrawn
        drafted_drug.refresh_from_db()
        assert drafted_drug.status == Status.DRAFT  # the pending draft is kept


def test_every_edit_keeps_the_document_so_a_restore_loses_nothing(drafted_drug, editor, reviewer):
    from monographs.editorial.models import Revision
    from monographs.editorial.services.restore import root_restore_version

    published(drafted_drug, editor=editor, reviewer=reviewer)
    drafted_drug.summary = "Unpublished words worth keeping."
    drafted_drug.save()
    root_record_edit(root=drafted_drug, user=editor)
    root_restore_version(root=drafted_drug, user=editor, version=1)

    kept = Revision.objects.filter(kind="drug", root_id=drafted_drug.pk)
    assert any(r.document["summary"] == "Unpublished words worth keeping." for r in kept)
    assert Drug.objects.get(pk=drafted_drug.pk).summary != "Unpublished words worth keeping."


def test_the_review_page_shows_what_changed_since_the_approval(
    client, drafted_drug, editor, reviewer
):
    approved(drafted_drug, editor=editor, reviewer=reviewer)
    citation = _first_citation(drafted_drug)
    with shared_edits_collected(user=editor):
        citation.title = "Retitled after approval"
        citation.save()
    client.force_login(reviewer)

    page = client.get(f"/admin/monographs/drug/{drafted_drug.pk}/review/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "As approved by reviewer-rita" in text
    assert page.context["compare_from"] == "approved"
    assert "Retitled after approval" in text

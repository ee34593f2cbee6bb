"""The history of an entry in the admin: its revisions, comparing any two, restoring one.

Restoring asks first (a page showing what would change) and keeps the draft it replaces.
A reviewer may edit during review; that edit makes them an editor for the four-eyes rule.
"""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monographs.editorial.exceptions import FourEyesViolation
from monographs.editorial.models import EditorialEvent, Revision, Status
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.review import revision_approve, revision_submit
from monographs.models import DrugAdverseEvent, MonographSection
from tests.admin_forms import change_form_data
from tests.factories import AdverseEventTermFactory, DrugAdverseEventFactory, DrugFactory

pytestmark = pytest.mark.django_db


def url(drug, view: str, *args) -> str:
    return reverse(f"admin:monographs_drug_{view}", args=(drug.pk, *args))


def revisions_of(drug) -> list[Revision]:
    return list(Revision.objects.filter(kind="drug", root_id=drug.pk).order_by("id"))


def edit_mechanism(drug, body: str, user) -> Revision:
    section = MonographSection.objects.get(drug=drug, kind="mechanism")
    section.body = body
    section.save()
    root_record_edit(root=drug, user=user)
    return revisions_of(drug)[-1]


@pytest.fixture
def published_then_edited(drafted_drug, editor, reviewer):
    """v1 published; then the editor rewrote the mechanism and changed the adverse events."""
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)
    root_publish(root=drafted_drug, user=reviewer)
    citation = MonographSection.objects.get(drug=drafted_drug).body.split("[@")[1].rstrip("].")
    edit_mechanism(
        drafted_drug,
        f"Blocks RAF and VEGFR kinases in tumour cells and vessels [@{citation}].",
        editor,
    )
    ae = DrugAdverseEvent.objects.get(drug=drafted_drug)
    ae.any_grade_high = 50
    ae.save()
    DrugAdverseEventFactory(
        drug=drafted_drug, term=AdverseEventTermFactory(name="Diarrhoea"), citation=ae.citation
    )
    root_record_edit(root=drafted_drug, user=editor)
    return drafted_drug


def test_the_history_lists_every_revision_with_author_note_and_standing(
    client, published_then_edited, editor, reviewer, django_assert_max_num_queries
):
    drug = published_then_edited
    client.force_login(editor)

    with django_assert_max_num_queries(12):
        response = client.get(url(drug, "revisions"))

    assert response.status_code == 200
    listed = list(response.context["revisions"])
    assert [r.pk for r in listed] == [r.pk for r in reversed(revisions_of(drug))]
    standings = {r.pk: r.standing for r in listed}
    approved = EditorialEvent.objects.get(action=EditorialEvent.Action.APPROVED).revision_id
    assert standings[approved] == "published"
    assert [r.published_version for r in listed if r.pk == approved] == [1]
    assert standings[listed[0].pk] == "draft"
    html = response.content.decode()
    assert "editor-ann" in html and "Approved" in html
    assert url(drug, "restore_revision", listed[-1].pk) in html


def test_the_history_costs_the_same_queries_however_many_revisions(client, drafted_drug, editor):
    client.force_login(editor)
    with CaptureQueriesContext(connection) as few:
        client.get(url(drafted_drug, "revisions"))
    for number in range(30):
        edit_mechanism(drafted_drug, f"Revision number {number} [@x].", editor)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(drafted_drug, "revisions"))

    assert len(response.context["revisions"]) == 31
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_approved_revision_not_yet_published_reads_approved(drafted_drug, editor, reviewer):
    revision_submit(root=drafted_drug, user=editor)
    revision_approve(root=drafted_drug, user=reviewer)

    standings = {
        r.pk: r.standing
        for r in Revision.objects.of_root(kind="drug", root_id=drafted_drug.pk).with_standing()
    }

    approved = EditorialEvent.objects.get(action=EditorialEvent.Action.APPROVED).revision_id
    assert standings[approved] == "approved"
    assert {s for pk, s in standings.items() if pk != approved} <= {"draft"}


def test_comparing_two_revisions_shows_prose_word_by_word_and_rows_added_and_changed(
    client, published_then_edited, editor, reviewer, django_assert_max_num_queries
):
    drug = published_then_edited
    published = EditorialEvent.objects.get(action=EditorialEvent.Action.APPROVED).revision_id
    latest = revisions_of(drug)[-1].pk
    client.force_login(reviewer)

    with django_assert_max_num_queries(12):
        response = client.get(url(drug, "compare"), {"from": published, "to": latest})

    changes = {c.key: c for c in response.context["changes"]}
    sections = changes["sections"].rows
    assert [(r.state, r.label) for r in sections] == [("changed", "Mechanism of action")]
    body = next(f for f in sections[0].fields if f.name == "body")
    assert "Blocks RAF<ins> and VEGFR kinases in tumour cells and vessels</ins> [@" in body.inline
    states = sorted((r.state, r.label) for r in changes["adverse_events"].rows)
    assert states[0] == ("added", "Diarrhoea")
    assert states[1][0] == "changed"
    html = response.content.decode()
    assert f"Revision {published} (published" in html
    assert "<ins> and VEGFR kinases in tumour cells and vessels</ins>" in html


def test_compare_defaults_to_the_last_two_revisions_and_refuses_another_roots_revision(
    client, published_then_edited, editor
):
    client.force_login(editor)
    last, before = revisions_of(published_then_edited)[-1], revisions_of(published_then_edited)[-2]

    response = client.get(url(published_then_edited, "compare"))
    assert response.context["old_revision"].pk == before.pk
    assert response.context["new_revision"].pk == last.pk

    other = DrugFactory()
    root_record_edit(root=other, user=editor, created=True)
    foreign = revisions_of(other)[-1]
    compare = url(published_then_edited, "compare")
    assert client.get(compare, {"from": foreign.pk}).status_code == 404
    assert client.get(compare, {"from": "x"}).status_code == 404


def test_restoring_a_revision_asks_first_and_keeps_the_draft_it_replaces(
    client, published_then_edited, editor, django_assert_max_num_queries
):
    drug = published_then_edited
    first = revisions_of(drug)[0]
    draft_body = MonographSection.objects.get(drug=drug).body
    client.force_login(editor)

    # The working copy's document is built to show what would change (one query per table).
    with django_assert_max_num_queries(25):
        asked = client.get(url(drug, "restore_revision", first.pk))

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "What will change" in html and "kept in the history" in html
    assert {"sections", "adverse_events"} <= {c.key for c in asked.context["changes"]}
    assert MonographSection.objects.get(drug=drug).body == draft_body  # nothing restored yet
    unconfirmed = client.post(url(drug, "restore_revision", first.pk))
    assert unconfirmed.status_code == 200
    assert MonographSection.objects.get(drug=drug).body == draft_body

    kept_before = len(revisions_of(drug))
    response = client.post(
        url(drug, "restore_revision", first.pk), {"confirmed": "yes"}, follow=True
    )

    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"revision {first.pk} is now the working copy" in m for m in messages)
    drug.refresh_from_db()
    assert drug.status == Status.DRAFT
    assert MonographSection.objects.get(drug=drug).body == first.document["sections"][0]["body"]
    assert DrugAdverseEvent.objects.filter(drug=drug).count() == 1
    # The replaced draft is still there, and restoring it brings the rewritten text back.
    replaced = [r for r in revisions_of(drug) if r.document["sections"][0]["body"] == draft_body]
    assert replaced and len(revisions_of(drug)) == kept_before + 1
    client.post(url(drug, "restore_revision", replaced[-1].pk), {"confirmed": "yes"})
    assert MonographSection.objects.get(drug=drug).body == draft_body
    assert DrugAdverseEvent.objects.filter(drug=drug).count() == 2


def test_a_reviewer_cannot_restore_and_is_told_why(client, published_then_edited, reviewer):
    drug = published_then_edited
    first = revisions_of(drug)[0]
    client.force_login(reviewer)

    history = client.get(url(drug, "revisions"))
    response = client.post(
        url(drug, "restore_revision", first.pk), {"confirmed": "yes"}, follow=True
    )

    assert url(drug, "restore_revision", first.pk) not in history.content.decode()
    assert any("may not restore" in str(m) for m in get_messages(response.wsgi_request))
    assert MonographSection.objects.get(drug=drug).body != first.document["sections"][0]["body"]


def test_a_reviewer_who_edits_during_review_keeps_it_in_review_and_cannot_approve(
    client, drafted_drug, editor, reviewer, second_reviewer
):
    revision_submit(root=drafted_drug, user=editor)
    client.force_login(reviewer)
    part = url(drafted_drug, "change_part", "mechanism")
    data = change_form_data(client.get(part))
    data["sections-0-body"] = data["sections-0-body"].replace("RAF", "RAF (typo fixed)")

    response = client.post(part, data, follow=True)

    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.IN_REVIEW
    assert "typo fixed" in MonographSection.objects.get(drug=drafted_drug).body
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("you cannot approve it: another reviewer must" in m for m in said)
    event = EditorialEvent.objects.filter(action=EditorialEvent.Action.EDITED).last()
    assert event.user == reviewer and "another reviewer must approve" in event.comment
    page = client.get(url(drafted_drug, "change")).content.decode()
    assert "Four-eyes rule:" in page and 'data-transition="approve"' not in page
    review = client.get(url(drafted_drug, "review")).content.decode()
    assert "You edited this revision, so you cannot approve it" in review
    with pytest.raises(FourEyesViolation):
        revision_approve(root=drafted_drug, user=reviewer)

    revision_approve(root=drafted_drug, user=second_reviewer)
    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.APPROVED
    with pytest.raises(FourEyesViolation):
        root_publish(root=drafted_drug, user=reviewer)


def test_a_reviewer_may_not_edit_outside_review(client, drafted_drug, reviewer):
    client.force_login(reviewer)
    part = url(drafted_drug, "change_part", "mechanism")
    data = change_form_data(client.get(part))
    data["sections-0-body"] = "A reviewer's rewrite."

    response = client.post(part, data)

    assert response.status_code == 403
    assert MonographSection.objects.get(drug=drafted_drug).body != "A reviewer's rewrite."


def test_an_editor_who_edits_during_review_still_takes_it_back_to_draft(drafted_drug, editor):
    revision_submit(root=drafted_drug, user=editor)
    edit_mechanism(drafted_drug, "Edited after submitting [@x].", editor)

    drafted_drug.refresh_from_db()
    assert drafted_drug.status == Status.DRAFT

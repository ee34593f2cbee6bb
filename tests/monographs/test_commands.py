"""The commands: scheduled publishing (cron), the local demo users, rebuilding read tables."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from monographs.api.models import PublishedAdverseEvent, PublishedTrialDrug, PublishedTrialListing
from monographs.api.read_tables import READ_TABLES
from monographs.editorial.models import Status
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.review import revision_approve, revision_submit
from monographs.publishing.models import Entry
from tests.factories import CitationFactory, DrugFactory, MonographSectionFactory, UserFactory
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def approved_drug():
    """An approved revision whose publish-at time was an hour ago."""
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=EDITOR))
    reviewer = UserFactory()
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    citation = CitationFactory()
    MonographSectionFactory(drug=drug, kind="summary", body=f"Text [@{citation.key}].")
    root_record_edit(root=drug, user=editor, created=True)
    revision_submit(root=drug, user=editor)
    revision_approve(
        root=drug, user=reviewer, publish_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    type(drug).objects.filter(pk=drug.pk).update(
        publish_at=timezone.now() - datetime.timedelta(hours=1)
    )
    drug.reviewer = reviewer
    return drug


def test_publish_scheduled_publishes_what_is_due_and_says_so(approved_drug):
    output = run("publish_scheduled")

    assert f"Published drug 'sorafenib' as v1 (approved by {approved_drug.reviewer})" in output
    assert "1 published." in output
    entry = Entry.objects.get(kind="drug", root_id=approved_drug.pk)
    assert entry.current.approved_by == approved_drug.reviewer
    approved_drug.refresh_from_db()
    assert approved_drug.status == Status.PUBLISHED


def test_publish_scheduled_leaves_future_revisions_alone(approved_drug):
    type(approved_drug).objects.filter(pk=approved_drug.pk).update(
        publish_at=timezone.now() + datetime.timedelta(days=1)
    )

    assert "Nothing is due." in run("publish_scheduled")
    assert not Entry.objects.filter(kind="drug", root_id=approved_drug.pk).exists()


def test_publish_scheduled_twice_publishes_once(approved_drug):
    run("publish_scheduled")

    assert "Nothing is due." in run("publish_scheduled")
    assert Entry.objects.get(kind="drug", root_id=approved_drug.pk).current.version == 1


def test_publish_scheduled_explains_a_revision_changed_after_approval(approved_drug):
    from tests.factories import DoseRegimenFactory

    DoseRegimenFactory(drug=approved_drug, citation=None)
    errors = StringIO()

    with pytest.raises(CommandError, match="1 scheduled revision"):
        call_command("publish_scheduled", stdout=StringIO(), stderr=errors)

    assert f"Not published: '{approved_drug}': '{approved_drug}' changed after it was approved" in (
        errors.getvalue()
    )

    assert not Entry.objects.filter(kind="drug", root_id=approved_drug.pk).exists()


def test_create_demo_users_makes_an_editor_and_a_reviewer_with_printed_passwords(settings):
    settings.DEBUG = True

    output = run("create_demo_users")

    users = {user.username: user for user in get_user_model().objects.all()}
    for username, group in (("editor", EDITOR), ("reviewer", REVIEWER)):
        password = output.split(f"Created {username} ({group}) with password: ")[1].split()[0]
        user = users[username]
        assert user.is_staff and user.check_password(password)
        assert list(user.groups.values_list("name", flat=True)) == [group]


def test_create_demo_users_again_resets_the_passwords(settings):
    settings.DEBUG = True
    first = run("create_demo_users")

    second = run("create_demo_users")

    old = first.split("Created editor (Editor) with password: ")[1].split()[0]
    new = second.split("Reset editor (Editor) with password: ")[1].split()[0]
    editor = get_user_model().objects.get(username="editor")
    assert old != new
    assert editor.check_password(new) and not editor.check_password(old)
    assert get_user_model().objects.filter(username__in=["editor", "reviewer"]).count() == 2


def test_create_demo_users_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        run("create_demo_users")
    assert not get_user_model().objects.filter(username="editor").exists()

    assert "Created editor" in run("create_demo_users", force=True)


def read_table_rows() -> dict[str, list[tuple]]:
    """Every read-table row, without its id, in a stable order."""
    rows = {}
    for model in READ_TABLES:
        fields = [field.attname for field in model._meta.concrete_fields if field.attname != "id"]
        rows[model.__name__] = sorted(map(repr, model.objects.values_list(*fields)))
    return rows


def test_rebuild_read_tables_writes_what_an_older_export_lacks(client):
    drug = published_drug(inn="sorafenib", slug="sorafenib")
    drug.summary = "Second version."
    drug.save()
    root_import_publish(root=drug, note="Second version")
    published_trial(drugs=[drug], slug="sharp", acronym="SHARP")
    written = read_table_rows()
    assert all(written.values())
    PublishedTrialListing.objects.all().delete()
    PublishedTrialDrug.objects.all().delete()
    PublishedAdverseEvent.objects.update(term_synonyms=["stale"])
    assert 'href="/trials/sharp/"' not in client.get("/trials/").content.decode()

    output = run("rebuild_read_tables")

    assert "Wrote the read tables of 3 publications." in output
    assert read_table_rows() == written
    assert 'href="/trials/sharp/"' in client.get("/trials/").content.decode()

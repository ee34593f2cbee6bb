"""The editorial record: publications and events cannot be changed or removed, even by SQL.

Triggers installed by migration 0002 refuse UPDATE and DELETE on both tables; only the
`flush` command (inside a maintenance block) may empty them. Also the constraints of the
Publication and Entry tables, which the editorial services rely on.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Publication


def make_publication(**overrides) -> Publication:
    values = {
        "kind": "drug",
        "root_id": 1,
        "slug": "sorafenib",
        "title": "Sorafenib",
        "version": 1,
        "schema_version": 1,
        "document": {"inn": "sorafenib", "sections": []},
        "content_hash": "0" * 64,
        "published_at": timezone.now(),
    }
    return Publication.objects.create(**(values | overrides))


def make_event(**overrides) -> EditorialEvent:
    values = {
        "kind": "drug",
        "root_id": 1,
        "action": EditorialEvent.Action.SUBMITTED,
        "from_status": "draft",
        "to_status": "in_review",
        "comment": "Ready for review.",
    }
    return EditorialEvent.objects.create(**(values | overrides))


def snapshot(row) -> dict:
    fresh = type(row).objects.get(pk=row.pk)
    return {
        field.attname: getattr(fresh, field.attname) for field in type(row)._meta.concrete_fields
    }


def assert_refused(row, change) -> None:
    model = type(row)
    before, count = snapshot(row), model.objects.count()

    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        change()

    assert model.objects.count() == count
    assert snapshot(row) == before


@pytest.mark.django_db
class TestPublicationsAreImmutable:
    def test_queryset_update_is_refused(self):
        publication = make_publication()

        assert_refused(
            publication,
            lambda: Publication.objects.filter(pk=publication.pk).update(title="Rewritten"),
        )

    def test_saving_a_changed_instance_is_refused(self):
        publication = make_publication()

        def rewrite():
            publication.document = {"inn": "sorafenib", "sections": ["rewritten"]}
            publication.save()

        assert_refused(publication, rewrite)

    def test_queryset_delete_is_refused(self):
        publication = make_publication()

        assert_refused(publication, lambda: Publication.objects.filter(pk=publication.pk).delete())

    def test_instance_delete_is_refused(self):
        publication = make_publication()

        assert_refused(publication, publication.delete)

    def test_new_versions_can_still_be_added(self):
        make_publication(version=1)
        make_publication(version=2, title="Sorafenib (revised)")

        assert list(Publication.objects.values_list("version", flat=True)) == [1, 2]


@pytest.mark.django_db
class TestEditorialEventsAreImmutable:
    def test_queryset_update_is_refused(self):
        event = make_event()

        assert_refused(
            event, lambda: EditorialEvent.objects.filter(pk=event.pk).update(comment="Changed.")
        )

    def test_queryset_delete_is_refused(self):
        event = make_event()

        assert_refused(event, lambda: EditorialEvent.objects.filter(pk=event.pk).delete())

    def test_instance_delete_is_refused(self):
        event = make_event()

        assert_refused(event, event.delete)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_immutable_tables_and_leaves_them_guarded():
    publication = make_publication()
    make_event(action=EditorialEvent.Action.PUBLISHED, publication=publication)

    call_command("flush", interactive=False, verbosity=0)

    assert (Publication.objects.count(), EditorialEvent.objects.count()) == (0, 0)
    # The maintenance block is closed again: the next publication is as immutable as ever.
    republished = make_publication()
    with pytest.raises(DatabaseError), transaction.atomic():
        Publication.objects.filter(pk=republished.pk).update(title="Rewritten")
    assert Publication.objects.get(pk=republished.pk).title == "Sorafenib"


# --- constraints of the editorial tables --------------------------------------------------


@pytest.mark.django_db
class TestPublicationConstraints:
    def test_one_version_number_per_root(self):
        make_publication(version=1)

        with pytest.raises(IntegrityError), transaction.atomic():
            make_publication(version=1, title="Sorafenib (duplicate)")
        assert Publication.objects.count() == 1

    def test_the_same_version_number_for_another_root_or_kind_is_fine(self):
        make_publication(version=1)
        make_publication(version=1, root_id=2, slug="lenvatinib")
        make_publication(version=1, kind="trial", slug="sharp")

        assert Publication.objects.filter(version=1).count() == 3

    def test_versions_start_at_one(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_publication(version=0)
        assert Publication.objects.count() == 0


@pytest.mark.django_db
class TestEntryConstraints:
    @staticmethod
    def make_entry(publication, **overrides) -> Entry:
        now = timezone.now()
        values = {
            "kind": publication.kind,
            "root_id": publication.root_id,
            "slug": publication.slug,
            "title": publication.title,
            "current": publication,
            "first_published_at": now,
            "last_published_at": now,
        }
        return Entry.objects.create(**(values | overrides))

    @pytest.mark.parametrize(
        "overrides",
        [
            pytest.param({"slug": "sorafenib-tosylate"}, id="entry_unique_root"),
            pytest.param({"root_id": 2}, id="entry_unique_slug"),
        ],
    )
    def test_one_entry_per_root_and_per_slug(self, overrides):
        publication = make_publication()
        self.make_entry(publication)

        with pytest.raises(IntegrityError), transaction.atomic():
            self.make_entry(publication, **overrides)
        assert Entry.objects.count() == 1

    def test_withdrawal_needs_a_reason(self):
        publication = make_publication()

        with pytest.raises(IntegrityError), transaction.atomic():
            self.make_entry(publication, withdrawn_at=timezone.now(), withdrawal_reason="")
        assert Entry.objects.count() == 0

    def test_withdrawal_with_a_reason_is_kept(self):
        entry = self.make_entry(
            make_publication(),
            withdrawn_at=timezone.now(),
            withdrawal_reason="Superseded by a safety update.",
        )

        assert Entry.objects.get(pk=entry.pk).is_withdrawn

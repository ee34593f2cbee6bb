"""A database from the release before permanent identifiers upgrades cleanly.

Its drugs, trials and entries get identifiers (those the seeds would give them, so databases
loaded from the same seeds agree), every entry the one of its root, and nothing else moves.
"""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from monographs.editorial.identity import seeded_uid

BEFORE = [
    ("monographs", "0012_index_pages_read_in_order"),
    ("trials", "0004_tighter_number_rules"),
]
AFTER = [("monographs", "0014_entry_uid"), ("trials", "0005_trial_uid")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_upgrades_with_an_identifier_for_every_entry():
    old = migrate(BEFORE)
    Drug = old.get_model("monographs", "Drug")
    Trial = old.get_model("trials", "Trial")
    Publication = old.get_model("monographs", "Publication")
    Entry = old.get_model("monographs", "Entry")
    now = timezone.now()
    drug = Drug.objects.create(inn="sorafenib", slug="sorafenib")
    trial = Trial.objects.create(slug="sharp", title="SHARP", phase="3", design="randomised")
    entries = []
    for kind, root in (("drug", drug), ("trial", trial)):
        publication = Publication.objects.create(
            kind=kind,
            root_id=root.pk,
            slug=root.slug,
            title=root.slug,
            version=1,
            schema_version=1,
            document={"slug": root.slug},
            content_hash="0" * 64,
            published_at=now,
        )
        entries.append(
            Entry.objects.create(
                kind=kind,
                root_id=root.pk,
                slug=root.slug,
                title=root.slug,
                current=publication,
                first_published_at=now,
                last_published_at=now,
            ).pk
        )

    new = migrate(AFTER)

    drug_uid = new.get_model("monographs", "Drug").objects.get(pk=drug.pk).uid
    trial_uid = new.get_model("trials", "Trial").objects.get(pk=trial.pk).uid
    assert drug_uid == seeded_uid(kind="drug", slug="sorafenib")
    assert trial_uid == seeded_uid(kind="trial", slug="sharp")
    upgraded = dict(
        new.get_model("monographs", "Entry")
        .objects.filter(pk__in=entries)
        .values_list("kind", "uid")
    )
    assert upgraded == {"drug": drug_uid, "trial": trial_uid}
    assert new.get_model("monographs", "Publication").objects.count() == 2
    assert isinstance(drug_uid, uuid.UUID)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

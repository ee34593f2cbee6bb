"""An existing database upgrades: 'no' that was only a default becomes 'not stated'."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("trials", "0007_stated_places"),
    ("monographs", "0017_stated_places"),
]
AFTER = [("trials", "0008_unstated_design_flags_figure_bounds_one_of_arms")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_unstated_flags_become_not_stated_and_the_trial_goes_back_to_review():
    old = migrate(BEFORE)
    Trial = old.get_model("trials", "Trial")
    Publication = old.get_model("monographs", "Publication")

    def trial(slug, design, randomised, placebo, status="published"):
        return Trial.objects.create(
            slug=slug,
            title=slug,
            phase="2",
            design=design,
            randomised=randomised,
            placebo_controlled=placebo,
            status=status,
        )

    silent = trial("silent", "not_stated", False, False)
    single = trial("single", "single_arm", False, False)
    rct = trial("rct", "randomised_controlled", True, True)
    Publication.objects.create(
        kind="trial",
        root_id=silent.pk,
        slug="silent",
        title="silent",
        version=1,
        schema_version=1,
        document={"randomised": False, "placebo_controlled": False},
        content_hash="x" * 64,
        published_at=timezone.now(),
    )

    new = migrate(AFTER)
    Trial = new.get_model("trials", "Trial")
    Facet = new.get_model("monographs", "Facet")
    EditorialEvent = new.get_model("monographs", "EditorialEvent")

    flags = {
        t.slug: (t.randomised, t.placebo_controlled, t.status)
        for t in Trial.objects.filter(pk__in=[silent.pk, single.pk, rct.pk])
    }
    assert flags == {
        "silent": (None, None, "draft"),
        "single": (False, False, "published"),
        "rct": (True, True, "published"),
    }
    assert EditorialEvent.objects.filter(root_id=silent.pk, action="edited").count() == 1
    assert set(Facet.objects.filter(name="randomised").values_list("value", flat=True)) == {"no"}

    migrate([("trials", "0007_stated_places")])
    Trial = migrate(BEFORE).get_model("trials", "Trial")
    assert Trial.objects.get(pk=silent.pk).randomised is False
    migrate([("trials", "0008_unstated_design_flags_figure_bounds_one_of_arms")])
    # Back to the latest schema of every app, which later migrations may extend.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

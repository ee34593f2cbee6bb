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


@pytest.mark.django_db(transaction=True)
def test_figures_saved_before_the_bound_rules_upgrade_to_what_their_editor_stated():
    old = migrate([("monographs", "0018_figure_bounds_grade_scope_interactions")])
    Drug = old.get_model("monographs", "Drug")
    Term = old.get_model("monographs", "AdverseEventTerm")
    AdverseEvent = old.get_model("monographs", "DrugAdverseEvent")
    Regimen = old.get_model("monographs", "DoseRegimen")
    drug = Drug.objects.create(inn="sorafenib", slug="sorafenib")

    def saved(slug, **figures):
        term = Term.objects.create(name=slug, slug=slug)
        return AdverseEvent.objects.create(drug=drug, term=term, **figures).pk

    rows = {
        "less than on the low end": saved("a", any_grade_low=1, any_grade_bound="lt"),
        "at least on the high end": saved("b", any_grade_high=8, any_grade_bound="ge"),
        "a lone high end, no bound": saved("c", grade_3_plus_high=5),
        "a bound on a range": saved("d", any_grade_low=5, any_grade_high=11, any_grade_bound="le"),
        "a range, as it was": saved("e", any_grade_low=5, any_grade_high=11),
    }
    regimen = Regimen.objects.create(drug=drug, dose_amount=400, daily_dose_amount=0)

    new = migrate([("monographs", "0019_figure_bounds_fit_their_ends")])

    fields = ("any_grade_low", "any_grade_high", "any_grade_bound")
    fields += ("grade_3_plus_high", "grade_3_plus_bound")
    upgraded = {
        name: new.get_model("monographs", "DrugAdverseEvent").objects.values(*fields).get(pk=pk)
        for name, pk in rows.items()
    }
    assert upgraded["less than on the low end"]["any_grade_low"] is None
    assert upgraded["less than on the low end"]["any_grade_high"] == 1
    assert upgraded["at least on the high end"]["any_grade_low"] == 8
    assert upgraded["at least on the high end"]["any_grade_high"] is None
    assert upgraded["a lone high end, no bound"]["grade_3_plus_bound"] == "le"
    assert upgraded["a bound on a range"]["any_grade_bound"] == ""
    assert upgraded["a bound on a range"]["any_grade_low"] == 5
    assert upgraded["a range, as it was"] == {
        "any_grade_low": 5,
        "any_grade_high": 11,
        "any_grade_bound": "",
        "grade_3_plus_high": None,
        "grade_3_plus_bound": "",
    }
    daily = new.get_model("monographs", "DoseRegimen").objects.get(pk=regimen.pk)
    assert daily.daily_dose_amount is None
    assert daily.dose_amount == 400
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_frequency_band_no_one_stated_upgrades_to_not_stated_and_a_stated_one_stays():
    old = migrate([("monographs", "0029_drug_interaction_stated_places")])
    Drug = old.get_model("monographs", "Drug")
    Term = old.get_model("monographs", "AdverseEventTerm")
    AdverseEvent = old.get_model("monographs", "DrugAdverseEvent")
    drug = Drug.objects.create(inn="sorafenib", slug="sorafenib")
    defaulted = AdverseEvent.objects.create(
        drug=drug, term=Term.objects.create(name="Rash", slug="rash")
    )
    stated = AdverseEvent.objects.create(
        drug=drug,
        term=Term.objects.create(name="Diarrhoea", slug="diarrhoea"),
        frequency_band="very_common",
    )
    assert AdverseEvent.objects.get(pk=defaulted.pk).frequency_band == "not_known"

    new = migrate([("monographs", "0030_adverse_event_frequency_band_not_stated")])

    bands = dict(
        new.get_model("monographs", "DrugAdverseEvent").objects.values_list("pk", "frequency_band")
    )
    assert bands == {defaulted.pk: "", stated.pk: "very_common"}
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

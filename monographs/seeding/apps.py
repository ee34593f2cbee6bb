from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """The seed corpus: our structured records of the source documents, into the working copy.

    Owns reading seeds/*.yaml, checking them against their schema and the models' own rules,
    planning what changes, and writing the plan in one transaction through the editorial
    services (`load_seeds`), or turning it into the fixtures in fixtures/ (`build_fixtures`).
    It owns no table: an entry it loads is published like any other, and an editor's draft
    is never written over.
    """

    name = "monographs.seeding"
    label = "seeding"
    verbose_name = "Seed corpus"

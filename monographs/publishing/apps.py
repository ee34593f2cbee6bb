from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """What the public reads: immutable, versioned publications, the entries that point at
    the current one (or say why it was withdrawn), retired slugs that redirect, the facets
    filters run on, the projections other apps register to follow a publish, the commit-time
    stamps of publish and withdrawal times, the database's refusal to change a publication,
    and the response cache's generation. It knows nothing of the workflow that decides what
    is published: the API, search and the site read it, and the editorial engine writes it.
    """

    name = "monographs.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from monographs.publishing.immutability import register_sqlite_function

        connection_created.connect(register_sqlite_function)

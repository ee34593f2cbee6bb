from django.apps import AppConfig


class PublicApiConfig(AppConfig):
    """The read API, with the read tables it fills from each publication as it is frozen."""

    name = "monographs.api"
    label = "public_api"
    verbose_name = "Read API"

    def ready(self) -> None:
        from monographs.api import schema  # noqa: F401  registers the filter-limits extension
        from monographs.api.read_tables import read_tables_write_many
        from monographs.publishing.projections import register_projection

        register_projection(
            "read_tables",
            published=lambda *, publications, entries: read_tables_write_many(
                publications=publications, entries=entries
            ),
        )

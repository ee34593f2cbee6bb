from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search: the rows each live entry, term and reference is found by, and the querying.

    It follows publishing through a projection: an entry's row follows its current
    publication or goes with its withdrawal, and the rows of the terms and references the
    changed entries mention are rebuilt once per publishing run.
    """

    name = "monographs.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from monographs.publishing.projections import register_projection
        from monographs.search.indexing import (
            Mentioned,
            search_index_entries_update,
            search_index_mentions_refresh,
        )

        def finish(results: list[Mentioned]) -> None:
            mentioned = Mentioned()
            for result in results:
                mentioned.update(result)
            search_index_mentions_refresh(mentioned=mentioned)

        # The synonyms search reads queries with are the conditions' and terms'.
        from django.db.models.signals import post_delete, post_save

        from monographs.models import AdverseEventTerm, Condition
        from monographs.models.vocabulary import reading_names_written_in_bulk
        from monographs.search.vocabulary import (
            search_vocabulary_edited,
            search_vocabulary_read_with_lookup,
        )

        search_vocabulary_read_with_lookup()

        def vocabulary_changed(
            *, instance: Condition | AdverseEventTerm, using: str, created: bool = True, **kwargs
        ) -> None:
            # A deletion has no `created` (nor `update_fields`): it always changes what a
            # query may mean.
            if created or instance.reading_names_written(kwargs.get("update_fields")):
                search_vocabulary_edited(using=using)

        for model in (Condition, AdverseEventTerm):
            for signal in (post_save, post_delete):
                signal.connect(vocabulary_changed, sender=model, dispatch_uid=f"search-{model}")

        def vocabulary_written_in_bulk(*, using: str, **kwargs) -> None:
            search_vocabulary_edited(using=using)

        reading_names_written_in_bulk.connect(
            vocabulary_written_in_bulk, dispatch_uid="search-vocabulary-bulk"
        )

        # A data migration writes names through the historical models, whose managers send
        # no signal: once a migrate has applied anything, the vocabulary is read afresh and
        # the stored searches retired. A migrate with nothing to apply (every `make run`)
        # retires nothing; a flush (plan None) neither. Django sends post_migrate to the
        # apps with a models module, which this one lacks: it listens for the names' app.
        from django.apps import apps
        from django.db.models.signals import post_migrate

        def vocabulary_after_migrate(*, using: str, plan=None, **kwargs) -> None:
            if plan:
                search_vocabulary_edited(using=using)

        post_migrate.connect(
            vocabulary_after_migrate,
            sender=apps.get_app_config(Condition._meta.app_label),
            dispatch_uid="search-vocabulary-migrate",
        )

        register_projection(
            "search",
            published=lambda *, publications, entries: search_index_entries_update(entries=entries),
            withdrawn=lambda *, entry: search_index_entries_update(entries=[entry]),
            finished=finish,
        )

from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Clinical trials"

    def ready(self) -> None:
        from monographs.editorial import registry
        from trials.models import Trial

        registry.register_root_kind(
            kind="trial",
            model=Trial,
            build_document="trials.documents.build_trial_document",
            build_documents="trials.documents.build_trial_documents",
            facets="trials.documents.trial_facets",
            checks="trials.checks.trial_checks",
            restore="trials.restore.trial_restore_document",
            document_type="trials.document_types.TrialDocument",
            plural="trials",
            site_namespace="trials",
            search_fields="trials.search_fields.trial_search_fields",
            list_members=("acronym",),
            page_render="trials.views.pages.trial_page_render",
            appears_on=(("drug", "drug"),),
        )

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    """Keep the Editor and Reviewer groups' permissions in step with new models."""
    from monographs.editorial.roles import sync_roles

    sync_roles()


class MonographsConfig(AppConfig):
    name = "monographs"
    verbose_name = "Drug monographs"

    def ready(self) -> None:
        from monographs.editorial import registry

        post_migrate.connect(_sync_roles, sender=self)
        from monographs.editorial.shared import (
            register_shared_record,
            register_shared_record_part,
        )
        from monographs.models import (
            AdverseEventTerm,
            Citation,
            CitationLink,
            Condition,
            Drug,
            Target,
        )

        registry.register_root_kind(
            kind="drug",
            model=Drug,
            build_document="monographs.documents.build_drug_document",
            build_documents="monographs.documents.build_drug_documents",
            facets="monographs.documents.drug_facets",
            checks="monographs.checks.drug_checks",
            restore="monographs.restore.drug_restore_document",
            document_type="monographs.document_types.DrugDocument",
            plural="drugs",
            site_namespace="monographs",
            search_fields="monographs.search_fields.drug_search_fields",
            search_sections="monographs.search_fields.drug_section_rows",
            list_members=("summary",),
            list_label="Drugs A–Z",
            page_render="monographs.views.drugs.drug_page_render",
            appears_on=(("interacts_with", "drug"), ("followed_by", "drug")),
        )
        # Vocabulary reaches readers only inside the documents of the entries that use it.
        register_shared_record(Citation, cited_by_key="key")
        register_shared_record_part(CitationLink, owner="citing")
        for model in (AdverseEventTerm, Condition, Target):
            register_shared_record(model)

from django.apps import AppConfig


class ImportingConfig(AppConfig):
    """Bringing evidence in: citations and trials drafted from what others already published.

    Owns the small HTTP clients of the services it reads (Crossref, NCBI E-utilities,
    ClinicalTrials.gov), the parsers of reference files (RIS, BibTeX, CSL-JSON, PubMed XML,
    MEDLINE), the services that turn what they read into citations and draft trials, the
    commands `import_citations` and `import_trial`, and the admin pages that preview an import
    before it is confirmed. It owns no table: what it writes are the citations and trials of
    the working copy, and every trial it touches is recorded as an edit through the editorial
    services. An import never submits, approves or publishes anything.
    """

    name = "monographs.importing"
    label = "importing"
    verbose_name = "Imports"

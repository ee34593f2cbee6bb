from monographs.api.views.bulk import BulkManifestView, BulkPartView
from monographs.api.views.changes import ChangeListView
from monographs.api.views.entries import entry_views
from monographs.api.views.exports import (
    AdverseEventExportView,
    CitationBibTeXExportView,
    CitationCSLJSONExportView,
    CitationRISExportView,
    FixtureExportView,
    OutcomeExportView,
    TrialExportView,
)
from monographs.api.views.rows import AdverseEventListView, CitationListView
from monographs.api.views.search import SearchView
from monographs.api.views.sync import SyncView

__all__ = [
    "BulkManifestView",
    "BulkPartView",
    "AdverseEventExportView",
    "AdverseEventListView",
    "ChangeListView",
    "CitationBibTeXExportView",
    "CitationCSLJSONExportView",
    "CitationListView",
    "CitationRISExportView",
    "FixtureExportView",
    "OutcomeExportView",
    "SearchView",
    "SyncView",
    "TrialExportView",
    "entry_views",
]

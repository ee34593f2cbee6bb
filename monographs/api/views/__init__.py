from monographs.api.views.bulk import BulkManifestView, BulkPartView
from monographs.api.views.changes import ChangeListView
from monographs.api.views.entries import (
    DrugDetailView,
    DrugListView,
    DrugVersionDetailView,
    DrugVersionListView,
    TrialDetailView,
    TrialListView,
    TrialVersionDetailView,
    TrialVersionListView,
)
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
    "DrugDetailView",
    "DrugListView",
    "DrugVersionDetailView",
    "DrugVersionListView",
    "FixtureExportView",
    "OutcomeExportView",
    "SearchView",
    "SyncView",
    "TrialDetailView",
    "TrialExportView",
    "TrialListView",
    "TrialVersionDetailView",
    "TrialVersionListView",
]

from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from monographs.api import views
from monographs.api.errors import api_not_found

app_name = "api"

urlpatterns = [
    path("v1/drugs/", views.DrugListView.as_view(), name="drug-list"),
    path("v1/drugs/<slug:slug>/", views.DrugDetailView.as_view(), name="drug-detail"),
    path(
        "v1/drugs/<slug:slug>/versions/", views.DrugVersionListView.as_view(), name="drug-versions"
    ),
    path(
        "v1/drugs/<slug:slug>/versions/<int:version>/",
        views.DrugVersionDetailView.as_view(),
        name="drug-version",
    ),
    path("v1/trials/", views.TrialListView.as_view(), name="trial-list"),
    path("v1/trials/<slug:slug>/", views.TrialDetailView.as_view(), name="trial-detail"),
    path(
        "v1/trials/<slug:slug>/versions/",
        views.TrialVersionListView.as_view(),
        name="trial-versions",
    ),
    path(
        "v1/trials/<slug:slug>/versions/<int:version>/",
        views.TrialVersionDetailView.as_view(),
        name="trial-version",
    ),
    path("v1/adverse-events/", views.AdverseEventListView.as_view(), name="adverse-event-list"),
    path("v1/citations/", views.CitationListView.as_view(), name="citation-list"),
    path("v1/search/", views.SearchView.as_view(), name="search"),
    path("v1/changes/", views.ChangeListView.as_view(), name="change-list"),
    path("v1/sync/", views.SyncView.as_view(), name="sync"),
    path("v1/bulk/", views.BulkManifestView.as_view(), name="bulk"),
    re_path(
        r"^v1/bulk/(?P<snapshot>[0-9]+(?:-[0-9a-f]+)?)/(?P<name>[-a-z0-9.]+)$",
        views.BulkPartView.as_view(),
        name="bulk-part",
    ),
    path("v1/export/fixtures.json", views.FixtureExportView.as_view(), name="export-fixtures"),
    path("v1/export/trials.csv", views.TrialExportView.as_view(), name="export-trials"),
    path("v1/export/outcomes.csv", views.OutcomeExportView.as_view(), name="export-outcomes"),
    path(
        "v1/export/adverse-events.csv",
        views.AdverseEventExportView.as_view(),
        name="export-adverse-events",
    ),
    path("v1/export/citations.ris", views.CitationRISExportView.as_view(), name="export-ris"),
    path("v1/export/citations.bib", views.CitationBibTeXExportView.as_view(), name="export-bibtex"),
    path(
        "v1/export/citations.csl.json",
        views.CitationCSLJSONExportView.as_view(),
        name="export-csl-json",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    re_path(r"^(?P<unmatched>.*)$", api_not_found),
]

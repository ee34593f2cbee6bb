from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from monographs.api import views
from monographs.api.errors import api_not_found
from monographs.editorial import registry

app_name = "api"


def entry_patterns() -> list:
    """/v1/<plural>/ and below, for every kind of entry registered (editorial registry)."""
    patterns = []
    for root_kind in registry.all_kinds():
        kind, base = root_kind.kind, f"v1/{root_kind.plural}/"
        served = views.entry_views(root_kind)
        patterns += [
            path(base, served["list"].as_view(), name=f"{kind}-list"),
            path(f"{base}<slug:slug>/", served["detail"].as_view(), name=f"{kind}-detail"),
            path(
                f"{base}<slug:slug>/versions/",
                served["versions"].as_view(),
                name=f"{kind}-versions",
            ),
            path(
                f"{base}<slug:slug>/versions/<int:version>/",
                served["version"].as_view(),
                name=f"{kind}-version",
            ),
        ]
    return patterns


urlpatterns = [
    *entry_patterns(),
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
    re_path(r"^(?P<unmatched>.*)$", api_not_found, name="not-found"),
]

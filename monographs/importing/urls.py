"""The importers' admin pages, mounted under the admin URL by config/urls.py."""

from django.contrib import admin
from django.urls import path

from monographs.importing.admin_views import citation_import_view, trial_import_view

app_name = "importing"

urlpatterns = [
    path("citations/", admin.site.admin_view(citation_import_view), name="citations"),
    path("trial/", admin.site.admin_view(trial_import_view), name="trial"),
]

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from monographs import views
from monographs.feeds import PublicationFeed
from monographs.sitemaps import SITEMAPS

app_name = "monographs"
urlpatterns = [
    path("", views.home, name="home"),
    path("drugs/", views.drug_list, name="drug_list"),
    path("drugs/<slug:slug>/", views.drug_detail, name="drug_detail"),
    path("drugs/<slug:slug>/versions/", views.drug_versions, name="drug_versions"),
    path(
        "drugs/<slug:slug>/versions/<int:version>/",
        views.drug_version_detail,
        name="drug_version_detail",
    ),
    path("adverse-events/", views.adverse_event_list, name="adverse_event_list"),
    path("adverse-events/<slug:slug>/", views.adverse_event_detail, name="adverse_event_detail"),
    path("references/", views.reference_list, name="reference_list"),
    path("references/<slug:key>/", views.reference_detail, name="reference_detail"),
    path("search/", views.search, name="search"),
    path("feed/", PublicationFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]

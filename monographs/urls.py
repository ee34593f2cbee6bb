from django.urls import path

from monographs import views
from monographs.feeds import feed
from monographs.sitemaps import sitemap_index, sitemap_section

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
    path("about/", views.about, name="about"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("feed/", feed, name="feed"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]

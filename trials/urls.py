from django.urls import path

from trials import views

app_name = "trials"
urlpatterns = [
    path("trials/", views.trial_list, name="trial_list"),
    path("trials/<slug:slug>/", views.trial_detail, name="trial_detail"),
    path("trials/<slug:slug>/versions/", views.trial_versions, name="trial_versions"),
    path(
        "trials/<slug:slug>/versions/<int:version>/",
        views.trial_version_detail,
        name="trial_version_detail",
    ),
]

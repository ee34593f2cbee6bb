from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("monographs.api.urls")),
    path("", include("trials.urls")),
    path("", include("monographs.urls")),
]

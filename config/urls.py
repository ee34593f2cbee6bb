from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import health
from monographs.admin.moved import moved_admin_patterns

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(f"{settings.ADMIN_URL}import/", include("monographs.importing.urls")),
    *moved_admin_patterns(settings.ADMIN_URL),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("monographs.api.urls")),
    path("", include("trials.urls")),
    path("", include("monographs.urls")),
]

handler500 = "config.health.server_error"

"""The site's URLs plus the benchmark's own endpoints under /bench/.

Used as ROOT_URLCONF by config.settings_bench alone: the naive baseline reads the working
copy, so under the production settings its URLs do not exist at all.
"""

from django.urls import include, path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/", include("monographs.loadtest.urls")), *site_urlpatterns]

__all__ = ["handler500", "urlpatterns"]

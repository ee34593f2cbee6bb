"""The admin addresses of the engine's models from before they had apps of their own.

Publications, entries, events and their kin were models of the `monographs` app; their admin
pages now live under the `editorial` and `publishing` labels. Bookmarks and links in old
emails keep working: each old address answers with a permanent redirect to the new one.
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import re_path

MOVED_TO = {
    "publication": "publishing",
    "entry": "publishing",
    "retiredslug": "publishing",
    "facet": "publishing",
    "editorialevent": "editorial",
    "revision": "editorial",
    "reviewcomment": "editorial",
    "notificationpreference": "editorial",
}


def moved_admin_redirect(
    request: HttpRequest, model: str, rest: str
) -> HttpResponsePermanentRedirect:
    old = f"/monographs/{model}/"
    prefix = request.path[: request.path.index(old)]
    target = f"{prefix}/{MOVED_TO[model]}/{model}/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)


def moved_admin_patterns(admin_url: str) -> list:
    models = "|".join(MOVED_TO)
    return [
        re_path(
            rf"^{admin_url}monographs/(?P<model>{models})/(?P<rest>.*)$",
            moved_admin_redirect,
        )
    ]

"""The floor and the naive baseline the benchmark measures the real pages and API against."""

from django.http import HttpRequest, HttpResponse
from rest_framework import generics

from monographs.loadtest.serializers import DrugSerializer
from monographs.models import Drug


def floor(request: HttpRequest) -> HttpResponse:
    """The least a request can cost on this stack: every middleware, no query, no template.

    Marked no-store so the response cache passes it through, as it does a page it misses.
    """
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


class NaiveDrugDetailView(generics.RetrieveAPIView):
    """One drug and every row of its monograph, serialised straight from the working tables."""

    queryset = Drug.objects.all()
    serializer_class = DrugSerializer
    lookup_field = "slug"
    throttle_classes = []

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

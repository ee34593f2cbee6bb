"""Search over what is live, through the same selector as the public site's search page."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from monographs.api.http import PublicReadMixin
from monographs.api.pagination import MAX_PAGE_SIZE
from monographs.api.serializers import ErrorSerializer, SearchResultSerializer
from monographs.search import MAX_QUERY_LENGTH, Kind, entry_search


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH)
    kind = serializers.MultipleChoiceField(choices=Kind.values, required=False)
    limit = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=MAX_PAGE_SIZE
    )


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = SearchResultSerializer(many=True)


@extend_schema(
    summary="Search live drugs, trials, adverse-event terms and references",
    tags=["search"],
    parameters=[
        OpenApiParameter(
            "q",
            {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH},
            required=True,
            description=(
                "Words; each must match, as the start of a word ('sora' finds sorafenib)."
            ),
        ),
        OpenApiParameter(
            "kind", str, many=True, enum=Kind.values, description="Only these kinds (repeatable)."
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            description=f"At most this many results (1-{MAX_PAGE_SIZE}).",
        ),
    ],
    responses={200: SearchResponseSerializer, 400: ErrorSerializer},
)
class SearchView(PublicReadMixin, APIView):
    """Best matches first; snippets are HTML with the matched words in <mark>.

    Where a query matches more rows than can be ranked quickly (thousands), the best are
    chosen from a bounded set. The set always holds an exact title, titles starting with the
    query and the drugs and adverse-event terms it names, and prefers other title and name
    matches to mentions in the text.
    """

    strict_query_parameters = True
    query_parameters = ("q", "kind", "limit")
    repeatable_query_parameters = ("kind",)

    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = entry_search(
            query=query.validated_data["q"],
            kinds=sorted(query.validated_data.get("kind") or []) or None,
            limit=query.validated_data["limit"],
        )
        data = {
            "query": query.validated_data["q"],
            "results": SearchResultSerializer(
                results, many=True, context={"request": request}
            ).data,
        }
        return Response(data)

"""Search over what is live, through the same selector as the public site's search page."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from monographs.api.http import PublicReadMixin
from monographs.api.pagination import MAX_PAGE_SIZE
from monographs.api.serializers import changes
from monographs.api.serializers.changes import SearchResultSerializer
from monographs.api.serializers.common import ErrorSerializer
from monographs.publishing.cache import response_store_from_miss
from monographs.search import MAX_QUERY_LENGTH, MAX_SEARCH_RESULTS, Kind, entry_search_page


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH)
    kind = serializers.MultipleChoiceField(choices=Kind.values, required=False)
    limit = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=MAX_PAGE_SIZE
    )
    page = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_SEARCH_RESULTS
    )

    def validate(self, data):
        if (data["page"] - 1) * data["limit"] >= MAX_SEARCH_RESULTS:
            raise serializers.ValidationError(
                {
                    "page": [
                        f"Only the first {MAX_SEARCH_RESULTS} results can be paged through: "
                        f"with limit={data['limit']}, page is at most "
                        f"{-(-MAX_SEARCH_RESULTS // data['limit'])}. Narrow the query instead."
                    ]
                }
            )
        return data


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    suggestion = serializers.CharField(
        allow_null=True,
        help_text="When the query as typed matched nothing: the query with its misspelt words "
        "corrected ('sorafnib' -> 'sorafenib'), which the results are for; otherwise null.",
    )
    total = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SEARCH_RESULTS,
        help_text="Live entries and references matching the query (a page once, however "
        f"many of its sections match), counted up to {MAX_SEARCH_RESULTS}, as many as can "
        "be paged through.",
    )
    total_exact = serializers.BooleanField(
        help_text=f"false when more than {MAX_SEARCH_RESULTS} match: total is then "
        f"{MAX_SEARCH_RESULTS}, a lower bound. Narrow the query (kind, more words) to count them.",
    )
    page = serializers.IntegerField(min_value=1)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null.")
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
                "Words; each must match, as the start of a word ('sora' finds sorafenib). "
                "A phrase the vocabulary knows also matches its synonyms and abbreviations "
                "('kidney cancer' finds renal cell carcinoma, 'HFSR' hand-foot skin "
                "reaction); a query that matches nothing is searched again with its "
                "misspellings corrected (see suggestion)."
            ),
        ),
        OpenApiParameter(
            "kind", str, many=True, enum=Kind.values, description="Only these kinds (repeatable)."
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            description=f"Results per page (1-{MAX_PAGE_SIZE}; 20 if left out).",
        ),
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_SEARCH_RESULTS},
            description=f"Page number, from 1; only the first {MAX_SEARCH_RESULTS} results "
            "can be paged through (page x limit, less one page).",
        ),
    ],
    responses={200: SearchResponseSerializer, 400: ErrorSerializer},
)
class SearchView(PublicReadMixin, APIView):
    """Best matches first, a page at a time, with the total; snippets are HTML with <mark>.

    Where a query matches more rows than can be ranked quickly (thousands), the best are
    chosen from a bounded set. The set always holds an exact title, titles starting with the
    query and the drugs and adverse-event terms it names, and prefers other title and name
    matches to mentions in the text.
    """

    strict_query_parameters = True
    query_parameters = ("q", "kind", "limit", "page")
    repeatable_query_parameters = ("kind",)

    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit, page = query.validated_data["limit"], query.validated_data["page"]
        found = entry_search_page(
            query=query.validated_data["q"],
            kinds=sorted(query.validated_data.get("kind") or []) or None,
            limit=limit,
            offset=(page - 1) * limit,
        )
        url = request.build_absolute_uri()
        last_page = min(-(-found.total // limit), -(-MAX_SEARCH_RESULTS // limit))
        data = {
            "query": query.validated_data["q"],
            "suggestion": found.suggestion,
            "total": found.total,
            "total_exact": found.total_exact,
            "page": page,
            "next": replace_query_param(url, "page", page + 1) if page < last_page else None,
            "previous": (
                replace_query_param(url, "page", min(page - 1, max(last_page, 1)))
                if page > 1
                else None
            ),
            "results": changes.search_results_data(found.results, request=request),
        }
        response = Response(data)
        response_store_from_miss(response, settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES)
        return response

"""Adverse-event incidence rows and citations, from the read tables of live publications."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from monographs.api.filters import AdverseEventListFilter, CitationListFilter
from monographs.api.http import PublicReadMixin
from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.api.pagination import PublishedCursorPagination
from monographs.api.selection import FIELDS, TOTAL, ListSelectionMixin
from monographs.api.serializers.common import ErrorSerializer
from monographs.api.serializers.rows import AdverseEventSerializer, CitationSerializer


@extend_schema(
    summary="Adverse events by drug",
    tags=["adverse events"],
    responses={200: AdverseEventSerializer(many=True), 400: ErrorSerializer},
)
class AdverseEventListView(ListSelectionMixin, PublicReadMixin, generics.ListAPIView):
    """Drug x term incidence in %, any grade and grade 3 or higher, each with its source."""

    serializer_class = AdverseEventSerializer
    strict_query_parameters = True
    query_parameters = (FIELDS, TOTAL)
    filter_backends = [DjangoFilterBackend]
    filterset_class = AdverseEventListFilter
    pagination_class = PublishedCursorPagination
    cursor_ordering = "sort_key"

    def get_queryset(self):
        return PublishedAdverseEvent.objects.live()


def cited_by(keys: list[str]) -> dict[str, list[dict]]:
    """The live entries citing each key, in one query for a whole page of citations."""
    citing: dict[str, list[dict]] = {key: [] for key in keys}
    rows = (
        PublishedCitation.objects.live()
        .filter(key__in=keys)
        .values_list("key", "publication__kind", "publication__slug", "publication__title")
        .order_by("key", "publication__kind", "publication__slug")
    )
    for key, kind, slug, title in rows:
        citing[key].append({"kind": kind, "slug": slug, "title": title})
    return citing


@extend_schema(
    summary="Cited sources",
    tags=["citations"],
    responses={200: CitationSerializer(many=True), 400: ErrorSerializer},
)
class CitationListView(ListSelectionMixin, PublicReadMixin, generics.ListAPIView):
    """Sources that some live publication cites, once each, with the entries that cite them."""

    serializer_class = CitationSerializer
    strict_query_parameters = True
    query_parameters = (FIELDS, TOTAL)
    filter_backends = [DjangoFilterBackend]
    filterset_class = CitationListFilter
    pagination_class = PublishedCursorPagination
    cursor_ordering = "key"

    def get_queryset(self):
        return PublishedCitation.objects.one_per_key()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "cited_by": cited_by([c.key for c in page])}
        data = CitationSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

"""Entries of every kind: lists, current documents, versions and the document as of a moment."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from monographs.api.filters import DrugListFilter, StrictOrderingFilter, TrialListFilter
from monographs.api.http import PublicReadMixin
from monographs.api.pagination import PublishedCursorPagination
from monographs.api.selection import FIELDS, TOTAL, FieldSelectionMixin, ListSelectionMixin
from monographs.api.selectors import (
    current_publication_get,
    entries_attach_facets,
    entry_list,
    entry_live_get,
    entry_versions,
    publication_as_of,
    publication_version_get,
)
from monographs.api.serializers.common import ErrorSerializer, WithdrawnSerializer
from monographs.api.serializers.entries import (
    DrugSummarySerializer,
    EntrySummarySerializer,
    PublicationSerializer,
    TrialSummarySerializer,
    VersionSerializer,
    publication_body,
    publication_serializer,
)
from monographs.api.stored_detail import (
    DetailHead,
    detail_head,
    detail_response,
    head_fingerprint,
    stored_detail_responder,
)
from monographs.editorial import registry
from monographs.publishing.cache import response_store_from_miss

MAX_VERSION = 2_147_483_647
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="Return the version that was live at this moment (ISO 8601; UTC if no "
    "offset is given), e.g. 2024-01-31T12:00:00Z.",
)
SLUG_SCHEMA = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
DRUG_SLUG = OpenApiParameter(
    "slug",
    SLUG_SCHEMA,
    OpenApiParameter.PATH,
    description="The drug's slug, its INN in lower case.",
    examples=[OpenApiExample("sorafenib", value="sorafenib")],
)
TRIAL_SLUG = OpenApiParameter(
    "slug",
    SLUG_SCHEMA,
    OpenApiParameter.PATH,
    description="The trial's slug.",
    examples=[OpenApiExample("SHARP", value="sharp")],
)
VERSION_NUMBER = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 0},
    OpenApiParameter.PATH,
    description="Version number, from 1.",
    examples=[OpenApiExample("First version", value=1)],
)
DETAIL_ERRORS = {
    400: ErrorSerializer,
    404: ErrorSerializer,
    410: WithdrawnSerializer,
}


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(required=False)

    def validate_as_of(self, value):
        """A moment still to come has no answer that stays true: a publish may come before it."""
        now = timezone.now()
        if value > now:
            raise serializers.ValidationError(
                f"{value.isoformat()} is in the future (it is now "
                f"{now.isoformat(timespec='seconds')}); give a past moment, or leave as_of out "
                "for the current version."
            )
        return value


class EntryListView(ListSelectionMixin, PublicReadMixin, generics.ListAPIView):
    kind: str
    strict_query_parameters = True
    query_parameters = (FIELDS, TOTAL)
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["slug", "first_published_at"]
    ordering = ["slug"]
    cursor_ordering = "slug"
    pagination_class = PublishedCursorPagination

    def get_queryset(self):
        return entry_list(kind=self.kind)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            entries_attach_facets(page, names=self.serializer_class.FACETS)
        return page


@extend_schema(
    summary="Published drugs",
    tags=["drugs"],
    responses={200: DrugSummarySerializer(many=True), 400: ErrorSerializer},
)
class DrugListView(EntryListView):
    """Live drug monographs, filtered by class, target, indication and ATC code."""

    kind = "drug"
    serializer_class = DrugSummarySerializer
    filterset_class = DrugListFilter


@extend_schema(
    summary="Published trials",
    tags=["trials"],
    responses={200: TrialSummarySerializer(many=True), 400: ErrorSerializer},
)
class TrialListView(EntryListView):
    """Live trials, filtered by drug, condition, phase, design, NCT number, year, enrolment."""

    kind = "trial"
    serializer_class = TrialSummarySerializer
    filterset_class = TrialListFilter


class PublicationView(FieldSelectionMixin, PublicReadMixin, generics.GenericAPIView):
    kind: str
    strict_query_parameters = True
    query_parameters = (FIELDS,)
    serializer_class = PublicationSerializer

    def publication_response(
        self, publication, *, document_text: str, slug: str, current_version: int, uid
    ) -> Response:
        context = {
            "request": self.request,
            "current_version": current_version,
            "slug": slug,
            "entry_uid": uid,
        }
        return Response(
            publication_body(
                publication,
                document_text=document_text,
                context=context,
                fields=self.selected_fields(),
            )
        )

    def version_response(self, publication, *, entry) -> Response:
        """One version of a live entry, current or not, with its stored document text."""
        return self.publication_response(
            publication,
            document_text=publication.published_document.body,
            slug=entry.slug,
            current_version=entry.current.version,
            uid=entry.uid,
        )


class EntryDetailView(PublicationView):
    query_parameters = ("as_of", FIELDS)

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        # For site.middleware.StoredPageMiddleware, which answers anonymous readers above
        # the stack with the same bytes as current_response.
        view.stored_response = stored_detail_responder(kind=cls.kind, allow=cls.allow())
        return view

    @classmethod
    def allow(cls) -> str:
        """The Allow header DRF gives this view's responses."""
        view = cls()
        view.setup(None)
        return ", ".join(view.allowed_methods)

    def current_response(self, current, *, slug: str) -> HttpResponse:
        """The current detail, from the head written at publish (stored_detail), or from one
        written now by the same function when the stored head is another code's."""
        document = current.document_text
        if current.detail_head_renderer == head_fingerprint():
            written = DetailHead(head=bytes(current.detail_head), etag=current.detail_head_etag)
        else:
            written = detail_head(current, entry_uid=current.entry_uid, document_text=document)
        return detail_response(
            self.request,
            kind=self.kind,
            slug=slug,
            head=written.head,
            document=document.encode(),
            etag=written.etag,
            allow=self.allow(),
        )

    def get(self, request, slug: str):
        query = AsOfSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of")
        if as_of is None:
            current = current_publication_get(kind=self.kind, slug=slug)
            if self.selected_fields() is None:
                return self.current_response(current, slug=slug)
            response = self.publication_response(
                current,
                document_text=current.document_text,
                slug=slug,
                current_version=current.version,
                uid=current.entry_uid,
            )
            response_store_from_miss(response, settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES)
            return response
        entry = entry_live_get(kind=self.kind, slug=slug)
        publication = publication_as_of(entry=entry, moment=as_of)
        return self.version_response(publication, entry=entry)


class VersionListView(FieldSelectionMixin, PublicReadMixin, generics.GenericAPIView):
    kind: str
    strict_query_parameters = True
    query_parameters = (FIELDS,)
    serializer_class = VersionSerializer
    pagination_class = None

    def get(self, request, slug: str):
        entry = entry_live_get(kind=self.kind, slug=slug)
        context = {"request": request, "current_version": entry.current.version, "slug": entry.slug}
        versions = entry_versions(entry=entry)
        return Response(
            self.select_each(VersionSerializer(versions, many=True, context=context).data)
        )


class VersionDetailView(PublicationView):
    def get(self, request, slug: str, version: int):
        entry = entry_live_get(kind=self.kind, slug=slug)
        if version > MAX_VERSION:
            raise NotFound(f"'{entry.title}' has no version {version}.")
        publication = publication_version_get(entry=entry, version=version)
        return self.version_response(publication, entry=entry)


def detail(kind: str) -> dict:
    return {"responses": {200: publication_serializer(kind), **DETAIL_ERRORS}}


VERSIONS = {"responses": {200: VersionSerializer(many=True), **DETAIL_ERRORS}}


# How a client names one entry of each kind; a kind declared later gets the plain wording.
SLUG_PARAMETERS = {"drug": DRUG_SLUG, "trial": TRIAL_SLUG}
# The lists whose filters the API knows; any other kind gets a plain list.
FILTERED_LISTS: dict[str, type[EntryListView]] = {"drug": DrugListView, "trial": TrialListView}


def entry_views(root_kind: registry.RootKind) -> dict[str, type[generics.GenericAPIView]]:
    """The list, detail, versions and version views of a kind, under its plural.

    Each answers the same whatever the kind; only the schema's words (and a list's filters)
    differ, so a kind registered by any app is served without a line here.
    """
    kind, label, tag = root_kind.kind, root_kind.label, root_kind.plural
    slug = SLUG_PARAMETERS.get(kind) or OpenApiParameter(
        "slug", SLUG_SCHEMA, OpenApiParameter.PATH, description=f"The {label}'s slug."
    )
    list_view = FILTERED_LISTS.get(kind) or extend_schema(
        summary=f"Published {tag}",
        tags=[tag],
        responses={200: EntrySummarySerializer(many=True), 400: ErrorSerializer},
    )(
        type(
            f"{kind.title()}ListView",
            (EntryListView,),
            {"kind": kind, "serializer_class": EntrySummarySerializer},
        )
    )

    def documented(base: type, name: str, summary: str, description: str, parameters, responses):
        view = type(f"{kind.title()}{name}", (base,), {"kind": kind})
        return extend_schema(
            summary=summary,
            description=description,
            tags=[tag],
            parameters=parameters,
            **responses,
        )(view)

    detail_view = documented(
        EntryDetailView,
        "DetailView",
        f"One {label}: current version, or the one live at as_of",
        f"The current version of one {label}, or with ?as_of= the version live at that moment.",
        [slug, AS_OF],
        detail(kind),
    )
    versions_view = documented(
        VersionListView,
        "VersionListView",
        f"Versions of one {label}",
        f"Every published version of one {label}, oldest first, with its change note.",
        [slug],
        VERSIONS,
    )
    version_view = documented(
        VersionDetailView,
        "VersionDetailView",
        f"One version of one {label}",
        f"One published version of one {label} as frozen; superseded when a newer one is live.",
        [slug, VERSION_NUMBER],
        detail(kind),
    )
    return {
        "list": list_view,
        "detail": detail_view,
        "versions": versions_view,
        "version": version_view,
    }

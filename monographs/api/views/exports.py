"""Bulk downloads, streamed: the corpus as a fixture, CSV tables, RIS and BibTeX."""

import gzip
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer

from monographs.api.exports.bulk import FIXTURE_PART, bulk_storage, snapshot_path
from monographs.api.exports.citations import bibtex_lines, csl_json_lines, ris_lines
from monographs.api.exports.tables import (
    ADVERSE_EVENT_COLUMNS,
    OUTCOME_COLUMNS,
    TRIAL_COLUMNS,
    adverse_event_rows,
    csv_lines,
    in_chunks,
    outcome_rows,
    trial_rows,
)
from monographs.api.filters import AdverseEventFilter, CitationFilter, TrialFilter
from monographs.api.http import PublicReadMixin
from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.api.schema import ReadAPISchema
from monographs.api.serializers.common import ErrorSerializer
from monographs.api.views.bulk import bulk_manifest_current
from monographs.publishing.models import Entry


class DownloadRenderer(BaseRenderer):
    """Lets a client ask for the download's own media type; the body is streamed as is."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(DownloadRenderer):
    media_type = "text/csv"
    format = "csv"


class RISRenderer(DownloadRenderer):
    media_type = "application/x-research-info-systems"
    format = "ris"


class BibTeXRenderer(DownloadRenderer):
    media_type = "application/x-bibtex"
    format = "bib"


class CSLJSONRenderer(DownloadRenderer):
    media_type = "application/vnd.citationstyles.csl+json"
    format = "csljson"


class DownloadSchema(ReadAPISchema):
    """Document the filters of a download even though it answers a file, not a JSON list."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])


def _download_schema(media_type: str, summary: str, body=OpenApiTypes.STR):
    return extend_schema(
        summary=summary,
        tags=["exports"],
        responses={(200, media_type): body, (400, "application/json"): ErrorSerializer},
    )


# A list view: the schema generator makes this the item of the array it answers.
CSL_JSON_BODY = {
    "type": "object",
    "additionalProperties": True,
    "description": "A CSL-JSON item: one cited source.",
}


class DownloadView(PublicReadMixin, generics.ListAPIView):
    """A filtered, streamed download; filters are those of the matching list endpoint.

    Its parameters are held to the same rules as a list's: a download that ignored a
    misspelt filter would be the whole table under the name of a filtered one.
    """

    strict_query_parameters = True
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    schema = DownloadSchema()
    renderer_classes = [JSONRenderer]
    filename: str
    content_type: str

    def lines(self, queryset) -> Iterator[str]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        response = StreamingHttpResponse(self.lines(queryset), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


class FixtureObjectSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="app_label.model_name, e.g. publishing.publication.")
    pk = serializers.IntegerField()
    fields = serializers.DictField()


@extend_schema(
    summary="The published corpus as a Django fixture",
    tags=["exports"],
    responses={200: FixtureObjectSerializer(many=True)},
)
class FixtureExportView(DownloadView):
    """Every version of every live entry, the entries, facets and read tables.

    Load it into an empty database with `python manage.py loaddata published-corpus.json`.
    Users are not included: published_by and approved_by are empty. It is the fixture of
    the bulk download's snapshot, decompressed: read in one transaction, so it never names a
    publication it does not hold, and written before it is sent, so it is never cut short.
    """

    filter_backends = []
    filename = "published-corpus.json"
    content_type = "application/json"

    def get_queryset(self):
        return Entry.objects.none()

    def list(self, request, *args, **kwargs):
        manifest = bulk_manifest_current()
        self.snapshot = manifest["snapshot"]
        response = super().list(request, *args, **kwargs)
        response["X-Change-Token"] = str(manifest["token"])
        return response

    def lines(self, queryset) -> Iterator[bytes]:
        path = snapshot_path(self.snapshot, FIXTURE_PART)
        with bulk_storage().open(path, "rb") as stored, gzip.GzipFile(fileobj=stored) as fixture:
            while block := fixture.read(1 << 16):
                yield block


class TrialDownloadView(DownloadView):
    filterset_class = TrialFilter
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_type = "text/csv; charset=utf-8"

    def get_queryset(self):
        return Entry.objects.live().of_kind("trial").select_related("current")


@_download_schema("text/csv", "Live trials as CSV")
class TrialExportView(TrialDownloadView):
    filename = "trials.csv"

    def lines(self, queryset) -> Iterator[str]:
        return csv_lines(TRIAL_COLUMNS, trial_rows(in_chunks(queryset)))


@_download_schema("text/csv", "Outcomes of live trials as CSV")
class OutcomeExportView(TrialDownloadView):
    filename = "outcomes.csv"

    def lines(self, queryset) -> Iterator[str]:
        return csv_lines(OUTCOME_COLUMNS, outcome_rows(in_chunks(queryset)))


@_download_schema("text/csv", "Adverse events of live drugs as CSV")
class AdverseEventExportView(DownloadView):
    filterset_class = AdverseEventFilter
    renderer_classes = [JSONRenderer, CSVRenderer]
    filename = "adverse-events.csv"
    content_type = "text/csv; charset=utf-8"

    def get_queryset(self):
        return PublishedAdverseEvent.objects.live().order_by("sort_key")

    def lines(self, queryset) -> Iterator[str]:
        return csv_lines(ADVERSE_EVENT_COLUMNS, adverse_event_rows(queryset))


class CitationDownloadView(DownloadView):
    filterset_class = CitationFilter

    def get_queryset(self):
        return PublishedCitation.objects.one_per_key().order_by("key")

    def references(self, queryset) -> Iterator[dict]:
        for row in queryset.iterator(chunk_size=200):
            yield row.reference


@_download_schema("application/x-research-info-systems", "Cited sources as RIS")
class CitationRISExportView(CitationDownloadView):
    renderer_classes = [JSONRenderer, RISRenderer]
    filename = "citations.ris"
    content_type = "application/x-research-info-systems; charset=utf-8"

    def lines(self, queryset) -> Iterator[str]:
        return ris_lines(self.references(queryset))


@_download_schema("application/x-bibtex", "Cited sources as BibTeX")
class CitationBibTeXExportView(CitationDownloadView):
    renderer_classes = [JSONRenderer, BibTeXRenderer]
    filename = "citations.bib"
    content_type = "application/x-bibtex; charset=utf-8"

    def lines(self, queryset) -> Iterator[str]:
        return bibtex_lines(self.references(queryset))


@_download_schema(
    "application/vnd.citationstyles.csl+json", "Cited sources as CSL-JSON", CSL_JSON_BODY
)
class CitationCSLJSONExportView(CitationDownloadView):
    renderer_classes = [JSONRenderer, CSLJSONRenderer]
    filename = "citations.csl.json"
    content_type = "application/vnd.citationstyles.csl+json; charset=utf-8"

    def lines(self, queryset) -> Iterator[str]:
        return csl_json_lines(self.references(queryset))

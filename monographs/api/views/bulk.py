"""The bulk download: a manifest of files built from one snapshot, and the files themselves."""

import contextlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.cache import get_conditional_response, patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from monographs.api.exports.bulk import (
    bulk_manifest_read,
    bulk_snapshot_build,
    bulk_snapshots,
    bulk_storage,
    change_feed_head,
    snapshot_path,
)
from monographs.api.http import PublicReadMixin
from monographs.api.serializers.common import ErrorSerializer, api_url, entry_kinds

BUILD_LOCK = "bulk-snapshot-building"
BUILD_LOCK_SECONDS = 15 * 60
IMMUTABLE = 365 * 24 * 3600


class BulkNotReady(APIException):
    status_code = 503
    default_code = "bulk_not_ready"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = 30


@contextlib.contextmanager
def _from_primary():
    """The snapshot is read from the primary, in one transaction, whatever the request."""
    try:
        from config.routers import public_reads_from_replica
    except ImportError:  # pragma: no cover - the router ships with the project
        yield
        return
    with public_reads_from_replica("default"):
        yield


def bulk_manifest_current() -> dict[str, Any]:
    """The manifest of the public record as it stands, built now when allowed and missing;
    else the newest stored (its token says how far to sync from); else BulkNotReady."""
    _, snapshot = change_feed_head()
    manifest = bulk_manifest_read(snapshot=snapshot)
    if manifest is not None:
        return manifest
    if settings.BULK_BUILD_ON_REQUEST and cache.add(BUILD_LOCK, 1, timeout=BUILD_LOCK_SECONDS):
        try:
            with _from_primary():
                return bulk_snapshot_build()
        finally:
            cache.delete(BUILD_LOCK)
    stored = bulk_snapshots()
    if stored:
        manifest = bulk_manifest_read(snapshot=stored[-1])
        if manifest is not None:
            return manifest
    raise BulkNotReady(
        "The bulk download is being built"
        if settings.BULK_BUILD_ON_REQUEST
        else "No bulk download is built yet (python manage.py build_bulk builds it)"
    )


class BulkPartSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[*entry_kinds(), "fixture"])
    records = serializers.IntegerField(
        min_value=0, help_text="Entries in the part; objects in the fixture."
    )
    bytes = serializers.IntegerField(min_value=0, help_text="Size of the compressed file.")
    sha256 = serializers.CharField(help_text="SHA-256 of the compressed file, in hex.")
    url = serializers.URLField()


class BulkManifestSerializer(serializers.Serializer):
    snapshot = serializers.CharField()
    token = serializers.IntegerField(
        help_text="The change token the files are current to: continue with "
        "/api/v1/sync/?since=<token>."
    )
    built_at = serializers.DateTimeField()
    records = serializers.DictField(child=serializers.IntegerField())
    parts = BulkPartSerializer(many=True)


@extend_schema(
    summary="The bulk download: every live document and the fixture, as files",
    tags=["exports"],
    responses={200: BulkManifestSerializer, 400: ErrorSerializer, 503: ErrorSerializer},
)
class BulkManifestView(PublicReadMixin, APIView):
    """The files of the newest snapshot of the published corpus, with checksums and counts.

    Every file was written from one database snapshot, at the change `token`: load them,
    check each one's sha256, then sync from that token.
    """

    strict_query_parameters = True

    @extend_schema(operation_id="v1_bulk_manifest")
    def get(self, request, *args, **kwargs):
        manifest = bulk_manifest_current()
        for part in manifest["parts"]:
            part["url"] = api_url(request, "bulk-part", manifest["snapshot"], part["name"])
        return Response(manifest)


@extend_schema(
    summary="One file of a bulk snapshot (gzip-compressed JSON)",
    tags=["exports"],
    parameters=[
        OpenApiParameter("snapshot", str, OpenApiParameter.PATH, pattern=r"^[0-9]+(-[0-9a-f]+)?$"),
        OpenApiParameter("name", str, OpenApiParameter.PATH, pattern=r"^[-a-z0-9.]+$"),
    ],
    responses={
        (200, "application/gzip"): OpenApiTypes.BINARY,
        (302, "application/json"): None,
        (404, "application/json"): ErrorSerializer,
    },
)
class BulkPartView(PublicReadMixin, APIView):
    """A part listed in a manifest. It never changes: its ETag is its sha256.

    Where the storage serves files itself (an object store's URL), a redirect to it;
    otherwise the file, read from the storage.
    """

    strict_query_parameters = True

    @extend_schema(operation_id="v1_bulk_part")
    def get(self, request, snapshot: str, name: str, *args, **kwargs):
        manifest = bulk_manifest_read(snapshot=snapshot)
        part = next((p for p in (manifest or {"parts": []})["parts"] if p["name"] == name), None)
        if part is None:
            raise NotFound(
                f"No file '{name}' in bulk snapshot '{snapshot}'; /api/v1/bulk/ lists the "
                "files of the newest."
            )
        etag = f'"{part["sha256"]}"'
        probe = HttpResponse()
        answer = get_conditional_response(request, etag=etag, response=probe)
        if answer is probe:
            answer = self.part_response(snapshot=snapshot, part=part)
        answer["ETag"] = etag
        patch_cache_control(answer, public=True, max_age=IMMUTABLE, immutable=True)
        return answer

    def part_response(self, *, snapshot: str, part: dict[str, Any]) -> HttpResponse:
        storage = bulk_storage()
        path = snapshot_path(snapshot, part["name"])
        url = _storage_url(storage, path)
        if url is not None:
            return HttpResponseRedirect(url)
        response = FileResponse(
            storage.open(path, "rb"),
            as_attachment=True,
            filename=part["name"],
            content_type="application/gzip",
        )
        response["Content-Length"] = str(part["bytes"])
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors as JSON, as everywhere; a file keeps its own validators and lifetime."""
        response = APIView.finalize_response(self, request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


def _storage_url(storage, path: str) -> str | None:
    """An absolute URL the storage serves the file at itself, else None (local files)."""
    try:
        url = storage.url(path)
    except NotImplementedError:
        return None
    return url if url.startswith(("https://", "http://")) else None

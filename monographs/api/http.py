"""HTTP behaviour every API response shares: throttling, caching and conditional GET."""

from django.conf import settings
from django.http import Http404, HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

THROTTLE_OFF = {"", "0", "off", "none"}


class AnonymousReaderThrottle(AnonRateThrottle):
    """Requests per client address; the rate comes from settings.API_THROTTLE_ANON.

    Read at request time rather than import time, so a deployment (or a test) can change it.
    """

    def get_rate(self) -> str | None:
        rate = getattr(settings, "API_THROTTLE_ANON", None)
        if rate is None or str(rate).strip().lower() in THROTTLE_OFF:
            return None
        return str(rate)


class EncodedJSON(bytes):
    """A response body already encoded as JSON, such as a frozen document with its metadata."""


class EncodedJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, except that an EncodedJSON body is sent as it is, not encoded again."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, EncodedJSON):
            return bytes(data)
        return super().render(data, accepted_media_type, renderer_context)


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown ?format= is a 400 naming the parameter, not DRF's bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise ValidationError({"format": [f"Use one of: {formats}."]}) from None


class PublicReadMixin:
    """Cacheable, conditional responses: an ETag from the body, 304 when the client has it.

    Errors are JSON whatever the client asked for, since a download has no way to say why.

    Everything the API serves is a publication or derived from one, so a response is fully
    described by its bytes; a client revalidating with If-None-Match gets 304 and no body.
    """

    content_negotiation_class = FormatNegotiation

    def finalize_response(self, request, response, *args, **kwargs) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
        if isinstance(response, Response):
            response.render()
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

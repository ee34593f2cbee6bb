"""HTTP behaviour every API response shares: throttling, caching and conditional GET."""

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase
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
    The address is DRF's get_ident under settings.NUM_PROXIES (REST_FRAMEWORK): the
    X-Forwarded-For entry written by the nearest of NUM_PROXIES trusted proxies, or the peer
    address when there are none, as config.clients.client_address finds it for the login
    lockout. What is left of the reader's allowance is kept on the request, for
    RateLimitHeadersMiddleware to announce.
    """

    def get_rate(self) -> str | None:
        rate = getattr(settings, "API_THROTTLE_ANON", None)
        if rate is None or str(rate).strip().lower() in THROTTLE_OFF:
            return None
        return str(rate)

    def allow_request(self, request, view) -> bool:
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None) is not None:
            history = self.history
            reset = self.duration - (self.now - history[-1]) if history else self.duration
            request._request.rate_limit = RateLimit(
                limit=self.num_requests,
                remaining=max(0, self.num_requests - len(history)),
                reset=max(0, math.ceil(reset)),
                window=self.duration,
            )
        return allowed


@dataclass(frozen=True)
class RateLimit:
    limit: int
    remaining: int
    reset: int  # seconds until one more request is allowed
    window: int


class RateLimitHeadersMiddleware:
    """RateLimit-Limit, -Remaining and -Reset (IETF draft) on every throttled API answer.

    Added here, above the response cache, rather than by the view: a cached answer is
    shared by every reader, while the counts are this reader's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        rate_limit: RateLimit | None = getattr(request, "rate_limit", None)
        if rate_limit is not None:
            response["RateLimit-Limit"] = str(rate_limit.limit)
            response["RateLimit-Remaining"] = str(rate_limit.remaining)
            response["RateLimit-Reset"] = str(rate_limit.reset)
            response["RateLimit-Policy"] = f"{rate_limit.limit};w={rate_limit.window}"
        return response


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

    With `strict_query_parameters`, a query parameter the endpoint does not take (a
    misspelt filter, which would otherwise be ignored and answer everything), one given
    twice where one value is taken, and one given empty are 400s naming them.
    """

    content_negotiation_class = FormatNegotiation
    strict_query_parameters = False
    # Parameters besides those of the filter set, ordering and paginator.
    query_parameters: tuple[str, ...] = ()
    repeatable_query_parameters: tuple[str, ...] = ()

    def accepted_query_parameters(self) -> set[str]:
        names = {"format", *self.query_parameters}
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            names.update(filterset_class.base_filters)
        for backend in getattr(self, "filter_backends", ()):
            if getattr(backend, "ordering_param", None):
                names.add(backend.ordering_param)
        paginator = getattr(self, "paginator", None)
        names.update(getattr(paginator, "query_parameters", ()))
        return names

    def check_query_parameters(self, request) -> None:
        accepted = self.accepted_query_parameters()
        errors: dict[str, list[str]] = {}
        for name in request.query_params:
            if name not in accepted:
                errors[name] = [
                    "This endpoint takes no such parameter; it takes "
                    f"{', '.join(sorted(accepted))}."
                ]
            elif (
                name not in self.repeatable_query_parameters
                and len(request.query_params.getlist(name)) > 1
            ):
                errors[name] = ["Given more than once; give it once."]
            elif any(value == "" for value in request.query_params.getlist(name)):
                errors[name] = ["Empty; give a value, or leave the parameter out."]
        if errors:
            raise ValidationError(errors)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if self.strict_query_parameters:
            self.check_query_parameters(request)

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

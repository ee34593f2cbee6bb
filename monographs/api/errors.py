"""Errors as JSON with a message a person can act on.

Every error body has the same shape: {"status": 400, "detail": "...", ...}. A rejected
query parameter also lists the messages per parameter under "parameters", so a client can
tell exactly which one to fix.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler

from monographs.editorial.identity import moved_location


class EntryWithdrawn(APIException):
    """The entry was published and has been withdrawn: HTTP 410 with the reason."""

    status_code = status.HTTP_410_GONE
    default_code = "withdrawn"

    def __init__(
        self, *, kind: str, slug: str, title: str, withdrawn_at: datetime, reason: str
    ) -> None:
        super().__init__(f"The {kind} '{title}' was withdrawn on {withdrawn_at:%Y-%m-%d}: {reason}")
        self.extra = {
            "kind": kind,
            "slug": slug,
            "title": title,
            "withdrawn_at": withdrawn_at.isoformat(),
            "withdrawal_reason": reason,
        }


class EntryMoved(APIException):
    """The entry was renamed: its old address answers 301 with the new one in Location."""

    status_code = status.HTTP_301_MOVED_PERMANENTLY
    default_code = "moved"

    def __init__(self, *, kind: str, old_slug: str, slug: str) -> None:
        super().__init__(f"The {kind} '{old_slug}' is now published as '{slug}'.")
        self.old_slug, self.slug = old_slug, slug
        self.extra = {"kind": kind, "slug": slug}


def _messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    return [str(value)]


def _parameter_errors(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {str(name): _messages(messages) for name, messages in data.items()}
    return {"non_field_errors": _messages(data)}


def api_exception_handler(exc: Exception, context: dict) -> Any:
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        parameters = _parameter_errors(response.data)
        summary = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in parameters.items()
        )
        response.data = {
            "status": response.status_code,
            "detail": f"Invalid query parameter. {summary}",
            "parameters": parameters,
        }
    else:
        if isinstance(exc, EntryMoved):
            response["Location"] = moved_location(
                context["request"], old_slug=exc.old_slug, slug=exc.slug
            )
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {
            "status": response.status_code,
            "detail": str(detail or response.data),
            **getattr(exc, "extra", {}),
        }
    return response


def api_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Any other path under /api/: a JSON 404 (or the usual redirect to the slashed URL)."""
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return JsonResponse(
        {
            "status": 404,
            "detail": f"There is no API endpoint at {request.path}. "
            "The endpoints are listed at /api/docs/.",
        },
        status=404,
    )

"""One small HTTP client per service: base URL from settings, timeouts, retries with back-off.

A client answers parsed payloads or raises: NotFound when the service says it has no such
record, ServiceUnavailable when it cannot be reached or keeps failing. No client writes
anything; the services that call them write only after every request has succeeded.
"""

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings

from monographs.importing.errors import NotFound, ServiceUnavailable

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def user_agent() -> str:
    contact = settings.IMPORT_CONTACT_EMAIL
    suffix = f" (mailto:{contact})" if contact else ""
    return f"OncologyMonographs-importer/1.0{suffix}"


class ServiceClient:
    """GETs from one service, retrying refused connections, timeouts and 429/5xx answers."""

    service = "The service"
    base_url_setting = ""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        deadline: float | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or getattr(settings, self.base_url_setting)).rstrip("/")
        self.retries = settings.IMPORT_HTTP_RETRIES if retries is None else retries
        self.backoff = settings.IMPORT_HTTP_BACKOFF if backoff is None else backoff
        self.timeout = settings.IMPORT_HTTP_TIMEOUT if timeout is None else timeout
        # One request with all its retries ends within this many seconds, so a page that
        # waits for it answers before the application server gives up on the worker.
        self.deadline = settings.IMPORT_HTTP_DEADLINE if deadline is None else deadline
        self.sleep = sleep
        self.client = httpx.Client(
            timeout=self.timeout,
            headers={"User-Agent": user_agent()},
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def get(
        self, path: str, *, params: dict[str, Any] | None = None, record: str
    ) -> httpx.Response:
        """The answer to GET base_url/path; `record` names what was asked for, for messages."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        last_reason = ""
        ends = time.monotonic() + self.deadline
        tries = 0
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= ends:
                    break
                self.sleep(pause)
            remaining = ends - time.monotonic()
            if remaining <= 0:
                break
            tries += 1
            try:
                response = self.client.get(url, params=params, timeout=min(self.timeout, remaining))
            except httpx.TimeoutException:
                last_reason = "no answer within the time limit"
                continue
            except httpx.TransportError as error:
                last_reason = f"connection failed: {error.__class__.__name__}"
                continue
            if response.status_code in RETRY_STATUSES:
                last_reason = f"HTTP {response.status_code}"
                continue
            if response.status_code in (400, 404, 410):
                raise NotFound(
                    f"{self.service} has no record for it (HTTP {response.status_code}).",
                    source=self.service,
                    record=record,
                )
            if response.status_code >= 400:
                raise ServiceUnavailable(self.service, f"HTTP {response.status_code}")
            return response
        raise ServiceUnavailable(
            self.service, f"{last_reason}, {tries} attempt{'s' if tries > 1 else ''}"
        )

    def get_json(self, path: str, *, params: dict[str, Any] | None = None, record: str) -> Any:
        response = self.get(path, params=params, record=record)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ServiceUnavailable(self.service, f"the answer was not JSON: {error}") from error

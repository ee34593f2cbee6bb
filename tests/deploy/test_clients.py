"""One client address for the rate limit and the login lockout, with NUM_PROXIES proxies."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from config.clients import client_address
from monographs.api.http import AnonymousReaderThrottle


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "203.0.113.5", "10.0.0.1"),  # not behind a proxy: the header is the client's own
        (1, None, "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),  # nginx replaced the header with what it saw
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),  # a forged entry before it
        (2, "198.51.100.7, 203.0.113.5, 192.0.2.10", "203.0.113.5"),  # a balancer, then nginx
        (2, "203.0.113.5", "203.0.113.5"),
    ],
)
def test_the_lockout_and_the_rate_limit_see_the_same_client(settings, proxies, forwarded, expected):
    settings.NUM_PROXIES = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/api/v1/drugs/", REMOTE_ADDR="10.0.0.1", **headers)

    assert client_address(request) == expected
    assert AnonymousReaderThrottle().get_ident(Request(request)) == expected

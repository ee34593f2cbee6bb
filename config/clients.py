"""The client's address, as the proxies in front of this site report it.

X-Forwarded-For is a list each proxy appends to (or, at the edge, replaces); only the entries
written by proxies we run can be believed. NUM_PROXIES says how many there are in front of
the app servers: the client is the entry that many places from the end. With none (the
default) the header is ignored and the peer address is the client, so a client cannot
invent addresses by sending the header itself. The API's rate limit and the login lockout
both key on this address: this function for the lockout, and Django REST framework's
get_ident, given the same NUM_PROXIES, for the rate limit (tests/deploy/test_clients.py
holds the two to the same answers).

Behind the shipped nginx (deploy/nginx.conf), which replaces the header with the address
it saw, NUM_PROXIES=1.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if not proxies:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]

"""Permanent identifiers: what a mirror, an export or a citation of a page holds on to.

A slug is an address and may change; the identifier never does. Roots written from the
seed records get an identifier derived from their kind and seed slug, so every database
loaded from the same seeds (and the fixtures built from them) agrees on it; roots created
in the admin get a random one.
"""

import uuid

from django.http import HttpRequest

SEED_NAMESPACE = uuid.UUID("6f1f3c52-4d0e-4b8e-9a51-2f9c8e0b7d41")


def seeded_uid(*, kind: str, slug: str) -> uuid.UUID:
    return uuid.uuid5(SEED_NAMESPACE, f"{kind}:{slug}")


def moved_location(request: HttpRequest, *, old_slug: str, slug: str) -> str:
    """The address asked for, with the entry's current slug in place of its old one."""
    path = request.path.replace(f"/{old_slug}/", f"/{slug}/", 1)
    query = request.META.get("QUERY_STRING", "")
    return path + (f"?{query}" if query else "")

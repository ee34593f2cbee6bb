"""Links to pages of one argument (a slug or a key), reversed once per URL name, then formatted.

Pages list hundreds of links (the page of an adverse-event term: every drug and trial that
reports it and every source), and each reverse() costs tens of microseconds: on that page
they were most of the request's time. The URL with a placeholder argument is reversed once
per name, script prefix and URLconf, and each link puts its argument in the placeholder's
place. An argument that is not a plain slug, or a URL whose converter refuses the
placeholder, goes through reverse() as before, so validation and escaping never differ.
"""

import re
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

PLACEHOLDER = "0link0argument0"
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")  # what the slug converter accepts


@lru_cache(maxsize=256)
def _around_argument(name: str, script_prefix: str, urlconf: str | None) -> tuple[str, str] | None:
    try:
        url = reverse(name, args=[PLACEHOLDER], urlconf=urlconf)
    except NoReverseMatch:
        return None
    before, found, after = url.partition(PLACEHOLDER)
    if not found or PLACEHOLDER in after:
        return None
    return before, after


def url_with_argument(name: str, argument: object) -> str:
    """reverse(name, args=[argument]), without resolving the name again for each link."""
    text = str(argument)
    around = (
        _around_argument(name, get_script_prefix(), get_urlconf())
        if PLAIN_SLUG.match(text)
        else None
    )
    if around is None:
        return reverse(name, args=[argument])
    return around[0] + text + around[1]

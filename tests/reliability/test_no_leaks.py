"""Nothing unreviewed is ever public, whatever mix of editorial states the roots are in.

Hypothesis draws a set of drugs and trials, each walked through the real workflow services
into one state (draft, in review, changes requested, approved, published, published with a
pending draft, in review or approved, withdrawn). Then every public page, API endpoint,
search, sitemap, feed and export is fetched, and each root's marker words are looked for.
"""

import itertools

from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.reliability.content import (
    NEVER_PUBLISHED,
    PUBLISHED_WITH_PENDING,
    STATES,
    drug_written,
    root_in_state,
    trial_written,
)
from tests.reliability.crawl import API_PREFIX, SITE_PREFIX, crawl, public_urls

_numbers = itertools.count(1)


def shown_at(pages, word: str) -> list[str]:
    """Addresses showing the word, except a search for it, which echoes the query back."""
    return [page.url for page in pages if word in page.text and not page.url.endswith(f"={word}")]


ROOT_MIXES = st.lists(
    st.tuples(st.sampled_from(["drug", "trial"]), st.sampled_from(STATES)), min_size=1, max_size=5
)


@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mix=ROOT_MIXES)
def test_only_published_versions_are_ever_public(mix, client, editor, reviewer):
    cache.clear()
    with transaction.atomic():
        roots = []
        for kind, state in mix:
            number = next(_numbers)
            slug, live, draft = f"leak-{kind}-{number}", f"zqlive{number}x", f"zqdraft{number}x"
            written = drug_written if kind == "drug" else trial_written
            root = written(slug=slug, text=live)
            root_in_state(root, state=state, editor=editor, reviewer=reviewer, draft_text=draft)
            roots.append((kind, state, slug, live, draft))

        words = [word for _, _, _, live, draft in roots for word in (live, draft)]
        pages = crawl(client, public_urls(search_words=words))
        status = {page.url: page.status for page in pages}

        assert not [page.url for page in pages if page.status >= 500]
        pages_by_url = {page.url: page for page in pages}
        for kind, state, slug, live, draft in roots:
            hidden = draft if state != "withdrawn" else live
            assert not shown_at(pages, hidden), f"{state} {kind}: '{hidden}' is public"
            for search in (f"/search/?q={hidden}", f"/api/v1/search/?q={hidden}"):
                assert f"/{slug}/" not in pages_by_url[search].text, f"{state} {kind} found"
            detail = (SITE_PREFIX[kind] + slug + "/", API_PREFIX[kind] + slug + "/")
            if state in NEVER_PUBLISHED:
                assert not shown_at(pages, live), f"{state} {kind}: '{live}' is public"
                assert (status[detail[0]], status[detail[1]]) == (404, 404), state
            elif state == "withdrawn":
                assert (status[detail[0]], status[detail[1]]) == (410, 410), state
            else:
                assert state == "published" or state in PUBLISHED_WITH_PENDING
                assert live in pages_by_url[detail[0]].text, f"{state} {kind} page"
                assert live in pages_by_url[detail[1]].text, f"{state} {kind} API"
                assert f"/{slug}/" in pages_by_url[f"/api/v1/search/?q={live}"].text, state
        transaction.set_rollback(True)

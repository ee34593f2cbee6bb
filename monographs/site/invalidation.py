"""Which cached responses a publish or withdrawal retires, once it has committed.

An entry's change reaches the pages tagged with its key (its own page and API detail, every
page showing, linking to or naming it), the pages tagged with a slug it answered at before
(a rename), the pages it now appears on although they did not show it before (a new trial on
its drugs' pages), and the bounded groups of its kind (kind_group_keys). A batch larger
than RESPONSES_RETIRED_ONE_BY_ONE (a corpus load) retires every response instead: one
counter, where thousands of keys would be thousands of round trips after the commit.
"""

from functools import partial

from django.db import transaction

from monographs.publishing.cache import (
    entry_key,
    kind_group_keys,
    responses_invalidate,
    responses_invalidate_all,
)
from monographs.publishing.models import Entry, Publication, RetiredSlug
from monographs.site.stored import entries_shown_on

RESPONSES_RETIRED_ONE_BY_ONE = 200


def _after_commit(keys: set[str]) -> None:
    transaction.on_commit(partial(responses_invalidate, keys=sorted(keys)), robust=True)


def responses_after_publish(*, publications: list[Publication], entries: list[Entry]) -> None:
    if len(entries) > RESPONSES_RETIRED_ONE_BY_ONE:
        transaction.on_commit(responses_invalidate_all, robust=True)
        return
    keys = {entry_key(entry.kind, entry.slug) for entry in entries}
    keys |= {
        entry_key(kind, slug)
        for kind, slug in RetiredSlug.objects.filter(entry__in=entries).values_list("kind", "slug")
    }
    keys |= {
        entry_key(kind, slug)
        for kind, slug in Entry.objects.filter(entries_shown_on(publications)).values_list(
            "kind", "slug"
        )
    }
    for kind in {entry.kind for entry in entries}:
        keys |= set(kind_group_keys(kind))
    _after_commit(keys)


def responses_after_withdrawal(*, entry: Entry) -> None:
    _after_commit({entry_key(entry.kind, entry.slug), *kind_group_keys(entry.kind)})

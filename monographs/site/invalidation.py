"""Which cached responses a publish, a withdrawal or a change of reviewers retires, once it
has committed.

An entry's change reaches the pages tagged with its key (its own page and API detail, every
page showing, linking to or naming it), the pages tagged with a slug it answered at before
(a rename), the pages it now appears on although they did not show it before (a new trial on
its drugs' pages), the pages of the adverse-event terms its versions report
(term_page_key), and the bounded groups of its kind (kind_group_keys). A change naming more
than RESPONSES_RETIRED_ONE_BY_ONE entries or keys (a corpus load, a batch reporting hundreds
of terms) retires every response instead: one counter, where thousands of keys would be
thousands of round trips after the commit.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from monographs.editorial.roles import REVIEWER
from monographs.publishing.cache import (
    REVIEWERS_KEY,
    entry_key,
    kind_group_keys,
    responses_invalidate_all,
    responses_invalidate_on_commit,
)
from monographs.publishing.models import Entry, Facet, Publication, RetiredSlug
from monographs.site.stored import entries_shown_on

RESPONSES_RETIRED_ONE_BY_ONE = 200


def _after_commit(keys: set[str]) -> None:
    responses_invalidate_on_commit(keys=keys)


def term_page_key(slug: str) -> str:
    """The key of an adverse-event term's page (its Surrogate-Key).

    The page is made of the live entries whose current publication reports the term, and of
    nothing else, so only a publish or withdrawal of an entry one of whose versions reports
    it can change it: a trial's publish retires the pages of its dozen terms, where every
    publish retired every term page, as a list (each 80-130 ms to make again at 100,000
    trials)."""
    return f"term:{slug}"


def _term_page_keys(entries: Iterable[Entry]) -> set[str]:
    """The pages of the terms any version of these entries reports: the new version's terms
    gain it, the old ones' lose it, or show it changed. Every version, since by the time
    this runs an entry names only its new publication; the older terms than the last are
    a few pages retired more."""
    root_ids: dict[str, list[int]] = {}
    for entry in entries:
        root_ids.setdefault(entry.kind, []).append(entry.root_id)
    if not root_ids:
        return set()
    roots = Q(pk__in=[])
    for kind, ids in root_ids.items():
        roots |= Q(publication__kind=kind, publication__root_id__in=ids)
    reported = Facet.objects.filter(roots, name="term").values_list("value", flat=True)
    return {term_page_key(slug) for slug in reported.order_by().distinct()}


def _retire(keys: set[str]) -> None:
    if len(keys) > RESPONSES_RETIRED_ONE_BY_ONE:
        transaction.on_commit(responses_invalidate_all, robust=True)
    else:
        _after_commit(keys)


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
    keys |= _term_page_keys(entries)
    for kind in {entry.kind for entry in entries}:
        keys |= set(kind_group_keys(kind))
    _retire(keys)


def responses_after_withdrawal(*, entry: Entry) -> None:
    _retire(
        {entry_key(entry.kind, entry.slug), *kind_group_keys(entry.kind), *_term_page_keys([entry])}
    )


# A user's fields the about page shows, or that decide whether it lists them.
_REVIEWER_FIELDS = frozenset({"first_name", "last_name", "is_active"})


def _reviewers_changed(*, using: str) -> None:
    responses_invalidate_on_commit(keys=[REVIEWERS_KEY], using=using)


def _user_saved(sender: type, instance: Any, using: str, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not _REVIEWER_FIELDS & set(update_fields):
        return  # a login writes only its time: nothing the about page shows
    if instance.groups.filter(name=REVIEWER).exists():
        _reviewers_changed(using=using)


def _user_deleted(sender: type, instance: Any, using: str, **kwargs) -> None:
    # Its memberships are gone by now, so whether it was a reviewer is not known; deleting a
    # user is rare, and a retirement too many costs a render and a purge.
    _reviewers_changed(using=using)


def _memberships_changed(
    sender: type,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    using: str,
    **kwargs,
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # from the group's side: the group is the instance
        touched = instance.name == REVIEWER
    else:
        groups = Group.objects.using(using).filter(name=REVIEWER)
        touched = action == "post_clear" or groups.filter(pk__in=pk_set or ()).exists()
    if touched:
        _reviewers_changed(using=using)


def _group_changed(sender: type, instance: Group, using: str, **kwargs) -> None:
    # Any group: one renamed from "Reviewer" no longer lists its members, and its old name
    # is not known here. Groups change seldom.
    _reviewers_changed(using=using)


def reviewers_follow() -> None:
    """Retire the about page, which names the reviewers, when who they are changes: a user
    joins or leaves the Reviewer group, is deactivated, renamed or deleted, or a group is
    renamed or deleted. Not every save of a user: each login writes its time."""
    from django.contrib.auth import get_user_model

    user = get_user_model()
    post_save.connect(_user_saved, sender=user, dispatch_uid="site-reviewer-saved")
    post_delete.connect(_user_deleted, sender=user, dispatch_uid="site-reviewer-deleted")
    m2m_changed.connect(
        _memberships_changed, sender=user.groups.through, dispatch_uid="site-reviewer-groups"
    )
    post_save.connect(_group_changed, sender=Group, dispatch_uid="site-reviewer-group-saved")
    post_delete.connect(_group_changed, sender=Group, dispatch_uid="site-reviewer-group-deleted")

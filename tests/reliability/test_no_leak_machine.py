"""Nothing unreviewed is ever public, and nothing published is lost, whatever happens around
review: editors and reviewers working, shared citations edited after approval, slugs renamed
and reused, the seed corpus reloaded over an editor's work, entries withdrawn.

A hypothesis state machine mixes those steps. Every marker word written anywhere (prose,
a citation's title, a seeded drug's summary) is tracked; a word is *reviewed* once it is in
a document a reviewer approved (or in the seeds, which are reviewed outside the admin).
The invariants, checked as the machine goes and at its end:
- every public surface (pages, API, search, sitemaps, feed, exports, change feed) shows only
  reviewed words;
- every stored page holds only reviewed words, belongs to a live entry's current version and
  is what a live render of it gives at that moment;
- every answer the response cache gives is what a render gives at that moment, whatever
  changed since it was stored (a publish, a withdrawal, a synonym of the vocabulary);
- every publication an approval led to is byte for byte the document that was approved;
- no entry or publication once written ever disappears, and a slug once public keeps
  leading to the entry it was public for.
It runs twice: rendering every page afresh, and through the response cache over a real
Redis, where each service's commit hooks (the per-key invalidation) run as its commit would
and pages stay cached from one crawl to the next.
"""

import contextlib
import itertools
import re
import uuid
from io import StringIO

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from monographs.editorial.documents import canonical_json
from monographs.editorial.exceptions import EditorialError
from monographs.editorial.models import EditorialEvent
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.review import revision_approve, revision_submit
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.editorial.shared import shared_edits_collected
from monographs.models import Citation, Condition, Drug
from monographs.publishing.models import Entry, Publication, RetiredSlug
from monographs.site.models import StoredPage
from monographs.views.drugs import drug_page_render
from tests.deploy.conftest import REDIS, REDIS_URL, delete_prefixed, require_redis
from tests.factories import DrugFactory, DrugInteractionFactory
from tests.reliability.content import drug_written, root_rewrite, trial_written
from tests.reliability.crawl import crawl, public_urls, search_urls
from tests.seeds.tiny import tiny_seed_write
from trials.views.pages import trial_page_render

MARKER = re.compile(r"zq[a-z]+\d+x")
_numbers = itertools.count(1)


def markers(text: str) -> set[str]:
    return set(MARKER.findall(text))


class ReviewAroundMachine(RuleBasedStateMachine):
    """Three roots (two drugs, a trial) and a seeded drug, driven through the real services."""

    def __init__(self, *, editor, reviewer, seed_dir, through_cache: bool = False) -> None:
        super().__init__()
        self.editor, self.reviewer, self.seed_dir = editor, reviewer, seed_dir
        self.through_cache = through_cache
        self.hits = 0
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        if not through_cache:
            cache.clear()
        self.reviewed: set[str] = set()
        self.written: set[str] = set()
        self.roots: list = []
        self.citation_keys: list[str] = []
        self.base_slugs: list[str] = []
        for kind in ("drug", "drug", "trial"):
            number = next(_numbers)
            word = self.word("live")
            write = drug_written if kind == "drug" else trial_written
            root = write(slug=f"machine-{kind}-{number}", text=word)
            # Pages show one another: the drugs' pages list the trial, the second drug's
            # page names the first, whose page lists it among those that mention it.
            if kind == "trial":
                root.drugs.set(self.roots)
            elif self.roots:
                DrugInteractionFactory(drug=root, interacting_drug=self.roots[0])
            self.citation_keys.append(f"{root.slug}-source")
            self.base_slugs.append(root.slug)
            root_record_edit(root=root, user=self.editor, created=True)
            self.roots.append(root)
            self.review_round(len(self.roots) - 1, publish=True)
        self.seed_file = tiny_seed_write(self.seed_dir, name=f"tiny-{next(_numbers)}.yaml")
        self.publications_seen: set[int] = set()
        self.entries_seen: dict[str, tuple[str, int]] = {}  # uid -> (kind, root id)
        self.public_slugs: dict[tuple[str, str], str] = {}  # (kind, slug) -> uid

    def word(self, what: str) -> str:
        word = f"zq{what}{next(_numbers)}x"
        self.written.add(word)
        return word

    def teardown(self) -> None:
        try:
            self.surfaces_show_only_reviewed_words()
            if self.through_cache:
                self.surfaces_show_only_reviewed_words()  # now from the cache
        finally:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    roots_index = st.integers(min_value=0, max_value=2)

    # -- editors and reviewers -----------------------------------------------------------------

    @rule(index=roots_index)
    def editor_rewrites(self, index):
        root = self.roots[index]
        root_rewrite(root, text=self.word("draft"), citation_key=self.citation_keys[index])
        root_record_edit(root=root, user=self.editor)

    @rule(index=roots_index, publish=st.booleans())
    def review_round(self, index, publish):
        """The editor submits, a reviewer approves what they see and maybe publishes at once."""
        root = self.roots[index]
        with contextlib.suppress(EditorialError):
            revision_submit(root=root, user=self.editor)
        try:
            revision_approve(root=root, user=self.reviewer)
        except EditorialError:
            return
        approval = EditorialEvent.objects.filter(action="approved").latest("id")
        self.reviewed |= markers(canonical_json(approval.revision.document))
        if publish:
            root_publish(root=root, user=self.reviewer)

    @rule(
        index=roots_index,
        between=st.sampled_from(
            ["citation_edit", "bulk_update", "rename", "seeds", "other_root_edit", "nothing"]
        ),
    )
    def something_happens_between_approval_and_publishing(self, index, between):
        """The whole cycle, with one thing happening between approval and publishing."""
        self.editor_rewrites(index)
        self.review_round(index, publish=False)
        {
            "citation_edit": lambda: self.someone_edits_a_citation_after_the_fact(index),
            "bulk_update": lambda: self.a_bulk_update_changes_a_citation_unrecorded(index),
            "rename": lambda: self.editor_renames(index),
            "seeds": self.seeds_are_reloaded,
            "other_root_edit": lambda: self.editor_rewrites((index + 1) % len(self.roots)),
            "nothing": lambda: None,
        }[between]()
        self.reviewer_publishes(index)

    @rule(index=roots_index)
    def reviewer_publishes(self, index):
        with contextlib.suppress(EditorialError):
            root_publish(root=self.roots[index], user=self.reviewer)

    @rule(index=roots_index)
    def reviewer_withdraws(self, index):
        with contextlib.suppress(EditorialError):
            root_withdraw(root=self.roots[index], user=self.reviewer, reason="Checking a figure.")

    # -- around review ---------------------------------------------------------------------------

    @rule(index=roots_index)
    def someone_edits_a_citation_after_the_fact(self, index):
        citation = Citation.objects.get(key=self.citation_keys[index])
        with shared_edits_collected(user=self.editor):
            citation.title = f"Title {self.word('cite')}"
            citation.url = "https://phishing.example/"
            citation.save()

    @rule(index=roots_index)
    def a_bulk_update_changes_a_citation_unrecorded(self, index):
        """A shell or data migration: no signal, no event; only the publish check stands."""
        updated = Citation.objects.filter(key=self.citation_keys[index]).update(
            title=f"Title {self.word('bulk')}"
        )
        assert updated == 1

    @rule(index=roots_index)
    def editor_renames(self, index):
        root = self.roots[index]
        root.refresh_from_db()
        root.slug = f"{self.base_slugs[index]}-v{next(_numbers)}"
        root.save()
        root_record_edit(root=root, user=self.editor)

    @rule()
    def someone_takes_a_public_slug(self):
        """A new drug under a slug a public entry answers at is refused, never published."""
        taken = [
            slug
            for (kind, slug) in self.public_slugs
            if kind == "drug" and not Drug.objects.filter(slug=slug).exists()
        ]
        if not taken:
            return
        newcomer = DrugFactory.build(inn=f"newcomer-{next(_numbers)}", slug=taken[0])
        try:
            newcomer.full_clean()
        except ValidationError as error:
            assert "slug" in error.message_dict
        else:
            raise AssertionError(f"'{taken[0]}' was offered to a new drug")

    @rule()
    def seeds_are_reloaded(self):
        call_command("load_seeds", str(self.seed_file), stdout=StringIO())

    @rule()
    def editor_edits_the_seeded_drug(self):
        drug = Drug.objects.filter(slug="testamib").first()
        if drug is None:
            return
        drug.summary = f"Summary {self.word('seeddraft')}."
        drug.save()
        root_record_edit(root=drug, user=self.editor)

    @precondition(lambda self: len(self.reviewed) >= 2)
    @rule(data=st.data())
    def someone_edits_the_vocabulary(self, data):
        """A condition's synonyms (vocabulary, kept without review) change how a query is
        read: a search for one word finds the pages of another. Searches a reader asks next
        follow at once, from the cache too."""
        asked = sorted(self.written)[-4:]  # the words readers search for
        name = data.draw(st.sampled_from(asked))
        synonym = data.draw(st.sampled_from(sorted(self.reviewed - {name})))
        if self.through_cache:  # a reader searched before: the answers are stored
            self.commits_complete()
            crawl(Client(), search_urls(name))
        Condition.objects.update_or_create(
            slug="machine-condition", defaults={"name": name, "synonyms": [synonym]}
        )
        if self.through_cache:
            self.commits_complete()
            after = crawl(Client(), search_urls(name))
            self.cached_answers_are_fresh([page for page in after if page.cache == "hit"])

    @precondition(lambda self: len(self.written) > 4)
    @rule()
    def readers_look(self):
        self.surfaces_show_only_reviewed_words()

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def what_went_live_is_what_was_approved(self):
        approved = set(
            EditorialEvent.objects.filter(action="approved", revision__isnull=False).values_list(
                "revision__content_hash", flat=True
            )
        )
        from_review = Publication.objects.exclude(approved_by=None)
        assert set(from_review.values_list("content_hash", flat=True)) <= approved

    @invariant()
    def nothing_published_is_lost(self):
        publications = set(Publication.objects.values_list("pk", flat=True))
        assert self.publications_seen <= publications
        self.publications_seen = publications
        entries = {
            str(uid): (kind, root)
            for uid, kind, root in Entry.objects.values_list("uid", "kind", "root_id")
        }
        for uid, identity in self.entries_seen.items():
            assert entries.get(uid) == identity, f"entry {uid} was removed or moved"
        self.entries_seen = entries
        answering = {
            (kind, slug): str(uid)
            for kind, slug, uid in Entry.objects.values_list("kind", "slug", "uid")
        } | {
            (kind, slug): str(uid)
            for kind, slug, uid in RetiredSlug.objects.values_list("kind", "slug", "entry__uid")
        }
        for address, uid in self.public_slugs.items():
            assert answering.get(address) == uid, f"{address} no longer leads to {uid}"
        self.public_slugs = answering

    @invariant()
    def stored_pages_show_only_reviewed_words_of_live_entries(self):
        """Every stored page, served or not, holds only reviewed words; only live entries have
        one, each of its current version and the very page a live render gives now."""
        for page in StoredPage.objects.select_related("entry"):
            unreviewed = markers(bytes(page.body).decode()) - self.reviewed
            assert not unreviewed, f"stored page of {page.entry} holds {sorted(unreviewed)}"
            assert page.entry.withdrawn_at is None, f"{page.entry} is withdrawn but stored"
            assert page.publication_id == page.entry.current_id, f"{page.entry}: old version"
            render = drug_page_render if page.entry.kind == "drug" else trial_page_render
            live = render(entry=Entry.objects.select_related("current").get(pk=page.entry_id))
            assert bytes(page.body) == live.body, f"stored page of {page.entry} is stale"

    def commits_complete(self) -> None:
        """Run what each service left for after its commit (the test's transaction never
        commits): in production every one of them committed before a reader came."""
        pending = list(connection.run_on_commit)
        connection.run_on_commit.clear()
        for _savepoints, callback, _robust in pending:
            callback()

    def surfaces_show_only_reviewed_words(self):
        if self.through_cache:
            self.commits_complete()
        else:
            cache.clear()
        # Seeds are reviewed outside the admin: their words are whatever the seed file says.
        recent = sorted(self.written)[-4:]
        pages = crawl(Client(), public_urls(search_words=recent))
        assert not [page.url for page in pages if page.status >= 500]
        for page in pages:
            unreviewed = {
                word
                for word in markers(page.text) - self.reviewed
                if word not in page.url  # a search page echoes its query
            }
            assert not unreviewed, f"{page.url} shows unreviewed {sorted(unreviewed)}"
        hits = [page for page in pages if page.cache == "hit"]
        if hits:
            self.cached_answers_are_fresh(hits)
        self.hits += len(hits)

    def cached_answers_are_fresh(self, hits) -> None:
        """What the response cache answered is what a render now answers."""
        with override_settings(PUBLISHED_RESPONSE_CACHE_SECONDS=0):
            fresh = {page.url: page.text for page in crawl(Client(), [p.url for p in hits])}
        stale = [page.url for page in hits if page.text != fresh[page.url]]
        assert not stale, f"answered from the cache, and stale: {stale}"


MACHINE_SETTINGS = settings(
    max_examples=10,
    stateful_step_count=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("through_cache", [False, True], ids=["rendered", "redis-cache"])
def test_every_public_surface_shows_only_approved_documents(
    through_cache, editor, reviewer, tmp_path, settings
):
    from hypothesis.stateful import run_state_machine_as_test

    prefixes = []
    client = require_redis() if through_cache else None

    def machine():
        if through_cache:
            # A key prefix per example: nothing cached by an earlier one is read again.
            prefixes.append(f"test-no-leak-{uuid.uuid4().hex}")
            settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600
            # Entry pages and searches cached at their first read too: every later read of
            # one is a cached response checked against what was approved.
            settings.PUBLISHED_RESPONSE_CACHE_ENTRY_MISSES = 1
            settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES = 1
            settings.CACHES = {
                "default": {"BACKEND": REDIS, "LOCATION": REDIS_URL, "KEY_PREFIX": prefixes[-1]}
            }
        machines.append(
            ReviewAroundMachine(
                editor=editor, reviewer=reviewer, seed_dir=tmp_path, through_cache=through_cache
            )
        )
        return machines[-1]

    machines = []
    try:
        run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
        if through_cache:
            assert sum(run.hits for run in machines), "no page was ever read from the cache"
    finally:
        if client is not None:
            caches["default"].close()
            for prefix in prefixes:
                delete_prefixed(client, prefix)

"""The API detail's statement (current_publication_get) against the ORM's way of reading it.

The statement is kept because it is faster (docs/performance.md, "Hand-written speed-ups");
on the whole seed corpus both must give every reader the same response.
"""

import pytest

from monographs.api.views import entries as entry_views
from monographs.loadtest import library
from monographs.publishing.models import Entry

pytestmark = pytest.mark.django_db


def test_every_detail_reads_the_same_as_through_the_orm(published_seed_corpus, client, monkeypatch):
    plural = {"drug": "drugs", "trial": "trials"}
    entries = list(Entry.objects.live().filter(kind__in=plural).values_list("kind", "slug"))
    assert {kind for kind, _ in entries} == set(plural)

    def details() -> dict[str, tuple[int, bytes]]:
        responses = {}
        for kind, slug in entries:
            response = client.get(f"/api/v1/{plural[kind]}/{slug}/")
            responses[f"{kind}/{slug}"] = (response.status_code, response.content)
        return responses

    by_statement = details()
    monkeypatch.setattr(entry_views, "current_publication_get", library.current_publication_get)

    assert details() == by_statement
    assert {status for status, _ in by_statement.values()} == {200}


def test_fields_read_by_the_statement_match_the_orm(published_seed_corpus):
    for entry in Entry.objects.live().filter(kind__in=["drug", "trial"]):
        by_statement = entry_views.current_publication_get(kind=entry.kind, slug=entry.slug)
        by_orm = library.current_publication_get(kind=entry.kind, slug=entry.slug)

        for name in ("pk", "kind", "root_id", "slug", "title", "version", "schema_version",
                     "content_hash", "published_at", "change_note", "document_text",
                     "entry_withdrawn_at"):  # fmt: skip
            assert getattr(by_statement, name) == getattr(by_orm, name), (entry.slug, name)
        assert str(by_statement.entry_uid).replace("-", "") == by_orm.entry_uid.hex

"""What the API reads: the current publication of a live entry, in one statement."""

import pytest
from django.utils import timezone
from rest_framework.exceptions import NotFound

from monographs.api.errors import EntryWithdrawn
from monographs.api.models import PublishedDocument
from monographs.api.selectors import current_publication_get
from monographs.publishing.models import Entry
from tests.api.conftest import edit_without_publishing, publish

pytestmark = pytest.mark.django_db


def test_the_current_publication_comes_with_its_document_as_stored(
    make_drug, django_assert_num_queries
):
    drug = make_drug("sorafenib")
    drug.summary = "Second version."
    drug.save()
    second = publish(drug)
    edit_without_publishing(drug, summary="Unreviewed claim.")

    with django_assert_num_queries(1):
        publication = current_publication_get(kind="drug", slug="sorafenib")
        document_text = publication.document_text

    assert publication.pk == second.pk == Entry.objects.get(slug="sorafenib").current_id
    assert (publication.kind, publication.slug, publication.version) == ("drug", "sorafenib", 2)
    assert publication.content_hash == second.content_hash
    assert publication.published_at == second.published_at
    assert timezone.is_aware(publication.published_at)
    assert document_text == PublishedDocument.objects.get(publication=second).body
    assert "Unreviewed" not in document_text


def test_an_unknown_slug_or_another_kind_is_not_found(make_drug, make_trial):
    make_trial("sharp", drugs=(make_drug("sorafenib"),))

    with pytest.raises(NotFound, match="No drug is published under the slug 'sharp'"):
        current_publication_get(kind="drug", slug="sharp")
    with pytest.raises(NotFound, match="No trial is published under the slug 'nowhere'"):
        current_publication_get(kind="trial", slug="nowhere")
    assert current_publication_get(kind="trial", slug="sharp").kind == "trial"


def test_a_withdrawn_entry_is_gone_with_its_reason(make_drug, withdraw):
    withdraw(make_drug("sorafenib"), reason="Replaced by a corrected monograph.")

    with pytest.raises(EntryWithdrawn) as raised:
        current_publication_get(kind="drug", slug="sorafenib")

    assert raised.value.extra["withdrawal_reason"] == "Replaced by a corrected monograph."


def test_a_missing_document_row_is_named_not_hidden_as_not_found(make_drug):
    make_drug("sorafenib")
    PublishedDocument.objects.all().delete()

    with pytest.raises(PublishedDocument.DoesNotExist, match="drug 'sorafenib' version 1"):
        current_publication_get(kind="drug", slug="sorafenib")


@pytest.mark.parametrize(("kind", "plural"), [("drug", "drugs"), ("trial", "trials")])
def test_an_entry_detail_is_its_document_as_stored_at_publish_in_one_query(
    kind, plural, make_drug, make_trial, client, django_assert_num_queries
):
    """The document, the bulk of the answer, is the publish projection's bytes, copied
    without decoding; only the small metadata (absolute URLs of the host asked) is written
    per request, by the same publication_body the versions use."""
    make_trial("sharp", drugs=(make_drug("sorafenib"),))
    slug = "sorafenib" if kind == "drug" else "sharp"
    entry = Entry.objects.get(kind=kind, slug=slug)
    stored = PublishedDocument.objects.get(publication_id=entry.current_id).body

    with django_assert_num_queries(1):
        response = client.get(f"/api/v1/{plural}/{slug}/")

    assert response.status_code == 200
    assert response.content.endswith(b'"document":' + stored.encode() + b"}")
    assert response["ETag"]
    assert response["Surrogate-Key"] == f"{kind}:{slug}"
    with django_assert_num_queries(1):
        again = client.get(f"/api/v1/{plural}/{slug}/", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304

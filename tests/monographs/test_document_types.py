"""Every document the builders make has exactly the shape its kind declares.

The declaration (document_types.py of each kind) is what the API's OpenAPI schema tells
clients; this checks it against real documents: every published version of the seed corpus
and of a synthetic corpus, no member missing, none undeclared, every value of its type.
"""

import pytest
from pydantic import ConfigDict, TypeAdapter, ValidationError

from monographs.editorial import registry
from monographs.loadtest.synthetic import corpus_generate
from monographs.publishing.models import Publication

STRICT = ConfigDict(extra="forbid", strict=True)


def shape_of(kind: str) -> TypeAdapter:
    # The list carries the config: nested TypedDicts take it from there.
    return TypeAdapter(list[registry.root_kind(kind).document_type], config=STRICT)


def documents_of(kind: str) -> list[dict]:
    return [p.document for p in Publication.objects.filter(kind=kind).order_by("id")]


@pytest.mark.parametrize("kind", ["drug", "trial"])
def test_every_seed_document_has_its_declared_shape(published_seed_corpus, kind):
    documents = documents_of(kind)
    assert len(documents) >= 10

    shape_of(kind).validate_python(documents)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["drug", "trial"])
def test_every_synthetic_document_has_its_declared_shape(kind):
    corpus_generate(drugs=3, trials=8, seed=11)
    documents = documents_of(kind)
    assert documents

    shape_of(kind).validate_python(documents)


def test_a_member_the_declaration_lacks_is_refused(published_seed_corpus):
    document = Publication.objects.filter(kind="drug").first().document
    document["adverse_events"][0]["undeclared"] = 1

    with pytest.raises(ValidationError, match=r"adverse_events\.0\.undeclared"):
        shape_of("drug").validate_python([document])


def test_a_missing_member_or_a_wrong_type_is_refused(published_seed_corpus):
    document = Publication.objects.filter(kind="trial").first().document
    del document["arms"]
    document["enrolment"] = "five hundred"

    with pytest.raises(ValidationError) as refused:
        shape_of("trial").validate_python([document])
    assert {error["loc"][1] for error in refused.value.errors()} == {"arms", "enrolment"}


def test_every_kind_declares_its_document_shape():
    assert all(kind.document_type is not None for kind in registry.all_kinds())

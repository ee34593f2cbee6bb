import pytest
from django.contrib.auth.models import Group

from monographs.editorial.roles import EDITOR, REVIEWER
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
    UserFactory,
)


def member_of(group: str, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return member_of(EDITOR, username="editor-ann")


@pytest.fixture
def second_editor(db):
    return member_of(EDITOR, username="editor-bob")


@pytest.fixture
def reviewer(db):
    return member_of(REVIEWER, username="reviewer-rita")


@pytest.fixture
def second_reviewer(db):
    return member_of(REVIEWER, username="reviewer-raj")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin-sam", is_staff=True, is_superuser=True)


@pytest.fixture
def drafted_drug(editor):
    """A drug an editor has written, clean of blocking quality errors."""
    from monographs.editorial.services.edits import root_record_edit

    drug = DrugFactory(summary="A multikinase inhibitor.")
    citation = CitationFactory()
    MonographSectionFactory(drug=drug, kind="mechanism", body=f"Blocks RAF [@{citation.key}].")
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=citation)
    root_record_edit(root=drug, user=editor, created=True)
    return drug

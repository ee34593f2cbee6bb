import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from monographs.editorial.roles import EDITOR, REVIEWER
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def api_throttling_off(settings):
    """The crawls here send hundreds of API requests from one address in a few seconds."""
    settings.API_THROTTLE_ANON = "off"
    cache.clear()


def member_of(group: str, **values):
    user = UserFactory(is_staff=True, **values)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return member_of(EDITOR, username="reliability-editor")


@pytest.fixture
def reviewer(db):
    return member_of(REVIEWER, username="reliability-reviewer")

"""Fixtures of the site's tests: a published drug and a trial that studies it."""

import pytest

from tests.site.corpus import published_drug, published_trial


@pytest.fixture
def sorafenib():
    return published_drug(inn="sorafenib", slug="sorafenib")


@pytest.fixture
def sharp(sorafenib):
    return published_trial(drugs=[sorafenib], slug="sharp", acronym="SHARP")

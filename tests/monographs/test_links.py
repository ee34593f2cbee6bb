"""Links formatted from a URL reversed once are the links reverse() gives, prefix included."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from monographs.links import url_with_argument


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("monographs:drug_detail", "sorafenib"),
        ("monographs:reference_detail", "llovet-2008_sharp"),
        ("trials:trial_detail", "nct00105443"),
        ("api:drug-detail", "sorafenib"),
        ("monographs:drug_version_detail", "sorafenib"),  # two arguments: reverse() refuses it
    ],
)
def test_a_link_is_what_reverse_gives(name, argument):
    try:
        expected = reverse(name, args=[argument])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            url_with_argument(name, argument)
        return
    assert url_with_argument(name, argument) == expected


def test_an_argument_that_is_not_a_slug_goes_through_reverse():
    with pytest.raises(NoReverseMatch):
        url_with_argument("monographs:drug_detail", "not/a slug")


def test_the_script_prefix_is_kept_per_prefix():
    try:
        set_script_prefix("/oncology/")
        assert url_with_argument("monographs:drug_detail", "sorafenib") == (
            "/oncology/drugs/sorafenib/"
        )
    finally:
        set_script_prefix("/")
    assert url_with_argument("monographs:drug_detail", "sorafenib") == "/drugs/sorafenib/"

"""A drug renamed (a new slug, reviewed and published) is followed by every live version
published before the rename, which names it by its old slug until it is published again:
their pages link it at its new address, and its page lists its trials and the drugs naming
it. (Filters match the slug a version was published with: docs/api.md.)"""

import pytest

from monographs.editorial.services.publish import root_import_publish
from monographs.publishing.models import Entry
from monographs.selectors import drug_slugs_named, references_resolve
from tests.factories import DrugInteractionFactory, SubsequentTherapyFactory
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(client):
    """Sorafenib studied by SHARP and named by regorafenib's interaction and next option,
    all published; then sorafenib renamed and published alone."""
    sorafenib = published_drug(inn="sorafenib", slug="sorafenib")
    published_trial(drugs=[sorafenib], slug="sharp", acronym="SHARP")
    regorafenib = published_drug(inn="regorafenib", slug="regorafenib")
    DrugInteractionFactory(drug=regorafenib, interacting_drug=sorafenib, interacting_agent="")
    SubsequentTherapyFactory(drug=regorafenib, therapy_drug=sorafenib, therapy="")
    root_import_publish(root=regorafenib, note="Interaction added")
    sorafenib.slug = "sorafenib-tosylate"
    sorafenib.save()
    root_import_publish(root=sorafenib, note="Renamed")
    return sorafenib


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_versions_before_the_rename_still_name_the_old_slug(renamed):
    sharp = Entry.objects.get(kind="trial", slug="sharp")
    regorafenib = Entry.objects.get(kind="drug", slug="regorafenib")

    assert [drug["slug"] for drug in sharp.current.document["drugs"]] == ["sorafenib"]
    assert "sorafenib" in str(regorafenib.current.document["interactions"])


def test_their_pages_link_the_drug_at_its_new_address(client, renamed):
    for url in ("/trials/sharp/", "/drugs/regorafenib/"):
        html = page(client, url)
        assert 'href="/drugs/sorafenib-tosylate/"' in html, url
        assert 'href="/drugs/sorafenib/"' not in html, url
        assert "http://testserver/drugs/sorafenib-tosylate/" in html, url  # structured data


def test_the_drugs_page_lists_its_trials_and_the_drugs_naming_it(client, renamed):
    html = page(client, "/drugs/sorafenib-tosylate/")

    assert 'href="/trials/sharp/"' in html
    assert 'href="/drugs/regorafenib/#section-interactions"' in html
    assert 'href="/drugs/regorafenib/#section-subsequent_therapy"' in html


def test_a_drug_never_renamed_answers_to_its_slug_alone(renamed):
    assert drug_slugs_named("regorafenib") == ["regorafenib"]
    assert drug_slugs_named("sorafenib-tosylate") == ["sorafenib-tosylate", "sorafenib"]
    assert drug_slugs_named("sorafenib") == ["sorafenib", "sorafenib-tosylate"]
    linked = references_resolve(drug_slugs=["sorafenib", "regorafenib", "no-such-drug"])
    assert linked.drug_slugs() == {
        "sorafenib": "sorafenib-tosylate",
        "regorafenib": "regorafenib",
    }

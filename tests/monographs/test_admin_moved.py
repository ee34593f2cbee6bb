import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ADMIN = "/" + settings.ADMIN_URL


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("monographs/publication/", "publishing/publication/"),
        ("monographs/entry/12/change/", "publishing/entry/12/change/"),
        ("monographs/revision/?kind=drug", "editorial/revision/?kind=drug"),
        ("monographs/reviewcomment/3/change/", "editorial/reviewcomment/3/change/"),
    ],
)
def test_an_engine_models_old_admin_address_leads_to_its_new_one(client, old, new):
    response = client.get(ADMIN + old)
    assert response.status_code == 301
    assert response["Location"] == ADMIN + new


def test_the_drug_domains_own_admin_addresses_are_not_redirected(admin_client):
    assert admin_client.get(ADMIN + "monographs/drug/").status_code == 200

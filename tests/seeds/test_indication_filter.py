"""The indication filter of the published seed corpus finds what the sources treat."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("indication", "drugs"),
    [
        ("differentiated-thyroid-carcinoma", ["sorafenib"]),
        ("hepatocellular-carcinoma", ["sorafenib"]),
        ("renal-cell-carcinoma", ["sorafenib"]),
        ("breast-cancer", []),
        ("angiosarcoma", []),
    ],
)
def test_the_api_indication_filter_over_the_seed_corpus(client, indication, drugs):
    call_command("load_seeds", stdout=StringIO())

    response = client.get(f"/api/v1/drugs/?indication={indication}")

    assert response.status_code == 200
    assert [d["slug"] for d in response.json()["results"]] == drugs

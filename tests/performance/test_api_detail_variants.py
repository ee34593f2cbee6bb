"""The API detail's timing variants (monographs/loadtest/api_detail.py) serve what it serves.

Each variant takes one cost out of an uncached detail to time it; a variant that also
changed the response would time something else. On every live drug and trial of the seed
corpus, each must answer with the plain detail's bytes and headers (the ETag variant apart,
whose ETag is a constant), and each request must still be a miss of the response cache.
"""

import pytest

from monographs.loadtest import api_detail
from monographs.publishing.models import Entry

pytestmark = pytest.mark.django_db

PLURAL = {"drug": "drugs", "trial": "trials"}
SAME_HEADERS = ("Content-Type", "Cache-Control", "Vary", "Surrogate-Key", "Content-Length")


def test_every_variant_serves_the_plain_detail(published_seed_corpus, settings):
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 60
    entries = list(Entry.objects.live().filter(kind__in=PLURAL).values_list("kind", "slug"))
    assert {kind for kind, _ in entries} == set(PLURAL)
    requests = api_detail.Requests()
    languages = iter(range(1_000_000))

    def get(path: str):
        return requests.client.get(path, HTTP_ACCEPT_LANGUAGE=f"x-variant-{next(languages)}")

    for kind, slug in entries:
        path = f"/api/v1/{PLURAL[kind]}/{slug}/"
        plain = get(path)
        assert (plain.status_code, plain["X-Cache"]) == (200, "miss")
        for variant in api_detail.variants(path)[2:]:
            with variant.change():
                response = get(path)
            where = (path, variant.label)
            assert response.status_code == 200, where
            assert response.content == plain.content, where
            for header in SAME_HEADERS:
                assert response[header] == plain[header], (*where, header)
            assert ("ETag" in variant.label) is (response["ETag"] != plain["ETag"]), where
            cache_off = "RESPONSE_CACHE_SECONDS=0" in variant.label
            assert response.get("X-Cache") == (None if cache_off else "miss"), where


def test_the_plain_detail_is_a_miss_each_time(published_seed_corpus, settings):
    """What the timing relies on: every request of a run is rendered, never replayed."""
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 60
    slug = Entry.objects.live().filter(kind="drug").values_list("slug", flat=True).first()
    requests = api_detail.Requests()

    wall, cpu = requests.time(f"/api/v1/drugs/{slug}/", 3)

    assert len(wall) == len(cpu) == 3
    # One key read again is cached at its second miss, and replayed at its third read.
    reads = [
        requests.client.get(f"/api/v1/drugs/{slug}/", HTTP_ACCEPT_LANGUAGE="x-thrice")
        for _ in range(3)
    ]
    assert [read["X-Cache"] for read in reads] == ["miss", "miss", "hit"]

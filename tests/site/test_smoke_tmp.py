import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db


def counts(client, urls):
    out = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out[url] = len(ctx.captured_queries)
    return out


def test_pages(client):
    drug = published_drug()
    trial = published_trial(drugs=[drug])
    urls = ["/", "/drugs/", f"/drugs/{drug.slug}/", f"/drugs/{drug.slug}/versions/", f"/drugs/{drug.slug}/versions/1/",
            "/trials/", f"/trials/{trial.slug}/", "/adverse-events/", "/references/", "/search/?q=sorafenib", "/feed/", "/sitemap.xml", "/robots.txt"]
    from monographs.editorial.models import Facet
    term = Facet.objects.filter(name="term").first().value
    cit = Facet.objects.filter(name="citation").first().value
    urls += [f"/adverse-events/{term}/", f"/references/{cit}/"]
    small = counts(client, urls)
    for _ in range(3):
        d = published_drug()
        published_trial(drugs=[drug, d])
    big = counts(client, urls)
    for url in urls:
        print(f"{url:50} {small[url]} {big[url]}")

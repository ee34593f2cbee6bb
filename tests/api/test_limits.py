"""The anonymous rate limit: keyed on the real client, announced on every answer."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/drugs/sorafenib/"


@pytest.fixture
def limited(settings, make_drug):
    settings.API_THROTTLE_ANON = "3/minute"
    cache.clear()
    make_drug("sorafenib")


def behind_proxies(settings, count: int) -> None:
    settings.NUM_PROXIES = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}


def test_answers_say_how_much_is_left_and_when_it_comes_back(
    client, limited, django_assert_max_num_queries
):
    answers = []
    for _ in range(4):
        with django_assert_max_num_queries(2):
            answers.append(client.get(DETAIL))

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a["RateLimit-Limit"] for a in answers} == {"3"}
    assert {a["RateLimit-Policy"] for a in answers} == {"3;w=60"}
    assert all(0 < int(a["RateLimit-Reset"]) <= 60 for a in answers)
    throttled = answers[-1]
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled["Retry-After"] == throttled["RateLimit-Reset"]
    assert throttled.json()["status"] == 429


def test_errors_and_cached_answers_count_and_say_so_too(client, limited, settings):
    settings.PUBLISHED_RESPONSE_CACHE_SECONDS = 600

    missing = client.get("/api/v1/drugs/lenvatinib/")
    fresh = client.get("/api/v1/drugs/")
    cached = client.get("/api/v1/drugs/")

    assert missing.status_code == 404 and missing["RateLimit-Remaining"] == "2"
    assert (fresh["X-Cache"], fresh["RateLimit-Remaining"]) == ("miss", "1")
    assert (cached["X-Cache"], cached["RateLimit-Remaining"]) == ("hit", "0")
    assert client.get(DETAIL).status_code == 429


def test_pages_and_unthrottled_answers_carry_no_rate_limit_headers(client, make_drug, settings):
    settings.API_THROTTLE_ANON = "off"
    make_drug("sorafenib")

    assert not client.get(DETAIL).has_header("RateLimit-Limit")
    settings.API_THROTTLE_ANON = "3/minute"
    assert not client.get("/drugs/sorafenib/").has_header("RateLimit-Limit")


def test_rotating_x_forwarded_for_does_not_lift_the_limit(client, limited):
    statuses = [
        client.get(DETAIL, headers={"x-forwarded-for": f"198.51.100.{n}"}).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_behind_nginx_each_client_has_its_own_allowance(client, limited, settings):
    behind_proxies(settings, 1)

    def get(client_address: str, forged: str = ""):
        forwarded = f"{forged}, {client_address}" if forged else client_address
        return client.get(DETAIL, headers={"x-forwarded-for": forwarded}).status_code

    first = [get("203.0.113.5", forged=f"198.51.100.{n}") for n in range(4)]
    second = get("203.0.113.6")

    assert first == [200, 200, 200, 429]
    assert second == 200

"""The benchmark's floor view and naive baseline exist only in the benchmark's URLconf.

The baseline serialises the working copy, drafts included: in a normal run its address
must not exist at all.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.factories import (
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
)

pytestmark = pytest.mark.django_db

BENCH_PATHS = ["/bench/floor/", "/bench/naive/drugs/sorafenib/"]


@pytest.mark.parametrize("path", BENCH_PATHS)
def test_bench_endpoints_do_not_exist_in_a_normal_run(client, path):
    DrugFactory(inn="sorafenib", slug="sorafenib")

    assert settings.ROOT_URLCONF == "config.urls"
    assert client.get(path).status_code == 404


def routing_under(environment: dict) -> tuple[str, bool]:
    """The URLconf a settings module routes, and whether it installs the load-test app."""
    code = (
        "from django.apps import apps; from django.conf import settings; "
        "print(settings.ROOT_URLCONF, apps.is_installed('monographs.loadtest'))"
    )
    urlconf, installed = (
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
            env={**os.environ, **environment},
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        )
        .stdout.strip()
        .splitlines()[-1]
        .split()
    )
    return urlconf, installed == "True"


def test_production_settings_neither_install_the_load_test_app_nor_route_it():
    production = {"DJANGO_SETTINGS_MODULE": "config.settings"}

    assert routing_under(production) == ("config.urls", False)
    # A variable does not switch the endpoints on.
    assert routing_under({**production, "BENCH_ENDPOINTS": "1"}) == ("config.urls", False)


def test_only_the_benchmark_settings_route_the_bench_endpoints():
    bench = {"DJANGO_SETTINGS_MODULE": "config.settings_bench"}

    assert routing_under(bench) == ("monographs.loadtest.site_urls", True)


def test_generate_corpus_is_not_a_command_of_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_corpus", "--help"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode != 0
    assert "Unknown command: 'generate_corpus'" in result.stderr


@pytest.mark.urls("monographs.loadtest.site_urls")
def test_the_floor_answers_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/floor/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.urls("monographs.loadtest.site_urls")
def test_the_naive_baseline_nests_the_working_copy(client):
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    MonographSectionFactory(drug=drug, kind="summary", body="A draft nobody reviewed.")
    DrugAdverseEventFactory(drug=drug, citation=CitationFactory())

    body = client.get("/bench/naive/drugs/sorafenib/").json()

    assert body["sections"][0]["body"] == "A draft nobody reviewed."
    assert body["adverse_events"][0]["term"]["slug"]
    assert body["adverse_events"][0]["citation"]["key"]

"""A database that accepts connections but cannot serve reads: 503 within the statement timeout.

A table lock held by another connection (a migration, a stuck transaction) made every read
of that table wait: pages and the API hung until gunicorn killed the worker, and /readyz
still said "ok". With DATABASE_STATEMENT_TIMEOUT each statement is cancelled after that many
seconds and the request answers 503 like a database that is down.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from config.health import readiness_statement
from tests.site.corpus import published_drug

BASE_DIR = Path(__file__).resolve().parents[2]
STATEMENT_TIMEOUT = 1.0
# The timeout itself, plus the request's own work and a loaded two-core machine.
BOUND = STATEMENT_TIMEOUT + 1.5
PAGES = ["/drugs/sorafenib/", "/drugs/"]
API = ["/api/v1/drugs/sorafenib/", "/api/v1/drugs/"]

PROBE = """
import json, time
from django.conf import settings
from django.db import connection
from django.test import Client
settings.STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
client = Client(raise_request_exception=False)
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    configured = cursor.fetchone()[0]
# What a first request loads once (the URL configuration, the 503 page's template) is
# loaded now, so the timings below are those of a running server.
for url in json.loads(URLS):
    client.get(url)
print("READY", flush=True)
input()
answers = {"statement_timeout": configured}
for url in json.loads(URLS):
    started = time.monotonic()
    response = client.get(url)
    answers[url] = [response.status_code, time.monotonic() - started,
                    response.get("Content-Type", ""), response.get("Retry-After"),
                    response.content.decode()]
print(json.dumps(answers), flush=True)
"""


def database_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_held_table_lock_gives_503_within_the_statement_timeout():
    published_drug(inn="sorafenib", slug="sorafenib")
    urls = PAGES + API + ["/healthz", "/readyz"]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATABASE_STATEMENT_TIMEOUT": str(STATEMENT_TIMEOUT),
        "DATABASE_REPLICA_URLS": "",
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-key-for-this-test-only-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": "",
    }
    probe = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            PROBE.replace("URLS", repr(json.dumps(urls))),
        ],
        cwd=BASE_DIR,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    settings = connection.settings_dict
    holder = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
    )
    try:
        assert probe.stdout.readline().strip() == "READY", probe.stderr.read()
        with holder.cursor() as cursor:
            # What a migration rewriting the table takes: even reads of it wait.
            cursor.execute(
                "LOCK TABLE monographs_entry, monographs_publication IN ACCESS EXCLUSIVE MODE"
            )
            probe.stdin.write("\n")
            probe.stdin.flush()
            output, errors = probe.communicate(timeout=120)
    finally:
        holder.rollback()
        holder.close()
        if probe.poll() is None:
            probe.kill()
    assert probe.returncode == 0, errors
    answers = json.loads(output.strip().splitlines()[-1])

    assert answers["statement_timeout"] == "1s"
    for url in PAGES:
        status, seconds, content_type, retry_after, body = answers[url]
        assert (status, content_type, retry_after) == (503, "text/html; charset=utf-8", "30"), url
        assert STATEMENT_TIMEOUT * 0.9 <= seconds < BOUND, (url, seconds)
        assert "briefly unavailable" in body
    for url in API:
        status, seconds, content_type, retry_after, body = answers[url]
        assert (status, content_type, retry_after) == (503, "application/json", "30"), url
        assert STATEMENT_TIMEOUT * 0.9 <= seconds < BOUND, (url, seconds)
        assert json.loads(body)["status"] == 503
    assert answers["/healthz"][0] == 200 and answers["/healthz"][1] < 0.5
    status, seconds, _, retry_after, body = answers["/readyz"]
    assert (status, retry_after) == (503, "30") and seconds < BOUND
    assert json.loads(body)["status"] == "unavailable"


@pytest.mark.django_db
def test_readyz_reads_a_real_table(client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = client.get("/readyz")

    assert response.status_code == 200
    assert captured.captured_queries[0]["sql"] == readiness_statement()
    assert "monographs_entry" in readiness_statement()

"""Hardening: deployment checks, security headers, CSP, the admin's address, login lockout."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import UserFactory
from tests.site.corpus import published_drug, published_trial

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "monographs.example.org",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "ADMIN_URL", "DEBUG"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_admin_lives_at_the_configured_address():
    script = (
        "from django.test import Client; from django.urls import reverse; "
        "c = Client(); "
        "print(reverse('admin:index'), c.get('/backstage/').status_code, "
        "c.get('/admin/').status_code)"
    )
    result = manage("shell", "-v", "0", "-c", script, ADMIN_URL="backstage")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/backstage/", "302", "404"]


@pytest.fixture
def production_headers(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


@pytest.mark.django_db
def test_https_is_required_and_remembered(client, production_headers):
    plain = client.get("/drugs/")
    secure = client.get("/drugs/", headers={"x-forwarded-proto": "https"})

    assert plain.status_code == 301 and plain["Location"] == "https://testserver/drugs/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["Referrer-Policy"] == "same-origin"
    assert secure["X-Content-Type-Options"] == "nosniff"
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_probes_answer_over_plain_http_behind_the_proxy(client, production_headers):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def every_kind_of_page(db) -> list[str]:
    drug = published_drug()
    trial = published_trial(drugs=[drug])
    return [
        "/",
        f"/drugs/{drug.slug}/",
        f"/trials/{trial.slug}/",
        "/drugs/",
        "/search/?q=kinase",
        "/references/",
        "/adverse-events/",
        "/drugs/no-such-drug/",
        "/feed/",
        "/sitemap.xml",
        f"/api/v1/drugs/{drug.slug}/",
        "/api/v1/nothing-here/",
        "/api/schema/",
        "/healthz",
        reverse("admin:login"),
    ]


def test_every_response_carries_a_content_security_policy(client, every_kind_of_page):
    for url in every_kind_of_page:
        response = client.get(url)
        assert response.status_code < 500, url
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        relaxed = url.startswith("/admin/")
        assert ("'unsafe-inline'" in policy["style-src"]) is relaxed, url


class _InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        structured_data = attributes.get("type") == "application/ld+json"
        if tag == "script" and not structured_data and not attributes.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"{tag} {name}" for name in attributes if name.startswith("on")]
        self.found += [f"{tag} style=" for name in attributes if name == "style"]


def test_public_pages_need_no_inline_script_or_style(client, every_kind_of_page):
    """So the strict policy costs the site nothing: no page would break under it."""
    for url in every_kind_of_page:
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", "") or url.startswith("/admin/"):
            continue
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], url


@pytest.mark.django_db
def test_api_docs_load_their_script_from_a_file(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200 and b"<script>" not in page.content
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    assert "'unsafe-inline'" not in directives(page["Content-Security-Policy"])["script-src"]


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_login(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="ann", password="correct-horse-battery-staple", is_staff=True)
    login = reverse("admin:login")

    answers = [
        client.post(login, {"username": "ann", "password": f"guess-{n}"}).status_code
        for n in range(5)
    ]
    locked = client.post(login, {"username": "ann", "password": "correct-horse-battery-staple"})
    other = client.post(login, {"username": "bob", "password": "wrong"})

    assert answers == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert b"locked" in locked.content.lower()
    assert other.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_correct_password_before_the_limit_still_logs_in(client):
    UserFactory(username="ann", password="correct-horse-battery-staple", is_staff=True)
    login = reverse("admin:login")
    client.post(login, {"username": "ann", "password": "wrong"})

    response = client.post(login, {"username": "ann", "password": "correct-horse-battery-staple"})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", ["short1", "password123", "12345678901234", "ann.editor.example"]
)
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="ann.editor", email="ann.editor@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)
    validate_password("sorafenib-hepatocellular-2008", user=user)


@pytest.mark.django_db
def test_password_spraying_from_one_address_locks_the_address(client, settings):
    """One guess each for many usernames: no username reaches its limit, the address does."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    UserFactory(username="ann", password="correct-horse-battery-staple", is_staff=True)
    login = reverse("admin:login")

    sprayed = [
        client.post(login, {"username": f"user-{n}", "password": "Winter2026!"}).status_code
        for n in range(8)
    ]
    locked = client.post(login, {"username": "ann", "password": "correct-horse-battery-staple"})
    elsewhere = client.post(
        login,
        {"username": "ann", "password": "correct-horse-battery-staple"},
        REMOTE_ADDR="192.0.2.44",
    )

    assert sprayed == [200] * 7 + [429]
    assert locked.status_code == 429
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_valid_account_does_not_clear_the_address_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    UserFactory(username="ann", password="correct-horse-battery-staple", is_staff=True)
    login = reverse("admin:login")
    for n in range(5):
        client.post(login, {"username": f"user-{n}", "password": "Winter2026!"})

    signed_in = client.post(login, {"username": "ann", "password": "correct-horse-battery-staple"})
    client.logout()
    sixth = client.post(login, {"username": "user-5", "password": "Winter2026!"})

    assert signed_in.status_code == 302
    assert sixth.status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_the_lockout_keys_on_the_client_not_on_nginx(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.NUM_PROXIES = 1
    UserFactory(username="ann", password="correct-horse-battery-staple", is_staff=True)
    login = reverse("admin:login")

    def attempt(address: str, password: str) -> int:
        return client.post(
            login,
            {"username": "ann", "password": password},
            headers={"x-forwarded-for": address},
        ).status_code

    attacker = [attempt("198.51.100.9", f"guess-{n}") for n in range(3)]
    colleague = attempt("203.0.113.5", "correct-horse-battery-staple")

    assert attacker == [200, 200, 429]
    assert colleague == 302

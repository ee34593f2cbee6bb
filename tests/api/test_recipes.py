"""The Python recipes of docs/api.md, run as written against a live server.

Each recipe is read from the document itself (the code block after its `<!-- recipe: name -->`
marker), so the document cannot drift from what works. The server is Django's threaded
WSGI server on a free port (pytest-django's live_server), the rate limit tight enough that
the recipes meet 429s and must wait them out.
"""

import json
import re
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from monographs.publishing.models import Entry
from tests.api.conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)
DOC = Path(django_settings.BASE_DIR) / "docs" / "api.md"


def recipe(name: str) -> str:
    found = re.search(rf"<!-- recipe: {name} -->\n```python\n(.*?)\n```", DOC.read_text(), re.S)
    assert found, f"docs/api.md has no recipe '{name}'"
    return found.group(1)


def run(code: str, namespace: dict | None = None) -> dict:
    namespace = {"__name__": "recipe"} if namespace is None else namespace
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def published() -> dict:
    return {str(entry.uid): entry.current.document for entry in Entry.objects.live()}


@pytest.fixture
def statuses(monkeypatch) -> list[int]:
    """Every status the recipes received."""
    seen: list[int] = []
    send = requests.Session.send

    def recording_send(self, request, **kwargs):
        response = send(self, request, **kwargs)
        seen.append(response.status_code)
        return response

    monkeypatch.setattr(requests.Session, "send", recording_send)
    return seen


def test_the_sync_and_bulk_recipes_keep_a_mirror_equal_to_what_is_published(
    live_server, settings, monkeypatch, tmp_path, statuses, make_drug, make_trial, withdraw
):
    settings.API_THROTTLE_ANON = "1/second"
    mirror_file = tmp_path / "mirror.json"
    monkeypatch.setenv("MONOGRAPHS_API", f"{live_server.url}/api/v1")
    monkeypatch.setenv("MIRROR_FILE", str(mirror_file))
    sorafenib = make_drug("sorafenib")
    make_drug("axitinib")
    make_trial("sharp", drugs=(sorafenib,))
    withdraw(make_drug("regorafenib"))
    make_drug("lenvatinib", published=False)

    run(recipe("sync"))
    first = json.loads(mirror_file.read_text())
    assert first["documents"] == published() and len(first["documents"]) == 3

    # A new version, a withdrawal and a new drug between two runs of the same recipe.
    sorafenib.summary = "Second version."
    sorafenib.save()
    publish(sorafenib)
    withdraw(sorafenib.__class__.objects.get(slug="axitinib"))
    make_drug("cabozantinib")
    run(recipe("sync"))
    second = json.loads(mirror_file.read_text())

    assert second["token"] > first["token"]
    assert second["documents"] == published() and len(second["documents"]) == 3
    assert second["documents"][str(sorafenib.uid)]["summary"] == "Second version."

    # From the bulk files, then sync: the same mirror.
    namespace = run(recipe("sync"))
    run(recipe("bulk"), namespace)
    assert namespace["bulk_documents"] == published()
    assert namespace["bulk_token"] == second["token"]
    assert 429 in statuses  # met, and waited out


def test_the_reading_recipe_runs_as_written(live_server, settings, statuses, make_drug, capsys):
    settings.API_THROTTLE_ANON = "1/second"
    make_drug("sorafenib")
    make_drug("axitinib")
    code = recipe("read").replace("http://127.0.0.1:8000", live_server.url)

    run(code)

    printed = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[0] for line in printed[:-1]) == ["axitinib", "sorafenib"]
    assert printed[-1].split()[0] == "1"
    assert 429 in statuses

"""config/gunicorn.py: values from the environment, and gunicorn itself accepts the file."""

import gc
import logging
import multiprocessing
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from monographs.publishing.cache import published_generation

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "gunicorn.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def load_config(monkeypatch):
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name == "FORWARDED_ALLOW_IPS":
            monkeypatch.delenv(name)

    def load(**environment: str) -> dict:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


def test_defaults_suit_one_machine_behind_nginx(load_config):
    config = load_config()

    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert config["worker_class"] == "sync"
    assert config["preload_app"] is True
    assert config["accesslog"] == "-"
    assert config["timeout"] == 30
    assert config["forwarded_allow_ips"] == "127.0.0.1"


def test_environment_sets_binds_workers_and_threads(load_config):
    config = load_config(
        GUNICORN_BIND="127.0.0.1:9000, unix:/run/monographs.sock",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="45",
    )

    assert config["bind"] == ["127.0.0.1:9000", "unix:/run/monographs.sock"]
    assert config["workers"] == 3
    assert config["worker_class"] == "gthread"
    assert config["threads"] == 8
    assert config["timeout"] == 45


def test_gunicorn_accepts_the_configuration():
    result = subprocess.run(
        [str(GUNICORN), "--check-config", "-c", str(CONFIG), "config.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DEBUG": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def starting_server():
    """The master's preparation, run in this process; what it freezes is thawed after."""
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True), log=logging.getLogger(__name__))
    yield server
    gc.unfreeze()


def test_a_starting_server_retires_pages_rendered_by_the_code_it_replaces(
    load_config, starting_server
):
    config = load_config()
    before = published_generation()

    config["when_ready"](starting_server)

    assert published_generation() == before + 1


def test_what_the_master_loaded_is_kept_out_of_the_workers_collections(
    load_config, starting_server
):
    config = load_config()
    gc.unfreeze()

    config["when_ready"](starting_server)

    # Django's URL resolver, loaded by the preparation, among the objects frozen: no
    # generation a collection walks holds it.
    from django.urls import get_resolver

    resolver = get_resolver()
    assert gc.get_freeze_count() > 10_000
    assert not any(
        thing is resolver for generation in range(3) for thing in gc.get_objects(generation)
    )

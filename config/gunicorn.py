"""Gunicorn settings for production and `make serve`: gunicorn -c config/gunicorn.py config.wsgi

Every value comes from the environment, with defaults fit for one machine behind nginx:

GUNICORN_BIND       127.0.0.1:8000 (comma-separated for several; unix:/run/monographs.sock too)
GUNICORN_WORKERS    2 x CPU cores + 1
GUNICORN_THREADS    1: sync workers; above 1 each worker is a gthread worker with that many
                    threads (each thread holds its own database connection)
GUNICORN_TIMEOUT    30 seconds before a silent worker is killed and replaced
GUNICORN_MAX_REQUESTS  1000 requests before a worker is replaced (bounds slow leaks)
FORWARDED_ALLOW_IPS 127.0.0.1: the proxies whose X-Forwarded-* headers are believed

Sync workers need a buffering proxy in front (deploy/nginx.conf): nginx reads slow clients'
requests and responses, so a worker is busy only while Django works.
"""

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Load the application once in the master, then fork: workers start faster and share memory.
# It also means a code change needs a restart (or USR2), not HUP: see docs/deploy.md.
preload_app = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files in memory: a slow disk never kills workers


def when_ready(server) -> None:
    """Prepare the master once before the workers are forked.

    URL patterns and template engines are loaded here, or every new worker (max_requests
    replaces them regularly) spends some 200 ms of its first request on them. And the
    cached responses are all retired: pages that the code this start replaces rendered are
    then never served from the shared cache again (docs/deploy.md, upgrades).

    Last, what the master loaded is frozen out of the garbage collector (gc.freeze), which
    the workers inherit: a full collection in a worker otherwise walks every object of
    Django, DRF and the app, 75-100 ms during which its request waits, every few hundred
    requests, and writes to the collector's header of each, in pages the workers would
    have shared with the master. Frozen, it walks only what the worker made (2-3 ms). A
    frozen object is still freed when nothing refers to it, but a cycle among frozen
    objects never is, so this is done once, here, of what lives as long as the process.
    """
    if not server.cfg.preload_app:
        return
    from django.template import engines
    from django.urls import reverse

    from monographs.publishing.cache import CACHE_UNAVAILABLE, responses_invalidate_all

    for name in ("admin:index", "monographs:home", "api:drug-list"):
        reverse(name)
    engines.all()
    try:
        responses_invalidate_all()
    except CACHE_UNAVAILABLE as error:
        server.log.warning("Could not reach the cache to retire older pages: %s", error)
    gc.freeze()

"""Endpoints that exist only for `make bench`: never routed in a normal deployment.

config/bench_urls.py mounts them, and settings use that URLconf only when BENCH_ENDPOINTS=1.
The naive baseline reads the working copy, drafts included, which is exactly why it must
never be reachable in production.
"""

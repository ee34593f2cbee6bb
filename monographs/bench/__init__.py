"""Endpoints that exist only for `make bench`: never routed in a normal deployment.

config/bench_urls.py mounts them, and only config.settings_bench (make bench) routes
that URLconf.
The naive baseline reads the working copy, drafts included, which is exactly why it must
never be reachable in production.
"""

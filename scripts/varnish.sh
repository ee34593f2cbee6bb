#!/usr/bin/env bash
# Varnish (deploy/varnish.vcl) in front of one app server, for the scale-out tests and the
# demonstration; the packaged service is never used or touched.
#
#   scripts/varnish.sh start DIR BACKEND_PORT PORT PURGE_PORT
#       a varnishd whose working directory, VCL and pid file are in DIR, caching for the app
#       server on 127.0.0.1:BACKEND_PORT, serving on 127.0.0.1:PORT and taking purges on
#       127.0.0.1:PURGE_PORT (set CACHE_PURGE_URLS=http://127.0.0.1:PURGE_PORT/ on the app)
#   scripts/varnish.sh stop DIR
#
# Needs Debian's varnish and varnish-modules (vmod xkey).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "varnish: $*" >&2; exit 1; }

start() {
    local dir="$1" backend="$2" port="$3" purge="$4"
    command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] \
        || fail "varnishd not found (apt-get install varnish varnish-modules)."
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    sed "s/\.port = \"8000\";/.port = \"$backend\";/" "$ROOT/deploy/varnish.vcl" >"$dir/site.vcl"
    # varnishd, started as root, compiles the VCL as the user it drops to.
    chmod a+rx "$dir"
    chmod a+r "$dir/site.vcl"
    grep -q "\.port = \"$backend\";" "$dir/site.vcl" || fail "could not set the backend port."
    PATH="$PATH:/usr/sbin" varnishd -n "$dir/work" -f "$dir/site.vcl" -P "$dir/varnishd.pid" \
        -a "127.0.0.1:$port" -a "purge=127.0.0.1:$purge" -s malloc,64m
    for _ in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "varnish: serving on 127.0.0.1:$port, purges on 127.0.0.1:$purge"; return 0; }
        sleep 0.2
    done
    fail "varnishd did not listen on $port within 10 s."
}

stop() {
    local dir="$1"
    [ -f "$dir/varnishd.pid" ] || return 0
    kill "$(cat "$dir/varnishd.pid")" 2>/dev/null || true
    rm -f "$dir/varnishd.pid"
}

case "${1:-}" in
    start) [ $# -eq 5 ] || fail "usage: $0 start DIR BACKEND_PORT PORT PURGE_PORT"; start "$2" "$3" "$4" "$5" ;;
    stop) [ $# -eq 2 ] || fail "usage: $0 stop DIR"; stop "$2" ;;
    *) fail "usage: $0 start DIR BACKEND_PORT PORT PURGE_PORT | stop DIR" ;;
esac

#!/usr/bin/env bash
# A dedicated PostgreSQL primary and a streaming read replica on this machine, for the
# scale-out tests and the two-node demonstration. The machine's own cluster (port 5432) is
# never touched: only clusters named scaleout_primary and scaleout_replica are created,
# started, stopped or dropped here.
#
#   scripts/replica_cluster.sh start    create both (if needed), start them, wait until the
#                                       replica streams synchronously; prints the two URLs
#   scripts/replica_cluster.sh status   say whether they are up
#   scripts/replica_cluster.sh urls     print DATABASE_URL and DATABASE_REPLICA_URLS lines
#   scripts/replica_cluster.sh stop     stop and drop both clusters, removing their files
#
# Replication is synchronous with synchronous_commit = remote_apply: a commit on the primary
# returns only once the replica has applied it, so a read on the replica straight after a
# publish sees it (docs/deploy.md explains why the site needs that).
#
# Environment: SCALEOUT_PRIMARY_PORT (5441), SCALEOUT_REPLICA_PORT (5442). Run as root.
set -euo pipefail

PRIMARY_PORT="${SCALEOUT_PRIMARY_PORT:-5441}"
REPLICA_PORT="${SCALEOUT_REPLICA_PORT:-5442}"
PRIMARY=scaleout_primary
REPLICA=scaleout_replica
VERSION="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"

say() { echo "replica_cluster: $*"; }
fail() { echo "replica_cluster: $*" >&2; exit 1; }

[ -n "$VERSION" ] || fail "PostgreSQL is not installed (apt-get install postgresql)."
command -v pg_createcluster >/dev/null || fail "pg_createcluster not found (apt-get install postgresql-common)."
[ "$(id -u)" = 0 ] || fail "run as root: clusters are created with pg_createcluster and owned by postgres."
for port in "$PRIMARY_PORT" "$REPLICA_PORT"; do
    [ "$port" != 5432 ] || fail "port 5432 belongs to the machine's main cluster; choose another port."
done

as_postgres() { runuser -u postgres -- "$@"; }
exists() { [ -d "/etc/postgresql/$VERSION/$1" ]; }
running() { pg_lsclusters -h "$VERSION" "$1" 2>/dev/null | awk '{print $4}' | grep -q '^online'; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
psql_at() { local port="$1"; shift; psql -X -q -A -t -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

drop() {
    if exists "$1"; then
        pg_dropcluster --stop "$VERSION" "$1"
        say "dropped $1"
    fi
}

wait_ready() {
    for _ in $(seq 1 60); do
        pg_isready -h 127.0.0.1 -p "$1" -q && return 0
        sleep 0.5
    done
    fail "the cluster on port $1 did not accept connections within 30 s (see /var/log/postgresql/)."
}

create_primary() {
    port_taken "$PRIMARY_PORT" && fail "port $PRIMARY_PORT is in use; set SCALEOUT_PRIMARY_PORT."
    pg_createcluster -q --start-conf=manual -p "$PRIMARY_PORT" "$VERSION" "$PRIMARY" -- \
        --auth-local=trust --auth-host=trust >/dev/null
    local conf="/etc/postgresql/$VERSION/$PRIMARY"
    cat >"$conf/conf.d/scaleout.conf" <<EOF
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
wal_keep_size = '256MB'
synchronous_standby_names = '$REPLICA'
synchronous_commit = remote_apply
# A throwaway cluster for tests: durability on power loss does not matter, speed does.
fsync = off
full_page_writes = off
EOF
    cat >"$conf/pg_hba.conf" <<EOF
local   all             all                     trust
host    all             all         127.0.0.1/32 trust
host    replication     all         127.0.0.1/32 trust
EOF
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$PRIMARY" start
    wait_ready "$PRIMARY_PORT"
    say "primary $PRIMARY on 127.0.0.1:$PRIMARY_PORT"
}

create_replica() {
    port_taken "$REPLICA_PORT" && fail "port $REPLICA_PORT is in use; set SCALEOUT_REPLICA_PORT."
    pg_createcluster -q --start-conf=manual -p "$REPLICA_PORT" "$VERSION" "$REPLICA" -- \
        --auth-local=trust --auth-host=trust >/dev/null
    local conf="/etc/postgresql/$VERSION/$REPLICA"
    local data="/var/lib/postgresql/$VERSION/$REPLICA"
    cat >"$conf/conf.d/scaleout.conf" <<EOF
listen_addresses = '127.0.0.1'
hot_standby = on
hot_standby_feedback = on
fsync = off
EOF
    cp "/etc/postgresql/$VERSION/$PRIMARY/pg_hba.conf" "$conf/pg_hba.conf"
    find "$data" -mindepth 1 -delete
    # -R writes standby.signal and primary_conninfo; application_name is the name the
    # primary's synchronous_standby_names waits for.
    as_postgres pg_basebackup -R -X stream -c fast -D "$data" \
        -d "host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=$REPLICA"
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$REPLICA" start
    wait_ready "$REPLICA_PORT"
    say "replica $REPLICA on 127.0.0.1:$REPLICA_PORT"
}

wait_synchronous() {
    for _ in $(seq 1 60); do
        state="$(psql_at "$PRIMARY_PORT" -c \
            "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$REPLICA'")"
        [ "$state" = sync ] && return 0
        sleep 0.5
    done
    fail "the replica did not become a synchronous standby within 30 s (state: '${state:-none}')."
}

urls() {
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/monographs"
    echo "DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:$REPLICA_PORT/monographs"
}

start() {
    if exists "$PRIMARY" && exists "$REPLICA" && running "$PRIMARY" && running "$REPLICA"; then
        say "already running"
    else
        # Half-made or stopped leftovers of an earlier run are rebuilt from scratch.
        drop "$REPLICA"
        drop "$PRIMARY"
        create_primary
        create_replica
    fi
    wait_synchronous
    [ "$(psql_at "$REPLICA_PORT" -c 'SELECT pg_is_in_recovery()')" = t ] \
        || fail "the cluster on port $REPLICA_PORT is not in recovery: it is not a replica."
    say "streaming replication is synchronous (remote_apply)"
    urls
}

status() {
    local code=0
    for cluster in "$PRIMARY" "$REPLICA"; do
        if exists "$cluster" && running "$cluster"; then
            say "$cluster: online"
        else
            say "$cluster: not running"
            code=1
        fi
    done
    return "$code"
}

stop() {
    drop "$REPLICA"
    drop "$PRIMARY"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    urls) urls ;;
    *) fail "usage: $0 start|status|urls|stop" ;;
esac

#!/usr/bin/env bash
# Throw-away PostgreSQL 15 (+ PostGIS when installed) for the store tests; never touches the
# Debian "main" cluster. Listens only on a unix socket in a fresh temp dir, so no port clashes.
#
#   eval "$(.ci/postgres.sh start)"   # exports LIFECIRCLE_TEST_POSTGRES_URL and LIFECIRCLE_TEST_POSTGRES_DIR
#   .venv/bin/python -m pytest tests/store
#   .ci/postgres.sh stop              # stops the server and deletes $LIFECIRCLE_TEST_POSTGRES_DIR
#
# As root the server runs as the `postgres` system user (initdb refuses to run as root);
# as any other user it runs as that user. PG_BIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${LIFECIRCLE_TEST_POSTGRES_PORT:-5432}"  # only names the socket file; no TCP listener
DB_NAME="lifecircle_test"

die() { echo "postgres.sh: $*" >&2; exit 1; }

as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    [[ -x "$PG_BIN/initdb" ]] || die "no initdb in $PG_BIN; install postgresql-15 or set PG_BIN"
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to own the cluster"
    fi
    local dir
    dir="$(mktemp -d /tmp/lifecircle-pg.XXXXXX)"
    chmod 755 "$dir"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$dir"

    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    # fsync off: a test cluster is thrown away, and it makes CREATE DATABASE much faster.
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir -p $PORT -c fsync=off -c full_page_writes=off" \
        start >/dev/null || { cat "$dir/server.log" >&2; die "server did not start"; }

    local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" -U postgres)
    "${psql[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
    local has_postgis
    has_postgis="$("${psql[@]}" -d postgres -At \
        -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")"
    if [[ "$has_postgis" == 1 ]]; then
        "${psql[@]}" -d "$DB_NAME" -c "CREATE EXTENSION postgis" >/dev/null
    else
        echo "postgres.sh: warning: postgis extension not installed; tests needing it will skip" >&2
    fi

    echo "export LIFECIRCLE_TEST_POSTGRES_DIR='$dir'"
    echo "export LIFECIRCLE_TEST_POSTGRES_URL='postgresql+psycopg://postgres@/$DB_NAME?host=$dir&port=$PORT'"
}

stop() {
    local dir="${1:-${LIFECIRCLE_TEST_POSTGRES_DIR:-}}"
    [[ -n "$dir" ]] || die "stop: give the directory or set LIFECIRCLE_TEST_POSTGRES_DIR"
    [[ -d "$dir/data" && "$dir" == /tmp/lifecircle-pg.* ]] || die "stop: $dir is not a cluster made by this script"
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
}

case "${1:-start}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    *) die "usage: $0 start | stop [dir]" ;;
esac

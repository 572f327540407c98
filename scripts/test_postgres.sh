#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the store tests.
#
#   eval "$(scripts/test_postgres.sh start)"   # exports MOVIEREC_TEST_POSTGRES(_DIR)
#   scripts/test_postgres.sh stop "$MOVIEREC_TEST_POSTGRES_DIR"
#
# `start` initialises a cluster in a fresh temporary folder (trust auth, loopback only, a free
# port, fsync off: test data only), creates the database movierec_test and prints the export
# lines. As root (as in CI) the server runs as the `postgres` system user, since initdb refuses
# root. Needs PostgreSQL's server binaries (Debian: apt-get install postgresql).
set -euo pipefail

find_bin() {
    local found
    if found=$(command -v initdb 2>/dev/null); then
        dirname "$(readlink -f "$found")"
        return
    fi
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$found" ] && [ -x "$found/initdb" ]; then
        echo "$found"
        return
    fi
    echo "test_postgres.sh: no initdb found; install PostgreSQL (apt-get install postgresql)" >&2
    exit 1
}

as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    "${PYTHON:-python3}" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

start() {
    local bin dir port
    bin=$(find_bin)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/movierec-postgres.XXXXXX")
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || {
            echo "test_postgres.sh: running as root but there is no 'postgres' user" >&2
            exit 1
        }
        chown postgres "$dir"
    fi
    as_server_user "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    port=$(free_port)
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    as_server_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres movierec_test
    echo "export MOVIEREC_TEST_POSTGRES=postgresql://postgres@127.0.0.1:$port/movierec_test"
    echo "export MOVIEREC_TEST_POSTGRES_DIR=$dir"
}

stop() {
    local dir=${1:-${MOVIEREC_TEST_POSTGRES_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || {
        echo "test_postgres.sh: usage: $0 stop DIR (the MOVIEREC_TEST_POSTGRES_DIR)" >&2
        exit 1
    }
    as_server_user "$(find_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *)
        echo "usage: $0 start | stop DIR" >&2
        exit 2
        ;;
esac

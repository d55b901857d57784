#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the benchmarks (docs/performance.md, "PostgreSQL"):
#   bench/pg_server.sh start DIR   initdb into DIR/data (as the postgres user when run as root),
#                                  start it on a free loopback port, create the database misync,
#                                  and print the libpq connection string for misync.toml
#   bench/pg_server.sh stop DIR    stop it (the data stays until DIR is removed)
# Settings are PostgreSQL's defaults except what a benchmark on a loopback server needs:
# listen on 127.0.0.1 only, no Unix socket outside DIR, fsync and synchronous_commit as shipped
# (on: the figures include the commits' flushes, as a real server's would).
set -euo pipefail
action="${1:-}" dir="${2:-}"
if [[ -z $action || -z $dir ]]; then
    echo "usage: bench/pg_server.sh start|stop DIR" >&2
    exit 2
fi
bin=/usr/lib/postgresql/15/bin
[[ -x $bin/initdb ]] || { echo "pg_server.sh: no PostgreSQL 15 in $bin (scripts/deps.sh)" >&2; exit 1; }
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
case $action in
    start)
        mkdir -p "$dir"
        dir=$(realpath "$dir")
        [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
        if [[ ! -f $dir/data/PG_VERSION ]]; then
            as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >"$dir/initdb.log"
        fi
        port=
        for _ in $(seq 50); do
            p=$((33000 + RANDOM % 20000))
            if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
                port=$p
                break
            fi
        done
        [[ -n $port ]] || { echo "pg_server.sh: no free port" >&2; exit 1; }
        as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir" \
            start >/dev/null
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres misync 2>/dev/null || true
        echo "$port" >"$dir/port"
        echo "host=127.0.0.1 port=$port dbname=misync user=postgres"
        ;;
    stop)
        dir=$(realpath "$dir")
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
        ;;
    *)
        echo "pg_server.sh: unknown action $action" >&2
        exit 2
        ;;
esac

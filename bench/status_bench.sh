#!/usr/bin/env bash
# Benchmarks the status endpoint (SPEC §9, docs/status-api.md): a directory holding a year of
# daily runs for 1500 schools (bench/gen_runs.cpp, written through the store API), the real
# StatusServer over it (bench/status_host.cpp), and wrk with a bearer token on loopback asking
# GET /api/v1/schools/{D}/runs for random schools (bench/status_runs.lua). Prints requests/s and
# latency percentiles; with --with-writer a second process writes runs in batches at the same
# time (its runs stay in the directory: --regenerate starts again), and with --with-national-run
# the real `misync run` loads a national SIMS dataset (bench/gen_sims) into a copy of the
# directory while it is served: the long run in progress of the target. With --daemon the server
# is `misync daemon` itself (the same StatusServer inside the real service), and the national
# run is the daemon's own: its start-up check finds all 1500 drop folders changed and runs them
# one school after another on its worker while wrk loads the endpoint.
# Target (docs/status-api.md): ≥ 20000 requests/s, p99 ≤ 5 ms on 2 cores; ≤ 20 ms with a writer.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/status_bench.sh [options]

  --schools N           schools (default 1500)
  --days N              daily runs per school (default 365)
  --duration S          seconds of load per measurement (default 20)
  --connections N       wrk connections (default 32)
  --wrk-threads N       wrk threads (default 1)
  --server-threads N    status server threads (default 2)
  --with-writer         also measure while another process writes runs in batches
  --writer-rate N       the writer's runs per second (default 0: as fast as it can)
  --with-national-run   also measure during misync's initial national run (1500 schools,
                        500000 learners) into a copy of the directory
  --daemon              serve with `misync daemon` instead of bench/status_host.cpp; the
                        national run is then the daemon's own runs of the 1500 schools
  --no-cache            serve without the per-thread run page cache (status/run_cache.h)
  --regenerate          write the directory again even if it exists
  --no-build            use the binaries already in the build folder
  --build-dir DIR       Release build folder (default: build-release at the repository root)
  --work DIR            data and logs (default: bench/out/status, ignored by git)
USAGE
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MISYNC_BUILD_DIR:-$ROOT/build-release}"
WORK="${BENCH_WORK:-$ROOT/bench/out/status}"
SCHOOLS=1500
DAYS=365
DURATION=20
CONNECTIONS=32
WRK_THREADS=1
SERVER_THREADS=2
WRITER=0
WRITER_RATE=0
NATIONAL=0
DAEMON=0
CACHE_MB=32
REGENERATE=0
DO_BUILD=1

need_value() {
    if [[ $# -lt 2 || -z "$2" ]]; then
        echo "status_bench.sh: $1 needs a value" >&2
        exit 2
    fi
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --schools) need_value "$@"; SCHOOLS="$2"; shift ;;
        --days) need_value "$@"; DAYS="$2"; shift ;;
        --duration) need_value "$@"; DURATION="$2"; shift ;;
        --connections) need_value "$@"; CONNECTIONS="$2"; shift ;;
        --wrk-threads) need_value "$@"; WRK_THREADS="$2"; shift ;;
        --server-threads) need_value "$@"; SERVER_THREADS="$2"; shift ;;
        --with-writer) WRITER=1 ;;
        --writer-rate) need_value "$@"; WRITER_RATE="$2"; shift ;;
        --with-national-run) NATIONAL=1 ;;
        --daemon) DAEMON=1 ;;
        --no-cache) CACHE_MB=0 ;;
        --regenerate) REGENERATE=1 ;;
        --no-build) DO_BUILD=0 ;;
        --build-dir) need_value "$@"; BUILD="$2"; shift ;;
        --work) need_value "$@"; WORK="$2"; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "status_bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

mkdir -p "$WORK"
GEN="$BUILD/bench/misync-bench-gen_runs"
HOST="$BUILD/bench/misync-bench-status_host"
GEN_SIMS="$BUILD/bench/misync-bench-gen_sims"
MISYNC="$BUILD/daemon/misync"

# wrk, openssl and the build tools come from scripts/deps.sh.
"$ROOT/scripts/deps.sh"

if [[ $DO_BUILD -eq 1 ]]; then
    echo "== building (Release) in $BUILD"
    if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMISYNC_BUILD_TESTS=OFF \
            > "$WORK/configure.log"
    fi
    targets=(misync-bench-gen_runs misync-bench-status_host)
    [[ $NATIONAL -eq 1 ]] && targets+=(misync misync-bench-gen_sims)
    [[ $DAEMON -eq 1 ]] && targets+=(misync)
    cmake --build "$BUILD" -j "${JOBS:-2}" --target "${targets[@]}" > "$WORK/build.log" ||
        { tail -20 "$WORK/build.log"; exit 1; }
fi

DB="$WORK/runs-${SCHOOLS}x${DAYS}.db"
if [[ $REGENERATE -eq 1 || ! -f "$DB" ]]; then
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.lock"
    echo "== writing $((SCHOOLS * DAYS)) runs ($SCHOOLS schools x $DAYS days) into $DB"
    "$GEN" --db "$DB" --schools "$SCHOOLS" --days "$DAYS"
fi
echo "== directory: $(du -h "$DB" | cut -f1) ($DB)"

# A token and its digest, as docs/status-api.md tells an operator to make them.
TOKEN="$(openssl rand -hex 32)"
DIGEST="$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"
cat > "$WORK/tokens.toml" <<TOML
[[token]]
name = "bench"
scope = "admin"
sha256 = "$DIGEST"
TOML

HOST_PID=""
WRITER_PID=""
RUN_PID=""
cleanup() {
    for pid in "$RUN_PID" "$WRITER_PID" "$HOST_PID"; do
        [[ -n "$pid" ]] && kill "$pid" 2> /dev/null || true
    done
    wait 2> /dev/null || true
}
trap cleanup EXIT

# Waits for HOST_PID to write its port: sed expression $1 finds it in file $2, whose log is $3.
# Sets URL.
await_port() {
    local port=""
    for _ in $(seq 1 600); do
        port="$(sed -n "$1" "$2" 2> /dev/null | head -n 1 || true)"
        [[ -n "$port" ]] && break
        kill -0 "$HOST_PID" 2> /dev/null || { cat "$3"; exit 1; }
        sleep 0.1
    done
    [[ -n "$port" ]] || { echo "status_bench.sh: the server did not start (see $3)" >&2; exit 1; }
    URL="http://127.0.0.1:$port"
}

# `misync daemon` with configuration $1; sets URL.
start_daemon() {
    rm -f "$WORK/daemon.log"
    "$MISYNC" --config "$1" daemon 2> "$WORK/daemon.log" &
    HOST_PID=$!
    await_port 's/.*status: listening on .* port \([0-9]*\).*/\1/p' "$WORK/daemon.log" \
        "$WORK/daemon.log"
}
STATUS_TOML="[status]
listen = \"127.0.0.1:0\"
tokens_file = \"$WORK/tokens.toml\"
"

# Serves directory $1; sets URL.
start_host() {
    if [[ $DAEMON -eq 1 ]]; then
        # The schools of the runs, each with an empty drop folder: nothing to run.
        local conf="$WORK/daemon-idle.toml"
        {
            printf '%s\n[directory]\npath = "%s"\n[secrets]\nkey_file = "%s"\n' \
                "$STATUS_TOML" "$1" "$WORK/secret.key"
            for ((i = 0; i < SCHOOLS; i++)); do
                local d=$(((660 + i / 100) * 10000 + 1000 + i % 100))
                mkdir -p "$WORK/empty/$d"
                printf '[[school]]\ndfes = "%s"\nconnector = "sims-xml"\nsource = "%s"\n' \
                    "$d" "$WORK/empty/$d"
            done
        } > "$conf"
        start_daemon "$conf"
        return
    fi
    rm -f "$WORK/host.out"
    "$HOST" --db "$1" --tokens "$WORK/tokens.toml" --threads "$SERVER_THREADS" \
        --schools "$SCHOOLS" --run-cache-mb "$CACHE_MB" > "$WORK/host.out" 2> "$WORK/host.log" &
    HOST_PID=$!
    await_port 's/^port //p' "$WORK/host.out" "$WORK/host.log"
}
stop_host() {
    kill -TERM "$HOST_PID" 2> /dev/null || true
    wait "$HOST_PID" 2> /dev/null || true
    HOST_PID=""
}

start_host "$DB"
FIRST_SCHOOL=$((660 * 10000 + 1000))
STATUS="$(curl -s -o "$WORK/sample.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/schools/$FIRST_SCHOOL/runs")"
[[ "$STATUS" == 200 ]] || { echo "status_bench.sh: sample request answered $STATUS" >&2; exit 1; }
echo "== serving on $URL; one answer is $(wc -c < "$WORK/sample.json") bytes (20 runs)"

export MISYNC_BENCH_TOKEN="$TOKEN" MISYNC_BENCH_SCHOOLS="$SCHOOLS"
load() {
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$1s" --latency -s "$ROOT/bench/status_runs.lua" \
        "$URL" > "$WORK/wrk-$2.log"
    grep '^bench:' "$WORK/wrk-$2.log" | sed "s/^bench:/   $2:/"
}

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "== commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')"
if [[ $DAEMON -eq 1 ]]; then
    echo "== served by misync daemon (2 server threads, 1 worker), $CONNECTIONS connections," \
        "$WRK_THREADS wrk thread(s)"
else
    echo "== $CONNECTIONS connections, $WRK_THREADS wrk thread(s), $SERVER_THREADS server threads," \
        "run page cache ${CACHE_MB} MB per thread"
fi
load 3 warmup > /dev/null
load "$DURATION" idle
if [[ $WRITER -eq 1 ]]; then
    "$GEN" --db "$DB" --schools "$SCHOOLS" --days "$DAYS" --seed 2 --live "$((DURATION + 4))" \
        --rate "$WRITER_RATE" > "$WORK/writer.out" 2> "$WORK/writer.log" &
    WRITER_PID=$!
    sleep 2
    load "$DURATION" writer
    wait "$WRITER_PID" || true
    WRITER_PID=""
    echo "   writer: $(cat "$WORK/writer.out")"
fi
stop_host

if [[ $NATIONAL -eq 1 ]]; then
    NAT="$WORK/national"
    if [[ ! -f "$NAT/day0/misync.toml" ]]; then
        echo "== generating the national SIMS dataset in $NAT/day0"
        rm -rf "$NAT/day0"
        mkdir -p "$NAT"
        "$GEN_SIMS" --out "$NAT/day0" --schools 1500 --learners 500000 --staff 40000 \
            --memberships 3000000 > "$NAT/gen.log"
    fi
    AS_OF="$(sed -n 's/^as-of: //p' "$NAT/gen.log")"
    NAT_DB="$WORK/national.db"
    rm -f "$NAT_DB" "$NAT_DB-wal" "$NAT_DB-shm" "$NAT_DB.lock" "$NAT/day0/secret.key"
    cp "$DB" "$NAT_DB"
    sed -i "s|^path = .*|path = \"$NAT_DB\"|" "$NAT/day0/misync.toml"
    if [[ $DAEMON -eq 1 ]]; then
        # The daemon runs the 1500 schools itself (its start-up check finds their folders changed).
        sed -e "s|^path = .*|path = \"$NAT_DB\"|" -e "s|^key_file = .*|key_file = \"$WORK/secret.key\"|" \
            "$NAT/day0/misync.toml" > "$NAT/day0/daemon.toml"
        printf '%s' "$STATUS_TOML" | cat - "$NAT/day0/daemon.toml" > "$NAT/day0/daemon.toml.new"
        mv "$NAT/day0/daemon.toml.new" "$NAT/day0/daemon.toml"
        START=$(date +%s.%N)
        start_daemon "$NAT/day0/daemon.toml"
        sleep 5
        BEFORE=$(grep -c ' outcome=' "$WORK/daemon.log" || true)
        load "$DURATION" national
        AFTER=$(grep -c ' outcome=' "$WORK/daemon.log" || true)
        echo "   daemon: $BEFORE school runs had ended when the load began, $AFTER when it ended" \
            "(of 1500; $(grep -c 'outcome=applied' "$WORK/daemon.log" || true) applied)"
        stop_host
        rm -f "$NAT_DB" "$NAT_DB-wal" "$NAT_DB-shm" "$NAT_DB.lock"
        exit 0
    fi
    start_host "$NAT_DB"
    load 3 warmup-national > /dev/null
    START=$(date +%s.%N)
    "$MISYNC" --config "$NAT/day0/misync.toml" run --as-of "$AS_OF" --json > /dev/null \
        2> "$WORK/national-run.log" &
    RUN_PID=$!
    sleep 2
    load "$DURATION" national
    LOADED=$(date +%s.%N)
    RC=0
    wait "$RUN_PID" || RC=$?
    RUN_PID=""
    END=$(date +%s.%N)
    echo "   national run: exit $RC, $(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }') s;" \
        "$(awk -v a="$LOADED" -v b="$END" 'BEGIN { d = b - a; if (d >= 0.05) printf "it went on %.1f s after the load", d; else print "it ended before the load did: the figures cover the end of the run and after" }')"
    stop_host
    rm -f "$NAT_DB" "$NAT_DB-wal" "$NAT_DB-shm" "$NAT_DB.lock"
fi

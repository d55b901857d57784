#!/usr/bin/env bash
# Benchmarks the status endpoint (SPEC §9, docs/status-api.md): a directory holding a year of
# daily runs for 1500 schools (bench/gen_runs.cpp, written through the store API), the real
# StatusServer over it (bench/status_host.cpp), and wrk with a bearer token on loopback asking
# GET /api/v1/schools/{D}/runs for random schools (bench/status_runs.lua). Prints requests/s and
# latency percentiles; with --with-writer a second process writes runs in batches at the same
# time, holding the directory's write lock as a long national run does.
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

# wrk, openssl and the build tools come from scripts/deps.sh.
"$ROOT/scripts/deps.sh"

if [[ $DO_BUILD -eq 1 ]]; then
    echo "== building (Release) in $BUILD"
    if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMISYNC_BUILD_TESTS=OFF \
            > "$WORK/configure.log"
    fi
    cmake --build "$BUILD" -j "${JOBS:-2}" --target misync-bench-gen_runs misync-bench-status_host \
        > "$WORK/build.log" || { tail -20 "$WORK/build.log"; exit 1; }
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
cleanup() {
    [[ -n "$WRITER_PID" ]] && kill "$WRITER_PID" 2> /dev/null || true
    [[ -n "$HOST_PID" ]] && kill "$HOST_PID" 2> /dev/null || true
    wait 2> /dev/null || true
}
trap cleanup EXIT

"$HOST" --db "$DB" --tokens "$WORK/tokens.toml" --threads "$SERVER_THREADS" \
    --schools "$SCHOOLS" > "$WORK/host.out" 2> "$WORK/host.log" &
HOST_PID=$!
PORT=""
for _ in $(seq 1 600); do
    PORT="$(sed -n 's/^port //p' "$WORK/host.out" 2> /dev/null || true)"
    [[ -n "$PORT" ]] && break
    kill -0 "$HOST_PID" 2> /dev/null || { cat "$WORK/host.log"; exit 1; }
    sleep 0.1
done
[[ -n "$PORT" ]] || { echo "status_bench.sh: the host did not start" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
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
echo "== $CONNECTIONS connections, $WRK_THREADS wrk thread(s), $SERVER_THREADS server threads"
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

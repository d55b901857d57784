#!/usr/bin/env bash
# Several daemons on one PostgreSQL directory (issue 9 item 4, docs/performance.md): the initial
# load of the data bench/run.sh generated (WORK/day0), first by one `misync daemon` holding every
# school, then — into an emptied database — by two daemons side by side. Each daemon starts with
# every one of its schools' drop folders changed since its (absent) last run, so each queues them
# all at once; the time is from the first daemon's start until every school has a finished run
# in the directory. Prints wall time, each daemon's CPU time and peak RSS, and the server's CPU.
#
# The two daemons are given the schools either split in halves (--split, the default: each lists
# half) or overlapping (--overlap: both list every school, the second in reverse order, so that
# the leases, S7, decide who runs what; a school a daemon finds run by the other is no_change).
#
# usage: bench/two_daemons.sh [--work DIR] [--build-dir DIR] [--overlap] [--workers N] [--two-only]
# (--two-only: without the one-daemon run before)
# Generate the data first: bench/run.sh --generate-only [--schools N].
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MISYNC_BUILD_DIR:-$ROOT/build-release}"
WORK="${BENCH_WORK:-$ROOT/bench/out}"
MODE=split
WORKERS=1
TWO_ONLY=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --work) WORK="$2"; shift ;;
        --build-dir) BUILD="$2"; shift ;;
        --overlap) MODE=overlap ;;
        --split) MODE=split ;;
        --workers) WORKERS="$2"; shift ;;
        --two-only) TWO_ONLY=1 ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "two_daemons.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
MISYNC="$BUILD/daemon/misync"
[[ -x $MISYNC ]] || { echo "two_daemons.sh: no $MISYNC (build it: see bench/run.sh)" >&2; exit 1; }
[[ -f $WORK/day0/misync.toml ]] ||
    { echo "two_daemons.sh: no $WORK/day0 (bench/run.sh --generate-only)" >&2; exit 1; }
AS_OF="$(sed -n 's/^as-of: //p' "$WORK/logs/gen-day0.log")"
[[ -n $AS_OF ]] || { echo "two_daemons.sh: no as-of in $WORK/logs/gen-day0.log" >&2; exit 1; }
LOGS="$WORK/logs/daemons"
mkdir -p "$LOGS"

PG="$WORK/pg-daemons"
bash "$ROOT/bench/pg_server.sh" stop "$PG" > /dev/null 2>&1 || true
rm -rf "$PG"
CONN="$(bash "$ROOT/bench/pg_server.sh" start "$PG")"
PIDS=()  # /usr/bin/time's, each the parent of one misync daemon
stop_daemons() {  # SIGTERM to each daemon (not to time, which would die without reporting)
    for p in "${PIDS[@]}"; do pkill -TERM -P "$p" 2> /dev/null || true; done
    wait "${PIDS[@]}" 2> /dev/null || true
}
cleanup() {
    stop_daemons
    bash "$ROOT/bench/pg_server.sh" stop "$PG" > /dev/null 2>&1 || true
}
trap cleanup EXIT
echo "== PostgreSQL $CONN; data $WORK/day0 (as of $AS_OF); workers per daemon: $WORKERS"

RUN="$WORK/run-daemons"
rm -rf "$RUN"
cp -r "$WORK/day0" "$RUN"
mapfile -t SCHOOLS < <(sed -n 's/^dfes = "\(.*\)"$/\1/p' "$RUN/misync.toml")
N=${#SCHOOLS[@]}

# A daemon's configuration: the generated one's school entries for the given schools, in order.
config() {
    local out="$1" listen="$2"
    shift 2
    {
        printf '[directory]\nbackend = "postgresql"\nconnection = "%s"\n\n' "$CONN"
        printf '[secrets]\nkey_file = "secret.key"\n\n'
        printf '[daemon]\nworkers = %s\nsettle_seconds = 1\n\n' "$WORKERS"
        printf '[status]\nlisten = "%s"\n' "$listen"
        for d in "$@"; do
            printf '\n[[school]]\ndfes = "%s"\nname = "School %s"\nconnector = "sims-xml"\n' "$d" "$d"
            printf 'source = "%s"\n' "$d"
        done
    } > "$RUN/$out"
}
psql_n() { psql "$CONN" -Atc "$1"; }
server_cpu() {  # clock ticks of the server: the postmaster's, its ended and its live children's
    local pm t p
    pm=$(head -1 "$PG/data/postmaster.pid")
    t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
    for p in $(pgrep -P "$pm"); do
        [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2> /dev/null || echo 0)))
    done
    echo "$t"
}

# Starts daemons (label:config ...), waits until every school has a finished run, stops them.
timed() {
    local title="$1"
    shift
    psql_n "DROP SCHEMA public CASCADE; CREATE SCHEMA public" > /dev/null 2>&1 || true
    rm -f "$RUN/secret.key"
    PIDS=()
    local labels=() start end cpu0
    cpu0=$(server_cpu)
    start=$(date +%s.%N)
    local first=1
    for spec in "$@"; do
        local label="${spec%%:*}" file="${spec#*:}"
        labels+=("$label")
        /usr/bin/time -v -o "$LOGS/$label.time" "$MISYNC" --config "$RUN/$file" --as-of "$AS_OF" \
            daemon > "$LOGS/$label.log" 2>&1 &
        PIDS+=($!)
        if [[ $first -eq 1 ]]; then  # the first one makes the schema and the key
            first=0
            for _ in $(seq 600); do
                grep -q 'serving' "$LOGS/$label.log" && break
                sleep 0.1
            done
        fi
    done
    local done_n=0
    while :; do
        done_n=$(psql_n "SELECT count(DISTINCT school) FROM runs WHERE outcome <> 'running'" \
            2> /dev/null || echo 0)
        [[ ${done_n:-0} -ge $N ]] && break
        for p in "${PIDS[@]}"; do
            kill -0 "$p" 2> /dev/null || { echo "   a daemon ended early: see $LOGS"; exit 1; }
        done
        sleep 0.5
    done
    end=$(date +%s.%N)
    local scpu=$(($(server_cpu) - cpu0))
    stop_daemons
    PIDS=()
    local wall
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    echo "== $title: every one of $N schools run in $wall s wall"
    for label in "${labels[@]}"; do
        local u s r
        u=$(sed -n 's/.*User time (seconds): //p' "$LOGS/$label.time")
        s=$(sed -n 's/.*System time (seconds): //p' "$LOGS/$label.time")
        r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$LOGS/$label.time")
        echo "   $label: $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') s CPU, peak RSS $((r / 1024)) MB"
    done
    echo "   PostgreSQL server: $(awk -v t="$scpu" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }') s CPU"
    psql_n "SELECT outcome, count(*) FROM runs GROUP BY outcome ORDER BY outcome" | sed 's/^/   outcomes: /'
}

port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 12000))
        (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return; }
    done
    exit 1
}
if [[ $TWO_ONLY -eq 0 ]]; then
    config one.toml "127.0.0.1:$(port)" "${SCHOOLS[@]}"
    timed "one daemon" "one:one.toml"
fi

half=$((N / 2))
if [[ $MODE == split ]]; then
    config a.toml "127.0.0.1:$(port)" "${SCHOOLS[@]:0:half}"
    config b.toml "127.0.0.1:$(port)" "${SCHOOLS[@]:half}"
    timed "two daemons, half the schools each" "a:a.toml" "b:b.toml"
else
    config a.toml "127.0.0.1:$(port)" "${SCHOOLS[@]}"
    mapfile -t REVERSED < <(printf '%s\n' "${SCHOOLS[@]}" | tac)
    config b.toml "127.0.0.1:$(port)" "${REVERSED[@]}"
    timed "two daemons, every school each (the second in reverse order)" "a:a.toml" "b:b.toml"
fi

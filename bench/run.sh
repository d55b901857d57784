#!/usr/bin/env bash
# Times misync on synthetic SIMS extracts (docs/performance.md): an initial load into an empty
# directory, a no-op run on the same data, and a run on the next day's data (about 1% churn),
# all against the same directory.db. Prints wall time, CPU time and peak RSS of each run and the
# size of directory.db after it. Before the misync runs it measures the machine's own limits on
# the same data (issue 8): a pugixml in-place parse of every file and a sqlite3 .import of the
# same rows into the directory's tables, and prints misync's times as ratios to them.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/run.sh [options]

Size (default: national scale, 1500 schools / 500000 learners / 40000 staff / 3000000 memberships):
  --small               20 schools, the rest scaled to match (a quick check)
  --schools N           N schools; learners, staff and memberships scale with it unless given
  --learners N  --staff N  --memberships N
  --seed N              generator seed (default 1)
  --churn-percent P     learners changing between day 0 and day 1 (default 1)
  --churn-all           day 1 gives every school at least one change (generator
                        --churn-every-school); 1,499 of 1,500 applied in one national run
Steps:
  --verify              check the generated data (xmllint, bench/verify_sims.py) before timing
  --generate-only       build and generate, do not run misync
  --no-build            use the binaries already in the build folder
  --keep-json           keep each run's --json output (in WORK/logs) and sum its counts
  --no-limits           do not measure the parse and import limits (no ratios)
  --single-school N     after the churn run, time re-running the school closest to N learners
                        with one record touched (misync run --school D), 5 times, wall ms
Backend:
  --postgresql          the directory in PostgreSQL 15: a server of the benchmark's own
                        (bench/pg_server.sh, in WORK/pg, loopback, a free port), stopped at the end
Places:
  --build-dir DIR       Release build folder (default: build-release at the repository root)
  --work DIR            data and logs (default: bench/out, ignored by git)
The same settings may be given as environment variables: BENCH_SCHOOLS, BENCH_LEARNERS,
BENCH_STAFF, BENCH_MEMBERSHIPS, BENCH_SEED, BENCH_CHURN_PERCENT, BENCH_WORK, MISYNC_BUILD_DIR.
USAGE
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MISYNC_BUILD_DIR:-$ROOT/build-release}"
WORK="${BENCH_WORK:-$ROOT/bench/out}"
SCHOOLS="${BENCH_SCHOOLS:-}"
LEARNERS="${BENCH_LEARNERS:-}"
STAFF="${BENCH_STAFF:-}"
MEMBERSHIPS="${BENCH_MEMBERSHIPS:-}"
SEED="${BENCH_SEED:-1}"
CHURN="${BENCH_CHURN_PERCENT:-1}"
DO_BUILD=1
VERIFY=0
GENERATE_ONLY=0
KEEP_JSON=0
CHURN_ALL=0
LIMITS=1
SINGLE_SCHOOL=""
POSTGRESQL=0

need_value() {
    if [[ $# -lt 2 || -z "$2" ]]; then
        echo "run.sh: $1 needs a value" >&2
        exit 2
    fi
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --small) SCHOOLS=20 ;;
        --schools) need_value "$@"; SCHOOLS="$2"; shift ;;
        --learners) need_value "$@"; LEARNERS="$2"; shift ;;
        --staff) need_value "$@"; STAFF="$2"; shift ;;
        --memberships) need_value "$@"; MEMBERSHIPS="$2"; shift ;;
        --seed) need_value "$@"; SEED="$2"; shift ;;
        --churn-percent) need_value "$@"; CHURN="$2"; shift ;;
        --work) need_value "$@"; WORK="$2"; shift ;;
        --build-dir) need_value "$@"; BUILD="$2"; shift ;;
        --verify) VERIFY=1 ;;
        --generate-only) GENERATE_ONLY=1 ;;
        --no-build) DO_BUILD=0 ;;
        --keep-json) KEEP_JSON=1 ;;
        --churn-all) CHURN_ALL=1 ;;
        --no-limits) LIMITS=0 ;;
        --single-school) need_value "$@"; SINGLE_SCHOOL="$2"; shift ;;
        --postgresql) POSTGRESQL=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# National scale is 1500 schools; a smaller country keeps the same proportions.
SCHOOLS="${SCHOOLS:-1500}"
LEARNERS="${LEARNERS:-$((SCHOOLS * 500000 / 1500))}"
STAFF="${STAFF:-$((SCHOOLS * 40000 / 1500))}"
MEMBERSHIPS="${MEMBERSHIPS:-$((SCHOOLS * 3000000 / 1500))}"

# Installs a Debian package when one of its commands is missing.
need_tool() {
    local path="$1" package="$2"
    if command -v "$path" > /dev/null 2>&1; then
        return
    fi
    echo "== installing $package (for $path)"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get install -y "$package" > /dev/null || {
        $sudo apt-get update > /dev/null && $sudo apt-get install -y "$package" > /dev/null
    }
}

# Seconds from /usr/bin/time's "h:mm:ss" or "m:ss.ss".
elapsed_seconds() {
    awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$1" |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }'
}
time_field() { sed -n "s/.*$2: //p" "$1"; }
RSS_FIELD='Maximum resident set size (kbytes)'
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

need_tool /usr/bin/time time
LOGS="$WORK/logs"
mkdir -p "$LOGS"
GEN="$BUILD/bench/misync-bench-gen_sims"
MISYNC="$BUILD/daemon/misync"

if [[ $DO_BUILD -eq 1 ]]; then
    echo "== building (Release) in $BUILD"
    if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMISYNC_BUILD_TESTS=OFF \
            > "$LOGS/configure.log"
    fi
    cmake --build "$BUILD" --target misync-bench-gen_sims > "$LOGS/build-gen.log" ||
        { tail -20 "$LOGS/build-gen.log"; exit 1; }
    if [[ $LIMITS -eq 1 ]]; then
        cmake --build "$BUILD" --target misync-bench-parse_limit > "$LOGS/build-limits.log" ||
            { tail -20 "$LOGS/build-limits.log"; exit 1; }
    fi
    if ! cmake --build "$BUILD" --target misync > "$LOGS/build-misync.log" 2>&1; then
        echo "   misync did not build (see $LOGS/build-misync.log); the timed runs will be skipped"
        rm -f "$MISYNC"
    fi
fi

echo "== generating $SCHOOLS schools, $LEARNERS learners, $STAFF staff, ~$MEMBERSHIPS memberships" \
    "(seed $SEED, churn $CHURN%$([[ $CHURN_ALL -eq 1 ]] && echo ', every school')) in $WORK"
declare -A AS_OF WALL
GEN_EXTRA=()
if [[ $CHURN_ALL -eq 1 ]]; then
    GEN_EXTRA=(--churn-every-school)
fi
for day in 0 1; do
    rm -rf "$WORK/day$day"
    /usr/bin/time -v -o "$LOGS/gen-day$day.time" "$GEN" --out "$WORK/day$day" --schools "$SCHOOLS" \
        --learners "$LEARNERS" --staff "$STAFF" --memberships "$MEMBERSHIPS" --seed "$SEED" \
        --day "$day" --churn-percent "$CHURN" "${GEN_EXTRA[@]}" > "$LOGS/gen-day$day.log"
    sed 's/^/   /' "$LOGS/gen-day$day.log"
    AS_OF[$day]="$(sed -n 's/^as-of: //p' "$LOGS/gen-day$day.log")"
    echo "   generator: $(elapsed_seconds "$LOGS/gen-day$day.time") s wall," \
        "peak RSS $(($(time_field "$LOGS/gen-day$day.time" "$RSS_FIELD") / 1024)) MB," \
        "$(mb "$(sed -n 's/^bytes=//p' "$WORK/day$day/bench-manifest.txt")") MB written"
done

if [[ $VERIFY -eq 1 ]]; then
    echo "== verifying"
    need_tool xmllint libxml2-utils
    find "$WORK/day0" "$WORK/day1" -name '*.xml' -print0 | xargs -0 -n 300 xmllint --noout
    echo "   xmllint: all files well-formed"
    python3 "$ROOT/bench/verify_sims.py" "$WORK/day0" "$WORK/day1" | sed 's/^/   /' ||
        { echo "   verification FAILED"; exit 1; }
fi

if [[ $GENERATE_ONLY -eq 1 ]]; then
    exit 0
fi

# The machine's own limits on the same data (issue 8), measured in this run, before misync.
PARSE0="" PARSE1="" IMPORT=""
if [[ $LIMITS -eq 1 ]]; then
    LIMIT_TOOL="$BUILD/bench/misync-bench-parse_limit"
    need_tool sqlite3 sqlite3
    if [[ ! -x "$LIMIT_TOOL" ]]; then
        echo "== $LIMIT_TOOL does not exist: no limits measured"
        LIMITS=0
    fi
fi
if [[ $LIMITS -eq 1 ]]; then
    echo "== limits: pugixml in-place parse of every file (read once into a reused buffer)"
    for day in 0 1; do
        "$LIMIT_TOOL" "$WORK/day$day" > "$LOGS/parse-limit-day$day.log"
        sed "s/^/   day $day: /" "$LOGS/parse-limit-day$day.log"
    done
    PARSE0="$(sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p' "$LOGS/parse-limit-day0.log")"
    PARSE1="$(sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p' "$LOGS/parse-limit-day1.log")"
    echo "== limits: sqlite3 .import of day 0's accounts, usernames, groups, memberships" \
        "(one transaction, indexes included)"
    rm -rf "$WORK/limits"
    "$LIMIT_TOOL" "$WORK/day0" --csv "$WORK/limits/csv" | sed -n 's/^csv: /   csv: /p'
    /usr/bin/time -v -o "$LOGS/import-limit.time" "$ROOT/bench/import_limit.sh" "$WORK/limits/csv" \
        "$WORK/limits/import.db" > "$LOGS/import-limit.log"
    sed 's/^/   /' "$LOGS/import-limit.log"
    IMPORT="$(sed -n 's/^import_seconds=\([0-9.]*\) .*/\1/p' "$LOGS/import-limit.log")"
    echo "   sqlite3 peak RSS $(($(time_field "$LOGS/import-limit.time" "$RSS_FIELD") / 1024)) MB"
    rm -rf "$WORK/limits/csv"
fi
if [[ ! -x "$MISYNC" ]]; then
    echo "== $MISYNC does not exist: no misync runs timed"
    exit 0
fi
if [[ -z "$("$MISYNC" version 2> /dev/null || true)" ]]; then
    echo "== $MISYNC does not work yet ('misync version' printed nothing): no misync runs timed"
    exit 0
fi

# One folder and one directory.db for all three runs; day 1's school folders replace day 0's
# before the churn run, as new extracts would land in the drop folders.
RUN="$WORK/run"
rm -rf "$RUN"
cp -r "$WORK/day0" "$RUN"

# --postgresql: the same runs with the directory in a server of this benchmark's own.
PG_CONN=""
if [[ $POSTGRESQL -eq 1 ]]; then
    bash "$ROOT/bench/pg_server.sh" stop "$WORK/pg" > /dev/null 2>&1 || true
    rm -rf "$WORK/pg"
    PG_CONN="$(bash "$ROOT/bench/pg_server.sh" start "$WORK/pg")"
    trap 'bash "$ROOT/bench/pg_server.sh" stop "$WORK/pg" > /dev/null 2>&1 || true' EXIT
    echo "== PostgreSQL directory: $PG_CONN (server log $WORK/pg/server.log)"
fi
use_backend() {
    if [[ -n "$PG_CONN" ]]; then
        sed -i -e 's/^backend = "sqlite"$/backend = "postgresql"/' \
            -e "s|^path = \"directory.db\"\$|connection = \"$PG_CONN\"|" "$RUN/misync.toml"
        grep -q '^backend = "postgresql"' "$RUN/misync.toml" ||
            { echo "run.sh: could not set the PostgreSQL backend in $RUN/misync.toml" >&2; exit 1; }
    fi
}
# PostgreSQL: the server's CPU time so far, in seconds: the postmaster's own and its ended
# children's (a session's backend ends with it) plus the children still running.
pg_cpu() {
    local pm t=0 p
    pm=$(head -1 "$WORK/pg/data/postmaster.pid")
    t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
    for p in $(pgrep -P "$pm"); do
        [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2> /dev/null || echo 0)))
    done
    awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# The directory's size: the SQLite file and its WAL, or the PostgreSQL database.
directory_bytes() {
    if [[ -n "$PG_CONN" ]]; then
        psql "$PG_CONN" -Atc "SELECT pg_database_size('misync')"
        return
    fi
    local db=0
    for f in "$RUN/directory.db" "$RUN/directory.db-wal"; do
        if [[ -f "$f" ]]; then
            db=$((db + $(stat -c %s "$f")))
        fi
    done
    echo "$db"
}
use_backend
RESULTS=()
FAILED=0
timed_run() {
    local label="$1" as_of="$2" out=/dev/null rc=0
    if [[ $KEEP_JSON -eq 1 ]]; then
        out="$LOGS/$label.json"
    fi
    echo "== $label: misync --config $RUN/misync.toml run --as-of $as_of --json"
    local pg0=""
    [[ -n "$PG_CONN" ]] && pg0=$(pg_cpu)
    /usr/bin/time -v -o "$LOGS/$label.time" "$MISYNC" --config "$RUN/misync.toml" run \
        --as-of "$as_of" --json > "$out" 2> "$LOGS/$label.stderr" || rc=$?
    local wall rss cpu db=0
    wall="$(elapsed_seconds "$LOGS/$label.time")"
    rss="$(($(time_field "$LOGS/$label.time" "$RSS_FIELD") / 1024))"
    cpu="$(awk -v u="$(time_field "$LOGS/$label.time" 'User time (seconds)')" \
        -v s="$(time_field "$LOGS/$label.time" 'System time (seconds)')" 'BEGIN { print u + s }')"
    db="$(directory_bytes)"
    case $rc in
        0) status="ok" ;;
        3) status="held (exit 3)"; FAILED=1 ;;
        *) status="FAILED (exit $rc, see $LOGS/$label.stderr)"; FAILED=1 ;;
    esac
    echo "   $status: ${wall} s wall, ${cpu} s CPU, peak RSS ${rss} MB, directory $(mb "$db") MB"
    if [[ -n "$pg0" ]]; then
        echo "   PostgreSQL server: $(awk -v a="$pg0" -v b="$(pg_cpu)" 'BEGIN { printf "%.2f", b - a }') s CPU"
    fi
    WALL[$label]="$wall"
    RESULTS+=("$(printf '%-9s %-10s %9s %9s %9s %12s  %s' "$label" "$as_of" "$wall" "$cpu" "$rss" \
        "$(mb "$db")" "$status")")
    if [[ $KEEP_JSON -eq 1 && $rc -ne 2 ]]; then
        python3 - "$out" << 'PY' | sed 's/^/   /'
import json, sys, collections
runs = json.load(open(sys.argv[1]))["runs"]
total = collections.Counter()
outcomes = collections.Counter(r["outcome"] for r in runs)
for r in runs:
    total.update(r["counts"])
print("outcomes:", dict(outcomes))
print("counts:", {k: v for k, v in sorted(total.items()) if v})
PY
    fi
}

timed_run initial "${AS_OF[0]}"
timed_run no-op "${AS_OF[0]}"
for school in "$WORK/day1"/*/; do
    name="$(basename "$school")"
    rm -rf "${RUN:?}/$name"
    cp -r "$school" "$RUN/$name"
done
cp "$WORK/day1/misync.toml" "$WORK/day1/bench-manifest.txt" "$RUN/"
use_backend
timed_run churn "${AS_OF[1]}"

# One school re-run in the directory that holds all the others: the school with the number of
# learner records closest to N, one learner's surname changed each time, `run --school D`.
SINGLE_MS=()
if [[ -n "$SINGLE_SCHOOL" ]]; then
    best="" best_diff=""
    for dir in "$RUN"/*/; do
        [[ -f "$dir/students.xml" ]] || continue
        n="$(grep -c '<Record>' "$dir/students.xml" || true)"
        diff=$((n > SINGLE_SCHOOL ? n - SINGLE_SCHOOL : SINGLE_SCHOOL - n))
        if [[ -z "$best_diff" || $diff -lt $best_diff ]]; then
            best="$(basename "$dir")" best_diff=$diff best_n=$n
        fi
    done
    echo "== single school: $best ($best_n learner records), one surname changed before each of 5 runs"
    for i in 1 2 3 4 5; do
        # The last learner record's surname gets (or loses) a suffix: a rename, nothing else.
        f="$RUN/$best/students.xml"
        last="$(grep -n '<Record>' "$f" | tail -1 | cut -d: -f1)"
        if ((i % 2)); then
            sed -i "${last}s|</Legal_x0020_Surname>|-Bench</Legal_x0020_Surname>|" "$f"
        else
            sed -i "${last}s|-Bench</Legal_x0020_Surname>|</Legal_x0020_Surname>|" "$f"
        fi
        rc=0
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$LOGS/single-$i.time" "$MISYNC" --config "$RUN/misync.toml" run \
            --school "$best" --as-of "${AS_OF[1]}" --json > "$LOGS/single-$i.json" \
            2> "$LOGS/single-$i.stderr" || rc=$?
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        rss="$(($(time_field "$LOGS/single-$i.time" "$RSS_FIELD") / 1024))"
        outcome="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; print(r["outcome"], {k: v for k, v in r["counts"].items() if v})' "$LOGS/single-$i.json" 2> /dev/null || echo "exit $rc")"
        echo "   run $i: ${ms} ms wall, peak RSS ${rss} MB, $outcome"
        [[ $rc -eq 0 ]] || FAILED=1
        SINGLE_MS+=("$ms")
    done
fi

echo
echo "== $SCHOOLS schools, $LEARNERS learners, $STAFF staff, ~$MEMBERSHIPS memberships," \
    "churn $CHURN%$([[ $CHURN_ALL -eq 1 ]] && echo ', every school')," \
    "directory $([[ -n "$PG_CONN" ]] && echo PostgreSQL || echo SQLite)"
printf '%-9s %-10s %9s %9s %9s %12s  %s\n' run as-of "wall s" "CPU s" "RSS MB" "db MB" status
printf '%s\n' "${RESULTS[@]}"
if [[ -n "$PARSE0" && -n "$IMPORT" ]]; then
    echo
    echo "== limits measured in this run: parse day 0 ${PARSE0} s, parse day 1 ${PARSE1} s," \
        "import ${IMPORT} s"
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
    sum="$(awk -v a="$PARSE0" -v b="$IMPORT" 'BEGIN { print a + b }')"
    printf '%-9s %9s %18s %14s\n' run "wall s" "/ (parse+import)" "/ parse"
    printf '%-9s %9s %18s %14s\n' initial "${WALL[initial]}" "$(ratio "${WALL[initial]}" "$sum")" \
        "$(ratio "${WALL[initial]}" "$PARSE0")"
    printf '%-9s %9s %18s %14s\n' no-op "${WALL[no-op]}" "$(ratio "${WALL[no-op]}" "$sum")" \
        "$(ratio "${WALL[no-op]}" "$PARSE0")"
    printf '%-9s %9s %18s %14s\n' churn "${WALL[churn]}" "$(ratio "${WALL[churn]}" "$sum")" \
        "$(ratio "${WALL[churn]}" "$PARSE1")"
    echo "targets: initial / (parse + import) <= 2; churn (1%, every school) / parse <= 4"
fi
if [[ ${#SINGLE_MS[@]} -gt 0 ]]; then
    echo "single school ($best, $best_n learner records): ${SINGLE_MS[*]} ms (target <= 50 ms)"
fi
exit $FAILED

#!/usr/bin/env bash
# The odbc connector's throughput (docs/formats-odbc.md): a national-scale SQLite MIS database
# (1500 schools × 333 learners, 26 staff and 6 class memberships a learner: 499,500 learners,
# 39,000 staff, 2,997,000 memberships by default) made with
# sqlite3 alone, then bench/odbc_read.cpp reads every school through the SQLite ODBC driver.
#   bench/odbc_bench.sh [--schools N] [--repeat K] [--regenerate]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${MISYNC_BUILD_DIR:-$ROOT/build-release}"
WORK="${BENCH_WORK:-$ROOT/bench/out/odbc}"
SCHOOLS=1500
REPEAT=2
REGENERATE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --schools) SCHOOLS="$2"; shift ;;
        --repeat) REPEAT="$2"; shift ;;
        --regenerate) REGENERATE=1 ;;
        *) echo "odbc_bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
"$ROOT/scripts/deps.sh"
mkdir -p "$WORK"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMISYNC_BUILD_TESTS=OFF \
        > "$WORK/configure.log"
fi
cmake --build "$BUILD" -j "${JOBS:-2}" --target misync-bench-odbc_read > "$WORK/build.log"
DB="$WORK/mis-$SCHOOLS.sqlite"
if [[ $REGENERATE -eq 1 || ! -f "$DB" ]]; then
    rm -f "$DB"
    LEARNERS=$((500000 / 1500))
    STAFF=$((40000 / 1500))
    echo "== writing $DB: $SCHOOLS schools x $LEARNERS learners, $STAFF staff, 6 groups a learner"
    sqlite3 "$DB" <<SQL
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
CREATE TABLE pupils (dfes TEXT, id TEXT, upn TEXT, forename TEXT, surname TEXT, year TEXT, form TEXT, start TEXT);
CREATE TABLE staff (dfes TEXT, id TEXT, forename TEXT, surname TEXT);
CREATE TABLE memberships (dfes TEXT, code TEXT, kind TEXT, year TEXT, member TEXT, member_kind TEXT);
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $SCHOOLS),
     l(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM l WHERE n < $LEARNERS)
INSERT INTO pupils SELECT CAST(6600000 + s.n AS TEXT), 'P' || l.n, '',
    'Forename' || (l.n % 97), 'Surname' || (l.n % 89), 'Year ' || (7 + l.n % 5),
    (7 + l.n % 5) || 'A', '2025-09-01' FROM s, l;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $SCHOOLS),
     t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < $STAFF)
INSERT INTO staff SELECT CAST(6600000 + s.n AS TEXT), 'S' || t.n, 'Staff' || t.n, 'Teacher' || t.n FROM s, t;
WITH RECURSIVE g(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM g WHERE k < 5)
INSERT INTO memberships SELECT p.dfes, p.form || '/C' || g.k, 'Class', substr(p.form, 1, length(p.form) - 1), p.id, 'Pupil'
    FROM pupils p, g;
CREATE INDEX pupils_dfes ON pupils (dfes); CREATE INDEX staff_dfes ON staff (dfes);
CREATE INDEX memberships_dfes ON memberships (dfes);
SQL
fi
echo "== database: $(du -h "$DB" | cut -f1); commit $(git -C "$ROOT" rev-parse --short HEAD)"
"$BUILD/bench/misync-bench-odbc_read" --db "$DB" --schools "$SCHOOLS" --repeat "$REPEAT"

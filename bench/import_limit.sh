#!/usr/bin/env bash
# The machine's import limit (issue 8, docs/performance.md "Limits and ratios"): the sqlite3 CLI
# `.import`s accounts, usernames, groups and memberships CSVs (written by
# `misync-bench-parse_limit --csv`) into a fresh database with the directory's real tables
# (schema/sqlite/*.sql), all in one transaction, with the schema's secondary indexes created
# after the rows, inside the same timing. The tables' own UNIQUE / PRIMARY KEY indexes
# (accounts.username, usernames.name, groups (school, code), memberships (group_id, account_id))
# are filled during the import. Same pragmas as misync's directory (storage/sqlite_directory.cpp),
# except temp_store = MEMORY, which keeps the index builds' sorts in memory (the stronger limit).
#
# usage: bench/import_limit.sh CSV_DIR DB
# Prints one line "import_seconds=S accounts=N groups=N memberships=N db_MB=M".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CSV="${1:?usage: import_limit.sh CSV_DIR DB}"
DB="${2:?usage: import_limit.sh CSV_DIR DB}"
command -v sqlite3 > /dev/null || { echo "import_limit.sh: sqlite3 (Debian package sqlite3) is missing" >&2; exit 2; }

rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.schema"
# The schema as misync creates it, split into tables (created before the import) and the
# secondary indexes of the four tables (created after it).
cat "$ROOT"/schema/sqlite/[0-9]*.sql | sqlite3 "$DB.schema"
TABLES="'accounts','usernames','groups','memberships'"
CREATE_TABLES="$(sqlite3 "$DB.schema" "SELECT sql || ';' FROM sqlite_master WHERE type = 'table' AND name IN ($TABLES)")"
CREATE_INDEXES="$(sqlite3 "$DB.schema" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ($TABLES)")"
rm -f "$DB.schema"

SCRIPT="$(mktemp)"
trap 'rm -f "$SCRIPT"' EXIT
cat > "$SCRIPT" << SQL
.bail on
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -131072;
PRAGMA wal_autocheckpoint = 16384;
PRAGMA temp_store = MEMORY;
$CREATE_TABLES
BEGIN;
.mode csv
.import '$CSV/accounts.csv' accounts
.import '$CSV/usernames.csv' usernames
.import '$CSV/groups.csv' groups
.import '$CSV/memberships.csv' memberships
$CREATE_INDEXES
COMMIT;
SQL
# Timed: the transaction above (the CREATE TABLEs on an empty database cost nothing).
start=$(date +%s.%N)
sqlite3 "$DB" < "$SCRIPT" > /dev/null
end=$(date +%s.%N)
counts="$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM groups), (SELECT count(*) FROM memberships)")"
IFS='|' read -r accounts groups memberships <<< "$counts"
bytes=0
for f in "$DB" "$DB-wal"; do
    [[ -f "$f" ]] && bytes=$((bytes + $(stat -c %s "$f")))
done
awk -v s="$start" -v e="$end" -v a="$accounts" -v g="$groups" -v m="$memberships" -v b="$bytes" \
    'BEGIN { printf "import_seconds=%.3f accounts=%d groups=%d memberships=%d db_MB=%.1f\n", e - s, a, g, m, b / 1e6 }'

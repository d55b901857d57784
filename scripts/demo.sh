#!/usr/bin/env bash
# The README's first command: build, then run misync once over the bundled sample schools — SIMS
# extracts (examples/sims/), Teacher Centre, CTF and OneRoster exports, and one school read from a
# database through ODBC (examples/odbc/) —
# into a SQLite directory (examples/work/directory.db), printing what it did.
# Run it again to see a second run plan nothing (R12).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" misync
# The odbc school's database and its connection string (SQLite ODBC driver, from deps.sh).
work="$root/examples/work"
mkdir -p "$work"
if [ ! -f "$work/mis-6640003.sqlite" ]; then
  sqlite3 "$work/mis-6640003.sqlite" <"$root/examples/odbc/6640003.sql"
fi
(umask 077 && printf 'Driver=SQLite3;Database=%s\n' "$work/mis-6640003.sqlite" >"$work/6640003.odbc")
exec "$root/build/daemon/misync" --config "$root/examples/misync.toml" run "$@"

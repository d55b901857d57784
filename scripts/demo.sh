#!/usr/bin/env bash
# The README's first command: build, then run misync once over the bundled sample SIMS extracts
# (examples/sims/) into a SQLite directory (examples/work/directory.db), printing what it did.
# Run it again to see a second run plan nothing (R12).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" misync
exec "$root/build/daemon/misync" --config "$root/examples/misync.toml" run "$@"

#!/usr/bin/env bash
# Shows that the guide test can fail: run_guide.sh over tests/guide/fixture-failing/ must fail,
# naming the chapter and line of the failing command (02-fails.md:5, a check-config of a file that
# does not exist), and must refuse a shown block whose misync command does not parse.
#   tests/guide/self_test.sh MISYNC_BINARY SOURCE_DIR
set -euo pipefail
binary=$1
src=$2
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"; rm -rf "${tmp:-}"' EXIT

if bash "$here/run_guide.sh" "$binary" "$src" "$here/fixture-failing" >"$log" 2>&1; then
  echo "self_test: run_guide.sh passed a guide with a failing command" >&2
  cat "$log" >&2
  exit 1
fi
grep -q 'guide: FAILED at 02-fails.md:5 ' "$log" || {
  echo "self_test: the failure does not name 02-fails.md:5" >&2
  cat "$log" >&2
  exit 1
}

# A shown (```sh root) block with a misspelt option must be refused too.
tmp=$(mktemp -d)
printf '[c](01-shown.md)\n' >"$tmp/README.md"
printf '# Shown\n\n```sh root\nsudo -u misync misync status --shcool 6612345\n```\n\n```sh\ntrue\n```\n' >"$tmp/01-shown.md"
if bash "$here/run_guide.sh" "$binary" "$src" "$tmp" >"$log" 2>&1; then
  echo "self_test: run_guide.sh passed a shown block that does not parse" >&2
  exit 1
fi
grep -q 'guide: FAILED at 01-shown.md:4: .*does not parse' "$log" || {
  echo "self_test: the parse failure does not name 01-shown.md:4" >&2
  cat "$log" >&2
  exit 1
}
echo "self_test: run_guide.sh fails where it should"

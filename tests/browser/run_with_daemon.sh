#!/usr/bin/env bash
# The dashboard's browser check (check_dashboard.mjs) against the real daemon:
#
#   run_with_daemon.sh MISYNC_BINARY SOURCE_DIR OUT_DIR
#
# Copies the bundled sample extracts (SOURCE_DIR/examples/sims) into a temporary folder, makes an
# admin token and a school token with their SHA-256 digests in a tokens file (SPEC §7), and gives
# the three schools a history with something to show: a first run applied for all of them, then
# a second one in which 6614001's extract is garbage (failed) and 6714002's has lost two thirds of
# its learners (held by S3/S4). Then it starts `misync daemon` on a free loopback port, asks it
# over the API for a run of 6612000 (202), waits until the daemon is idle, runs run_check.sh with both tokens and a wrong one,
# and stops the daemon with SIGTERM (it must exit 0). Screenshots go to OUT_DIR.
# Exit status: run_check.sh's (0 passed, 1 a check failed, 3 timeout), 77 when node, npm or
# chromium is missing, 4 when the daemon misbehaved.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
src=$2
out=$3

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (scripts/deps.sh installs it)"
    exit 77
  fi
done
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "SKIP: ${CHROMIUM:-/usr/bin/chromium} is not installed (scripts/deps.sh installs it)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/misync-browser-XXXXXX")
daemon=""
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kill -KILL "$daemon" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  [ -f "$work/daemon.log" ] && { echo "---- daemon log ----"; cat "$work/daemon.log"; }
  exit 4
}

cp -r "$src/examples/sims" "$work/sims"
token() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }
digest() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
admin=$(token)
school=$(token)
wrong=$(token)
umask 077
cat >"$work/tokens.toml" <<EOF
[[token]]
name = "browser-admin"
scope = "admin"
sha256 = "$(digest "$admin")"

[[token]]
name = "browser-school"
scope = "school:6612000"
sha256 = "$(digest "$school")"
EOF
cat >"$work/misync.toml" <<EOF
[directory]
path = "$work/directory.db"
[secrets]
key_file = "$work/secret.key"
[status]
listen = "127.0.0.1:0"
tokens_file = "$work/tokens.toml"
[[school]]
dfes = "6612000"
name = "Ysgol Gynradd Enghraifft"
connector = "sims-xml"
source = "$work/sims/6612000"
[[school]]
dfes = "6614001"
name = "Ysgol y Bryn"
connector = "sims-xml"
source = "$work/sims/6614001"
[[school]]
dfes = "6714002"
name = "Ysgol Uwchradd y Dyffryn"
connector = "sims-xml"
source = "$work/sims/6714002"
EOF

"$bin" --config "$work/misync.toml" run >"$work/run-1.out" 2>&1 || fail "the first run: $(cat "$work/run-1.out")"
printf 'this is not XML\n' >"$work/sims/6614001/students.xml"
students="$work/sims/6714002/students.xml"
{ head -n 22 "$students"; echo '</SuperStarReport>'; } >"$students.new"
mv "$students.new" "$students"
set +e
"$bin" --config "$work/misync.toml" run >"$work/run-2.out" 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "the second run should have failed one school and held another: $(cat "$work/run-2.out")"

"$bin" --config "$work/misync.toml" daemon 2>"$work/daemon.log" &
daemon=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*status: listening on .* port \([0-9]*\).*/\1/p' "$work/daemon.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$daemon" 2>/dev/null || fail "the daemon ended at start-up"
  sleep 0.1
done
[ -n "$port" ] || fail "the daemon never said where it listens"
url="http://127.0.0.1:$port"
echo "daemon (pid $daemon) at $url"

code=$(curl -s -o "$work/sync.json" -w '%{http_code}' -X POST \
  -H "Authorization: Bearer $admin" "$url/api/v1/schools/6612000/sync")
[ "$code" = 202 ] || fail "POST /api/v1/schools/6612000/sync answered $code: $(cat "$work/sync.json")"
for _ in $(seq 1 300); do
  grep -q 'school=6612000 run=[0-9]* outcome=[a-z_]* trigger=api' "$work/daemon.log" && break
  sleep 0.1
done
grep -q 'trigger=api' "$work/daemon.log" || fail "the API's run of 6612000 never ended"
# The start-up check may run the failed and the held school again, once their drop folders have
# settled (settle_seconds after start, possibly after the API's run and an "idle" line): wait
# until each school it announced ("changed since its last run") has run from its folder and
# nothing runs or waits, so that the page and the API the check compares it with see the same
# runs.
changed=$(sed -n 's/.* school=\([0-9]*\) drop folder .*: changed since its last run.*/\1/p' "$work/daemon.log")
idle=""
for _ in $(seq 1 300); do
  pending=""
  for d in $changed; do
    grep -q "school=$d run=[0-9]* outcome=[a-z_]* trigger=file" "$work/daemon.log" || pending=1
  done
  last=$(grep -E ' outcome=| idle: ' "$work/daemon.log" | tail -n 1)
  if [ -z "$pending" ]; then
    case "$last" in *" idle: "*) idle=1; break ;; esac
  fi
  sleep 0.1
done
[ -n "$idle" ] || fail "the daemon never became idle after the start-up check's runs (${changed:-none})"

set +e
bash "$here/run_check.sh" --base-url "$url" --admin-token "$admin" \
  --school-token "6612000:$school" --wrong-token "$wrong" --out "$out" --timeout 120
rc=$?
set -e

kill -TERM "$daemon"
set +e
wait "$daemon"
stopped=$?
set -e
daemon=""
if [ "$stopped" -ne 0 ]; then
  fail "the daemon exited $stopped after SIGTERM"
fi
if grep -q -e "$admin" -e "$school" "$work/daemon.log"; then
  fail "a bearer token reached the daemon's log"
fi
exit $rc

#!/usr/bin/env bash
# Runs the dashboard's browser check (check_dashboard.mjs) in Debian's Chromium:
#
#   run_check.sh --base-url URL --admin-token T --school-token D:T [--wrong-token T] [--out DIR] [--timeout S]
#       against a running status endpoint (the daemon); the same settings may come from the
#       environment instead (MISYNC_BASE_URL, MISYNC_ADMIN_TOKEN, MISYNC_SCHOOL_TOKEN, …; see
#       check_dashboard.mjs);
#   run_check.sh --dev-server [--out DIR] [--timeout S]
#       against dev_server.mjs (DEVELOPMENT AID: fixed data), started here on a free loopback
#       port and stopped afterwards.
#
# Installs playwright-core (package-lock.json) with `npm ci` first when node_modules is missing.
# Exit status: check_dashboard.mjs's (0 passed, 1 a check failed, 2 usage, 3 timeout or no
# browser), or 77 when node, npm or /usr/bin/chromium is not installed here at all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (scripts/deps.sh installs it)"
    exit 77
  fi
done
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "SKIP: ${CHROMIUM:-/usr/bin/chromium} is not installed (Debian package chromium; scripts/deps.sh installs it)"
  exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "installing playwright-core: npm ci --prefix $here"
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi

if [ "${1:-}" != "--dev-server" ]; then
  exec node "$here/check_dashboard.mjs" "$@"
fi
shift

log=$(mktemp)
node "$here/dev_server.mjs" --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on //p' "$log")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "FAIL: dev_server.mjs did not start:"
  cat "$log"
  exit 3
fi
echo "dev server (fixed data) at $url"
set +e
node "$here/check_dashboard.mjs" --base-url "$url" --admin-token dev-admin \
  --school-token 6612345:dev-school-6612345 "$@"
rc=$?
set -e
exit $rc

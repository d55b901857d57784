#!/usr/bin/env bash
# ctest `windows_cross` (label windows; docs/windows.md): cross-builds misync.exe with the
# Windows service and the Windows unit tests (build.sh), then, under Debian's Wine in a
# throwaway prefix (headless, WINEDEBUG=-all):
#   - `misync.exe version`, and `check-config` on a good and on a bad configuration (0 and 2);
#   - a one-school `run` on the bundled SIMS sample with a SQLite directory: applied, with the
#     same counts and file digests as the native misync (NATIVE_MISYNC) on the same files, then
#     a second run that finds nothing changed;
#   - the cross-built unit tests (core, reconcile, daemon parts: docs/windows.md lists them);
#   - the service through Wine's service control manager: `misync service install`, `start`
#     (the status endpoint answers /healthz), `reload` (paramchange), `stop` (it no longer
#     answers), `uninstall`.
# Any unexpected exit status or output fails the test. Without Wine it checks the build only
# and says so (exit 77: skipped).
# Usage: check_windows.sh SOURCE_DIR NATIVE_MISYNC [BUILD_DIR]
set -uo pipefail
root=$(realpath "$1")
native=$2
out=${3:-$root/build-win}
started=$(date +%s)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

mkdir -p "$out"
if ! "$root/windows-service/cross/build.sh" "$out" >"$out/build.log" 2>&1 ||
    ! exe=$(tail -1 "$out/build.log") || [ ! -f "$exe" ]; then
    tail -60 "$out/build.log"
    echo "FAIL: the cross-build (windows-service/cross/build.sh) failed; its log: $out/build.log"
    exit 1
fi
echo "built $exe in $(($(date +%s) - started)) s"
tests_dir=$(dirname "$(dirname "$exe")")/tests

wine=$(command -v wine64 || command -v wine || ls /usr/lib/wine/wine64 2>/dev/null || true)
if [ -z "$wine" ]; then
    echo "no Wine (Debian's wine64): the build is checked, nothing is run"
    exit 77
fi
scratch=$(mktemp -d /tmp/misync-wine.XXXXXX)
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
keeper=
cleanup() {
    "$wine" "$exe" service uninstall >/dev/null 2>&1 || true
    [ -n "$keeper" ] && kill "$keeper" 2>/dev/null
    wineserver -k >/dev/null 2>&1 || /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT
w() { timeout 120 "$wine" "$@"; }
w cmd /c exit 0 >/dev/null 2>&1 || true  # wineboot: makes the prefix

# version
v=$(w "$exe" version 2>&1) && [[ $v == misync\ * ]] && ok "version: $v" || fail "version: $v"

# check-config, good and bad
work="$scratch/work"
mkdir -p "$work"
cp -r "$root/examples/sims" "$work/"
# A port nothing listens on (misync on Windows refuses a taken one: SO_EXCLUSIVEADDRUSE).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for _ in $(seq 50); do
    p=$((20000 + RANDOM % 12000))
    listening $p || { port=$p && break; }
done
[ -n "$port" ] || { echo "FAIL: no free port"; exit 1; }
cat >"$work/misync.toml" <<TOML
[directory]
backend = "sqlite"
path = "state/directory.db"

[secrets]
key_file = "state/secret.key"

[daemon]
stop_timeout_seconds = 10

[status]
listen = "127.0.0.1:$port"

[policy]
email_domain = "hwbcymru.net"

[[school]]
dfes = "6612000"
name = "Ysgol Gynradd Enghraifft"
connector = "sims-xml"
source = "sims/6612000"
schedule = "daily 06:30"
TOML
printf '[directory]\nbackend = "sqlite"\nbogus = 1\n' >"$work/bad.toml"
cd "$work" || exit 1
r=$(w "$exe" check-config --config misync.toml 2>&1); rc=$?
[ $rc -eq 0 ] && [[ $r == *valid* ]] && ok "check-config" || fail "check-config ($rc): $r"
r=$(w "$exe" check-config --config bad.toml 2>&1); rc=$?
[ $rc -eq 2 ] && ok "check-config of a bad file exits 2" || fail "check-config bad ($rc): $r"

# one school's run, against the native binary's on the same files
summary() { sed -e 's/.*"counts":\({[^}]*}\).*/\1/' "$1"; }
digests() { grep -o '"sha256":"[0-9a-f]*"' "$1" | tr '\n' ' '; }
w "$exe" run --config misync.toml --as-of 2025-01-10 --json >win.json 2>win.err; rc=$?
if [ $rc -eq 0 ] && grep -q '"outcome":"applied"' win.json; then
    ok "run: applied"
else
    fail "run ($rc): $(cat win.err) $(head -c 400 win.json)"
fi
mkdir -p native && cp -r sims native/ && sed 's/127.0.0.1:[0-9]*/127.0.0.1:0/' misync.toml >native/misync.toml
(cd native && "$native" run --config misync.toml --as-of 2025-01-10 --json >../native.json 2>/dev/null)
if [ "$(summary win.json)" = "$(summary native.json)" ] && [ -n "$(digests win.json)" ] &&
    [ "$(digests win.json)" = "$(digests native.json)" ]; then
    ok "run: the same counts and digests as on Linux: $(summary win.json)"
else
    fail "run differs from Linux: $(summary win.json) / $(summary native.json)"
fi
w "$exe" run --config misync.toml --as-of 2025-01-10 --json >win2.json 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q '"outcome":"no_change"' win2.json && ok "second run: no_change" ||
    fail "second run ($rc): $(head -c 400 win2.json)"
r=$(w "$exe" service bogus 2>&1); rc=$?
[ $rc -eq 2 ] && ok "service with an unknown action exits 2" || fail "service bogus ($rc): $r"

# the unit tests that are cross-built
for t in misync_core_tests misync_reconcile_tests misync_daemon_tests; do
    r=$(cd "$root/tests" && w "$tests_dir/$t.exe" --gtest_brief=1 2>&1); rc=$?
    if [ $rc -eq 0 ]; then
        ok "$t: $(echo "$r" | grep -E 'PASSED' | tail -1)"
    else
        fail "$t ($rc): $(echo "$r" | grep -E 'FAILED|Failure' | head -20)"
    fi
done

# the service, through Wine's service control manager. Wine ends its services when the last
# ordinary process of the prefix ends: one waits meanwhile (and is ended by cleanup). It starts
# a session of its own, so that the service's output (Wine prints the event log's errors and,
# with +eventlog, all of it) lands in service.log, shown when a step fails.
wineserver -k >/dev/null 2>&1 || /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
wineserver -w >/dev/null 2>&1 || /usr/lib/wine/wineserver -w >/dev/null 2>&1 || true
WINEDEBUG=-all,+eventlog "$wine" ping -n 900 127.0.0.1 >/dev/null 2>"$scratch/service.log" &
keeper=$!
w cmd /c exit 0 >/dev/null 2>&1 || true
service_fail() {
    fail "$*"
    echo "--- sc query misync:"
    w sc query misync 2>&1 | tr -d '\r' | sed 's/^/    /'
    echo "--- what the service printed (the event log), last 40 lines:"
    tail -40 "$scratch/service.log" | sed 's/^/    /'
}
healthy() { curl -fsS -m 2 "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"ok"'; }
r=$(w "$exe" service install --config misync.toml 2>&1); rc=$?
[ $rc -eq 0 ] && ok "service install" || fail "service install ($rc): $r"
r=$(w "$exe" service start 2>&1); rc=$?
[ $rc -eq 0 ] && ok "service start: $r" || fail "service start ($rc): $r"
wait_healthy() {  # up to $1 seconds
    for _ in $(seq "$1"); do
        healthy && return 0
        sleep 1
    done
    return 1
}
wait_healthy 120 && ok "the service answers /healthz on port $port" ||
    service_fail "the service does not answer /healthz on port $port in 120 s"
r=$(w "$exe" service reload 2>&1); rc=$?
[ $rc -eq 0 ] && ok "service reload" || fail "service reload ($rc): $r"
sleep 1
wait_healthy 30 && ok "still answering after the reload" || service_fail "no answer after the reload"
r=$(w "$exe" service stop 2>&1); rc=$?
[ $rc -eq 0 ] && ok "service stop: $r" || service_fail "service stop ($rc): $r"
healthy && fail "still answering after the stop" || ok "stopped: /healthz no longer answers"
r=$(w "$exe" service uninstall 2>&1); rc=$?
[ $rc -eq 0 ] && ok "service uninstall" || service_fail "service uninstall ($rc): $r"
r=$(w "$exe" service start 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $r == *"does not exist"* || $r == *"install it first"* ]] &&
    ok "service start after uninstall fails with Windows' reason" || fail "start after uninstall ($rc): $r"

echo "windows_cross: $fails failed, $(($(date +%s) - started)) s"
[ $fails -eq 0 ]

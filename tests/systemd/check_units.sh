#!/usr/bin/env bash
# Checks the systemd units in systemd/ (SPEC §10), as registered in tests/CMakeLists.txt:
#   check_units.sh SYSTEMD_DIR MISYNC_BINARY [BUILD_DIR CMAKE]
# 1. `systemd-analyze verify` finds nothing to say about misync.service, misync-run.service and
#    misync-run.timer (ExecStart pointed at the built binary, since /usr/bin/misync is not
#    installed here);
# 2. `systemd-analyze security --offline=yes` rates misync.service and misync-run.service 2.0 or
#    lower (and, so that this check can fail, an unhardened unit above 2.0);
# 3. both services carry the same hardening, and misync.service what the daemon relies on
#    (Type=notify, watchdog, its own user, StateDirectory 0700, the tokens credential, …);
# 4. systemd-sysusers creates the misync user and group from misync.sysusers;
# 5. with BUILD_DIR, `cmake --install` puts them where systemd looks: as they are under --prefix
#    /usr, naming /usr/local/bin/misync under --prefix /usr/local.
# Exit 0 all passed, 1 a check failed, 77 (ctest SKIP_RETURN_CODE) systemd-analyze cannot run.
set -uo pipefail

units_dir=${1:?usage: check_units.sh SYSTEMD_DIR MISYNC_BINARY}
binary=${2:?usage: check_units.sh SYSTEMD_DIR MISYNC_BINARY}
max_exposure=2.0
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not installed (Debian package systemd; scripts/deps.sh installs it)"
  exit 77
fi
if ! systemd-analyze --version >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze does not run here: $(systemd-analyze --version 2>&1 | head -1)"
  exit 77
fi
echo "using $(systemd-analyze --version | head -1)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. systemd-analyze verify --------------------------------------------------------------
[ -x "$binary" ] || fail "the misync binary $binary is not there (build it first)"
mkdir -p "$work/units"
for u in misync.service misync-run.service misync-run.timer; do
  sed "s|/usr/bin/misync|$binary|g" "$units_dir/$u" >"$work/units/$u"
done
# Can verify run at all here (it builds a unit graph from the host's units)? A unit that is
# certainly right tells.
printf '[Unit]\nDescription=probe\n[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$work/probe.service"
if probe=$(cd "$work" && systemd-analyze verify --man=no --recursive-errors=no probe.service 2>&1) &&
  [ -z "$probe" ]; then
  for u in misync.service misync-run.service misync-run.timer; do
    # verify exits 0 on an unknown or misspelt key and only prints a warning: any output counts.
    out=$(cd "$work/units" && systemd-analyze verify --man=no --recursive-errors=no "$u" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || [ -n "$out" ]; then
      fail "systemd-analyze verify $u (exit $rc):"
      printf '%s\n' "$out" | sed 's/^/    /'
    else
      pass "systemd-analyze verify $u"
    fi
  done
else
  echo "NOTE: systemd-analyze verify cannot run in this environment, verify skipped:"
  printf '%s\n' "$probe" | sed 's/^/    /'
fi

# --- 2. systemd-analyze security ------------------------------------------------------------
# Prints "→ Overall exposure level for UNIT: 1.1 OK 🙂"; the number is what we check.
exposure() {
  (cd "$(dirname "$1")" && systemd-analyze security --offline=yes "$(basename "$1")" 2>&1) |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p'
}
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

printf '[Service]\nExecStart=/bin/true\n' >"$work/unhardened.service"
e=$(exposure "$work/unhardened.service")
if [ -z "$e" ] || at_most "$e" "$max_exposure"; then
  fail "an unhardened unit should rate above $max_exposure, got '${e}': the exposure is not read right"
else
  pass "an unhardened unit rates $e (the check can fail)"
fi
for u in misync.service misync-run.service; do
  e=$(exposure "$units_dir/$u")
  if [ -z "$e" ]; then
    fail "systemd-analyze security --offline=yes $u printed no overall exposure:"
    (cd "$units_dir" && systemd-analyze security --offline=yes "$u" 2>&1 | tail -5 | sed 's/^/    /')
  elif at_most "$e" "$max_exposure"; then
    pass "systemd-analyze security --offline=yes $u: $e (at most $max_exposure)"
  else
    fail "systemd-analyze security --offline=yes $u: $e, above $max_exposure:"
    (cd "$units_dir" && systemd-analyze security --offline=yes "$u" 2>&1 | grep '✗' | sed 's/^/    /')
  fi
done

# --- 3. directives ----------------------------------------------------------------------------
# The settings lines (no comments, no blanks) from "# Hardening:" to the end of [Service].
hardening() {
  sed -n '/^# Hardening:/,/^\[Install\]/p' "$1" | grep -v -e '^#' -e '^\[' -e '^[[:space:]]*$'
}
if [ -z "$(hardening "$units_dir/misync.service")" ]; then
  fail "misync.service has no '# Hardening:' block"
elif diff <(hardening "$units_dir/misync.service") <(hardening "$units_dir/misync-run.service") \
  >"$work/hardening.diff"; then
  pass "misync-run.service has the same hardening as misync.service ($(hardening "$units_dir/misync.service" | wc -l) settings)"
else
  fail "misync-run.service's hardening differs from misync.service's (< daemon, > run):"
  sed 's/^/    /' "$work/hardening.diff"
fi

# The last value of KEY in the unit (a later line overrides an earlier one, as in systemd).
value() { sed -n "s/^$2=//p" "$1" | tail -1; }
expect() {
  local unit=$1 key=$2 want=$3 got
  got=$(value "$units_dir/$unit" "$key")
  if [ "$got" = "$want" ]; then
    pass "$unit: $key=$want"
  else
    fail "$unit: $key should be '$want', is '$got'"
  fi
}
expect misync.service Type notify
expect misync.service NotifyAccess main
expect misync.service ExecStart "/usr/bin/misync --config /etc/misync/misync.toml daemon"
expect misync.service ExecReload '/bin/kill -HUP $MAINPID'
expect misync-run.service Type oneshot
expect misync-run.service ExecStart "/usr/bin/misync --config /etc/misync/misync.toml run"
for u in misync.service misync-run.service; do
  expect $u User misync
  expect $u Group misync
  expect $u StateDirectory misync
  expect $u StateDirectoryMode 0700
  expect $u ConfigurationDirectory misync
  expect $u UMask 0077
done
expect misync.service LoadCredential tokens.toml:/etc/misync/tokens.toml
expect misync-run.timer Persistent true
expect misync-run.timer Unit misync-run.service
[ -n "$(value "$units_dir/misync-run.timer" OnCalendar)" ] || fail "misync-run.timer has no OnCalendar="
[ -n "$(value "$units_dir/misync-run.timer" RandomizedDelaySec)" ] ||
  fail "misync-run.timer has no RandomizedDelaySec="

# Seconds of a systemd time span such as 40s, 1min 30s, 2min.
seconds() {
  awk '{ t = 0; for (i = 1; i <= NF; i++) { n = $i + 0; u = $i; sub(/^[0-9.]+/, "", u);
         t += n * (u == "min" || u == "m" ? 60 : u == "h" ? 3600 : 1) } print t }' <<<"$1"
}
stop=$(seconds "$(value "$units_dir/misync.service" TimeoutStopSec)")
if [ "${stop:-0}" -gt 30 ] && [ "$stop" -le 60 ]; then
  pass "misync.service: TimeoutStopSec ${stop}s, a little over stop_timeout_seconds (30)"
else
  fail "misync.service: TimeoutStopSec should be a little over 30s, is '${stop}'"
fi
watchdog=$(seconds "$(value "$units_dir/misync.service" WatchdogSec)")
if [ "${watchdog:-0}" -ge 2 ]; then
  pass "misync.service: WatchdogSec ${watchdog}s (the daemon pings every $((watchdog / 2))s)"
else
  fail "misync.service: WatchdogSec should be set, is '${watchdog}'"
fi

# --- 4. sysusers ------------------------------------------------------------------------------
if command -v systemd-sysusers >/dev/null 2>&1; then
  root="$work/root"
  mkdir -p "$root/etc" "$root/usr/lib/sysusers.d"
  cp "$units_dir/misync.sysusers" "$root/usr/lib/sysusers.d/misync.conf"
  if out=$(systemd-sysusers --root="$root" 2>&1); then
    user=$(grep '^misync:' "$root/etc/passwd")
    group=$(grep '^misync:' "$root/etc/group")
    uid=$(cut -d: -f3 <<<"$user")
    if [ -n "$user" ] && [ -n "$group" ] && [ "$(cut -d: -f6 <<<"$user")" = /var/lib/misync ] &&
      [ "$(cut -d: -f4 <<<"$user")" = "$(cut -d: -f3 <<<"$group")" ] && [ "${uid:-0}" -lt 1000 ] &&
      [ "${uid:-0}" -gt 0 ]; then
      pass "systemd-sysusers creates $user"
    else
      fail "systemd-sysusers did not create a misync system user and group with home /var/lib/misync:"
      printf '%s\n%s\n%s\n' "$out" "$user" "$group" | sed 's/^/    /'
    fi
  else
    fail "systemd-sysusers --root rejected misync.sysusers:"
    printf '%s\n' "$out" | sed 's/^/    /'
  fi
else
  echo "NOTE: systemd-sysusers is not installed, misync.sysusers not checked"
fi

# --- 5. cmake --install ----------------------------------------------------------------------
if [ $# -ge 4 ]; then
  build_dir=$3
  cmake=$4
  for prefix in /usr /usr/local; do
    dest="$work/install$prefix"
    if ! out=$(DESTDIR="$work/install" "$cmake" --install "$build_dir" --prefix "$prefix" 2>&1); then
      fail "cmake --install --prefix $prefix:"
      printf '%s\n' "$out" | tail -5 | sed 's/^/    /'
      continue
    fi
    missing=""
    for f in lib/systemd/system/misync.service lib/systemd/system/misync-run.service \
      lib/systemd/system/misync-run.timer lib/sysusers.d/misync.conf bin/misync share/doc/misync/daemon.md; do
      [ -f "$dest/$f" ] || missing="$missing $f"
    done
    check_exec=$(value "$dest/lib/systemd/system/misync.service" ExecStart)
    if [ -n "$missing" ]; then
      fail "cmake --install --prefix $prefix did not install:$missing"
    elif [ "$check_exec" != "$prefix/bin/misync --config /etc/misync/misync.toml daemon" ]; then
      fail "cmake --install --prefix $prefix: misync.service runs '$check_exec'"
    elif [ "$prefix" = /usr ] && ! cmp -s "$dest/lib/systemd/system/misync.service" "$units_dir/misync.service"; then
      fail "cmake --install --prefix /usr changed misync.service"
    else
      pass "cmake --install --prefix $prefix: units, sysusers and docs in place, ExecStart=$check_exec"
    fi
    rm -rf "$work/install"
  done
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

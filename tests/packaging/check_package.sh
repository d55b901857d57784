#!/usr/bin/env bash
# The Debian package (packaging/, docs/packaging.md), as registered in tests/CMakeLists.txt
# (label "packaging"):   check_package.sh BUILD_DIR SOURCE_DIR CPACK
# 1. cpack builds the .deb from the built tree;
# 2. its contents: every file where it belongs with its mode and owner, nothing else, the units
#    as in systemd/, the conffiles, Depends: naming the package of every library the binary
#    links, maintainer scripts that pass `sh -n`, a man page with every subcommand;
# 3. `dpkg --root` installs it into a scratch root with an empty dpkg database (the maintainer
#    scripts run outside a chroot with DPKG_ROOT set): the misync user, /var/lib/misync 0700,
#    misync.service enabled and the timer not;
# 4. the installed binary runs as misync.service would: ExecStart's arguments against the
#    scratch root's configuration (only `listen` changed, to a free loopback port), as the
#    misync user, UMask 0077, the tokens file handed over as a credential, /var/lib/misync the
#    scratch root's (a private mount namespace); /healthz answers, SIGTERM ends it with 0;
# 5. `dpkg -r` keeps the configuration, the database and the key; `dpkg -P` removes the
#    conffiles and still keeps /var/lib/misync with a message;
# 6. a second scratch root without systemd-sysusers and with a systemd-tmpfiles that fails (as
#    in a chroot without /proc): the fallbacks create the user and folder, and a purge of a
#    never-used installation removes the empty folder.
# Needs root (dpkg, chown, mount namespaces): exit 77 (ctest SKIP_RETURN_CODE) otherwise.
# Nothing outside its own temporary folder is changed.
set -uo pipefail

build_dir=${1:?usage: check_package.sh BUILD_DIR SOURCE_DIR CPACK}
source_dir=${2:?usage: check_package.sh BUILD_DIR SOURCE_DIR CPACK}
cpack=${3:?usage: check_package.sh BUILD_DIR SOURCE_DIR CPACK}
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }
indent() { sed 's/^/    /'; }

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root (dpkg --root, chown to the misync user, a mount namespace)"
  exit 77
fi
for tool in dpkg dpkg-deb dpkg-shlibdeps curl setpriv readelf groff; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (scripts/deps.sh installs it)"
    exit 77
  fi
done

# The binary runs as the scratch root's misync user, which must be able to reach it.
work=$(mktemp -d /tmp/misync-package.XXXXXX)
chmod 0755 "$work"
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. cpack ---------------------------------------------------------------------------------
if ! out=$("$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/pkg" 2>&1); then
  fail "cpack failed:"
  printf '%s\n' "$out" | tail -20 | indent
  exit 1
fi
deb=$(find "$work/pkg" -maxdepth 1 -name 'misync_*.deb' | head -1)
if [ -z "$deb" ]; then
  fail "cpack made no misync_*.deb:"
  printf '%s\n' "$out" | tail -10 | indent
  exit 1
fi
pass "cpack built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# --- 2. contents ------------------------------------------------------------------------------
# "MODE OWNER PATH" of every entry, as dpkg-deb lists it (directories end in /).
dpkg-deb -c "$deb" | awk '{ p = $6; for (i = 7; i <= NF; i++) p = p " " $i; print $1, $2, p }' \
  >"$work/contents"
expect_entry() {  # MODE PATH
  if grep -qxF -e "$1 root/root $2" "$work/contents"; then
    pass "in the package: $1 $2"
  else
    fail "the package should hold $2 as $1 root/root; it has: $(grep -F -e " $2" "$work/contents" | head -1)"
  fi
}
expect_entry -rwxr-xr-x ./usr/bin/misync
for f in usr/lib/systemd/system/misync.service usr/lib/systemd/system/misync-run.service \
  usr/lib/systemd/system/misync-run.timer usr/lib/sysusers.d/misync.conf \
  usr/lib/tmpfiles.d/misync.conf usr/share/man/man1/misync.1.gz etc/misync/misync.toml \
  usr/share/doc/misync/copyright usr/share/doc/misync/README.md usr/share/doc/misync/daemon.md \
  usr/share/doc/misync/configuration.md usr/share/doc/misync/packaging.md \
  usr/share/doc/misync/examples/minimal.toml usr/share/doc/misync/guide/README.md \
  usr/share/doc/misync/guide/11-troubleshooting.md; do
  expect_entry -rw-r--r-- "./$f"
done
expect_entry -rw------- ./etc/misync/tokens.toml
expect_entry drwxr-xr-x ./etc/misync/
# Nothing but these trees, nothing owned by anyone but root, no directory not 0755.
unexpected=$(awk '$3 !~ /^\.\/(usr\/bin\/misync|usr\/lib\/systemd\/system\/|usr\/lib\/sysusers\.d\/|usr\/lib\/tmpfiles\.d\/|usr\/share\/man\/|usr\/share\/doc\/misync\/|etc\/misync\/)/ &&
                 $3 !~ /^\.\/((usr|usr\/bin|usr\/lib|usr\/lib\/systemd|usr\/share|usr\/share\/doc|etc)\/)?$/' \
  "$work/contents")
[ -z "$unexpected" ] && pass "nothing else in the package" ||
  { fail "unexpected entries in the package:"; printf '%s\n' "$unexpected" | indent; }
bad_owner=$(awk '$2 != "root/root"' "$work/contents")
[ -z "$bad_owner" ] && pass "every entry is root/root" ||
  { fail "entries not owned by root:"; printf '%s\n' "$bad_owner" | indent; }
bad_dir=$(awk '$1 ~ /^d/ && $1 != "drwxr-xr-x"' "$work/contents")
[ -z "$bad_dir" ] && pass "every directory is 0755" ||
  { fail "directories not 0755:"; printf '%s\n' "$bad_dir" | indent; }

mkdir -p "$work/x" "$work/control"
dpkg-deb -x "$deb" "$work/x"
dpkg-deb -e "$deb" "$work/control"
for u in misync.service misync-run.service misync-run.timer; do
  cmp -s "$work/x/usr/lib/systemd/system/$u" "$source_dir/systemd/$u" &&
    pass "$u is systemd/$u" || fail "the packaged $u differs from systemd/$u"
done
cmp -s "$work/x/usr/lib/sysusers.d/misync.conf" "$source_dir/systemd/misync.sysusers" &&
  pass "sysusers.d/misync.conf is systemd/misync.sysusers" || fail "the packaged sysusers entry differs"
cmp -s "$work/x/etc/misync/misync.toml" "$source_dir/packaging/misync.toml" &&
  pass "/etc/misync/misync.toml is packaging/misync.toml" || fail "the packaged misync.toml differs"

# The default configuration is valid (tokens file handed over as the unit does).
if out=$(CREDENTIALS_DIRECTORY="$work/x/etc/misync" "$work/x/usr/bin/misync" \
  --config "$work/x/etc/misync/misync.toml" check-config 2>&1); then
  pass "misync check-config accepts the default configuration: $(head -1 <<<"$out")"
else
  fail "misync check-config rejects the default configuration:"
  printf '%s\n' "$out" | indent
fi

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = misync ] && pass "Package: misync" || fail "Package: $(field Package)"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] && pass "Architecture: $(field Architecture)" ||
  fail "Architecture: $(field Architecture)"
[ -n "$(field Version)" ] && pass "Version: $(field Version)" || fail "no Version:"
depends=$(field Depends)
# The package names in Depends: one a line, without versions; alternatives count.
depends_names=$(tr ',|' '\n\n' <<<"$depends" | sed 's/(.*//; s/[[:space:]]//g' | grep -v '^$')
# The package that holds a library file (dpkg knows some under /lib, some under /usr/lib).
owner_of() {
  local f p
  for f in "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr${1#/usr}"; do
    p=$(dpkg -S "$f" 2>/dev/null | head -1) && [ -n "$p" ] && { echo "${p%%:*}"; return; }
  done
}
# Every shared library the binary needs must come from a package that Depends: names.
missing_deps=""
resolved=$(ldd "$work/x/usr/bin/misync" 2>&1)
while read -r soname; do
  lib=$(awk -v s="$soname" '$1 == s && $2 == "=>" { print $3; exit }' <<<"$resolved")
  [ -n "$lib" ] || { missing_deps="$missing_deps $soname(not found)"; continue; }
  pkg=$(owner_of "$lib")
  # The package itself, or a name it provides (libspdlog1.10 provides libspdlog1.10-fmt9).
  names=$({ echo "${pkg:-?}"; [ -n "$pkg" ] && dpkg-query -W -f='${Provides}' "$pkg" 2>/dev/null |
    tr ',' '\n' | sed 's/(.*//; s/[[:space:]]//g'; })
  grep -qxF -f <(grep -v '^$' <<<"$names") <<<"$depends_names" ||
    missing_deps="$missing_deps $soname(${pkg:-no package})"
done < <(readelf -d "$work/x/usr/bin/misync" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ -z "$depends" ]; then
  fail "Depends: is empty (dpkg-shlibdeps did not run)"
elif [ -n "$missing_deps" ]; then
  fail "Depends: lacks the packages of:$missing_deps"
  echo "    Depends: $depends"
else
  pass "Depends: names the package of each of the binary's $(readelf -d "$work/x/usr/bin/misync" | grep -c NEEDED) libraries"
fi
# The libraries misync loads when it needs them (libpq for a PostgreSQL directory, libsystemd
# for the daemon, libzip for a OneRoster .zip) are not NEEDED entries: Depends: must name them
# all the same.
for pkg in libpq5 libsystemd0 libzip4; do
  grep -qxF "$pkg" <<<"$depends_names" && pass "Depends: names $pkg (loaded when needed)" ||
    fail "Depends: lacks $pkg, which misync loads when needed"
done
if [ "$(cat "$work/control/conffiles" 2>/dev/null)" = "$(printf '/etc/misync/misync.toml\n/etc/misync/tokens.toml')" ]; then
  pass "conffiles: /etc/misync/misync.toml, /etc/misync/tokens.toml"
else
  fail "conffiles should list misync.toml and tokens.toml, is: $(cat "$work/control/conffiles" 2>&1)"
fi
for s in postinst prerm postrm; do
  if [ ! -f "$work/control/$s" ]; then
    fail "no $s in the package"
  elif [ "$(stat -c %a "$work/control/$s")" != 755 ]; then
    fail "$s is mode $(stat -c %a "$work/control/$s"), not 755"
  elif ! out=$(sh -n "$work/control/$s" 2>&1); then
    fail "$s does not pass sh -n: $out"
  else
    pass "$s: 0755, passes sh -n"
  fi
done
# The man page renders without a warning and has a subsection for every command misync lists.
man_text=$(zcat "$work/x/usr/share/man/man1/misync.1.gz")
if warnings=$(groff -man -Tutf8 -ww -z <<<"$man_text" 2>&1) && [ -z "$warnings" ]; then
  pass "misync.1 renders without warnings ($(wc -l <<<"$man_text") lines)"
else
  fail "groff warns about misync.1:"
  printf '%s\n' "$warnings" | head -10 | indent
fi
commands=$("$work/x/usr/bin/misync" --help | awk '/^Subcommands:$/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [^ ]/ { print $1 }')
absent=""
for c in $commands; do
  grep -qF ".SS \"misync ${c//-/\\-} " <<<"$man_text" || absent="$absent $c"
done
if [ -z "$commands" ]; then
  fail "misync --help lists no subcommands"
elif [ -n "$absent" ]; then
  fail "misync.1 has no subsection for:$absent"
else
  pass "misync.1 documents all $(wc -w <<<"$commands") commands and $(grep -c '^\.SS' <<<"$man_text") subsections"
fi

# --- 3. install into a scratch root -----------------------------------------------------------
# A root with an empty dpkg database and the files a fresh system has in /etc.
make_root() {
  local r=$1
  mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/triggers" "$r/etc" \
    "$r/var/log"
  : >"$r/var/lib/dpkg/status"
  : >"$r/var/lib/dpkg/available"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\n' >"$r/etc/group"
  printf 'root:*:19000:0:99999:7:::\n' >"$r/etc/shadow"
  printf 'root:*::\n' >"$r/etc/gshadow"
  chmod 0640 "$r/etc/shadow" "$r/etc/gshadow"
  chmod 0755 "$r"
}
# dpkg with the scratch root's database; the scripts run unchrooted with DPKG_ROOT=root (the
# root has no shell of its own); Depends: cannot be met by an empty database.
scratch_dpkg() {
  local r=$1
  shift
  dpkg --root="$r" --log="$work/dpkg.log" --force-script-chrootless --force-depends "$@"
}
root="$work/root"
make_root "$root"
if out=$(scratch_dpkg "$root" -i "$deb" 2>&1); then
  pass "dpkg --root -i installed the package"
else
  fail "dpkg --root -i failed:"
  printf '%s\n' "$out" | indent
fi
state=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' misync 2>&1)
[ "$state" = "install ok installed" ] && pass "dpkg: misync $state" || fail "dpkg status: $state"

user=$(grep '^misync:' "$root/etc/passwd")
uid=$(cut -d: -f3 <<<"$user")
gid=$(cut -d: -f4 <<<"$user")
if [ -n "$user" ] && [ "$(cut -d: -f6 <<<"$user")" = /var/lib/misync ] && [ "${uid:-0}" -gt 0 ] &&
  [ "$uid" -lt 1000 ] && grep -q "^misync:x:$gid:" "$root/etc/group"; then
  pass "postinst created the system user: $user"
else
  fail "postinst did not create a misync system user and group: '$user'"
  uid=65534 gid=65534
fi
check_state_dir() {  # ROOT WHAT
  local d="$1/var/lib/misync" got
  got=$(stat -c '%a %u:%g' "$d" 2>&1)
  if [ "$got" = "700 $(grep '^misync:' "$1/etc/passwd" | cut -d: -f3,4)" ]; then
    pass "$2: /var/lib/misync is 0700 misync:misync"
  else
    fail "$2: /var/lib/misync should be 0700 and owned by misync, is: $got"
  fi
}
check_state_dir "$root" "postinst (systemd-tmpfiles)"
link="$root/etc/systemd/system/multi-user.target.wants/misync.service"
[ "$(readlink "$link")" = /usr/lib/systemd/system/misync.service ] &&
  pass "misync.service is enabled (multi-user.target.wants)" ||
  fail "misync.service is not enabled: $(ls -l "$link" 2>&1)"
[ ! -e "$root/etc/systemd/system/timers.target.wants/misync-run.timer" ] &&
  pass "misync-run.timer is not enabled (the daemon's alternative)" || fail "misync-run.timer was enabled"

# --- 4. run the installed binary as misync.service does -------------------------------------
unit="$root/usr/lib/systemd/system/misync.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" | tail -1)
read -r -a argv <<<"$exec_start"
[ "${argv[0]}" = /usr/bin/misync ] || fail "ExecStart runs ${argv[0]}, not /usr/bin/misync"
config=""
for ((i = 0; i < ${#argv[@]}; i++)); do
  [ "${argv[$i]}" = --config ] && config=${argv[$((i + 1))]}
done
[ "$config" = /etc/misync/misync.toml ] || fail "ExecStart's --config is '$config'"
umask_value=$(sed -n 's/^UMask=//p' "$unit" | tail -1)

# The configuration as installed, with only `listen` on a free port (0: the daemon logs which).
test_config="$work/misync.toml"
sed 's/^listen = "127\.0\.0\.1:8750"/listen = "127.0.0.1:0"/' "$root$config" >"$test_config"
changed=$(diff "$root$config" "$test_config" | grep -c '^>')
[ "$changed" = 1 ] || fail "changing listen should change one line of the default configuration, changed $changed"
# LoadCredential=tokens.toml:/etc/misync/tokens.toml: a private copy the service user can read.
creds="$work/credentials"
mkdir -p "$creds"
cp "$root/etc/misync/tokens.toml" "$creds/tokens.toml"
chown -R "$uid:$gid" "$creds"
chmod 0500 "$creds"
chmod 0400 "$creds/tokens.toml"
chmod 0644 "$test_config"

# The unit's paths are the host's /etc/misync and /var/lib/misync. In a private mount namespace
# /var/lib is replaced by the scratch root's and the configuration is bind-mounted over the
# installed one, so the binary reads exactly ExecStart's arguments; where no mount namespace can
# be made, the test configuration names the scratch root's state folder instead.
args=("${argv[@]:1}")
mode="mount namespace"
if unshare -m true 2>/dev/null; then
  setup="mount -t tmpfs -o mode=0755 tmpfs /var/lib && mkdir /var/lib/misync &&
    mount --bind '$root/var/lib/misync' /var/lib/misync && mount --bind '$test_config' '$root$config'"
else
  mode="rewritten paths"
  sed -i "s|\"/var/lib/misync/|\"$root/var/lib/misync/|" "$test_config"
  setup="cp '$test_config' '$root$config'"
fi
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "$config" ] && args[$i]="$root$config"
done
log="$work/daemon.log"
start_daemon() {
  # unshare and setpriv exec, so $! is the daemon itself.
  if [ "$mode" = "mount namespace" ]; then
    unshare -m sh -c "$setup && umask ${umask_value:-0077} && exec setpriv --reuid=$uid --regid=$gid --clear-groups \
      env -i PATH=/usr/bin:/bin HOME=/var/lib/misync USER=misync LOGNAME=misync SHELL=/usr/sbin/nologin \
      CREDENTIALS_DIRECTORY='$creds' SPDLOG_LEVEL=info \"\$0\" \"\$@\"" "$root/usr/bin/misync" "${args[@]}" \
      >"$log" 2>&1 &
  else
    sh -c "$setup" && (umask "${umask_value:-0077}" && exec setpriv --reuid="$uid" --regid="$gid" --clear-groups \
      env -i PATH=/usr/bin:/bin HOME=/var/lib/misync USER=misync LOGNAME=misync \
      CREDENTIALS_DIRECTORY="$creds" SPDLOG_LEVEL=info "$root/usr/bin/misync" "${args[@]}") >"$log" 2>&1 &
  fi
  daemon_pid=$!
}
start_daemon
echo "running ($mode): /usr/bin/misync ${argv[*]:1} as uid $uid, UMask ${umask_value:-0077}"
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*status: listening on .* port \([0-9][0-9]*\).*/\1/p' "$log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  fail "the installed daemon did not start listening:"
  indent <"$log"
else
  pass "the daemon listens on 127.0.0.1:$port"
  health=$(curl -sS --max-time 5 "http://127.0.0.1:$port/healthz" 2>&1)
  [ "$health" = '{"status":"ok"}' ] && pass "GET /healthz: $health" || fail "GET /healthz answered: $health"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/api/v1/schools")
  [ "$code" = 401 ] && pass "GET /api/v1/schools without a token: 401 (no token is configured)" ||
    fail "GET /api/v1/schools without a token answered $code, not 401"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/")
  [ "$code" = 200 ] && pass "GET / (the dashboard page): 200" || fail "GET / answered $code"
fi
for f in directory.db secret.key; do
  got=$(stat -c '%a %u:%g' "$root/var/lib/misync/$f" 2>&1)
  [ "$got" = "600 $uid:$gid" ] && pass "the daemon made /var/lib/misync/$f, 0600 misync:misync" ||
    fail "/var/lib/misync/$f should be 0600 misync:misync, is: $got"
done
if kill -0 "$daemon_pid" 2>/dev/null; then
  kill -TERM "$daemon_pid"
  for _ in $(seq 1 400); do # TimeoutStopSec=40s
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$daemon_pid" 2>/dev/null; then
    fail "the daemon did not exit within 40 s of SIGTERM"
  else
    wait "$daemon_pid"
    rc=$?
    [ "$rc" = 0 ] && pass "SIGTERM: the daemon exited 0" || { fail "SIGTERM: the daemon exited $rc:"; tail -5 "$log" | indent; }
  fi
  daemon_pid=""
else
  wait "$daemon_pid"
  fail "the daemon had already exited ($?)"
  daemon_pid=""
fi
bad_log=$(grep -E ' (error|critical) ' "$log")
[ -z "$bad_log" ] && pass "the daemon logged no error" || { fail "the daemon logged errors:"; printf '%s\n' "$bad_log" | indent; }
# The fallback wrote over the installed configuration: put it back.
[ "$mode" = "rewritten paths" ] && cp -p "$work/x$config" "$root$config"

# --- 5. remove, then purge --------------------------------------------------------------------
sums() { (cd "$root/var/lib/misync" && sha256sum directory.db secret.key 2>&1); }
before=$(sums)
if out=$(scratch_dpkg "$root" -r misync 2>&1); then
  pass "dpkg --root -r removed the package"
else
  fail "dpkg --root -r failed:"
  printf '%s\n' "$out" | indent
fi
[ ! -e "$root/usr/bin/misync" ] && [ ! -e "$unit" ] && pass "remove: the program and units are gone" ||
  fail "remove left the program or the units"
[ -f "$root/etc/misync/misync.toml" ] && [ -f "$root/etc/misync/tokens.toml" ] &&
  pass "remove: the conffiles stay" || fail "remove took the conffiles"
[ "$(sums)" = "$before" ] && pass "remove: directory.db and secret.key stay, unchanged" ||
  fail "remove changed /var/lib/misync: $(sums)"
check_state_dir "$root" "after remove"
grep -q '^misync:' "$root/etc/passwd" && pass "remove: the misync user stays" || fail "remove took the misync user"
state=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' misync 2>&1)
[ "$state" = "deinstall ok config-files" ] && pass "dpkg: misync $state" || fail "dpkg status after remove: $state"

if out=$(scratch_dpkg "$root" -P misync 2>&1); then
  pass "dpkg --root -P purged the package"
else
  fail "dpkg --root -P failed:"
  printf '%s\n' "$out" | indent
fi
[ ! -e "$root/etc/misync/misync.toml" ] && [ ! -e "$root/etc/misync/tokens.toml" ] &&
  pass "purge: the conffiles are gone" || fail "purge left the conffiles"
[ "$(sums)" = "$before" ] && pass "purge: directory.db and secret.key are kept" ||
  fail "purge changed /var/lib/misync: $(sums)"
grep -q "/var/lib/misync is kept" <<<"$out" && pass "purge says that /var/lib/misync is kept" ||
  { fail "purge did not say that it kept /var/lib/misync:"; printf '%s\n' "$out" | indent; }
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/misync.service" ] &&
  pass "purge: misync.service's enablement is gone" || fail "purge left misync.service enabled"

# --- 6. without systemd-sysusers, and a systemd-tmpfiles that fails ---------------------------
# A PATH holding every program of the host but systemd-sysusers, and a systemd-tmpfiles that
# fails as it does in a chroot without /proc: postinst must fall back to useradd (adduser is not
# used under DPKG_ROOT) and mkdir.
nosd="$work/nosystemd-bin"
mkdir -p "$nosd"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  for p in "$d"/*; do
    n=$(basename "$p")
    case "$n" in systemd-sysusers | systemd-tmpfiles) continue ;; esac
    [ -e "$nosd/$n" ] || ln -s "$p" "$nosd/$n"
  done
done
printf '#!/bin/sh
echo "/proc/ is not mounted (a stand-in for systemd-tmpfiles)" >&2
exit 1
' \
  >"$nosd/systemd-tmpfiles"
chmod 0755 "$nosd/systemd-tmpfiles"
root2="$work/root2"
make_root "$root2"
if out=$(PATH="$nosd" scratch_dpkg "$root2" -i "$deb" 2>&1); then
  pass "without systemd-sysusers, systemd-tmpfiles failing: dpkg --root -i installed the package"
else
  fail "without systemd-sysusers, systemd-tmpfiles failing: dpkg --root -i failed:"
  printf '%s\n' "$out" | indent
fi
user2=$(grep '^misync:' "$root2/etc/passwd")
if [ -n "$user2" ] && [ "$(cut -d: -f6 <<<"$user2")" = /var/lib/misync ] &&
  [ "$(cut -d: -f3 <<<"$user2")" -lt 1000 ]; then
  pass "the fallback created the system user: $user2"
else
  fail "the fallback did not create a misync system user: '$user2'"
fi
check_state_dir "$root2" "the fallback (mkdir)"
if out=$(PATH="$nosd" scratch_dpkg "$root2" -P misync 2>&1) && [ ! -e "$root2/var/lib/misync" ] &&
  [ ! -e "$root2/etc/misync" ]; then
  pass "purge of a never-used installation removes the empty /var/lib/misync and /etc/misync"
else
  fail "purge of a never-used installation left: $(ls -d "$root2/var/lib/misync" "$root2/etc/misync" 2>/dev/null)"
  printf '%s\n' "$out" | indent
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

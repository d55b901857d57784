#!/usr/bin/env bash
# Installs the Debian 12 packages misync needs to build and test, when any is missing.
# Non-interactive; needs root (or sudo). Safe to run again: it does nothing when all are there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev
  libpq-dev libpugixml-dev libspdlog-dev libtomlplusplus-dev libcli11-dev
  libsodium-dev libicu-dev libsystemd-dev libcsv-dev
  libgtest-dev libgmock-dev sqlite3 libsqlite3-dev
  libssl-dev openssl
  systemd chromium
  dpkg-dev groff-base
  wrk curl
  clang libclang-rt-14-dev
  unixodbc unixodbc-dev odbc-postgresql libsqliteodbc postgresql
  libzip-dev zip
  time gnuplot-nox
  # The Windows cross-build and its checks (windows-service/cross, docs/windows.md): mingw-w64
  # with POSIX threads, its zlib, tcl (SQLite makes its amalgamation with it), Wine.
  g++-mingw-w64-x86-64-posix libz-mingw-w64-dev tcl wine wine64
)
# Node.js and npm for the dashboard's browser test (tests/browser). Any Node.js >= 18 with its npm
# will do: one installed from elsewhere (whose nodejs package provides npm) is kept.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

# The Windows cross-build builds some libraries from Debian's source packages (apt-get source):
# a deb-src entry for the same archive as the binary packages, once.
deb_src=/etc/apt/sources.list.d/misync-deb-src.sources
need_update=
if [ ! -f "$deb_src" ] && [ -f /etc/apt/sources.list.d/debian.sources ] &&
    [ "$(id -u)" -eq 0 ]; then
    sed -n '/^Types: deb$/,/^$/p' /etc/apt/sources.list.d/debian.sources |
        sed 's/^Types: deb$/Types: deb-src/' >"$deb_src"
    need_update=1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  if [ -n "$need_update" ]; then
    apt-get update -qq
  fi
  exit 0
fi

echo "misync: installing missing packages: ${missing[*]}" >&2
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "misync: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

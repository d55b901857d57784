#!/usr/bin/env bash
# Builds the Debian package: a Release build of misync and its man page in build-pkg/ (no
# tests), then cpack. Prints the path of the .deb. docs/packaging.md says what is in it.
# BUILD_DIR and JOBS may be set as for scripts/build.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-pkg}
BUILD_DIR=$build CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Release -DMISYNC_BUILD_TESTS=OFF ${CMAKE_ARGS:-}" \
  "$root/scripts/build.sh" misync misync_manpage
rm -f "$build"/misync_*.deb
(cd "$build" && cpack -G DEB --config CPackConfig.cmake >&2)
deb=$(ls "$build"/misync_*.deb)
echo "$deb"

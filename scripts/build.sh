#!/usr/bin/env bash
# Installs what is missing, then configures and builds misync in build/ (RelWithDebInfo):
# everything, or only the targets named as arguments (e.g. `scripts/build.sh misync`).
# BUILD_DIR and CMAKE_ARGS may be set to build elsewhere or with other options.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
targets=()
for t in "$@"; do
  targets+=(--target "$t")
done
cmake --build "$build" -j "$jobs" "${targets[@]}"

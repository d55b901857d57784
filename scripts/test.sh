#!/usr/bin/env bash
# The README's second command: build, then run the whole test suite with ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 600
# Then each libFuzzer target for a short bounded time (scripts/fuzz.sh; longer runs by hand).
"$root/scripts/fuzz.sh" "${MISYNC_FUZZ_SECONDS:-20}"

#!/usr/bin/env bash
# Cross-compiles misync.exe for 64-bit Windows, with the Windows service (windows-service/),
# using Debian's mingw-w64, and the unit tests that run under Wine (docs/windows.md).
#   windows-service/cross/build.sh [BUILD_DIR]     (default: build-win/, ignored by git)
# Third-party libraries are built once into BUILD_DIR/deps (third_party.sh); reruns reuse them.
# JOBS (default 1) sets the parallel compile jobs. Prints the path of misync.exe at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$root/build-win}")
jobs=${JOBS:-1}
"$root/scripts/deps.sh"

# Debian's architecture-independent headers of the header-only libraries, and nothing else
# from /usr/include (its glibc headers must never be seen by the Windows compiler).
headers="$out/headers"
mkdir -p "$headers"
for h in boost spdlog fmt toml++ CLI; do
    ln -sfn "/usr/include/$h" "$headers/$h"
done

"$root/windows-service/cross/third_party.sh" "$out/deps" "$out/src"

cmake -S "$root" -B "$out/misync" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_TOOLCHAIN_FILE="$root/windows-service/cross/mingw-w64.cmake" \
    -DMISYNC_WIN_DEPS="$out/deps" -DMISYNC_WIN_HEADERS="$headers" -DMISYNC_BUILD_TESTS=ON \
    >/dev/null
cmake --build "$out/misync" -j "$jobs"
echo "$out/misync/daemon/misync.exe"

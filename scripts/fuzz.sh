#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/, clang) in build-fuzz/ and runs each for a bounded
# time over its seed corpus (tests/data/<name>, e.g. fuzz_sims_xml → tests/data/sims-xml) with
# its dictionary when there is one (tests/fuzz/<name>.dict). Fails on the first crash, leak,
# sanitizer report or broken invariant: the input is kept as build-fuzz/crash-<target>-*; copy it
# into tests/data/<name>/ as a regression test once fixed.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default: $MISYNC_FUZZ_SECONDS or 20)
#
# scripts/test.sh runs it after ctest (CI: a short bounded run of each target).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${MISYNC_FUZZ_SECONDS:-20}}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: clang++ is not installed (scripts/deps.sh installs clang); skipped"
  exit 0
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  mkdir -p "$build"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DMISYNC_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 1; }
fi
targets=()
for src in "$root"/tests/fuzz/fuzz_*.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
cmake --build "$build" -j "${JOBS:-2}" --target "${targets[@]}"
status=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  data="$root/tests/data/${name//_/-}"
  work=$(mktemp -d)
  args=(-max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1
        -artifact_prefix="$build/crash-$t-")
  [ -f "$root/tests/fuzz/$name.dict" ] && args+=(-dict="$root/tests/fuzz/$name.dict")
  echo "== $t: $seconds s over $data"
  if "$build/tests/fuzz/$t" "${args[@]}" "$work" "$data" >"$build/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$build/$t.log" | tr '\n' ' '
    echo
  else
    echo "FAIL: $t found a problem; the input is in $build/crash-$t-*"
    tail -40 "$build/$t.log"
    status=1
  fi
  rm -rf "$work"
done
exit $status

#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (cmake, RTSLIB_FUZZ=ON) and runs
# each one for DURATION seconds (default 60): `npm run fuzz -- 300`.
#
# Seeds are read from native/fuzz/corpus/<target>/ (never written); inputs
# libFuzzer finds are kept in native/build/fuzz/corpus-<target>/, crashes in
# native/fuzz/artifacts/. Exits non-zero when a target crashes.
set -euo pipefail

duration="${1:-60}"
case "$duration" in
  ''|*[!0-9]*) echo "usage: $0 [seconds]" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
native="$(dirname "$here")"
build="$native/build/fuzz"
cxx="${CXX_FUZZ:-clang++}"
command -v "$cxx" >/dev/null || { echo "fuzzing needs clang ($cxx not found): apt-get install clang libclang-rt-dev" >&2; exit 2; }

cmake -S "$native" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRTSLIB_FUZZ=ON -DRTSLIB_BUILD_ADDON=OFF -DRTSLIB_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --parallel "$(nproc)" >/dev/null

mkdir -p "$here/artifacts"
status=0
for target in vpd; do
  exe="$build/fuzz_$target"
  grown="$build/corpus-$target"
  mkdir -p "$grown"
  log="$build/fuzz_$target.log"
  echo "fuzz_$target: ${duration}s, seeds $here/corpus/$target"
  if ! "$exe" -max_total_time="$duration" -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$here/artifacts/$target-" "$grown" "$here/corpus/$target" >"$log" 2>&1; then
    echo "fuzz_$target: CRASHED (log: $log)" >&2
    tail -40 "$log" >&2
    status=1
    continue
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
  echo "fuzz_$target: no crash; ${execs:-?} executions (${speed:-?}/s), ${cov:-cov: ?}, corpus $(ls "$grown" | wc -l) inputs"
done
exit "$status"

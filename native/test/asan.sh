#!/usr/bin/env bash
# `npm run test:asan`: the native-facing tests under AddressSanitizer and
# UndefinedBehaviorSanitizer: the C++ unit tests (ctest) built with both, and
# the host vitest files that drive the addon, with the sanitized addon loaded
# through RTSLIB_ADDON_PATH (node itself is not instrumented, so libasan is
# preloaded). Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

echo "asan: C++ unit tests"
cmake -S native -B native/build/asan-tests -DRTSLIB_BUILD_ADDON=OFF -DRTSLIB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build native/build/asan-tests -j2 >/dev/null
ASAN_OPTIONS=halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir native/build/asan-tests --output-on-failure

echo "asan: addon tests"
npx cmake-js build -d native -O native/build/asan --config RelWithDebInfo --CDRTSLIB_SANITIZE=ON >/dev/null
addon="$PWD/native/build/asan/RelWithDebInfo/rtslib.node"
[ -f "$addon" ] || { echo "asan: no sanitized addon at $addon" >&2; exit 1; }
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LD_PRELOAD="$(g++ -print-file-name=libasan.so)" RTSLIB_ADDON_PATH="$addon"
# Prove the sanitized addon is the one that loads (the addon loads on first use: touch it).
npx tsx -e "import('./src/native/index.ts').then((m) => { void m.native.readTree; const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8'); if (!maps.includes(process.env.RTSLIB_ADDON_PATH) || !maps.includes('libasan')) { console.error('asan: sanitized addon not loaded'); process.exit(1); } console.log('asan: loaded', process.env.RTSLIB_ADDON_PATH); })"
log=$(mktemp)
npx vitest run --config vitest.unit.config.ts test/unit/native-batch.test.ts test/unit/native-faults.test.ts \
  test/unit/native-lock.test.ts test/unit/scsi-sysfs.test.ts 2>&1 | tee "$log"
if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log"; then
  echo "asan: sanitizer reports found" >&2
  exit 1
fi
echo "asan: clean"

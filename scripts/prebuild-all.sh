#!/usr/bin/env bash
# Builds the prebuilt addons the package ships (prebuilds/linux-x64 and
# prebuilds/linux-arm64, glibc, Node-API) with prebuildify; `npm pack` runs it
# (prepack). arm64 is cross-built with Debian's cross toolchain
# (g++-aarch64-linux-gnu). x64 goes last, so build/Release is left holding the
# host's addon. Then scripts/check-prebuilds.mjs checks what was built.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in aarch64-linux-gnu-g++ aarch64-linux-gnu-strip; do
  command -v "$tool" >/dev/null || { echo "prebuild: $tool not found (apt-get install g++-aarch64-linux-gnu)" >&2; exit 1; }
done
# Node's own headers (node-gyp offline), the same for both architectures
export npm_config_nodedir="${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}"
# both cores for the compiler (node-gyp reads JOBS): 98 s -> 46 s for the two builds on a 2-core host
export JOBS="${JOBS:-max}"
common=(--napi --strip --tag-libc --target node@20.19.0)

rm -rf prebuilds/linux-x64 prebuilds/linux-arm64
CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ PREBUILD_STRIP_BIN=aarch64-linux-gnu-strip npx prebuildify "${common[@]}" --arch arm64
npx prebuildify "${common[@]}" --arch x64
node scripts/check-prebuilds.mjs

#!/usr/bin/env bash
# Makes .cache/arm64-node: Debian's arm64 Node.js (nodejs:arm64 and the
# libraries it needs, unpacked, not installed) so that the pack test can load
# the cross-built arm64 prebuild under qemu-user:
#   qemu-aarch64 -L .cache/arm64-node .cache/arm64-node/usr/bin/node ...
# Needs Debian's arm64 package lists (dpkg --add-architecture arm64; apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/arm64-node
[ -x "$out/usr/bin/node" ] && exit 0
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
chmod 777 "$debs"
(cd "$debs" && apt-get download -qq \
  nodejs:arm64 libnode108:arm64 libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 libbrotli1:arm64 libc-ares2:arm64 \
  libicu72:arm64 libnghttp2-14:arm64 libssl3:arm64 libuv1:arm64 zlib1g:arm64 \
  node-cjs-module-lexer node-acorn node-undici)
mkdir -p "$out"
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$out"; done
echo "arm64 node: $(qemu-aarch64 -L "$out" "$out/usr/bin/node" -e 'console.log(process.arch, process.version)')"

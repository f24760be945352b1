#!/usr/bin/env bash
# Configure (once) and build the C++ server with a CMake preset; the release build's binary is
# copied to ./build/stepwise, the stable path outside tools use.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
src=packages/server
bin=build/$preset
if [ ! -f "$bin/build.ninja" ]; then
  cmake --preset "$preset" -S "$src" >/dev/null
fi
cmake --build "$bin" --parallel "$(nproc)"
if [ "$preset" = release ]; then
  install -m 0755 "$bin/stepwise" build/stepwise.tmp && mv -f build/stepwise.tmp build/stepwise
fi

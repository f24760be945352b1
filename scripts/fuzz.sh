#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets with clang-14 (ASan + UBSan) and runs each for a while.
#   scripts/fuzz.sh            60 s per target
#   scripts/fuzz.sh --smoke    a short bounded run (8 s per target, under 30 s in all), for `make test`
#   FUZZ_SECONDS=600 scripts/fuzz.sh   longer
# The committed seeds in packages/server/fuzz/corpus/<target>/ are read, never written: what the
# fuzzer finds goes to build/fuzz/corpus/<target>/, and a crash to build/fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
if [ "${1:-}" = "--smoke" ]; then seconds=8; fi
CXX=${FUZZ_CXX:-clang++-14}
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz.sh: $CXX not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi
src=packages/server
out=build/fuzz
mkdir -p "$out"

build() {  # build NAME SOURCES...
  local name=$1; shift
  local bin=$out/$name
  local newer=0 DEPS=${DEPS:-}
  for f in "$@" $DEPS; do [ "$f" -nt "$bin" ] && newer=1; done
  if [ ! -x "$bin" ] || [ $newer = 1 ]; then
    echo "fuzz.sh: building $bin"
    "$CXX" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I"$src/src" "$@" -o "$bin.tmp"
    mv -f "$bin.tmp" "$bin"
  fi
}

run() {  # run NAME
  local name=$1
  local corpus=$out/corpus/$name
  mkdir -p "$corpus"
  local dict=()
  [ -f "$src/fuzz/$name.dict" ] && dict=(-dict="$src/fuzz/$name.dict")
  echo "fuzz.sh: running $name for ${seconds}s"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$out/${name}_fuzz" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$out/crash-$name-" "${dict[@]}" \
      "$corpus" "$src/fuzz/corpus/$name" 2>"$out/$name.log" || {
        tail -n 60 "$out/$name.log" >&2
        echo "fuzz.sh: $name FAILED (log: $out/$name.log)" >&2
        return 1
      }
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb" "$out/$name.log" || true
}

DEPS="$src/src/http/multipart.hpp" build multipart_fuzz "$src/src/http/multipart.cpp" "$src/fuzz/multipart_fuzz.cpp"
DEPS="$src/src/net/egress.hpp" build egress_fuzz "$src/src/net/egress.cpp" "$src/fuzz/egress_fuzz.cpp" -lcurl
run multipart
run egress

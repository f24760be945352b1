#!/usr/bin/env bash
# Format check of the C++ sources (clang-format, .clang-format) and clang-tidy (.clang-tidy) on the
# C++ files the last commit changed. `--fix` rewrites the formatting instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'packages/server/*.cpp' 'packages/server/*.hpp')
[ ${#files[@]} -gt 0 ] || exit 0
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files formatted"
# clang-tidy needs the compile database of a configured build; it reports, it does not fail the run.
if [ -f build/release/compile_commands.json ]; then
  mapfile -t changed < <(git diff --name-only HEAD~1 -- 'packages/server/src/*.cpp' 2>/dev/null | grep -v '_test\.cpp$' || true)
  for f in "${changed[@]}"; do
    [ -f "$f" ] && clang-tidy -p build/release --quiet "$f" 2>/dev/null | grep -E 'warning:|error:' || true
  done
fi

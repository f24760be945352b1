#!/usr/bin/env bash
# Format check of the C++ sources (clang-format, .clang-format) and clang-tidy (.clang-tidy) on the
# lines of C++ files the last commit changed (scripts/tidy-new.py). `--fix` rewrites the formatting.
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
# clang-tidy on the C++ files the last commit changed: a finding on a changed line fails the run.
python3 scripts/tidy-new.py

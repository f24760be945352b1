#!/usr/bin/env bash
# `make bench`: builds, then runs every benchmark; results go to stdout (record them in bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh bench
scripts/npm-deps.sh
scripts/build-server.sh release
npm run build --workspaces --if-present --silent
echo "== load (server core)"
bench/load/run.sh
if npm run --silent -w packages/guide-core 2>/dev/null | grep -q 'bench:healing'; then
  echo "== healing (guide-core)"
  npm run --silent -w packages/guide-core bench:healing
fi

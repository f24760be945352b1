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
echo "== scheduled checks (real checker and Chromium)"
node bench/checks/run.mjs
echo "== security and reliability (idle-connection flood, large-image decode memory)"
python3 bench/security/flood.py
python3 bench/security/decode_memory.py --env CPU_POOL_SIZE=8 --env IMAGE_DECODE_BUDGET_MP=400
python3 bench/security/decode_memory.py --env CPU_POOL_SIZE=8

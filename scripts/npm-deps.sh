#!/usr/bin/env bash
# npm ci when package-lock.json changed since the last install (a stamp in node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.stepwise-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "installing npm dependencies (npm ci)..." >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"

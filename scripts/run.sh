#!/usr/bin/env bash
# `make run`: the product on the embedded defaults (SQLite app.db, local blobs, embedded queue),
# after `make build` has installed and built what was missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./build/stepwise migrate >/dev/null
port="${PORT:-}"
if [ -z "$port" ] && [ -f .env ]; then port=$(sed -n 's/^PORT=//p' .env | tail -1); fi
port="${port:-8000}"
cat <<TXT

  Stepwise is starting on http://localhost:$port
    Dashboard:  http://localhost:$port/
    API docs:   http://localhost:$port/api/docs
    Contract:   http://localhost:$port/api/openapi.json
    Health:     http://localhost:$port/api/health
  Chrome extension (unpacked): $(pwd)/packages/extension/dist
    chrome://extensions → Developer mode → Load unpacked → pick that folder; sign in from its popup.
  Settings come from the environment and .env (see .env.example). Ctrl-C stops it.

TXT
exec ./build/stepwise serve

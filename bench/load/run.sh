#!/usr/bin/env bash
# Load benchmark of the server core (issue 2), side by side with the FastAPI reference in
# ../shared/anchors/fastapi-ref when it is there. Prints one line per scenario:
#   scenario=<name> rps=<n> p50_ms=<n> p99_ms=<n> errors=<n>
# plus server=ref|stepwise prefixes for the side-by-side health runs, ratios, and memory.
# Env: DURATION (10 s per run), ROUNDS (2 alternations), CONNS (64), THREADS (2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ref="$root/../shared/anchors/fastapi-ref"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PY=/usr/bin/python3
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -x "$ref/stop_ref.sh" ] && "$ref/stop_ref.sh" 8101 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -sf "$1/api/health" >/dev/null && return 0; sleep 0.1; done; return 1; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
wrk_run() {  # wrk_run SCRIPT URL [CONNS] [DURATION]
  wrk -t"$THREADS" -c"${3:-$CONNS}" -d"${4:-$DURATION}s" --timeout 10s -s "$here/$1" "$2" | grep '^scenario='
}

port=$(free_port)
base="http://127.0.0.1:$port"
( cd "$work" && exec env PORT=$port HOST=127.0.0.1 DATA_DIR="$work/data" DATABASE_URL="sqlite:///$work/app.db" \
    RATE_LIMIT_AUTH_PER_MIN=0 RATE_LIMIT_USER_PER_MIN=0 ACCESS_LOG=false LOG_LEVEL=warn \
    "$root/build/stepwise" serve >"$work/server.log" 2>&1 ) &
pid=$!
pids+=("$pid")
wait_up "$base"
sleep 1
echo "# date=$(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) duration=${DURATION}s conns=$CONNS threads=$THREADS"
echo "memory=idle rss_mb=$(awk -v k="$(rss_kb "$pid")" 'BEGIN{printf "%.1f", k/1024}')"

email="bench-$RANDOM$RANDOM@example.com"
password="correct horse battery"
token=$(curl -sf -X POST "$base/api/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Bench\",\"company_name\":\"Bench Inc\"}" |
  $PY -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')
export TOKEN=$token EMAIL=$email PASSWORD=$password

wrk_run me.lua "$base"
SCENARIO=login wrk_run login.lua "$base" 8
# A login flood (50 connections, each a bcrypt at cost 12) while /me is measured.
SCENARIO=login_flood wrk -t1 -c50 -d"$((DURATION + 2))s" --timeout 30s -s "$here/login.lua" "$base" \
  >"$work/flood.txt" 2>&1 &
flood=$!
sleep 1
SCENARIO=me_during_login_flood wrk_run me.lua "$base" 8
wait "$flood" || true
grep '^scenario=' "$work/flood.txt" || true

# Screenshot uploads: a dedupe hit against a fresh upload, and memory under 10 MB uploads.
$PY "$here/screenshots.py" "$base" "$token" "$pid"

# Side by side with the reference (2 uvicorn workers), alternating per scenario.
if [ -x "$ref/start_ref.sh" ]; then
  "$ref/start_ref.sh" 8101 --workers 2 >/dev/null
  refbase="http://127.0.0.1:8101"
  echo "# workflows API: the reference's own harness, A = reference, B = stepwise"
  "$ref/bench/compare.sh" "$refbase" "$base" "$DURATION" 2>/dev/null
  echo "# contract check of the reference's harness against stepwise"
  $PY "$ref/bench/contract_check.py" "$base" | tail -1
  for r in $(seq 1 "$ROUNDS"); do
    echo "server=ref round=$r $(wrk_run health.lua "$refbase")"
    echo "server=stepwise round=$r $(wrk_run health.lua "$base")"
  done | tee "$work/health.txt"
  awk '
    /server=ref/      { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") ra += kv[2]; if (kv[1] == "p99_ms") pa += kv[2] } na++ }
    /server=stepwise/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") rb += kv[2]; if (kv[1] == "p99_ms") pb += kv[2] } nb++ }
    END { printf "scenario=health ratio_rps=%.2f ratio_p99=%.3f (stepwise/ref, mean of %d rounds)\n", (rb/nb)/(ra/na), (pb/nb)/(pa/na), nb }
  ' "$work/health.txt"
else
  echo "# $ref not found: health measured alone"
  wrk_run health.lua "$base"
fi
echo "memory=after_load rss_mb=$(awk -v k="$(rss_kb "$pid")" 'BEGIN{printf "%.1f", k/1024}') peak_rss_mb=$(awk -v k="$(hwm_kb "$pid")" 'BEGIN{printf "%.1f", k/1024}')"

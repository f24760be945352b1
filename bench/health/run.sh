#!/usr/bin/env bash
# Health-log ingestion and auto-heal latency (issue 6). One `build/stepwise serve` on a fresh
# SQLite database (rate limits off, no AI vendor, access log on: it gives the server-side time of
# each request), seeded by setup.py with 4 active workflows of 3 labeled steps. wrk drives it on
# loopback with keep-alive. Prints lines
#   scenario=<name> rps=<n> p50_ms=<n> p99_ms=<n> ... errors=<n>
# (client side, wrk) and, for the auto-heal scenarios, the same from the access log
# (server_side=access_log). Ingestion also prints entries_per_s and checks the stored row count.
# Env: DURATION (10 s), INGEST_CONNS (8), THREADS (2), BATCH (100), ONLY (ingest | heal: one
# half), SERVER_ENV (extra server settings, e.g. "DB_POOL_SIZE=2"), STEPWISE_BIN (another build of
# the server, to compare two side by side).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DURATION=${DURATION:-10}
INGEST_CONNS=${INGEST_CONNS:-8}
THREADS=${THREADS:-2}
BATCH=${BATCH:-100}
PY=/usr/bin/python3
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
base="http://127.0.0.1:$port"
log="$work/server.log"
# env -u: no AI vendor from the caller's shell (the clear winner must not depend on one anyway).
( cd "$work" && exec env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY -u REDIS_URL -u STORAGE_URL \
    PORT=$port HOST=127.0.0.1 DATA_DIR="$work/data" DATABASE_URL="sqlite:///$work/app.db" \
    JWT_SECRET=bench-secret-0123456789abcdef0123456789abcdef BCRYPT_COST=4 \
    RATE_LIMIT_AUTH_PER_MIN=0 RATE_LIMIT_USER_PER_MIN=0 ACCESS_LOG=true LOG_LEVEL=info ${SERVER_ENV:-} \
    "${STEPWISE_BIN:-$root/build/stepwise}" serve >"$log" 2>&1 ) &
pid=$!
for _ in $(seq 1 100); do curl -sf "$base/api/health" >/dev/null && break; sleep 0.1; done
seed=$($PY "$here/setup.py" "$port" 4)
token=$(echo "$seed" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
wfs=$(echo "$seed" | $PY -c 'import json,sys; print(",".join(":".join(map(str,[w["id"]]+w["steps"])) for w in json.load(sys.stdin)["workflows"]))')
wf1=$(echo "$wfs" | cut -d, -f1)
export TOKEN=$token HEALTH_BENCH_DIR=$here BATCH
echo "# date=$(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) duration=${DURATION}s batch=$BATCH"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }  # server utime + stime (clock ticks)
rows() { $PY -c "import sqlite3,sys; print(sqlite3.connect('$work/app.db').execute('SELECT COUNT(*) FROM health_logs').fetchone()[0])"; }
ingest() {  # ingest NAME WFS CONNS
  local before after out rps reqs start c0 c1
  before=$(rows)
  start=$(stat -c %s "$log")
  c0=$(cpu_ticks)
  out=$(SCENARIO=$1 WFS=$2 RUN_TAG="$1$RANDOM" wrk -t"$(( $3 < THREADS ? $3 : THREADS ))" -c"$3" -d"${DURATION}s" --timeout 10s \
        -s "$here/ingest.lua" "$base" | grep '^scenario=')
  c1=$(cpu_ticks)
  after=$(rows)
  rps=$(echo "$out" | sed -E 's/.* rps=([0-9.]+).*/\1/')
  reqs=$(echo "$out" | sed -E 's/.* requests=([0-9]+).*/\1/')
  echo "$out entries_per_s=$(awk -v r="$rps" -v b="$BATCH" 'BEGIN{printf "%.0f", r*b}') rows_stored=$((after - before)) rows_expected=$((reqs * BATCH)) server_cpu_s=$(awk -v t=$((c1 - c0)) -v h="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/h}') entries_per_server_cpu_s=$(awk -v t=$((c1 - c0)) -v h="$(getconf CLK_TCK)" -v n=$((after - before)) 'BEGIN{printf "%.0f", n/(t/h)}')"
  sleep 0.3
  $PY "$here/logstats.py" "$log" "$start" "/api/workflows/{id}/health-logs" "$1"
}
heal() {  # heal NAME MODE CONNS [SHOT]
  local start
  start=$(stat -c %s "$log")
  SCENARIO=$1 MODE=$2 WF=${wf1%%:*} STEP=$(echo "$wf1" | cut -d: -f2) SHOT=${4:-} RUN_TAG="$1$RANDOM" \
    wrk -t1 -c"$3" -d"${DURATION}s" --timeout 10s -s "$here/heal.lua" "$base" | grep '^scenario='
  sleep 0.3
  $PY "$here/logstats.py" "$log" "$start" "/api/workflows/{id}/auto-heal" "$1"
}

echo "# server_env=${SERVER_ENV:-none}"
if [ "${ONLY:-ingest}" = ingest ] || [ -z "${ONLY:-}" ]; then
  ingest ingest_1wf_c1 "${wf1}" 1
  ingest ingest_1wf_c${INGEST_CONNS} "${wf1}" "$INGEST_CONNS"
  ingest ingest_4wf_c2 "$wfs" 2
  ingest ingest_4wf_c${INGEST_CONNS} "$wfs" "$INGEST_CONNS"
fi
[ "${ONLY:-}" = ingest ] && exit 0

# Warm the cached decision, then the auto-heal scenarios: one connection (latency alone) and 8.
curl -sf -X POST "$base/api/workflows/${wf1%%:*}/auto-heal" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d "{\"step_id\":$(echo "$wf1" | cut -d: -f2),\"candidates\":[{\"selector\":\"#heal-a\",\"deterministic_score\":92,\"element_meta\":{\"tag_name\":\"button\"}},{\"selector\":\"#heal-b\",\"deterministic_score\":40,\"element_meta\":{\"tag_name\":\"a\"}}],\"current_page_state_hash\":\"bench-cached\"}" >/dev/null
$PY -c "import base64,sys; sys.path.insert(0,'$root/packages/server/tests'); import wf_support as W; open('$work/shot.b64','w').write(base64.b64encode(W.png(1280, 800, noise=False)).decode())"
heal heal_clear_winner_c1 fresh 1
heal heal_clear_winner_nostate_c1 nostate 1
heal heal_cache_hit_c1 cached 1
heal heal_clear_winner_c8 fresh 8
heal heal_cache_hit_c8 cached 8
heal heal_clear_winner_with_screenshot_c1 fresh 1 "$work/shot.b64"
echo "screenshot_b64_bytes=$(stat -c %s "$work/shot.b64")"
echo "memory rss_mb=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' /proc/$pid/status) hwm_mb=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' /proc/$pid/status)"

# shellcheck shell=bash
# Throwaway PostgreSQL and Redis servers for the test suites, on free loopback ports.
# Sourced by scripts/test.sh (safe under `set -u`):
#   postgres_start            PostgreSQL 15 cluster in a temp dir; exports PG_ADMIN_URL
#   redis_start [--persist]   redis-server; exports REDIS_TEST_URL (--persist: AOF in a temp dir)
#   services_stop             stops what was started, removes the temp dirs; idempotent
# Each start function returns non-zero (and says why on stderr) when the service cannot start.

_ts_pg_dir=${_ts_pg_dir:-}
_ts_redis_dir=${_ts_redis_dir:-}
_ts_redis_port=${_ts_redis_port:-}

_ts_free_port() {
  # Ask the kernel for a free loopback port; a tiny race with other processes is acceptable here.
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command as the postgres OS user (initdb refuses root); as-is when we are not root.
_ts_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start() {
  if [ -n "$_ts_pg_dir" ]; then
    echo "postgres_start: already running (${PG_ADMIN_URL:-})" >&2
    return 0
  fi
  local bin=/usr/lib/postgresql/15/bin
  if [ ! -x "$bin/initdb" ]; then
    echo "postgres_start: $bin/initdb not found (install the postgresql package)" >&2
    return 1
  fi
  local dir port
  dir=$(mktemp -d /tmp/stepwise-pg.XXXXXX) || return 1
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir" || { rm -rf "$dir"; return 1; }; fi
  _ts_pg_dir=$dir
  if ! _ts_as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync \
      >"$dir/initdb.log" 2>&1; then
    echo "postgres_start: initdb failed:" >&2; cat "$dir/initdb.log" >&2
    services_stop; return 1
  fi
  local try
  for try in 1 2 3; do
    port=$(_ts_free_port) || { services_stop; return 1; }
    # fsync off: the cluster is thrown away, durability buys nothing but slower tests.
    if _ts_as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
        start >/dev/null 2>&1; then
      export PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      export PG_TEST_PORT=$port
      echo "postgres_start: PostgreSQL on 127.0.0.1:$port (data in $dir)" >&2
      return 0
    fi
    echo "postgres_start: start on port $port failed (try $try):" >&2
    tail -n 5 "$dir/server.log" >&2 2>/dev/null
  done
  services_stop
  return 1
}

redis_start() {
  local persist=0
  [ "${1:-}" = --persist ] && persist=1
  if [ -n "$_ts_redis_port" ]; then
    echo "redis_start: already running (${REDIS_TEST_URL:-})" >&2
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis_start: redis-server not found (install the redis-server package)" >&2
    return 1
  fi
  local dir port try i
  dir=$(mktemp -d /tmp/stepwise-redis.XXXXXX) || return 1
  _ts_redis_dir=$dir
  local persist_args=(--save '' --appendonly no)
  [ "$persist" = 1 ] && persist_args=(--save '' --appendonly yes --appendfsync always)
  for try in 1 2 3; do
    port=$(_ts_free_port) || { services_stop; return 1; }
    if redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "${persist_args[@]}" >/dev/null 2>&1; then
      for i in $(seq 1 100); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
          _ts_redis_port=$port
          export REDIS_TEST_URL="redis://127.0.0.1:$port/0"
          echo "redis_start: Redis on 127.0.0.1:$port (dir $dir, persist=$persist)" >&2
          return 0
        fi
        sleep 0.1
      done
    fi
    echo "redis_start: start on port $port failed (try $try):" >&2
    tail -n 5 "$dir/redis.log" >&2 2>/dev/null
    [ -s "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
  done
  services_stop
  return 1
}

services_stop() {
  if [ -n "$_ts_redis_dir" ]; then
    if [ -n "$_ts_redis_port" ]; then
      redis-cli -h 127.0.0.1 -p "$_ts_redis_port" shutdown nosave >/dev/null 2>&1
    fi
    local pid i
    if [ -s "$_ts_redis_dir/redis.pid" ]; then
      pid=$(cat "$_ts_redis_dir/redis.pid" 2>/dev/null)
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    rm -rf "$_ts_redis_dir"
    _ts_redis_dir=''; _ts_redis_port=''
    unset REDIS_TEST_URL
  fi
  if [ -n "$_ts_pg_dir" ]; then
    if [ -f "$_ts_pg_dir/data/postmaster.pid" ]; then
      _ts_as_postgres /usr/lib/postgresql/15/bin/pg_ctl -D "$_ts_pg_dir/data" -m fast -w -t 30 stop \
        >/dev/null 2>&1 || echo "services_stop: pg_ctl stop failed" >&2
    fi
    rm -rf "$_ts_pg_dir"
    _ts_pg_dir=''
    unset PG_ADMIN_URL PG_TEST_PORT
  fi
  return 0
}

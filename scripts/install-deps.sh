#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing.
# Usage: scripts/install-deps.sh [run|test|bench]   (default: run)
set -euo pipefail
profile="${1:-run}"

build_pkgs=(build-essential cmake ninja-build ccache pkg-config git
  libboost1.74-dev libsoci-dev libsqlite3-dev libpq-dev libvalijson-dev libjwt-dev libcrypt-dev
  libhiredis-dev libvips-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev libzip-dev nodejs npm
  chromium)  # chromium: the browser scheduled checks run in (packages/checker, docs/checker.md)
test_pkgs=(libgtest-dev libgmock-dev postgresql redis-server python3 python3-pytest
  python3-bcrypt python3-jwt clang-14 libclang-rt-14-dev clang-format clang-tidy libvips-tools
  prometheus
  gdb  # gdb: the stacks of a server that does not stop, in the test report
  haproxy systemd curl openssl)  # the deploy suite: haproxy -c and a live HAProxy, systemd-analyze verify
bench_pkgs=(wrk libbenchmark-dev)

pkgs=("${build_pkgs[@]}")
case "$profile" in
  run) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "unknown profile: $profile" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  # nodejs/npm may come from elsewhere (the machine's own Node); a working binary is enough.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "missing system packages (run as root or install them): ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }

#!/usr/bin/env bash
# `make test`: installs what is missing, builds, and runs every suite. Each suite writes JUnit XML
# under build/test-results/; the last line sums them: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Debian's interpreter: pytest, bcrypt and jwt come from Debian packages.
PY=/usr/bin/python3
results=$root/build/test-results
rm -rf "$results" && mkdir -p "$results"

scripts/install-deps.sh test || exit 1
scripts/npm-deps.sh || exit 1
scripts/build-server.sh release || exit 1
scripts/build-server.sh asan || exit 1
npm run build --workspaces --if-present --silent || exit 1

failed_suites=()
suite() {  # suite NAME COMMAND...
  local name=$1; shift
  echo "=== suite: $name"
  if "$@"; then echo "=== suite $name: ok"; else echo "=== suite $name: FAILED"; failed_suites+=("$name"); fi
}

# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh
trap services_stop EXIT

suite lint scripts/lint.sh
suite lint-ts npm run lint --silent --workspaces --if-present  # ESLint: eslint.config.mjs
suite cpp-unit ctest --test-dir build/release --output-on-failure --output-junit "$results/cpp-unit.xml"
suite api-sqlite env STEPWISE_BIN="$root/build/stepwise" TEST_DB=sqlite \
  $PY -m pytest -q -p no:cacheprovider packages/server/tests --junitxml="$results/api-sqlite.xml"
if postgres_start; then
  suite api-postgres env STEPWISE_BIN="$root/build/stepwise" TEST_DB=postgresql \
    TEST_DATABASE_ADMIN_URL="$PG_ADMIN_URL" \
    $PY -m pytest -q -p no:cacheprovider packages/server/tests --junitxml="$results/api-postgres.xml"
else
  failed_suites+=("postgres-start")
fi
# systemd units, the HAProxy config in front of two nodes, backup/restore on both engines (docs/deploy.md).
suite deploy env STEPWISE_BIN="$root/build/stepwise" TEST_DATABASE_ADMIN_URL="${PG_ADMIN_URL:-}" \
  $PY -m pytest -q -p no:cacheprovider deploy/test --junitxml="$results/deploy.xml"
# The cluster under load and restarts: HAProxy, two nodes, two workers, PostgreSQL, Redis, S3 (deploy/cluster).
suite cluster env STEPWISE_BIN="$root/build/stepwise" deploy/cluster/run.sh --junit "$results/cluster.xml"
suite api-asan env STEPWISE_BIN="$root/build/asan/stepwise" TEST_DB=sqlite \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  $PY -m pytest -q -p no:cacheprovider -m "not resilience" packages/server/tests --junitxml="$results/api-asan.xml"
suite typescript env JUNIT_DIR="$results" npm run test --workspaces --if-present
suite dashboard-e2e env JUNIT_DIR="$results" npm run test:e2e -w packages/dashboard
suite extension-e2e env JUNIT_DIR="$results" npm run test:e2e -w packages/extension
suite fuzz-smoke scripts/fuzz.sh --smoke

python3 scripts/junit-summary.py "$results" "${failed_suites[@]}"

#!/usr/bin/env bash
# `make cluster-test`: HAProxy in front of two `stepwise serve` nodes and two `stepwise worker`s on one
# PostgreSQL, one Redis and s3rver, under a mixed load with kills and restarts; cluster_test.py is the
# driver and explains the checks. This script owns the PostgreSQL cluster (scripts/test-services.sh),
# which the driver restarts once. Arguments go to the driver (--load-seconds N, --junit FILE, --keep).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

# shellcheck source=scripts/test-services.sh
source scripts/test-services.sh
trap services_stop EXIT
postgres_start || exit 1
# The driver restarts this cluster with pg_ctl (as the postgres user when we are root).
export CLUSTER_PG_DATA="$_ts_pg_dir/data"
/usr/bin/python3 deploy/cluster/cluster_test.py "$@"

#!/usr/bin/env bash
# Labeling and job-queue benchmarks (issue 5): see bench.py's docstring. Uses build/stepwise
# (scripts/build-server.sh release) and Debian's python3; redis-server for the Redis queue.
#   bench/labeling/run.sh                     # single (2.0 s vendor), hundred scaled (0.2 s), local
#   bench/labeling/run.sh --hundred-delay 2.0 --scenario hundred --queue redis   # the full 400 s run
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/labeling/bench.py "$@"

#!/usr/bin/env bash
# Benchmark aiw against `kubectl kustomize` on generated trees (issue 6):
#
#   scripts/bench.sh                      # N = 10 100 300 1000 3000, then overlays/development
#   BENCH_NS="10 100" RUNS=3 scripts/bench.sh
#
# Builds the release binary, then runs scripts/bench.py (see its header for
# the environment variables). Needs python3, kubectl and ../shared/bench/gen.py.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
exec python3 scripts/bench.py "$@"

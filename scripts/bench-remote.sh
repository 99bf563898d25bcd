#!/usr/bin/env bash
# Benchmark a remote build: aiw with its checkout cache against `kubectl
# kustomize`, which clones the repository on every build (issue 12).
#
#   scripts/bench-remote.sh            # 20 runs of each
#   RUNS=5 scripts/bench-remote.sh
#
# Builds the release binary, then runs scripts/bench-remote.py (see its
# header). Needs python3, git and kubectl; touches no network.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
exec python3 scripts/bench-remote.py "$@"

#!/usr/bin/env bash
# Benchmark `aiw explain` against `aiw build` (issue 15): see the header of
# scripts/bench-explain.py for the settings.
#
#   scripts/bench-explain.sh
#   CALLGRIND=1 AIW_BASE_BIN=/path/to/old/aiw scripts/bench-explain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
exec python3 scripts/bench-explain.py "$@"

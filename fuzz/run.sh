#!/usr/bin/env bash
# Builds and runs one fuzz target with libFuzzer on the stable toolchain.
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# cargo-fuzz needs nightly only for -Zsanitizer; the coverage instrumentation
# libFuzzer needs is the stable `-C passes=sancov-module`, passed here.
# Corpora live in fuzz/corpus/TARGET (seeded from fuzz/seeds/TARGET), crashes
# in fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?target: yaml_roundtrip, yaml_fast, smp, json6902 or build_tree}
secs=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 -Cdebug-assertions -Coverflow-checks"
triple=$(rustc -vV | sed -n "s/^host: //p")
# --target keeps RUSTFLAGS off build scripts and proc macros.
cargo build --release --target "$triple" --bin "$target"
mkdir -p "corpus/$target" "artifacts/$target"
seeds=()
[ -d "seeds/$target" ] && seeds=("seeds/$target")
exec "target/$triple/release/$target" "corpus/$target" "${seeds[@]}" \
  -artifact_prefix="artifacts/$target/" -max_total_time="$secs" \
  -timeout=10 -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 "$@"

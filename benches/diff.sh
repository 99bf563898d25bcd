#!/usr/bin/env bash
# Benchmark of `aiw diff` (issue 4): diffing two builds of a generated tree
# must take less than 2.5x the time of building one of them.
#
#   benches/diff.sh            # N=1000, 3 runs each, medians
#
# Environment:
#   N      services in the generated tree (default 1000)
#   RUNS   runs per command (default 3)
#   WORK   where the tree goes (default $TMPDIR/aiw-bench; the tree is
#          generated on first use as WORK/nN, seed 1)
#   GEN    the generator (default ../shared/bench/gen.py next to the repo)
#   AIW    the binary (default target/release/aiw, built when missing)
#
# Commands timed (the overlays of the generated tree):
#   build        aiw build overlays/prod
#   diff-same    aiw diff overlays/prod overlays/prod -o summary
#                (two builds, every resource compared, no differences)
#   diff-stg     aiw diff overlays/staging overlays/prod -o summary
#                --ignore-name-suffix -stg --ignore-name-suffix -staging
#                (~8.4k resources paired as renamed and
#                compared field by field, ~2.9k added/removed)
#   diff-stg-*   the same in the json and human modes (human renders a
#                unified diff for each of the ~11k resources)
#
# Prints one row per command: median wall seconds, median user+sys CPU
# seconds, median peak RSS (MiB), and wall and CPU ratios to `build`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
N=${N:-1000}
RUNS=${RUNS:-3}
WORK=${WORK:-${TMPDIR:-/tmp}/aiw-bench}
GEN=${GEN:-$repo/../shared/bench/gen.py}
AIW=${AIW:-$repo/target/release/aiw}
tree=$WORK/n$N

if [ ! -x "$AIW" ]; then
  (cd "$repo" && cargo build --release)
fi
if [ ! -f "$tree/bench-info.json" ]; then
  mkdir -p "$WORK"
  python3 "$GEN" --services "$N" --out "$tree" --seed 1 >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME CMD...: RUNS timed runs (stdout discarded); exit 0 and 1 count as
# success (1 is "differences" for aiw diff). Prints "wall cpu rss_kb" medians.
run() {
  local name=$1
  shift
  local walls=() cpus=() rsss=()
  for _ in $(seq "$RUNS"); do
    local rc=0
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || rc=$?
    if [ "$rc" -gt 1 ]; then
      echo "FAILED ($name, exit $rc): $*" >&2
      tail -3 "$tmp/err" >&2
      exit 2
    fi
    # The last line: time(1) writes "Command exited with non-zero status 1"
    # first when aiw diff reports differences.
    read -r wall user sys rss < <(tail -n 1 "$tmp/t")
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
    rsss+=("$rss")
  done
  echo "$(median "${walls[@]}") $(median "${cpus[@]}") $(median "${rsss[@]}")"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

prod=$tree/overlays/prod
stg=$tree/overlays/staging
printf 'aiw diff benchmark: N=%s (%s), %s runs, medians; load average %s\n' \
  "$N" "$tree" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %8s %8s %9s %7s %7s\n' command wall_s cpu_s rss_MiB wall_x cpu_x

base=""
report() {
  local name=$1 wall cpu rss
  read -r wall cpu rss <<<"$2"
  if [ -z "$base" ]; then base="$wall $cpu"; fi
  local bw bc
  read -r bw bc <<<"$base"
  awk -v n="$name" -v w="$wall" -v c="$cpu" -v r="$rss" -v bw="$bw" -v bc="$bc" \
    'BEGIN { printf "%-14s %8.2f %8.2f %9.0f %7.2f %7.2f\n", n, w, c, r / 1024, w / bw, c / bc }'
}

report build "$(run build "$AIW" build "$prod")"
report diff-same "$(run diff-same "$AIW" diff "$prod" "$prod" -o summary)"
report diff-stg "$(run diff-stg "$AIW" diff "$stg" "$prod" -o summary --ignore-name-suffix -stg --ignore-name-suffix -staging)"
report diff-stg-json "$(run diff-stg-json "$AIW" diff "$stg" "$prod" -o json --ignore-name-suffix -stg --ignore-name-suffix -staging)"
report diff-stg-human "$(run diff-stg-human "$AIW" diff "$stg" "$prod" --ignore-name-suffix -stg --ignore-name-suffix -staging)"

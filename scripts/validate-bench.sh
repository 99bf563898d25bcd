#!/usr/bin/env bash
# Times `aiw validate` against `kubernetes-validate --strict` on the same
# file in one run: the N = 100 benchmark output (`../shared/bench/gen.py
# --services 100 --seed 1`, `overlays/prod` built by aiw: 1,133 documents).
# Prints the medians and the ratio, and fails when aiw is less than
# MIN_RATIO (default 20) times faster or the two verdicts differ.
#
# Usage: scripts/validate-bench.sh [AIW]   (default target/release/aiw)
# Environment: N (default 100), RUNS (aiw runs, default 11), KV_RUNS
# (kubernetes-validate runs, default 3), K8S_VERSION (default: the newest
# embedded), MIN_RATIO, AIW_BENCH_DIR (default $TMPDIR/aiw-bench-trees),
# AIW_BENCH_GEN (default ../shared/bench/gen.py).
set -euo pipefail

aiw=${1:-target/release/aiw}
if [[ $aiw == */* && $aiw != /* ]]; then
  aiw="$PWD/$aiw"
fi
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

N=${N:-100}
RUNS=${RUNS:-11}
KV_RUNS=${KV_RUNS:-3}
MIN_RATIO=${MIN_RATIO:-20}
bench_dir=${AIW_BENCH_DIR:-"${TMPDIR:-/tmp}/aiw-bench-trees"}
gen=${AIW_BENCH_GEN:-../shared/bench/gen.py}
kv=$(bash scripts/kubernetes-validate.sh)
version=${K8S_VERSION:-$("$aiw" validate - -o json </dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["kubernetesVersion"])')}

tree="$bench_dir/n$N"
if [[ ! -f $tree/bench-info.json ]]; then
  python3 "$gen" --services "$N" --seed 1 --out "$tree" --force >/dev/null
fi
out="$bench_dir/n$N-prod.yaml"
"$aiw" build "$tree/overlays/prod" > "$out"
docs=$(grep -c '^kind:' "$out" || true)

# "WALL_SECONDS CPU_SECONDS EXIT_CODE" of one run of "$@" (output discarded)
time_run() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, ru.ru_utime + ru.ru_stime, code)
PY
}

median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

aiw_times=()
kv_times=()
aiw_cpu=()
kv_cpu=()
aiw_status=
kv_status=
# Alternate the tools, kubernetes-validate first.
for ((i = 0; i < RUNS; i++)); do
  if ((i < KV_RUNS)); then
    read -r t c kv_status < <(time_run "$kv" --strict --quiet -k "$version" "$out")
    kv_times+=("$t")
    kv_cpu+=("$c")
  fi
  read -r t c aiw_status < <(time_run "$aiw" validate "$out" --kubernetes-version "$version" --ignore-missing-schemas)
  aiw_times+=("$t")
  aiw_cpu+=("$c")
done

aiw_med=$(median "${aiw_times[@]}")
kv_med=$(median "${kv_times[@]}")
aiw_cpu_med=$(median "${aiw_cpu[@]}")
kv_cpu_med=$(median "${kv_cpu[@]}")
ratio=$(python3 -c "print(round($kv_med / $aiw_med))")
cpu_ratio=$(python3 -c "print(round($kv_cpu_med / max($aiw_cpu_med, 0.001)))")
printf 'validating %s (%s documents) for Kubernetes %s on %s, load average %s\n' \
  "$out" "$docs" "$version" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?)"
printf '                                   wall        CPU\n'
printf '  kubernetes-validate --strict  %8.3f s  %8.3f s  (median of %d, exit %s)\n' "$kv_med" "$kv_cpu_med" "${#kv_times[@]}" "$kv_status"
printf '  aiw validate                  %8.3f s  %8.3f s  (median of %d, exit %s)\n' "$aiw_med" "$aiw_cpu_med" "${#aiw_times[@]}" "$aiw_status"
printf '  aiw is %s times faster (CPU: %s times; target: %s)\n' "$ratio" "$cpu_ratio" "$MIN_RATIO"
if [[ $kv_status -ne $aiw_status ]]; then
  echo "verdicts differ: kubernetes-validate exit $kv_status, aiw exit $aiw_status" >&2
  exit 1
fi
if ((ratio < MIN_RATIO)); then
  echo "aiw validate is only $ratio times faster (target $MIN_RATIO)" >&2
  exit 1
fi

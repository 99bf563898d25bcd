#!/usr/bin/env bash
# Cross-checks `aiw validate` against `kubernetes-validate --strict` (see
# scripts/validate-crosscheck.py): on the app's own manifests (base and both
# overlays, built by aiw), the outputs of the conformance corpus (when
# ../shared/conformance exists) and the manifests written for the tests
# (tests/validate/*.yaml), for the oldest and the newest embedded releases.
#
# Usage: scripts/validate-crosscheck.sh [AIW]   (default target/release/aiw)
# Environment: K8S_VERSIONS (default "1.30 1.37"), KV_VERSION, KV_VENV (see
# scripts/kubernetes-validate.sh).
set -euo pipefail

aiw=${1:-target/release/aiw}
if [[ $aiw == */* && $aiw != /* ]]; then
  aiw="$PWD/$aiw"
fi
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

kv=$(bash scripts/kubernetes-validate.sh)
python="$(dirname "$kv")/python"

work=$(mktemp -d "${TMPDIR:-/tmp}/aiw-crosscheck.XXXXXX")
trap 'rm -rf "$work"' EXIT

files=()
for dir in base overlays/development overlays/production; do
  out="$work/${dir//\//-}.yaml"
  "$aiw" build "$dir" > "$out"
  files+=("$out")
done
if [[ -d ../shared/conformance/cases ]]; then
  for f in ../shared/conformance/cases/*/expected.yaml; do
    files+=("$f")
  done
fi
files+=(tests/validate/*.yaml)

versions=()
for v in ${K8S_VERSIONS:-1.30 1.37}; do
  versions+=(-k "$v")
done
"$python" scripts/validate-crosscheck.py "$aiw" "${files[@]}" "${versions[@]}"

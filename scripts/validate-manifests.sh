#!/usr/bin/env bash
# Build the AI Wealth Companion manifests (base and both overlays) and
# validate every output strictly against the Kubernetes API schemas.
#
# Usage: scripts/validate-manifests.sh [BUILDER]
#   BUILDER  a kustomize-compatible binary run as `BUILDER build DIR`
#            (e.g. target/debug/aiw, kustomize). If it is `kubectl` (or a path
#            ending in /kubectl) it is run as `kubectl kustomize DIR`.
#            Default: kubectl.
#
# Environment:
#   VALIDATOR     kubernetes-validate (default), aiw (`aiw validate`, offline,
#                 no Python needed) or both
#   AIW           the aiw binary for VALIDATOR=aiw or both (default: BUILDER
#                 when it is aiw, else target/release/aiw)
#   K8S_VERSIONS  Kubernetes versions to validate against (default "1.30.0 1.37.0")
#   KV_VERSION    kubernetes-validate release from PyPI (default 1.37.0)
#   KV_VENV       virtualenv to install it into
#                 (default ${TMPDIR:-/tmp}/aiw-kubernetes-validate-$KV_VERSION)
#
# Fails (non-zero exit) if a build fails, writes anything to stderr (e.g. a
# deprecation warning), produces no output, or if any resource fails
# `kubernetes-validate --strict` (or `aiw validate`) for any of the
# versions, including a resource it has no schema for (kubernetes-validate
# only warns about those), except the custom resources listed in CRD_KINDS.
set -euo pipefail

builder=${1:-kubectl}
# Resolve a relative builder path before changing directory.
if [[ $builder == */* && $builder != /* ]]; then
  builder="$PWD/$builder"
fi

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

K8S_VERSIONS=${K8S_VERSIONS:-"1.30.0 1.37.0"}
KV_VERSION=${KV_VERSION:-1.37.0}
KV_VENV=${KV_VENV:-"${TMPDIR:-/tmp}/aiw-kubernetes-validate-$KV_VERSION"}
kv="$KV_VENV/bin/kubernetes-validate"
VALIDATOR=${VALIDATOR:-kubernetes-validate}
case $VALIDATOR in
  kubernetes-validate | aiw | both) ;;
  *)
    echo "VALIDATOR must be kubernetes-validate, aiw or both, not $VALIDATOR" >&2
    exit 2
    ;;
esac
case $builder in
  aiw | */aiw) aiw=${AIW:-$builder} ;;
  *) aiw=${AIW:-target/release/aiw} ;;
esac

# Custom resources the manifests use (`kind apiVersion`, one per line):
# kubernetes-validate ships only the Kubernetes API's schemas, so these are
# checked by tests/manifests.rs instead.
CRD_KINDS="ExternalSecret external-secrets.io/v1"
crd_kind_names=$(cut -d' ' -f1 <<<"$CRD_KINDS" | paste -sd, -)

if [[ $VALIDATOR != aiw ]] && ! "$kv" --version 2>/dev/null | grep -qx "$KV_VERSION"; then
  echo "installing kubernetes-validate==$KV_VERSION into $KV_VENV" >&2
  python3 -m venv "$KV_VENV"
  "$KV_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KV_VERSION"
fi

build() { # DIR -> manifests on stdout
  case $builder in
    kubectl | */kubectl) "$builder" kustomize "$1" ;;
    *) "$builder" build "$1" ;;
  esac
}

out_dir=$(mktemp -d "${TMPDIR:-/tmp}/aiw-manifests.XXXXXX")
trap 'rm -rf "$out_dir"' EXIT

failures=0
for dir in base overlays/development overlays/production; do
  out="$out_dir/${dir//\//-}.yaml"
  err="$out_dir/${dir//\//-}.err"
  if ! build "$dir" >"$out" 2>"$err"; then
    echo "FAIL build $dir:" >&2
    cat "$err" >&2
    failures=$((failures + 1))
    continue
  fi
  if [[ -s $err ]]; then
    echo "FAIL build $dir wrote to stderr:" >&2
    cat "$err" >&2
    failures=$((failures + 1))
  fi
  if [[ ! -s $out ]]; then
    echo "FAIL build $dir produced no output" >&2
    failures=$((failures + 1))
    continue
  fi
  for version in $K8S_VERSIONS; do
    count=$(grep -c '^kind:' "$out" || true)
    if [[ $VALIDATOR != aiw ]]; then
      log="$out_dir/${dir//\//-}.$version.log"
      if "$kv" --strict --quiet -k "$version" "$out" >"$log" 2>&1; then
        no_schema=$(sed -n 's/.*Couldn.t find schema for kind \([^ ]*\) with api version \([^ ]*\) .*/\1 \2/p' "$log")
        unknown=$(sort -u <<<"$no_schema" | grep -vxF "$CRD_KINDS" || true)
        crds=$(grep -c . <<<"$no_schema" || true)
        if [[ -n $unknown ]]; then
          echo "FAIL $dir: no schema for Kubernetes $version for:" $unknown >&2
          failures=$((failures + 1))
        elif ((crds > 0)); then
          echo "ok   $dir: $((count - crds)) resources valid for Kubernetes $version (kubernetes-validate --strict), $crds custom resources"
        else
          echo "ok   $dir: $count resources valid for Kubernetes $version (kubernetes-validate --strict)"
        fi
      else
        cat "$log" >&2
        echo "FAIL $dir: schema validation for Kubernetes $version" >&2
        failures=$((failures + 1))
      fi
    fi
    if [[ $VALIDATOR != kubernetes-validate ]]; then
      if "$aiw" validate "$out" --kubernetes-version "$version" --skip-kinds "$crd_kind_names" >"$err" 2>&1; then
        echo "ok   $dir: $count resources valid for Kubernetes $version (aiw validate)"
      else
        cat "$err" >&2
        echo "FAIL $dir: aiw validate for Kubernetes $version" >&2
        failures=$((failures + 1))
      fi
    fi
  done
done

if ((failures > 0)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all manifests built and validated"

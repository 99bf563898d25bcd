#!/usr/bin/env bash
# Installs kubernetes-validate (PyPI) into a virtualenv under target/ when it
# is missing, then prints the path of its command (or, with --schemas, of its
# directory of JSON schemas). Used by the validation cross-check, its
# benchmark and src/validate/gen.py.
#
# Usage: scripts/kubernetes-validate.sh [--schemas]
#
# Environment:
#   KV_VERSION  the release to install (default 1.37.0)
#   KV_VENV     the virtualenv (default target/kubernetes-validate-$KV_VERSION)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KV_VERSION=${KV_VERSION:-1.37.0}
KV_VENV=${KV_VENV:-"$repo_root/target/kubernetes-validate-$KV_VERSION"}
kv="$KV_VENV/bin/kubernetes-validate"

if ! "$kv" --version 2>/dev/null | grep -qx "$KV_VERSION"; then
  echo "installing kubernetes-validate==$KV_VERSION into $KV_VENV" >&2
  python3 -m venv "$KV_VENV" >&2
  "$KV_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KV_VERSION" >&2
fi

case ${1:-} in
  --schemas)
    "$KV_VENV/bin/python" -c \
      'import importlib.resources as r; print(r.files("kubernetes_validate") / "kubernetes-json-schema")'
    ;;
  "") echo "$kv" ;;
  *)
    echo "usage: $0 [--schemas]" >&2
    exit 2
    ;;
esac

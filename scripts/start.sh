#!/usr/bin/env bash
# Installs what is missing and starts the app: frontend on :3000, backend on :7007, with the embedded
# development defaults: SQLite under .data/, local example repositories, and the Kubernetes cluster
# simulator with its process kubelet (kubeconfig in .data/kube/config) running sessions as local
# processes. Needs only Node 20 and npm.
#   bash scripts/start.sh [--skip-install]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

if [ "${1:-}" != "--skip-install" ]; then
  yarn install
fi

export AGENTS_DATA_DIR="${AGENTS_DATA_DIR:-$ROOT/.data}"
mkdir -p "$AGENTS_DATA_DIR/sqlite" "$AGENTS_DATA_DIR/kube"
bash scripts/dev-repos.sh

# The harness image runs its real entrypoint (images/harness/entrypoint) as a local process; the
# development config offers the demo agent, which needs no API keys.
cat > "$AGENTS_DATA_DIR/kube/images.yaml" <<YAML
'ghcr.io/backstage-agents/harness:*': ['$(command -v node)', '$ROOT/images/harness/entrypoint/main.js']
YAML
rm -f "$AGENTS_DATA_DIR/kube/config"
node packages/kube-sim/bin/kube-sim --kubeconfig "$AGENTS_DATA_DIR/kube/config" \
  --images "$AGENTS_DATA_DIR/kube/images.yaml" --work-dir "$AGENTS_DATA_DIR/kube/pods" \
  > "$AGENTS_DATA_DIR/kube/kube-sim.log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT INT TERM
node scripts/dev-cluster.js "$AGENTS_DATA_DIR/kube/config"
echo "Cluster simulator ready: KUBECONFIG=$AGENTS_DATA_DIR/kube/config kubectl get pods -n agents"

yarn start

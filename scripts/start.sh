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
# A fake GitHub (packages/fake-github) serves the example repositories over git smart HTTP and the
# REST API the backend uses: repo-scoped app tokens, pull requests. The app's key goes to the
# backend through AGENTS_GITHUB_APP_KEY (app-config.yaml).
mkdir -p "$AGENTS_DATA_DIR/github"
rm -f "$AGENTS_DATA_DIR/github/app.pem"
node packages/fake-github/bin/fake-github --port "${AGENTS_GITHUB_PORT:-7008}" \
  --repos-dir "$AGENTS_DATA_DIR/git" --app-id 1 --installation example-org=all \
  --private-key-out "$AGENTS_DATA_DIR/github/app.pem" \
  > "$AGENTS_DATA_DIR/github/fake-github.log" 2>&1 &
github_pid=$!

rm -f "$AGENTS_DATA_DIR/kube/config"
node packages/kube-sim/bin/kube-sim --kubeconfig "$AGENTS_DATA_DIR/kube/config" \
  --images "$AGENTS_DATA_DIR/kube/images.yaml" --work-dir "$AGENTS_DATA_DIR/kube/pods" \
  > "$AGENTS_DATA_DIR/kube/kube-sim.log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid $github_pid 2>/dev/null || true' EXIT INT TERM
node scripts/dev-cluster.js "$AGENTS_DATA_DIR/kube/config"
for _ in $(seq 1 100); do [ -s "$AGENTS_DATA_DIR/github/app.pem" ] && break; sleep 0.2; done
[ -s "$AGENTS_DATA_DIR/github/app.pem" ] || { cat "$AGENTS_DATA_DIR/github/fake-github.log" >&2; exit 1; }
AGENTS_GITHUB_APP_KEY="$(cat "$AGENTS_DATA_DIR/github/app.pem")"
export AGENTS_GITHUB_APP_KEY
echo "Fake GitHub ready: http://localhost:${AGENTS_GITHUB_PORT:-7008}"
echo "Cluster simulator ready: KUBECONFIG=$AGENTS_DATA_DIR/kube/config kubectl get pods -n agents"

yarn start

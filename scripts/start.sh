#!/usr/bin/env bash
# Installs what is missing and starts the app: frontend on :3000, backend on :7007, with the embedded
# development defaults: SQLite under .data/, local example repositories served by a fake GitHub
# (:7008), the model-provider simulator (:7009) and the Kubernetes cluster simulator with its process
# kubelet (kubeconfig in .data/kube/config) running sessions as local processes: the harness image's
# entrypoint with the real agent CLIs (OpenCode, Claude Code, Codex at the image's pinned versions,
# installed into .tools/agents), which talk to the model simulator. Needs only Node 20 and npm.
#   bash scripts/start.sh [--skip-install]
# --skip-install skips `yarn install`; the agent CLIs are installed when missing either way.
# Ports: AGENTS_GITHUB_PORT (7008), AGENTS_LLM_PORT (7009). Data: AGENTS_DATA_DIR (.data).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

if [ "${1:-}" != "--skip-install" ]; then
  yarn install
fi

# The coding agents' CLIs at the versions the harness image pins (a no-op once installed). Without
# them (no registry here), sessions of the demo harness still run; the others fail.
AGENT_CLIS_DIR="${AGENT_CLIS_DIR:-$ROOT/.tools/agents}"
bash scripts/install-agent-clis.sh "$AGENT_CLIS_DIR" ||
  echo "WARNING: the agent CLIs could not be installed into $AGENT_CLIS_DIR: only demo sessions will run" >&2

export AGENTS_DATA_DIR="${AGENTS_DATA_DIR:-$ROOT/.data}"
mkdir -p "$AGENTS_DATA_DIR/sqlite" "$AGENTS_DATA_DIR/kube" "$AGENTS_DATA_DIR/llm"
bash scripts/dev-repos.sh

# The harness image runs its real entrypoint (images/harness/entrypoint) as a local process. What the
# image's ENV provides comes first: the agent CLIs on PATH (the kubelet passes the host's PATH, HOME,
# LANG, TZ and TMPDIR beneath the pod's own environment), and OpenCode's pre-provisioned
# configuration directory, so that it installs nothing at start. PWD is unset, as a container
# runtime leaves it: the kubelet sets it to the container's working directory, and OpenCode takes
# its working directory from PWD rather than from the directory it is started in.
cat > "$AGENTS_DATA_DIR/kube/images.yaml" <<YAML
'ghcr.io/backstage-agents/harness:*':
  - '$(command -v env)'
  - '-u'
  - 'PWD'
  - 'PATH=$AGENT_CLIS_DIR/bin:$PATH'
  - 'AGENTS_OPENCODE_CONFIG_TEMPLATE=$AGENT_CLIS_DIR/opencode-config'
  - '$(command -v node)'
  - '$ROOT/images/harness/entrypoint/main.js'
YAML

# The model-provider simulator (packages/fake-llm): OpenAI chat completions, Anthropic Messages and
# OpenAI Responses, with scripted conversations and no key checked. app-config.yaml points the three
# harnesses at it through these variables; scripts/dev-cluster.js creates the Secret they name.
llm_port="${AGENTS_LLM_PORT:-7009}"
export AGENTS_LLM_URL="http://127.0.0.1:$llm_port"
export AGENTS_LLM_MODEL=fake-model
export AGENTS_LLM_CREDENTIALS=agents-model-simulator
rm -f "$AGENTS_DATA_DIR/llm/fake-llm.log"
node packages/fake-llm/bin/fake-llm --port "$llm_port" --log \
  > "$AGENTS_DATA_DIR/llm/fake-llm.log" 2>&1 &
llm_pid=$!
trap 'kill $llm_pid 2>/dev/null || true' EXIT
# A trap that does not exit lets the script go on: stopped while starting, it would still start the app.
trap 'exit 143' INT TERM

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
trap 'kill $sim_pid $github_pid $llm_pid 2>/dev/null || true' EXIT
node scripts/dev-cluster.js "$AGENTS_DATA_DIR/kube/config"
# Backstage's Kubernetes plugin takes the simulator's URL, CA and token from the environment.
eval "$(node scripts/kube-env.js "$AGENTS_DATA_DIR/kube/config")"
for _ in $(seq 1 100); do [ -s "$AGENTS_DATA_DIR/github/app.pem" ] && break; sleep 0.2; done
[ -s "$AGENTS_DATA_DIR/github/app.pem" ] || { cat "$AGENTS_DATA_DIR/github/fake-github.log" >&2; exit 1; }
AGENTS_GITHUB_APP_KEY="$(cat "$AGENTS_DATA_DIR/github/app.pem")"
export AGENTS_GITHUB_APP_KEY
for _ in $(seq 1 100); do grep -q 'listening at' "$AGENTS_DATA_DIR/llm/fake-llm.log" 2>/dev/null && break; sleep 0.2; done
grep -q 'listening at' "$AGENTS_DATA_DIR/llm/fake-llm.log" || { cat "$AGENTS_DATA_DIR/llm/fake-llm.log" >&2; exit 1; }
echo "Fake GitHub ready: http://localhost:${AGENTS_GITHUB_PORT:-7008}"
echo "Model simulator ready: $AGENTS_LLM_URL (requests logged to $AGENTS_DATA_DIR/llm/fake-llm.log)"
echo "Cluster simulator ready: KUBECONFIG=$AGENTS_DATA_DIR/kube/config kubectl get pods -n agents"

yarn start

#!/usr/bin/env bash
# Installs what is missing (packages, the agent CLIs) and runs every test: type check, lint, the module graph's rules, unit/integration tests (store and route
# tests on SQLite and, when a server is reachable, PostgreSQL), the kubectl smoke test of the cluster
# simulator, and the end-to-end tests in Chromium against the running app.
#   bash scripts/test.sh
# PostgreSQL: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, default postgresql://postgres@127.0.0.1:5432.
# With CI=true a missing PostgreSQL or Chromium is an error instead of a skipped part.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "ERROR: $*" >&2; exit 1; }

step "Installing dependencies"
if [ -n "${CI:-}" ]; then yarn install --immutable; else yarn install; fi

step "Installing the agent CLIs"
# OpenCode, Claude Code and Codex at the harness image's pinned versions, into .tools/agents (a no-op
# once there): the real-CLI tests of packages/fake-llm and the app's sessions in the e2e tests run them.
bash scripts/install-agent-clis.sh

step "Checking for PostgreSQL"
export BACKSTAGE_TEST_DISABLE_DOCKER=1
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432}"
if node -e "
  const { Client } = require('pg');
  const c = new Client({ connectionString: process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING });
  c.connect().then(() => c.end()).catch(() => process.exit(1));
"; then
  echo "Store and route tests run on SQLite and PostgreSQL"
else
  [ -n "${CI:-}" ] && fail "PostgreSQL is not reachable at $BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING"
  echo "PostgreSQL is not reachable: store and route tests run on SQLite only"
  unset BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
fi

step "Type checking"
yarn tsc

step "Linting"
yarn backstage-cli repo lint

step "Checking the module graph (no import cycles)"
yarn depcruise --config .dependency-cruiser.cjs plugins packages bench reliability images/harness/entrypoint integrations

step "Linting shell scripts"
bash scripts/lint-shell.sh

bash scripts/install-helm.sh  # helm for the deploy tests (helm lint, helm template), into .tools/bin
step "Unit and integration tests"
results="$(mktemp)"
jest_counts() {
  node -e "const r = JSON.parse(require('fs').readFileSync('$results', 'utf8')); console.log(r.numPassedTests + ' ' + r.numFailedTests)"
}
CI=true yarn backstage-cli repo test --json --outputFile="$results" || {
  read -r passed failed <<< "$(jest_counts 2>/dev/null || echo '? ?')"
  echo "jest: $passed passed, $failed failed"
  fail "unit and integration tests failed"
}
jest_summary="$(jest_counts)"

if [ -f packages/kube-sim/scripts/kubectl-smoke.sh ]; then
  step "kubectl against the cluster simulator"
  bash packages/kube-sim/scripts/kubectl-smoke.sh
fi

step "End-to-end tests in Chromium"
# jq: the README's API example uses it, and the e2e tests run the README's commands.
missing=()
command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null || missing+=(chromium)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    fail "${missing[*]} missing: install Debian's packages (apt-get install ${missing[*]})"
  fi
fi
e2e_data="$(mktemp -d)"
app_log="$e2e_data/app.log"
# A fresh data directory: the e2e run starts from an empty database, like a newcomer's first start.
AGENTS_DATA_DIR="$e2e_data" setsid bash scripts/start.sh --skip-install > "$app_log" 2>&1 &
app_pid=$!
stop_app() { kill -TERM -- "-$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
trap stop_app EXIT
wait_for() {
  for _ in $(seq 1 180); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$app_pid" 2>/dev/null || { tail -50 "$app_log"; fail "the app exited while starting"; }
    sleep 1
  done
  tail -50 "$app_log"; fail "$1 did not answer within 3 minutes"
}
wait_for http://localhost:7007/.backstage/health/v1/readiness
wait_for http://localhost:3000
e2e_status=0
# The data directory tells the e2e tests where the app's kubeconfig is (KUBECONFIG=.data/kube/config in the docs).
AGENTS_DATA_DIR="$e2e_data" yarn playwright test -c e2e/playwright.config.ts || e2e_status=$?
stop_app
trap - EXIT
# What the page showed when an attempt failed (also one that passed on retry): the screenshots and traces
# stay on the machine, these snapshots reach the log.
find node_modules/.cache/e2e-test-results -name error-context.md 2>/dev/null | while read -r context; do
  printf '\n==> page at a failed attempt: %s\n' "$(basename "$(dirname "$context")")"
  awk '/^# Error details/ { shown = 1 } /^# Test source/ { shown = 0 } shown' "$context" | head -c 20000 || true
done
[ "$e2e_status" = 0 ] || {
  tail -30 "$app_log"
  printf '\n==> model simulator requests (last 30)\n'
  tail -30 "$e2e_data/llm/fake-llm.log" 2>/dev/null || true
  fail "end-to-end tests failed"
}

read -r passed failed <<< "$jest_summary"
echo
echo "All tests passed."
echo "jest: $passed passed, $failed failed"

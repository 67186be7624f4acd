#!/usr/bin/env bash
# Runs end-to-end specs against a fresh app (an empty data directory), one run at a time on this
# machine (the app needs ports 3000 and 7007-7009), e.g.
#   bash scripts/e2e.sh e2e/tests/opencode.spec.ts
# With no argument it runs every spec. The app's log is kept in the printed data directory.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
exec 9>/tmp/backstage-agents-e2e.lock
echo "Waiting for other end-to-end runs on this machine to finish…"
flock 9
data="$(mktemp -d)"
echo "App data and log: $data"
# The app must not inherit the lock's descriptor: an app left running by a killed run would hold the
# lock, and every later run would wait for ever.
AGENTS_DATA_DIR="$data" setsid bash scripts/start.sh --skip-install 9>&- > "$data/app.log" 2>&1 &
app_pid=$!
stop_app() {
  kill -TERM -- "-$app_pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 -- "-$app_pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
}
trap stop_app EXIT
for url in http://localhost:7007/.backstage/health/v1/readiness http://localhost:3000; do
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null "$url" && break
    kill -0 "$app_pid" 2>/dev/null || { tail -50 "$data/app.log"; echo "the app exited while starting" >&2; exit 1; }
    sleep 1
  done
done
AGENTS_DATA_DIR="$data" yarn playwright test -c e2e/playwright.config.ts "$@"

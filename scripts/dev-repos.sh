#!/usr/bin/env bash
# Creates the local bare Git repositories the example components point at (see
# agents.git.rewrites in app-config.yaml). Idempotent: existing repositories are left alone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${AGENTS_DATA_DIR:-$ROOT/.data}"

make_repo() {
  local name=$1 description=$2
  local bare="$DATA_DIR/git/example-org/$name"
  [ -d "$bare" ] && return 0
  local work
  work=$(mktemp -d)
  git init -q -b main "$work"
  cat > "$work/README.md" <<MD
# $name

$description
MD
  printf 'node_modules/\n' > "$work/.gitignore"
  printf 'export function add(a, b) {\n  return a + b;\n}\n' > "$work/index.js"
  # Extra content for this repository, e.g. a spec-kit feature under specs/.
  if [ -n "${3:-}" ]; then cp -R "$3/." "$work/"; fi
  git -C "$work" add -A
  git -C "$work" -c user.name='Agents for Backstage' -c user.email='agents@example.com' \
    commit -q -m "Initial commit of $name"
  mkdir -p "$(dirname "$bare")"
  git clone -q --bare "$work" "$bare"
  rm -rf "$work"
  echo "Created $bare"
}

# payments-service carries a spec-kit feature (examples/specs) for the "Implement a spec" template.
spec_tree=$(mktemp -d)
mkdir -p "$spec_tree/specs"
cp -R "$ROOT/examples/specs/." "$spec_tree/specs/"
make_repo payments-service 'Takes payments and issues refunds.' "$spec_tree"
rm -rf "$spec_tree"
make_repo web-storefront 'The customer-facing web shop.'

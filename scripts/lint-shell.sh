#!/usr/bin/env bash
# Lints every shell script the repository tracks with shellcheck: files named *.sh or *.bash, and
# files whose first line is a sh/bash/dash/ksh shebang (such as .ci/run). Exits non-zero on any
# finding. Extra arguments go to shellcheck (e.g. --severity=warning).
#   bash scripts/lint-shell.sh [shellcheck options...]
# The linter comes from the distribution's packages: it is installed with apt-get when missing and
# this runs as root on a Debian/Ubuntu machine; otherwise the script says what to install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing shellcheck with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >&2
  fi
  if ! command -v shellcheck >/dev/null 2>&1; then
    echo "ERROR: shellcheck is not installed and could not be installed here." >&2
    echo "       Install it (Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck) and rerun." >&2
    exit 2
  fi
fi

is_shell_script() {
  local file="$1" first=""
  case "$file" in
    *.sh | *.bash) return 0 ;;
  esac
  IFS= read -r first <"$file" 2>/dev/null || true
  [[ "$first" =~ ^\#!.*(/|[[:space:]])(ba|da|k)?sh([[:space:]]|$) ]]
}

scripts=()
while IFS= read -r -d '' file; do
  [ -f "$file" ] || continue # tracked but deleted in the work tree
  if is_shell_script "$file"; then scripts+=("$file"); fi
done < <(git ls-files -z)

if [ "${#scripts[@]}" -eq 0 ]; then
  echo "No shell scripts tracked."
  exit 0
fi

echo "==> shellcheck ${#scripts[@]} script(s): ${scripts[*]}" >&2
# -x follows `source`d files (paths relative to the repository root, where this runs).
if shellcheck --version >/dev/null && shellcheck -x "$@" "${scripts[@]}"; then
  echo "shellcheck: no findings in ${#scripts[@]} script(s)." >&2
else
  status=$?
  echo "shellcheck: findings above (exit ${status})." >&2
  exit "$status"
fi

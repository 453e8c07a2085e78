#!/usr/bin/env bash
# Install a pinned Synapse homeserver into its own virtualenv, for the Matrix tests.
#
# Usage: scripts/install-synapse.sh [VENV_DIR]     (default: <repo>/.venv-synapse)
#
# Idempotent: when VENV_DIR already holds the pinned version (marker file), it does nothing.
# Synapse is kept out of the project venv: it pins many packages of its own.
set -euo pipefail

SYNAPSE_VERSION="1.163.2"
PYTHON="${PYTHON:-python3.11}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${1:-$repo_root/.venv-synapse}"
marker="$venv_dir/.synapse-version"
log="$(mktemp -t install-synapse.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

die() {
  echo "install-synapse: $*" >&2
  if [[ -s "$log" ]]; then
    echo "--- last lines of the install log ---" >&2
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -n 40 >&2
  fi
  exit 1
}

if [[ -f "$marker" && "$(cat "$marker")" == "$SYNAPSE_VERSION" && -x "$venv_dir/bin/python" ]]; then
  echo "install-synapse: matrix-synapse $SYNAPSE_VERSION already in $venv_dir"
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (set PYTHON=/path/to/python3.11)"

if [[ ! -x "$venv_dir/bin/python" ]]; then
  "$PYTHON" -m venv "$venv_dir" >"$log" 2>&1 || die "could not create the virtualenv $venv_dir"
fi

rm -f "$marker"
"$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
  "matrix-synapse==$SYNAPSE_VERSION" >"$log" 2>&1 \
  || die "pip install matrix-synapse==$SYNAPSE_VERSION failed"

"$venv_dir/bin/python" -c "import synapse.app.homeserver" >"$log" 2>&1 \
  || die "matrix-synapse installed but does not import"

echo "$SYNAPSE_VERSION" >"$marker"
echo "install-synapse: matrix-synapse $SYNAPSE_VERSION installed in $venv_dir"

#!/usr/bin/env bash
# The Dockerfile's build stage, run where no container engine does: its COPY and RUN steps,
# read from the Dockerfile itself, in a clean virtual environment in a temporary directory.
# Then the result is checked as the final stage would use it: `bilat check` on the data and a
# French briefing from the compiled catalogs.
#
# Differences from a real build, on purpose: paths under /opt/ and /app move into the
# temporary directory; `python` is this machine's Python 3.11; ENV lines are not applied
# (they tune pip and bytecode for the image, and here pip's cache is worth keeping).
#
# Usage: scripts/docker-steps.sh [DOCKERFILE]   (PYTHON=python3.11 by default)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=${1:-$repo/Dockerfile}
python=$(command -v "${PYTHON:-python3.11}" || command -v python3)
work=$(mktemp -d "${TMPDIR:-/tmp}/bilat-docker-steps.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/app"
ln -s "$python" "$work/bin/python"
export PATH="$work/bin:$PATH"

# The build stage, from the first FROM to the next, with continuation lines joined.
stage=$(awk '/^FROM /{n++} n==1 && !/^[[:space:]]*#/' "$dockerfile" \
        | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')

# /app and /opt/... of the image, inside the temporary directory.
relocate() { sed -e "s#/opt/#$work/opt/#g" -e "s#/app\\b#$work/app#g" <<<"$1"; }

workdir="$work/app"
while IFS= read -r line; do
  read -r instruction rest <<<"$line"
  case "$instruction" in
    WORKDIR)
      workdir=$(relocate "$rest")
      mkdir -p "$workdir" ;;
    COPY)
      read -r -a parts <<<"$rest"
      dest=${parts[-1]}
      unset 'parts[-1]'
      case "$dest" in /*) target=$(relocate "$dest") ;; *) target="$workdir/$dest" ;; esac
      for source in "${parts[@]}"; do
        echo "docker-steps: COPY $source $dest"
        if [[ -d "$repo/$source" ]]; then
          mkdir -p "$target"
          cp -R "$repo/$source/." "$target/"
        else
          mkdir -p "$target"
          cp "$repo/$source" "$target/"
        fi
      done ;;
    RUN)
      command=$(relocate "$rest")
      echo "docker-steps: RUN $rest"
      (cd "$workdir" && sh -ec "$command") ;;
    FROM|ENV|ARG|LABEL|"") ;;
    *) echo "docker-steps: unexpected $instruction in the build stage" >&2; exit 1 ;;
  esac
done <<<"$stage"

# The final stage's view: the installed bilat, the application tree, its data.
bilat="$work/opt/bilat/bin/bilat"
test -x "$bilat"
for locale in fr en; do
  test -s "$work/app/briefs/locale/$locale/LC_MESSAGES/messages.mo"
done
ls "$work/opt/matplotlib"/fontlist-*.json >/dev/null
run() {
  (cd "$work" && env -i PATH="$work/opt/bilat/bin:/usr/bin:/bin" HOME="$work" \
     MPLCONFIGDIR="$work/opt/matplotlib" BILAT_DATA_DIR="$work/app/data" \
     BILAT_DB="$work/state/bilat.sqlite3" "$bilat" "$@")
}
echo "docker-steps: bilat check"
run check | tail -n 1 | grep -E "^[0-9]+ article\(s\) valid"
echo "docker-steps: bilat render in French"
run render "/trade 2024" --lang fr --as-of 2025-05-08 | grep -q "Commerce Kazakhstan–France"
echo "docker-steps: OK"

#!/usr/bin/env bash
# Check that `pipx install .` gives a working `reviewer`: installs pipx into a throw-away venv,
# installs this checkout with it into a temporary PIPX_HOME (never the user's), and runs
# `reviewer --version` and `reviewer score` on the installed package's demo folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/pipx-venv"
"$tmp/pipx-venv/bin/python" -m pip install -qq --disable-pip-version-check pipx
export PIPX_HOME="$tmp/pipx" PIPX_BIN_DIR="$tmp/bin" PIPX_MAN_DIR="$tmp/man"
"$tmp/pipx-venv/bin/pipx" install --quiet "$root" >/dev/null
cd "$tmp"
echo "pipx install .: $("$tmp/bin/reviewer" --version)"
demo="$("$PIPX_HOME/venvs/reviewer/bin/python" -c 'from reviewer.gui.app import demo_folder; print(demo_folder())')"
rows="$("$tmp/bin/reviewer" score "$demo" --format csv | tail -n +2 | wc -l)"
echo "reviewer score on the installed demo folder: $rows rows"
[ "$rows" -ge 1 ] || { echo "FAILED" >&2; exit 1; }
echo "pipx check: OK"

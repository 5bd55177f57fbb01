#!/usr/bin/env bash
# Build the one-folder Linux bundle (dist/reviewer/) with PyInstaller and check it: the bundled
# `reviewer --version`, and `reviewer score` on the demo folder, run from outside the checkout.
#   bash packaging/build-bundle.sh        (a few minutes; PyInstaller lives in its own venv)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${REVIEWER_BUNDLE_BUILD:-$root/build/bundle}"
venv="$build/venv"
mkdir -p "$build"
if [ ! -x "$venv/bin/pyinstaller" ]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -qq --disable-pip-version-check pyinstaller
fi
# a regular (not editable) install, so the bundle holds the package and not a link to the tree
"$venv/bin/python" -m pip install -qq --disable-pip-version-check --force-reinstall --no-deps "$root"
"$venv/bin/python" -m pip install -qq --disable-pip-version-check "$root"
"$venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$root/dist" --workpath "$build/work" "$root/packaging/reviewer.spec"
app="$root/dist/reviewer/reviewer"
check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
cd "$check"  # away from the checkout: the bundle must carry everything it needs
echo "bundle: $(du -sh "$root/dist/reviewer" | cut -f1) in $root/dist/reviewer"
echo "--version: $("$app" --version)"
demo="$root/dist/reviewer/_internal/reviewer/resources/demo"
rows="$("$app" score "$demo" --format csv | tail -n +2 | wc -l)"
echo "score on the bundled demo folder: $rows rows"
[ "$rows" -ge 1 ] || { echo "FAILED: no rows from the bundled reviewer score" >&2; exit 1; }
echo "bundle check: OK"

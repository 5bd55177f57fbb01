#!/usr/bin/env bash
# Add Reviewer to the desktop's application menu for this user: the .desktop file (it opens
# folders and photos, RAW included), the AppStream metainfo and the icons, under
# $XDG_DATA_HOME (~/.local/share). Run ./run.sh once first, or have `reviewer` on PATH.
#   bash packaging/install-desktop.sh            # install
#   bash packaging/install-desktop.sh --remove   # take it out of the menu again
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
id=org.reviewerapp.Reviewer
data="${XDG_DATA_HOME:-$HOME/.local/share}"
sizes="16 24 32 48 64 128 256 512"

if [ "${1:-}" = --remove ]; then
    rm -f "$data/applications/$id.desktop" "$data/metainfo/$id.metainfo.xml" \
          "$data/icons/hicolor/scalable/apps/$id.svg"
    for s in $sizes; do rm -f "$data/icons/hicolor/${s}x${s}/apps/$id.png"; done
    echo "Reviewer removed from the application menu (no photo or setting was touched)."
    exit 0
fi

exe="$(command -v reviewer || true)"
[ -n "$exe" ] || exe="$root/.venv/bin/reviewer"
[ -x "$exe" ] || { echo "No reviewer command yet: run ./run.sh once first." >&2; exit 1; }

install -d "$data/applications" "$data/metainfo" "$data/icons/hicolor/scalable/apps"
sed "s|^Exec=reviewer |Exec=$exe |; s|^TryExec=reviewer$|TryExec=$exe|" \
    "$here/$id.desktop" > "$data/applications/$id.desktop"
install -m 644 "$here/$id.metainfo.xml" "$data/metainfo/$id.metainfo.xml"
install -m 644 "$root/resources/icons/reviewer.svg" "$data/icons/hicolor/scalable/apps/$id.svg"
for s in $sizes; do
    install -D -m 644 "$root/resources/icons/reviewer-$s.png" "$data/icons/hicolor/${s}x${s}/apps/$id.png"
done
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Reviewer is in the application menu ($data/applications/$id.desktop)."

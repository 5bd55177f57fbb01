#!/usr/bin/env bash
# Shared set-up for ./run.sh and ./test.sh: a project virtualenv in .venv with the package
# installed (editable) and the system libraries Qt needs. Idempotent and quick when up to date.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-heif}"
venv="${REVIEWER_VENV:-$root/.venv}"
py="${PYTHON:-python3}"

"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Reviewer needs Python 3.11 or newer (found: $("$py" --version 2>&1))" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip
fi

# Reinstall only when the dependency list changed since the last install.
stamp="$venv/.reviewer-installed-$extras"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$root[$extras]"
    touch "$stamp"
fi

apt_install() {  # apt_install WHY PKG...: install Debian packages, as root or through sudo
    local why="$1"; shift
    if command -v apt-get >/dev/null 2>&1; then
        local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        echo "Installing $why: $*" >&2
        $sudo apt-get update -qq >/dev/null && \
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
    else
        echo "Please install $why with your distribution's package manager: $*" >&2
    fi
}

# Qt's wheels bundle Qt itself but load a few system libraries (OpenGL, xkbcommon, fontconfig,
# and for a real X11 window the xcb family). Install them from the distribution when missing.
if ! "$venv/bin/python" -c 'from PySide6 import QtGui' >/dev/null 2>&1 \
   || { [ -n "${DISPLAY:-}" ] && ! ldconfig -p 2>/dev/null | grep -q libxcb-cursor; }; then
    apt_install "system libraries for Qt" libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 \
        libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
        libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
fi

# The tests read our sidecars and makernotes back with the real clients: ExifTool and Exiv2.
if [ "$extras" = test ]; then
    missing=()
    command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
    command -v exiv2 >/dev/null 2>&1 || missing+=(exiv2)
    [ ${#missing[@]} -eq 0 ] || apt_install "the reference metadata tools" "${missing[@]}"
fi
echo "$venv"

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
    "$venv/bin/python" -m pip install -qq --upgrade pip
fi

# Reinstall only when the dependency list changed since the last install.
stamp="$venv/.reviewer-installed-$extras"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    # The plain OpenCV wheels and the contrib one we need all install cv2/: remove a plain one
    # left by an older install first, or their files mix.
    "$venv/bin/python" -m pip uninstall -qq -y opencv-python-headless opencv-python \
        >/dev/null 2>&1 || true
    "$venv/bin/python" -m pip install -qq --disable-pip-version-check -e "$root[$extras]"
    touch "$stamp"
fi

apt_install() {  # apt_install WHY PKG...: install Debian packages, as root or through sudo
    local why="$1"; shift
    if command -v apt-get >/dev/null 2>&1; then
        local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        echo "Installing $why: $*" >&2
        $sudo apt-get update -qq >/dev/null && \
            DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes $sudo apt-get install -y -qq "$@" >/dev/null
    else
        echo "Please install $why with your distribution's package manager: $*" >&2
    fi
}

# Qt's wheels bundle Qt itself but load a few system libraries (OpenGL, xkbcommon, fontconfig).
if ! "$venv/bin/python" -c 'from PySide6 import QtGui' >/dev/null 2>&1; then
    apt_install "system libraries for Qt" libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3
fi

# A real X11 window needs the libraries of Qt's xcb platform plugin: whatever `ldd` finds missing,
# plus libxcb-cursor, which Qt opens at run time instead of linking. A soname maps to its Debian
# package by name (libxcb-icccm.so.4 -> libxcb-icccm4, libxkbcommon-x11.so.0 -> libxkbcommon-x11-0).
xcb_missing() {
    local plugin
    plugin="$("$venv/bin/python" -c 'import pathlib, PySide6
print(pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so")' 2>/dev/null)" || return 0
    {
        [ -f "$plugin" ] && ldd "$plugin" 2>/dev/null | awk '/not found/ {print $1}'
        ldconfig -p 2>/dev/null | grep -q 'libxcb-cursor\.so\.0' || echo libxcb-cursor.so.0
    } | sort -u
}
soname_package() {  # libfoo-bar.so.4 -> libfoo-bar4; a name ending in a digit gets a dash
    local name="${1%%.so.*}" version="${1##*.so.}"
    name="$(echo "$name" | tr '[:upper:]' '[:lower:]')"
    case "$name" in *[0-9]) echo "$name-$version" ;; *) echo "$name$version" ;; esac
}
if [ "$extras" != test ] && [ -n "${DISPLAY:-}" ]; then
    missing_libs="$(xcb_missing)"
    if [ -n "$missing_libs" ]; then
        pkgs=()
        for lib in $missing_libs; do pkgs+=("$(soname_package "$lib")"); done
        apt_install "the X11 libraries Qt's window needs" "${pkgs[@]}" || true
        still="$(xcb_missing)"
        [ -z "$still" ] || echo "Qt's X11 plugin still misses:" $still "- install them," \
            "or run headless: reviewer score FOLDER, or reviewer --screenshot out.png" >&2
    fi
fi

# The tests read our sidecars and makernotes back with the real clients, ExifTool and Exiv2,
if [ "$extras" = test ]; then
    missing=()
    command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
    command -v exiv2 >/dev/null 2>&1 || missing+=(exiv2)
    # ... and the desktop file and AppStream metainfo with the freedesktop validators.
    command -v desktop-file-validate >/dev/null 2>&1 || missing+=(desktop-file-utils)
    command -v appstreamcli >/dev/null 2>&1 || missing+=(appstream)
    [ ${#missing[@]} -eq 0 ] || apt_install "the reference metadata tools" "${missing[@]}"
fi
echo "$venv"

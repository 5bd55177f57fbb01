# Sourced by the make_*_set.sh scripts: where things are, and fetching a Debian package.
# Each script sources it from its own folder, then builds one labelled blur set under out/.
here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$here/.."
shared="${SHARED:-$root/../shared}"
out="$here/out"
py="${PYTHON:-$root/.venv/bin/python}"

# fetch_package PACKAGE DIR: download PACKAGE's .deb and unpack it into DIR, once.
fetch_package() {
    if [ ! -d "$2" ]; then
        apt-get download "$1"
        dpkg -x "$1"_*.deb "$2"
    fi
}

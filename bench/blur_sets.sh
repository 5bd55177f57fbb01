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

# blur_set OUT SEED SRC...: blur the sharp photos of SRC... twice, with the same seed: into OUT
# at a 1280 px long edge (what the constants were first chosen at), and into OUT_full at the
# blur tool's own default (3000 px), where a photo's file size differs from the scoring size.
blur_set() {
    local dest="$1" seed="$2"
    shift 2
    "$py" "$shared/tools/make_blur_set.py" "$@" --out "$dest" --seed "$seed" --max-edge 1280
    "$py" "$shared/tools/make_blur_set.py" "$@" --out "${dest}_full" --seed "$seed"
}

#!/usr/bin/env bash
# Build the synthetic DEV set described in ../shared/photos/README.md into bench/out/dev_synth:
# real KDE wallpaper photographs (Debian's plasma-workspace-wallpapers, GPL-2+) plus the sharp
# photos of ../shared/photos/real, blurred by ../shared/tools/make_blur_set.py.
set -euo pipefail
source "$(dirname "$0")/blur_sets.sh"
mkdir -p "$out" && cd "$out"
fetch_package plasma-workspace-wallpapers wall
mkdir -p bases
for n in BytheWater ColdRipple ColorfulCups DarkestHour EveningGlow FallenLeaf Grey OneStandsOut Path summer_1am; do
    cp "wall/usr/share/wallpapers/$n/contents/images/2560x1600.jpg" "bases/plasma_$n.jpg"
done
blur_set dev_synth 1 bases "$shared/photos/real"
echo "made $out/dev_synth and $out/dev_synth_full"

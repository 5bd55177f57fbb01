#!/usr/bin/env bash
# Build the WIDER DEV set into bench/out/wide_synth: 22 more real photographs (Debian's
# mate-backgrounds, lomiri-wallpapers-16.04 and -20.04; many are macro and shallow depth-of-field
# shots), blurred by ../shared/tools/make_blur_set.py with another seed.
# It was the held-out set until the scorer's constants were chosen on it as well as on the dev
# set (make_dev_set.sh); make_holdout_set.sh now builds the photos nothing is tuned on.
# Left out on purpose: MATE's "Storm", a road shot from a moving car, motion-blurred by intent,
# so it cannot stand as a sharp base; and the illustrations (vector art, renders, paintings).
set -euo pipefail
source "$(dirname "$0")/blur_sets.sh"
mkdir -p "$out/wide" && cd "$out/wide"
for pkg in mate-backgrounds lomiri-wallpapers-16.04 lomiri-wallpapers-20.04; do
    fetch_package "$pkg" "$pkg"
done
rm -rf bases && mkdir bases
for n in Aqua Blinds Dune Garden LadyBird RainDrops TwoWings Wood YellowFlower; do
    cp "mate-backgrounds/usr/share/backgrounds/mate/nature/$n.jpg" "bases/mate_$n.jpg"
done
for n in Bridge_by_Sander_Klootwijk Dragonfly_by_Bolly Picture_0B_by_freespace \
    Wine_by_Jakkub_Mede aitzgorri_by_Aitzol_Berasategi free_by_Peter_Nerlich \
    friends_by_Aitzol_Berasategi life_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi \
    seeding_by_Clements_Engelhardt sunset_by_Aitzol_Berasategi; do
    cp "lomiri-wallpapers-16.04/usr/share/backgrounds/$n.jpg" "bases/lomiri_$n.jpg"
done
for n in Kleiber_by_Lukas_Baubkus Painting-Colors_by__herobrine7gamer; do
    cp "lomiri-wallpapers-20.04/usr/share/backgrounds/$n.jpg" "bases/lomiri_$n.jpg"
done
blur_set ../wide_synth 2 bases
echo "made $out/wide_synth and $out/wide_synth_full"

#!/usr/bin/env bash
# Build the HELD-OUT synthetic set into bench/out/holdout_synth: 17 real photographs that no
# constant of the scorer was chosen on, blurred by ../shared/tools/make_blur_set.py with its own
# seed. Many are macro and shallow depth-of-field shots. Sources, all Debian packages:
#   lxqt-themes    10 photographs among LXQt's wallpapers (the rest are illustrations)
#   palapeli-data  the 5 photographs of KDE's jigsaw puzzle collection
#   opencv-doc     aloeL.jpg, a photograph from OpenCV's stereo samples
#   digikam-data   the landscape photograph behind digiKam's About page
# The dev sets (make_dev_set.sh, make_wide_set.sh) are what the constants were chosen on; this
# one shows whether they hold for photos in general. Tune nothing on it: once it has been tuned
# on, it no longer tells you that.
set -euo pipefail
source "$(dirname "$0")/blur_sets.sh"
mkdir -p "$out/holdout" && cd "$out/holdout"
for pkg in lxqt-themes palapeli-data opencv-doc digikam-data; do
    fetch_package "$pkg" "$pkg"
done
rm -rf bases && mkdir bases
for n in flowers.png fog.jpg after-the-rain.jpg beam.png Valendas.png appleflower.png \
    cloud.png drop.png butterfly.png this-is-not-windows.jpg; do
    cp "lxqt-themes/usr/share/lxqt/wallpapers/$n" "bases/lxqt_$n"
done
for n in cincinnati-bridge european-honey-bee panther-chameleon-female citrus-fruits \
    castle-maintenon; do
    cp "palapeli-data/usr/share/palapeli/collection/$n.jpg" "bases/palapeli_$n.jpg"
done
cp opencv-doc/usr/share/doc/opencv-doc/examples/data/aloeL.jpg bases/opencv_aloeL.jpg
cp digikam-data/usr/share/digikam/about/images/body-background.jpg \
    bases/digikam_body-background.jpg
blur_set ../holdout_synth 3 bases
echo "made $out/holdout_synth and $out/holdout_synth_full"

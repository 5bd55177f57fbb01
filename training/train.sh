#!/usr/bin/env bash
# Rebuild the learned scorer's model: fetch the photos, make the patches, train, export to ONNX.
# Usage: bash training/train.sh [SEED]   (PYTHON=... to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-.venv/bin/python}"
seed="${1:-0}"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen
nice -n 19 "$py" -m training.build_dataset --seed "$seed" --out training/out/patches.npz
nice -n 19 "$py" -m training.train --seed "$seed" --data training/out/patches.npz \
    --out resources/models/learned_blur.onnx

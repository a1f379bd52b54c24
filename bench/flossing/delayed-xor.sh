#!/usr/bin/env bash
# Gradient flossing against plain BPTT on delayed-xor (README "Gradient flossing").
#
# delayed-xor with T = 20 (the first bit is held 19 steps), 4000 sequences (3600 train, the
# seeded 10 % held out as test), a tanh RNN with H = 64, Adam lr 1e-3, batch 64, 30 epochs,
# one shard; seeds 1–3. Plain: no flossing. Flossed: --floss 4 --floss-weight 0.03 (every step,
# whole sequence). Same budget: the same epochs and batches; flossing adds its own update.
# Prints a markdown table: final test accuracy, and λ_1 of the trained model (mean over the
# first 100 training sequences, `spectrum --ensemble 100 --k 4`, forward convention).
#
# Usage: FTLE=path/to/ftle bash bench/flossing/delayed-xor.sh [OUT]
set -euo pipefail
FTLE=${FTLE:-.build/release/ftle}
OUT=${1:-/tmp/ftle-flossing}
T=${T:-20}
mkdir -p "$OUT"
"$FTLE" data delayed-xor --steps "$T" --count 4000 --seed 0 --out "$OUT/data" --force > /dev/null
echo "| run | seed | test accuracy | λ₁ after training | λ₁…λ₄ | seconds |"
echo "|---|---|---|---|---|---|"
for seed in 1 2 3; do
  for mode in plain floss; do
    extra=()
    [ "$mode" = floss ] && extra=(--floss 4 --floss-weight 0.03)
    start=$(date +%s.%N)
    log=$("$FTLE" train --inputs "$OUT/data/inputs.npy" --labels "$OUT/data/labels.npy" --hidden 64 --epochs 30 --batch 64 \
          --lr 1e-3 --seed "$seed" --threads 1 --out "$OUT/$mode-$seed" --force "${extra[@]}")
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    acc=$(echo "$log" | grep "epoch 30 done" | sed 's/.*test accuracy //')
    spectrum=$("$FTLE" spectrum --model "$OUT/$mode-$seed/model.safetensors" --ensemble 100 --inputs "$OUT/data/inputs.npy" \
               --k 4 --format json | python3 -c 'import json,sys; s=json.load(sys.stdin)["spectrum"]; print("%.3f" % s[0], " ".join("%.3f" % v for v in s))')
    printf "| %s | %s | %s | %s | %s | %.0f |\n" "$mode" "$seed" "$acc" "${spectrum%% *}" "${spectrum#* }" "$seconds"
  done
done

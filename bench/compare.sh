#!/usr/bin/env bash
# Side-by-side benchmark of ftle against the PyTorch, JAX and NumPy peers in ../shared/bench.
# Builds ftle in release mode, sets the peers up when missing, runs every workload for ftle and
# each peer alternately in one run, measures OpenBLAS dgemm/sgemm in the same run, prints a
# Markdown table and writes it with date, CPU and BLAS to bench/RESULTS.md.
#   PEERS_DIR   where ftle_peers.py / train_peers.py / setup-peers.sh live (default ../shared/bench)
#   ROUNDS      alternating rounds per workload (default 2; the best of each side is kept)
#   IMAGES      images of the perturb workloads (default 2; ftle bench perturb and bench/perturb_peer.py)
#   SAMPLES     samples of the align workload (default 25)
#   ALT_CORETYPE  an OpenBLAS kernel family (e.g. SkylakeX) to time ftle's BLAS-bound workloads
#               with as well, in extra rows: what newer kernels would give (default: none)
set -euo pipefail
cd "$(dirname "$0")/.."
peers_dir="${PEERS_DIR:-../shared/bench}"
rounds="${ROUNDS:-2}"
images="${IMAGES:-2}"
samples="${SAMPLES:-25}"
cores=$(nproc)
#   FTLE        an ftle binary built with `swift build -c release` to time instead of building one
if [ -n "${FTLE:-}" ]; then ftle="$FTLE"; else swift build -c release --product ftle >&2; ftle=.build/release/ftle; fi
py=$("$peers_dir/setup-peers.sh")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run_ftle() { "$ftle" bench "$@" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("samples_per_second", d["best_seconds"]), d["gflops"])'; }
# ftle runs with the environment as given: with OPENBLAS_CORETYPE unset it picks the CPU's own
# kernel family itself (README, Performance); a value set here is kept, as ftle keeps it. The peers bring their own, newer OpenBLAS (numpy) or none (torch: MKL, jax:
# XLA), so they run with both unset, as a user of theirs would; which kernels each side ran is
# written to RESULTS.md.
peer_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
run_peer() { "${peer_env[@]}" "$py" "$peers_dir/$1" "${@:2}" 2>/dev/null | tail -n 1 || echo "failed"; }
"$py" -c "import threadpoolctl" 2>/dev/null || timeout 300 "$py" -m pip install -q threadpoolctl >&2 || true   # only to name numpy's kernels
numpy_blas=$("${peer_env[@]}" "$py" - 2>/dev/null <<'PY' || echo unknown
import numpy, threadpoolctl
a = numpy.ones((8, 8)); a @ a
blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
print("; ".join("%s %s, %s kernels" % (i["internal_api"], i["version"], i.get("architecture", "?")) for i in blas) or "unknown")
PY
)
ftle_blas=$("$ftle" bench gemm --n 8 --repeat 1 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("blas_core", "unknown"), "kernels, chosen by", d.get("blas_core_chosen_by", "?"), ("(replacing OpenBLAS'"'"'s fallback " + d["blas_core_replaced"] + ")") if "blas_core_replaced" in d else "")')

# BLAS limits: measured before and after the workloads; the best is kept.

alt="${ALT_CORETYPE:-}"
run_alt() { OPENBLAS_CORETYPE="$alt" run_ftle "$@"; }
gemm_limits() {
  echo "gemm f64 $(run_ftle gemm --n 1024 --precision f64 --repeat 5)" >> "$out"
  echo "gemm f32 $(run_ftle gemm --n 1024 --precision f32 --repeat 5)" >> "$out"
  if [ -n "$alt" ]; then
    echo "gemm-alt f64 $(run_alt gemm --n 1024 --precision f64 --repeat 5)" >> "$out"
    echo "gemm-alt f32 $(run_alt gemm --n 1024 --precision f32 --repeat 5)" >> "$out"
  fi
}
gemm_limits
for r in $(seq "$rounds"); do
  echo "ftle-full-128 ftle $(run_ftle ftle-full --hidden 128 --steps 784 --repeat 3)" >> "$out"
  for p in torch jax numpy; do echo "ftle-full-128 $p $(run_peer ftle_peers.py $p 128 784 128 3 | awk '{print $5}')" >> "$out"; done
  echo "ftle-full-512 ftle $(run_ftle ftle-full --hidden 512 --steps 100 --repeat 3)" >> "$out"
  for p in torch jax numpy; do echo "ftle-full-512 $p $(run_peer ftle_peers.py $p 512 100 512 3 | awk '{print $5}')" >> "$out"; done
  echo "ftle-partial ftle $(run_ftle ftle-partial --hidden 512 --steps 784 --k 32 --repeat 3)" >> "$out"
  for p in torch jax numpy; do echo "ftle-partial $p $(run_peer ftle_peers.py $p 512 784 32 3 | awk '{print $5}')" >> "$out"; done
  # GRU and LSTM (issue 14): one layer, H = 128, T = 784; the peer is bench/gated_ftle_peer.py
  # (PyTorch, float64, one thread, the Jacobian applied to the frame as ftle does).
  for c in gru lstm; do
    n=128; [ "$c" = lstm ] && n=256
    echo "ftle-$c-32 ftle $(run_ftle ftle-partial --cell "$c" --hidden 128 --steps 784 --k 32 --repeat 3)" >> "$out"
    echo "ftle-$c-32 torch $("${peer_env[@]}" "$py" bench/gated_ftle_peer.py "$c" 128 784 32 3 2>/dev/null | awk '{print $5}' || echo failed)" >> "$out"
    echo "ftle-$c-full ftle $(run_ftle ftle-full --cell "$c" --hidden 128 --steps 784 --repeat 3)" >> "$out"
    echo "ftle-$c-full torch $("${peer_env[@]}" "$py" bench/gated_ftle_peer.py "$c" 128 784 "$n" 3 2>/dev/null | awk '{print $5}' || echo failed)" >> "$out"
  done
  # Training as `ftle train` runs by default: one data-parallel shard per core, subnormals
  # flushed to zero; then the same with IEEE subnormals (--keep-subnormals) and with one shard.
  echo "train-rowwise ftle $(run_ftle train-rowwise --hidden 128 --batch 64 --batches 40 --repeat 2)" >> "$out"
  for p in torch jax; do echo "train-rowwise $p $(run_peer train_peers.py $p 128 28 28 64 40 | awk '{print $6}')" >> "$out"; done
  echo "train-permuted ftle $(run_ftle train-permuted --hidden 512 --batch 64 --batches 6 --repeat 1)" >> "$out"
  for p in torch jax; do echo "train-permuted $p $(run_peer train_peers.py $p 512 784 1 64 6 | awk '{print $6}')" >> "$out"; done
  echo "train-permuted-keep ftle $(run_ftle train-permuted --hidden 512 --batch 64 --batches 6 --repeat 1 --keep-subnormals)" >> "$out"
  echo "train-rowwise-1 ftle $(run_ftle train-rowwise --hidden 128 --batch 64 --batches 40 --repeat 2 --threads 1)" >> "$out"
  echo "train-permuted-1 ftle $(run_ftle train-permuted --hidden 512 --batch 64 --batches 6 --repeat 1 --threads 1)" >> "$out"
  if [ -n "$alt" ]; then
    # The same binary with another kernel family of the same OpenBLAS (ALT_CORETYPE).
    echo "ftle-full-128-alt ftle $(run_alt ftle-full --hidden 128 --steps 784 --repeat 3)" >> "$out"
    echo "ftle-full-512-alt ftle $(run_alt ftle-full --hidden 512 --steps 100 --repeat 3)" >> "$out"
    echo "ftle-partial-alt ftle $(run_alt ftle-partial --hidden 512 --steps 784 --k 32 --repeat 3)" >> "$out"
    echo "train-rowwise-alt ftle $(run_alt train-rowwise --hidden 128 --batch 64 --batches 40 --repeat 2)" >> "$out"
    echo "train-permuted-alt ftle $(run_alt train-permuted --hidden 512 --batch 64 --batches 6 --repeat 1)" >> "$out"
  fi
  for n in 1 "$cores"; do
    echo "align-$n ftle $(run_ftle align --samples "$samples" --repeat 1 --threads "$n")" >> "$out"
    echo "perturb-$n ftle $(run_ftle perturb --images "$images" --repeat 1 --threads "$n")" >> "$out"
    echo "report-$n ftle $(run_ftle report --repeat 1 --threads "$n")" >> "$out"
  done
  echo "perturb-$cores torch $("${peer_env[@]}" "$py" bench/perturb_peer.py Samples/models/permuted-h512.safetensors Samples/mnist "$images" 1 2>/dev/null | tail -n 1 | awk '{print $3}' || echo failed)" >> "$out"
done
gemm_limits

table=$(python3 - "$out" "$cores" "$images" "$samples" "$alt" <<'PY'
import sys, collections
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
alt = sys.argv[5]
gemm = {}; gemm_alt = {}
for r in rows:
    if r[0] == "gemm": gemm[r[1]] = max(gemm.get(r[1], 0.0), float(r[3]))
    if r[0] == "gemm-alt": gemm_alt[r[1]] = max(gemm_alt.get(r[1], 0.0), float(r[3]))
best = collections.defaultdict(dict); gf = {}
for r in rows:
    if r[0].startswith("gemm") or len(r) < 3 or r[2] == "failed": continue
    w, impl, v = r[0], r[1], float(r[2])
    higher = w.startswith("train")
    old = best[w].get(impl)
    best[w][impl] = v if old is None else (max(old, v) if higher else min(old, v))
    if impl == "ftle": gf[w] = max(gf.get(w, 0), float(r[3]))
cores = sys.argv[2]
names = {"ftle-full-128": "FTLE full H=128 T=784 (s)", "ftle-full-512": "FTLE full H=512 T=100 (s)",
         "ftle-partial": "FTLE K=32 H=512 T=784 (s)",
         "ftle-gru-32": "FTLE GRU K=32 H=128 T=784 (s)", "ftle-gru-full": "FTLE GRU full (K=N=128) T=784 (s)",
         "ftle-lstm-32": "FTLE LSTM K=32 H=128 T=784 (s)", "ftle-lstm-full": "FTLE LSTM full (K=N=256) T=784 (s)",
         "train-rowwise": f"train row-wise H=128 B=64, defaults (--threads {cores}, subnormals flushed) (samples/s)",
         "train-permuted": f"train permuted H=512 B=64, defaults (--threads {cores}, subnormals flushed) (samples/s)",
         "train-permuted-keep": "train permuted H=512 B=64, --keep-subnormals (samples/s)",
         "train-rowwise-1": "train row-wise H=128 B=64, --threads 1 (samples/s)",
         "train-permuted-1": "train permuted H=512 B=64, --threads 1 (samples/s)",
         f"perturb-{cores}": f"perturb permuted H=512, {sys.argv[3]} images, --threads {cores} (s)"}
if alt:
    for w in ("ftle-full-128", "ftle-full-512", "ftle-partial", "train-rowwise", "train-permuted"):
        names[w + "-alt"] = names[w].replace(" (", f", {alt} kernels (", 1)
print("| workload | ftle | torch | jax | numpy | ratio to fastest peer | ftle % of BLAS limit |")
print("|---|---|---|---|---|---|---|")
for w in names:
    b = best.get(w, {})
    if "ftle" not in b: continue
    higher = w.startswith("train")
    # Variant rows (threads, flushing, kernels) are compared with the peers' plain row.
    base = w
    for suffix in ("-alt", "-keep", "-1"):
        if base.endswith(suffix): base = base[:-len(suffix)]
    base = base if base != w else None
    peers = {k: v for k, v in (best.get(base, {}) if base else b).items() if k != "ftle"}
    fmt = (lambda v: f"{v:,.0f}") if higher else (lambda v: f"{v:.3f}")
    if peers:
        fastest = max(peers, key=peers.get) if higher else min(peers, key=peers.get)
        ratio = (b["ftle"] / peers[fastest]) if higher else (peers[fastest] / b["ftle"])
        rtext = f"{ratio:.2f}× ({fastest})"
    else:
        rtext = "–"
    limit = (gemm_alt if w.endswith("-alt") else gemm).get("f32" if higher else "f64")
    frac = f"{100 * gf[w] / limit:.0f}% of {limit:.0f} GFLOP/s" if limit and gf.get(w) else "–"
    cells = [fmt(b[i]) if i in b else "–" for i in ("ftle", "torch", "jax", "numpy")]
    print(f"| {names[w]} | " + " | ".join(cells) + f" | {rtext} | {frac} |")
print(f"\nOpenBLAS dgemm 1024³: {gemm.get('f64', 0):.1f} GFLOP/s, sgemm 1024³: {gemm.get('f32', 0):.1f} GFLOP/s (same run).")
if alt: print(f"With {alt} kernels: dgemm {gemm_alt.get('f64', 0):.1f}, sgemm {gemm_alt.get('f32', 0):.1f} GFLOP/s.")
print(f"\n| experiment (ftle, s) | --threads 1 | --threads {cores} | speed-up |")
print("|---|---|---|---|")
for w, label in (("align", f"align row-wise H=128, {sys.argv[4]} samples"), ("perturb", f"perturb permuted H=512, {sys.argv[3]} images"),
                 ("report", "report's studies (ftle bench report: 2 alignments of 25 samples, 3 perturb modes of 4 images)")):
    one, many = best.get(f"{w}-1", {}).get("ftle"), best.get(f"{w}-{cores}", {}).get("ftle")
    if one and many: print(f"| {label} | {one:.2f} | {many:.2f} | {one / many:.2f}× |")
for w in ("train-rowwise", "train-permuted"):
    one, many = best.get(w + "-1", {}).get("ftle"), best.get(w, {}).get("ftle")
    if one and many: print(f"| {names[w + '-1'].split(',')[0]}: --threads 1 vs {cores} (samples/s) | {one:,.0f} | {many:,.0f} | {many / one:.2f}× |")
PY
)
echo "$table"
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
# The measured-by-hand sections (from the first "## " heading on) are kept below the new table.
kept=$(mktemp)
first=$(grep -n '^## ' bench/RESULTS.md 2>/dev/null | head -1 | cut -d: -f1)
if [ -n "$first" ]; then tail -n +"$first" bench/RESULTS.md > "$kept"; fi
blas=$(dpkg -s libopenblas0-pthread 2>/dev/null | awk '/^Version/{print $2}')
{
  echo "# Benchmark results"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by \`bench/compare.sh\` (ROUNDS=$rounds, best of each side), on $(nproc) cores: $cpu; OpenBLAS ${blas:-unknown}."
  echo "Ratios above 1 mean ftle is faster. Peers: ../shared/bench (torch, jax, numpy)."
  echo "Kernels: ftle's OpenBLAS ran $ftle_blas (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-unset} in the environment);"
  echo "the peers ran with both unset (numpy: $numpy_blas)."
  echo
  echo "$table"
  if [ -s "$kept" ]; then echo; cat "$kept"; fi
} > bench/RESULTS.md.tmp && mv bench/RESULTS.md.tmp bench/RESULTS.md
rm -f "$kept"
echo "wrote bench/RESULTS.md" >&2

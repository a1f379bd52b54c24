#!/usr/bin/env bash
# Builds the libFuzzer targets and runs them.
#
#   Fuzz/run.sh [TARGET|all] [RUNS]     TARGET: idx gzip safetensors npy theme checkpoint history declared-sizes (default all)
#                                       RUNS:   executions per target (default 1000000)
#
# Each target starts from the seed corpus Fuzz/corpus/<target>/ (read only) and keeps what it
# learns in Fuzz/.work/<target>/ (not committed). A crash, hang (-timeout) or out-of-memory
# (-rss_limit_mb / -malloc_limit_mb) leaves its input in Fuzz/artifacts/ and the script exits
# non-zero. Targets run one after another (single process each): the machine is shared.
# Environment: CONFIG=debug|release (default release), JOBS (swift build -j), EXTRA (more
# libFuzzer flags, e.g. EXTRA=-max_total_time=60).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
target="${1:-all}"
runs="${2:-1000000}"
config="${CONFIG:-release}"
all=(idx gzip safetensors npy theme checkpoint history declared-sizes)
if [[ "$target" == all ]]; then targets=("${all[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "run.sh: unknown target '$t' (expected: ${all[*]} or all)" >&2; exit 2; }
done

# Largest input per target: enough for the seeds (a permuted model is ~7 KB) plus room to grow.
max_len() {
  case "$1" in
    safetensors|checkpoint|declared-sizes) echo 16384 ;;
    npy|theme) echo 4096 ;;
    *) echo 2048 ;;
  esac
}

swift build -c "$config" ${JOBS:+-j "$JOBS"} -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v -e 'Cannot export local symbol' -e 'prohibited flag' >&2 || true
bin="$(swift build -c "$config" --show-bin-path)"
mkdir -p artifacts .work
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
status=0
for t in "${targets[@]}"; do
  mkdir -p ".work/$t"
  echo "== fuzz-$t: $runs runs" >&2
  start=$(date +%s)
  set +e
  "$bin/fuzz-$t" ".work/$t" "corpus/$t" \
      -runs="$runs" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -artifact_prefix="artifacts/$t-" -print_final_stats=1 ${EXTRA:-} 2> ".work/$t.log"
  rc=$?
  set -e
  end=$(date +%s)
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' ".work/$t.log" >&2 || true
  echo "fuzz-$t: exit $rc, $((end - start)) s (log: Fuzz/.work/$t.log)" >&2
  [[ $rc -eq 0 ]] || status=1
done
exit $status

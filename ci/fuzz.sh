#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang-14 and
# AddressSanitizer/UBSan into build-fuzz/, then runs each for SECONDS seconds
# on a copy of its seed corpus (fixtures/fuzz/<name>/). A crash, leak or
# timeout fails the run and leaves the input in build-fuzz/artifacts/.
# Usage: ci/fuzz.sh [SECONDS] [TARGET...]
# FUZZ_BUILD_DIR overrides the build folder (default build-fuzz), so two
# people can fuzz from one checkout. FUZZ_SEED fixes libFuzzer's seed (the
# test command uses 1, so a failure there comes back on the next run);
# without it each run explores from a new random seed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-15}
B=${FUZZ_BUILD_DIR:-build-fuzz}
shift || true
cmake --preset fuzz -B "$B" >/dev/null
ninja -C "$B" -j"$(nproc)" $(cd tests/fuzz && ls *_fuzz.cpp | sed 's/\.cpp$//')
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  targets=($(cd tests/fuzz && ls *_fuzz.cpp | sed 's/_fuzz\.cpp$//'))
fi
mkdir -p $B/artifacts $B/logs
SHARED=$(cd .. && pwd)/shared  # the vocabularies some targets read
# Targets run side by side, one per core (FUZZ_JOBS overrides): each fuzzer is
# one process on one core, so a core each costs no executions.
JOBS=${FUZZ_JOBS:-$(nproc)}

fuzz_one() {
  local t=$1 corpus=$B/corpus/$1
  mkdir -p "$corpus"
  [ -d "fixtures/fuzz/$t" ] && cp -n fixtures/fuzz/$t/* "$corpus/" 2>/dev/null || true
  {
    echo "fuzz: $t for ${SECONDS_EACH}s"
    LANTERN_SHARED_DIR=$SHARED \
      $B/tests/fuzz/${t}_fuzz -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -seed="${FUZZ_SEED:-0}" -artifact_prefix=$B/artifacts/${t}- -print_final_stats=1 "$corpus" 2>&1 |
      grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+== ?ERROR|SUMMARY)" || true
  } > $B/logs/$t.txt
}

for t in "${targets[@]}"; do
  # An earlier run's failing inputs move aside: only this run's fail it.
  mkdir -p $B/artifacts/earlier && mv $B/artifacts/${t}-* $B/artifacts/earlier/ 2>/dev/null || true
done
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait

failed=0
for t in "${targets[@]}"; do
  cat $B/logs/$t.txt
  if ls $B/artifacts/${t}-* >/dev/null 2>&1; then
    failed=1
    # Say what failed where a CI log is all there is: the input and the first
    # lines of the target's report on it (a require() or UBSan abort names
    # itself only there).
    for a in $B/artifacts/${t}-*; do
      echo "fuzz: $t found a failing input: $a" >&2
      echo "fuzz: input (first 512 bytes): $(head -c 512 "$a" | od -An -c | tr -s ' \n' ' ')" >&2
      LANTERN_SHARED_DIR=$SHARED $B/tests/fuzz/${t}_fuzz "$a" 2>&1 |
        grep -vE "^(INFO|Running|MS:|Executed|\*\*\*)" | head -25 >&2 || true
      echo "fuzz: reproduce with: $B/tests/fuzz/${t}_fuzz $a" >&2
    done
  fi
done
exit $failed

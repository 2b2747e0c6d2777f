#!/usr/bin/env bash
# The test job: install dependencies, build, run the whole ctest suite, then
# the ASan+UBSan build's model, kernel and scratch tests, the TSan build's
# scratch thread tests (label scratch-threads), then a short libFuzzer smoke
# of the scenario parser seeded with the corpus, then the smoke matrix
# (label matrix: QEMU, User-mode Linux, gVisor). RapidCheck's seed comes from
# the commit, so a CI failure replays from the hash. FUZZ_SECONDS (default
# 30) sets the fuzz smoke's length.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's wall time, printed at the end (also when a stage fails).
times=""
stage_start=$SECONDS
stage() {
  times="$times${times:+, }$1 $((SECONDS - stage_start)) s"
  stage_start=$SECONDS
}
trap 'echo "ci/test.sh: stage times: $times (total $SECONDS s)"' EXIT
ci/setup.sh
stage setup
if [ -z "${RC_PARAMS:-}" ]; then
  rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo 0)
  export RC_PARAMS="seed=$((16#${rev:-0} % 4294967296))"
fi
echo "ci/test.sh: RC_PARAMS=\"$RC_PARAMS\""
ci/build.sh default
stage build
(cd build && ctest --output-on-failure -j "$(nproc)") | tee build/ctest.log
stage ctest
ci/build.sh asan
stage asan-build
# In build/ only: the raw-divergence minimizer property (100 generated
# sequences on the scratch doubles, each minimized: 141 s under ASan; the
# minimizer runs under ASan in MinimizerOnDoubles), the C reproducers of
# the whole corpus (the C compiler's time, 25 s) and the default check
# budget's rule coverage (26 s; check.kernel runs under ASan).
(cd build-asan && ctest --output-on-failure -j "$(nproc)" -L 'model|kernel|scratch' \
  -E 'RawDivergencesOnScratchDoubles|Repro.EveryCorpusScenarioReproduces|RuleCoverage.DefaultBudgetHitsEveryReachableRule') \
  | tee build-asan/ctest.log
stage asan-ctest
ci/build.sh tsan
(cd build-tsan && ctest --output-on-failure -j "$(nproc)" -L scratch-threads) \
  | tee build-tsan/ctest.log
stage tsan
ci/build.sh fuzz
stage fuzz-build
mkdir -p build-fuzz/corpus
cp fixtures/corpus/*.scn build-fuzz/corpus/ 2>/dev/null || true
# On a crash, print the failed check and the input (libFuzzer's own stack
# names every variant alternative per frame), and fail.
if ! build-fuzz/scenario_fuzz -max_total_time="${FUZZ_SECONDS:-30}" \
  -print_final_stats=1 -artifact_prefix=build-fuzz/ build-fuzz/corpus \
  >build-fuzz/fuzz.log 2>&1; then
  grep -m1 -B1 -A14 'EP_CHECK failed\|ERROR: \|runtime error' build-fuzz/fuzz.log \
    | cut -c1-240
  for crash in build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-*; do
    [ -e "$crash" ] || continue
    echo "ci/test.sh: fuzz input $crash:"
    head -c 4000 "$crash"
    echo
  done
  exit 1
fi
tail -n 12 build-fuzz/fuzz.log
stage fuzz
# The smoke matrix (label matrix): Debian 12's kernel under QEMU, User-mode
# Linux and gVisor, each `epollcheck matrix --budget smoke` (the kernel
# package is fetched with apt-get download into ~/.cache/epollcheck).
# The option is put back afterwards, so a later plain ctest in build/ does
# not run them.
ci/setup.sh matrix
cmake -S . -B build -DEPOLLCHECK_MATRIX_TESTS=ON >/dev/null
status=0
(cd build && ctest --output-on-failure --no-tests=error -L matrix) \
  | tee build/ctest-matrix.log || status=$?
cmake -S . -B build -DEPOLLCHECK_MATRIX_TESTS=OFF >/dev/null
stage matrix
[ "$status" -eq 0 ] || exit "$status"
# One plain closing line over every ctest run above (each failed run has
# already stopped this script).
total=$(cat build*/ctest*.log | sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' \
  | awk '{ s += $1 } END { print s }')
skipped=$(cat build*/ctest*.log | grep -c '(Skipped)$' || true)
echo "tests: ${total} passed (${skipped} of them skipped), 0 failed"

#!/usr/bin/env bash
# The test job: install dependencies, build, run the whole ctest suite, then
# the ASan+UBSan build's model and kernel tests. RapidCheck's seed comes from
# the commit, so a CI failure replays from the hash.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
if [ -z "${RC_PARAMS:-}" ]; then
  rev=$(git rev-parse --short=12 HEAD 2>/dev/null || echo 0)
  export RC_PARAMS="seed=$((16#${rev:-0} % 4294967296))"
fi
echo "ci/test.sh: RC_PARAMS=\"$RC_PARAMS\""
ci/build.sh default
(cd build && ctest --output-on-failure -j "$(nproc)")
ci/build.sh asan
(cd build-asan && ctest --output-on-failure -j "$(nproc)" -L 'model|kernel')

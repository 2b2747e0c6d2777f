#!/usr/bin/env bash
# The main job: install dependencies, build, and check the model against the
# running kernel. Extra arguments go to `epollcheck check`, e.g.
#   ci/check.sh --sequences 100000 --seed 1
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh default
exec build/epollcheck check --sut kernel "$@"

#!/usr/bin/env bash
# The per-commit check that ctest runs (tests check.kernel and check.scratch,
# labels kernel and scratch): `epollcheck check` against one SUT with a seed
# derived from the commit under test (the first 12 hex digits of
# `git rev-parse HEAD`, as a number; a fixed seed, 1, outside a git
# checkout), spread over every core with --jobs. It prints the seed and the
# whole command first, so a failure reruns from its log;
# EPOLLCHECK_CI_SEED=S overrides the seed.
#
#   ci/check_commit_seed.sh BINARY SUT SOURCE_DIR [SEQUENCES]
set -euo pipefail
binary=$1
sut=$2
source=$3
sequences=${4:-1000}
if [ -n "${EPOLLCHECK_CI_SEED:-}" ]; then
  seed=$EPOLLCHECK_CI_SEED
  from="EPOLLCHECK_CI_SEED"
elif rev=$(git -C "$source" rev-parse HEAD 2>/dev/null); then
  seed=$((16#${rev:0:12}))
  from="commit ${rev:0:12}"
else
  seed=1
  from="no git checkout at $source: fixed seed"
fi
jobs=$(nproc)
command=("$binary" check --sut "$sut" --seed "$seed" --sequences "$sequences"
         --jobs "$jobs" --out "check-out/$sut")
echo "check.$sut: seed $seed ($from), $sequences sequences on $jobs jobs"
echo "check.$sut: ${command[*]}"
exec "${command[@]}"

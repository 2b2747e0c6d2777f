#!/usr/bin/env bash
# Tests ci/check_model_purity.sh: it passes on a copy of model/, and fails,
# naming the file and line, once a non-standard header is planted in it.
#   ci/test_model_purity.sh [MODEL_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
model="${1:-$here/../model}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
check() { "$here/check_model_purity.sh" "$tmp/model" 2>"$tmp/err" >/dev/null; }

cp -r "$model" "$tmp/model"
check || { echo "FAIL: rejects a clean copy of model/:"; cat "$tmp/err"; exit 1; }

planted=('#include <pthread.h>' '#include <time.h>' '#include <netinet/in.h>'
         '#include <sys/epoll.h>' '#include <ctime>' '#  include <unistd.h>'
         '#include "sut/kernel/syscalls.h"' '#include "world.h"'
         '#include <gtest/gtest.h>' '#include HEADER_MACRO')
for include in "${planted[@]}"; do
  for target in step.cc internal/kernel.h; do
    rm -rf "$tmp/model"
    cp -r "$model" "$tmp/model"
    printf '%s\n' "$include" >>"$tmp/model/$target"
    if check; then
      echo "FAIL: accepts '$include' in model/$target"
      exit 1
    fi
    if ! grep -q "model/$target:[0-9]*: .*$include" "$tmp/err"; then
      echo "FAIL: '$include' in model/$target: the error does not name it:"
      cat "$tmp/err"
      exit 1
    fi
  done
done
echo "check_model_purity.sh: clean copy accepted, ${#planted[@]} planted includes rejected"

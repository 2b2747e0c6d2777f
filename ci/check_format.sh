#!/usr/bin/env bash
# Fails if any C++ source differs from clang-format's output (.clang-format).
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find . -name '*.cc' -o -name '*.h')
clang-format --dry-run -Werror $files
echo "clang-format: $(echo "$files" | wc -w) files clean"

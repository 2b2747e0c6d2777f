#!/usr/bin/env bash
# Fails if model/ includes an OS header: the model must stay pure C++.
set -euo pipefail
dir="${1:-$(dirname "$0")/../model}"
if grep -rnE '#include <(sys/|unistd\.h|fcntl\.h|poll\.h|errno\.h|signal\.h|dirent\.h|sched\.h|linux/|asm/)' "$dir"; then
  echo "model/ includes an OS header (above); the model must not." >&2
  exit 1
fi
echo "model/ is pure: no OS headers"

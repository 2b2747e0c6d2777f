#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over every C++ source the build compiles
# (BUILD_DIR/compile_commands.json), two files at a time; fails on any
# warning. ~1.5 min on 2 cores.
#   ci/check_tidy.sh [BUILD_DIR]        # default: build/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
if [ ! -f "$build/compile_commands.json" ]; then
  echo "$build/compile_commands.json: missing (configure with CMake first)" >&2
  exit 1
fi
# The project's own translation units (not CMake's or dependencies').
files=$(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$build/compile_commands.json" \
  | grep "^$root/" | grep -v "^$root/build" | sort -u)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
run-clang-tidy -p "$build" -j 2 -quiet $files 2>&1 \
  | sed 's/\x1b\[[0-9;]*m//g' >"$log" || status=$?
if [ "$status" -ne 0 ] || grep -qE '(warning|error):' "$log"; then
  grep -E '(warning|error):' "$log" | sort -u >&2 || cat "$log" >&2
  echo "clang-tidy: findings above (.clang-tidy)" >&2
  exit 1
fi
echo "clang-tidy: $(echo "$files" | wc -l) files clean"

#!/usr/bin/env bash
# Tests that the op consumers which must handle every operation refuse to
# compile when one is added and not handled: adds a field-less `Nop` to the
# Op variant (in a temporary copy of model/ops.h) and requires a
# static_assert failure from each file below.
#   ci/test_exhaustive_ops.sh [SOURCE_DIR] [CXX]
set -euo pipefail
src="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
cxx="${2:-c++}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/model"
sed -e 's/^using Op =/struct Nop {\
  static constexpr std::string_view kName = "nop";\
  template <class S, class F> static void Fields(S\&, F\&\&) {}\
  friend bool operator==(const Nop\&, const Nop\&) = default;\
};\
using Op =/' -e 's/std::variant<Pipe2,/std::variant<Nop, Pipe2,/' \
  -e 's/^\( *\)Pipe2, EpollCreate,/\1Nop, Pipe2, EpollCreate,/' \
  "$src/model/ops.h" >"$tmp/model/ops.h"
# (clang-format may break the line after `std::variant<`.)
grep -q 'Nop, Pipe2' "$tmp/model/ops.h" || { echo "FAIL: could not add Nop to $src/model/ops.h"; exit 1; }
status=0
for file in properties/generators.cc properties/minimize.cc model/step.cc; do
  if "$cxx" -std=c++20 -fsyntax-only -I"$tmp" -I"$src" "$src/$file" 2>"$tmp/err"; then
    echo "FAIL: $file compiles with an unhandled op"
    status=1
  elif ! grep -q 'static assertion failed' "$tmp/err"; then
    echo "FAIL: $file fails, but not on a static_assert:"
    head -5 "$tmp/err"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "an unhandled op fails to compile in every checked consumer"
exit "$status"

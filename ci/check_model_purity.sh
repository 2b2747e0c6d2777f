#!/usr/bin/env bash
# Fails unless every #include in model/ is a standard C++ header or one of
# the model's own ("model/..."): the model must stay pure C++, so no OS or C
# library header (<unistd.h>, <pthread.h>, <time.h>, <netinet/in.h>, ...) and
# nothing else of this project. Tests (*_test.cc) may also include GoogleTest
# and RapidCheck. An allowlist, so a header nobody thought of fails too.
# Left out on purpose, though standard: <cerrno>, <csignal>, <csetjmp>,
# <ctime>, <filesystem>, <thread> (host values and behaviour; the model spells the ABI
# out in model/abi.h).
#   ci/check_model_purity.sh [DIR]      # default: model/ of this checkout
set -euo pipefail
dir="${1:-$(dirname "$0")/../model}"
allowed=(
  algorithm any array atomic barrier bit bitset cassert cctype cfenv cfloat
  charconv chrono cinttypes climits clocale cmath compare complex concepts
  condition_variable coroutine cstdarg cstddef cstdint cstdio cstdlib cstring
  cuchar cwchar cwctype deque exception execution expected format
  forward_list fstream functional future initializer_list iomanip ios iosfwd
  iostream istream iterator latch limits list locale map memory
  memory_resource mutex new numbers numeric optional ostream queue random
  ranges ratio regex scoped_allocator semaphore set shared_mutex
  source_location span sstream stack stdexcept stop_token streambuf string
  string_view syncstream system_error tuple type_traits typeindex typeinfo
  unordered_map unordered_set utility valarray variant vector version
)
std_re="^($(IFS='|'; echo "${allowed[*]}"))$"
bad=0
files=0
while IFS= read -r -d '' file; do
  files=$((files + 1))
  while IFS=: read -r line text; do
    if [[ "$text" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([^>]*)\> ]]; then
      header="${BASH_REMATCH[1]}"
      [[ "$header" =~ $std_re ]] && continue
      if [[ "$file" == *_test.cc && "$header" =~ ^(gtest|gmock|rapidcheck)[/.] ]]; then
        continue
      fi
    elif [[ "$text" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"model/[^\"]*\" ]]; then
      continue
    fi
    echo "$file:$line: not a standard C++ header or model/ header: $text" >&2
    bad=1
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$file" || true)
done < <(find "$dir" -type f \( -name '*.h' -o -name '*.cc' \) -print0)
if [ "$files" -eq 0 ]; then
  echo "$dir: no model sources found" >&2
  exit 1
fi
if [ "$bad" -ne 0 ]; then
  echo "model/ must include only standard C++ headers and model/ headers (above)." >&2
  exit 1
fi
echo "model/ is pure: $files files include only standard C++ and model/ headers"

#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over the project's C++ translation units
# (BUILD_DIR/compile_commands.json), two files at a time; fails on any
# warning.
#   ci/check_tidy.sh [BUILD_DIR]          # what changed since ci/tidy-baseline
#   ci/check_tidy.sh [BUILD_DIR] --all    # every translation unit (~5 min on
#                                         # 2 cores)
#
# By default it checks the units whose source, or any project header they
# include (the build's depfiles, CMakeFiles/*.dir/*.o.d), differs from the
# file's content listed in ci/tidy-baseline: the blob hashes of a commit
# every unit of which passed a full run (as lint CI does on a change: the
# diff, not the whole tree). Content, not history, so a shallow clone works
# too. Changes not yet committed count. It checks every unit when
# .clang-tidy itself changed, without git, or when a unit's depfile is
# missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
all=0
for arg in "$@"; do
  case "$arg" in
    --all) all=1 ;;
    *) build="$arg" ;;
  esac
done
if [ ! -f "$build/compile_commands.json" ]; then
  echo "$build/compile_commands.json: missing (configure with CMake first)" >&2
  exit 1
fi
changed=""
why="every unit"
if [ "$all" -eq 0 ] && [ -f "$root/ci/tidy-baseline" ] &&
   staged=$(git -C "$root" ls-files -s 2>/dev/null); then
  # Files whose committed or staged content differs from the baseline's,
  # files changed in the working tree, and new files.
  changed=$( (echo "$staged" | awk '{ print $2, $4 }' \
                | grep -vxF -f <(grep -v '^#' "$root/ci/tidy-baseline") \
                | awk '{ print $2 }';
              git -C "$root" diff --name-only;
              git -C "$root" ls-files --others --exclude-standard) | sort -u)
  if echo "$changed" | grep -qx '.clang-tidy'; then
    why="every unit (.clang-tidy changed since the baseline)"
    changed=""
    all=1
  else
    why="units changed since ci/tidy-baseline"
  fi
else
  all=1
fi
# The project's own translation units (not CMake's or dependencies'), and of
# those the ones to check.
files=$(ROOT="$root" BUILD="$build" ALL="$all" CHANGED="$changed" python3 - <<'EOF'
import json, os, shlex
root, build = os.environ["ROOT"], os.environ["BUILD"]
changed = {os.path.join(root, f) for f in os.environ["CHANGED"].split("\n") if f}
check_all = os.environ["ALL"] == "1"
units = {}
for entry in json.load(open(os.path.join(build, "compile_commands.json"))):
    path = entry["file"]
    if not path.startswith(root + "/") or path.startswith(build + "/"):
        continue
    args = shlex.split(entry["command"])
    out = args[args.index("-o") + 1] if "-o" in args else None
    depfile = os.path.join(entry["directory"], out + ".d") if out else None
    units.setdefault(path, []).append(depfile)
def affected(path, depfiles):
    if check_all or path in changed:
        return True
    for depfile in depfiles:
        if not depfile or not os.path.exists(depfile):
            return True
        deps = open(depfile).read().replace("\\\n", " ").split()
        if any(os.path.normpath(d) in changed for d in deps[1:]):
            return True
    return False
print("\n".join(sorted(p for p, d in units.items() if affected(p, d))))
print("#total", len(units))
EOF
)
total=$(echo "$files" | sed -n 's/^#total //p')
files=$(echo "$files" | grep -v '^#total' | grep . || true)
count=$(echo -n "$files" | grep -c . || true)
if [ "$count" -eq 0 ]; then
  echo "clang-tidy: 0 of $total files to check ($why: none)"
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# shellcheck disable=SC2086  # one argument per file
run-clang-tidy -p "$build" -j 2 -quiet $files 2>&1 \
  | sed 's/\x1b\[[0-9;]*m//g' >"$log" || status=$?
if [ "$status" -ne 0 ] || grep -qE '(warning|error):' "$log"; then
  grep -E '(warning|error):' "$log" | sort -u >&2 || cat "$log" >&2
  echo "clang-tidy: findings above (.clang-tidy)" >&2
  exit 1
fi
echo "clang-tidy: $count of $total files clean ($why)"

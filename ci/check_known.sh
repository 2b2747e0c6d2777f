#!/usr/bin/env bash
# Fails unless every known-divergence registry (fixtures/known/*.tsv) loads
# (`check --known` parses it), every entry names a scenario that exists ("-"
# only for a difference that did not reproduce on replay, said in its note),
# and every scenario of a registry replays on the model with no mismatch:
# its written results are Linux's, under its `profile` line (the target's
# probed profile), so a registry cannot drift from the model it masks
# against. Which result the target gives instead is each file's `# <target>:`
# comment, checked by hand under that target (`replay FILE --sut kernel`).
#   ci/check_known.sh EPOLLCHECK FIXTURES_DIR
set -euo pipefail
epollcheck="$1"
known="$2/known"
failed=0
for tsv in "$known"/*.tsv; do
  if ! out=$("$epollcheck" check --sut scratch --sequences 1 --jobs 1 --known "$tsv" 2>&1); then
    echo "$tsv: does not load: $(printf '%s\n' "$out" | grep -m1 'epollcheck:')"
    failed=1
    continue
  fi
  while IFS=$'\t' read -r signature scenario _; do
    case "$signature" in ''|'#'*) continue ;; esac
    [ "$scenario" = - ] && continue
    if [ ! -f "$known/$scenario" ]; then
      echo "$tsv: $signature: no scenario $known/$scenario"
      failed=1
    fi
  done <"$tsv"
done
checked=0
while IFS= read -r -d '' scenario; do
  checked=$((checked + 1))
  if ! "$epollcheck" replay "$scenario" --sut model >/dev/null 2>&1; then
    echo "$scenario: its written results are not the model's:"
    { "$epollcheck" replay "$scenario" --sut model 2>&1 || true; } |
      grep -E 'MISMATCH|epollcheck:' | head -5 || true
    failed=1
  fi
done < <(find "$known" -name '*.scn' -print0 | sort -z)
echo "ci/check_known.sh: $(ls "$known"/*.tsv | wc -l) registries, $checked scenarios"
exit "$failed"

#!/usr/bin/env bash
# Runs a command file in a test target and prints what it printed:
#
#   ci/guest/run.sh TARGET COMMANDS BUILD_DIR [TIMEOUT_S]
#
# TARGET is one of
#   qemu:IMAGE   a kernel image (bzImage/vmlinuz) booted under QEMU (TCG;
#                KVM with EPOLLCHECK_ACCEL=kvm),
#                with an initramfs holding epollcheck-init as /init
#   uml          User-mode Linux (linux.uml), root = a hostfs directory
#   gvisor       gVisor (runsc do, no network but loopback)
#   host         the running kernel, no sandbox
# COMMANDS is a command file for epollcheck-init (ci/guest/init.cc): one
# command per line, `$ROOT/epollcheck`, `$ROOT/corpus/X.scn`, `$ROOT/known/`
# name the static runner, the scenario corpus and the known-divergence
# registries inside the target. BUILD_DIR holds a static build
# (cmake -DEPOLLCHECK_STATIC=ON: epollcheck and epollcheck-init).
# The target gets TIMEOUT_S seconds (default 1800); exit 0 iff the guest ran
# every command and said so (`epollcheck-guest: done`); the commands' own
# exit statuses are in the output (`epollcheck-guest: command N exit S`).
# Kernel images: ci/guest/fetch-kernel.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"
target="$1"
commands="$2"
build="$(cd "$3" && pwd)"
timeout_s="${4:-1800}"
for f in epollcheck epollcheck-init; do
  if ! file "$build/$f" 2>/dev/null | grep -q 'statically linked'; then
    echo "run.sh: $build/$f is not a static binary (cmake -DEPOLLCHECK_STATIC=ON)" >&2
    exit 2
  fi
done
work="$(mktemp -d "${TMPDIR:-/tmp}/epollcheck-guest.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/proc" "$root/dev" "$root/sys" "$root/tmp"
cp "$build/epollcheck" "$root/epollcheck"
cp "$build/epollcheck-init" "$root/init"
cp -r "$src/fixtures/corpus" "$root/corpus"
cp -r "$src/fixtures/known" "$root/known"
cp "$commands" "$root/commands"
log="$work/console.log"

status=0
case "$target" in
  qemu:*)
    image="${target#qemu:}"
    (cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initramfs.gz"
    # TCG unless told otherwise: a /dev/kvm that opens may still fail to run
    # a guest (nested virtualisation: "KVM internal error").
    accel=(-accel tcg)
    [ "${EPOLLCHECK_ACCEL:-}" = kvm ] && accel=(-accel kvm)
    echo "run.sh: qemu (${accel[*]}), kernel $image" >&2
    timeout --kill-after=10 "$timeout_s" nice qemu-system-x86_64 \
      "${accel[@]}" -m 1024 -smp 2 -nographic -no-reboot \
      -kernel "$image" -initrd "$work/initramfs.gz" \
      -append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null \
      > "$log" 2>&1 || status=$?
    ;;
  uml)
    timeout --kill-after=10 "$timeout_s" nice linux.uml mem=1024M \
      root=/dev/root rootfstype=hostfs rootflags="$root" rw init=/init \
      con0=null,fd:1 con=null quiet </dev/null > "$log" 2>&1 || status=$?
    ;;
  gvisor)
    timeout --kill-after=10 "$timeout_s" nice runsc --network=none \
      --ignore-cgroups do "$root/init" --sandbox "$root/commands" </dev/null \
      > "$log" 2>&1 || status=$?
    ;;
  host)
    timeout --kill-after=10 "$timeout_s" nice "$root/init" "$root/commands" \
      </dev/null > "$log" 2>&1 || status=$?
    ;;
  *)
    echo "run.sh: unknown target '$target' (qemu:IMAGE, uml, gvisor, host)" >&2
    exit 2
    ;;
esac
tr -d '\r' < "$log"
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "run.sh: $target timed out after ${timeout_s} s" >&2
  exit 1
fi
if ! tr -d '\r' < "$log" | grep -q '^epollcheck-guest: done'; then
  echo "run.sh: $target did not finish (exit $status)" >&2
  exit 1
fi

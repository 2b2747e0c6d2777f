#!/usr/bin/env bash
# Installs what epollcheck needs from Debian 12 packages, only if missing
# (idempotent). Needs root or sudo when something is missing.
#   ci/setup.sh          build and test dependencies
#   ci/setup.sh matrix   what `epollcheck matrix` runs targets with: QEMU,
#                        User-mode Linux, gVisor (runsc), cpio
set -euo pipefail
if [ "${1:-}" = matrix ]; then
  packages=(qemu-system-x86 user-mode-linux runsc cpio)
else
  packages=(g++ cmake make git libgtest-dev librapidcheck-dev libboost1.81-dev
            libbenchmark-dev libjemalloc-dev clang-format clang-tidy clang
            libclang-rt-14-dev lld)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "ci/setup.sh: all packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "ci/setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "ci/setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# libboost1.81-dev conflicts with libboost1.74-dev; apt removes the older one.
# The matrix's recommended packages (QEMU's display back ends, ovmf, UML's
# uml-utilities) are not needed.
recommends=()
[ "${1:-}" = matrix ] && recommends=(--no-install-recommends)
$sudo apt-get install -y -qq "${recommends[@]}" "${missing[@]}"

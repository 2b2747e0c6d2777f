#!/usr/bin/env bash
# Installs what epollcheck needs from Debian 12 packages, only if missing
# (idempotent). Needs root or sudo when something is missing.
set -euo pipefail
packages=(g++ cmake make git libgtest-dev librapidcheck-dev libboost1.81-dev
          libbenchmark-dev libjemalloc-dev clang-format clang-tidy clang
          libclang-rt-14-dev)
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
$sudo apt-get install -y -qq "${missing[@]}"

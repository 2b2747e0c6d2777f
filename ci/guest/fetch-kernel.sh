#!/usr/bin/env bash
# Fetches a Debian kernel image for a test guest and prints its path:
#
#   image=$(ci/guest/fetch-kernel.sh 5.10)     # or 6.1, 6.12
#   ci/guest/run.sh "qemu:$image" COMMANDS build-static
#
# It uses a private apt state (sources, lists and downloads under the cache
# directory; the system's sources and package database are untouched), picks
# the newest linux-image-SERIES*-cloud-amd64 package (ABI-numbered names
# change with every update: the 6.1 cloud image is -57 today, the 6.12
# backport 6.12.111+deb12), downloads it
# with `apt-get download` and extracts only the image (dpkg-deb -x into the
# cache, never installed). Cache: ${XDG_CACHE_HOME:-~/.cache}/epollcheck/.
set -euo pipefail
series="${1:?usage: fetch-kernel.sh SERIES (5.10, 6.1, 6.12)}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/epollcheck"
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
  "$apt_dir/state" "$cache/kernels"
cat > "$apt_dir/sources.list" <<'EOF'
deb http://deb.debian.org/debian bullseye main
deb http://deb.debian.org/debian-security bullseye-security main
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian-security bookworm-security main
deb http://deb.debian.org/debian bookworm-backports main
EOF
opts=(-o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/lists"
      -o "Dir::Cache=$apt_dir/cache"
      -o "Dir::Etc::SourceList=$apt_dir/sources.list"
      -o "Dir::Etc::SourceParts=/nonexistent" -o "Debug::NoLocking=1")
# Refresh the lists once a day.
if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
  apt-get "${opts[@]}" -qq update >&2
fi
escaped="${series//./\\.}"
package="$(apt-cache "${opts[@]}" search --names-only \
             "^linux-image-${escaped}(\.[0-9]+)*(-[0-9]+)?(\+[a-z0-9]+)?-cloud-amd64(-unsigned)?\$" |
           cut -d' ' -f1 | sed 's/-unsigned$//' | sort -uV | tail -1)"
if [ -z "$package" ]; then
  echo "fetch-kernel.sh: no linux-image-$series*-cloud-amd64 package" >&2
  exit 1
fi
dest="$cache/kernels/$package"
if ! ls "$dest"/boot/vmlinuz-* >/dev/null 2>&1; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get "${opts[@]}" -qq download "$package" >&2 2>/dev/null ||
     apt-get "${opts[@]}" download "$package" >&2)
  mkdir -p "$dest"
  dpkg-deb -x "$work"/*.deb "$work/x"
  mkdir -p "$dest/boot"
  cp "$work"/x/boot/vmlinuz-* "$work"/x/boot/config-* "$dest/boot/"
fi
ls "$dest"/boot/vmlinuz-*

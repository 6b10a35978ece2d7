#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a small qemu-system-x86_64 with the vmbus-host devices.
#
# Takes Debian trixie's QEMU source package (only the source: the trixie
# entry this script adds is "Types: deb-src"), applies qemu/patches/*.patch
# in order, adds the devices file and the uapi header from this checkout,
# and builds only qemu-system-x86_64 (KVM only, q35 only).
#
# The result is cached in $VMBH_QEMU_CACHE/<hash>/bin/qemu-system-x86_64,
# where <hash> is the sha256 of everything that shapes the binary: the patch
# series, this script, the devices file and the uapi header. A rerun with
# nothing changed only prints the path. The last line of output is always
# the binary's path.
#
# Environment:
#   VMBH_QEMU_CACHE  cache directory (default /var/cache/vmbus-host/qemu)
#   VMBH_QEMU_JOBS   ninja -j (default: number of CPUs)
#
# Documentation/qemu.rst describes the layout and the devices.

set -euo pipefail

# Everything below is one compound command: bash reads it whole before it
# runs, so editing this file during a build cannot derail that build.
{

QEMU_DEB_VERSION="1:10.0.13+ds-0+deb13u1"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${VMBH_QEMU_CACHE:-/var/cache/vmbus-host/qemu}
jobs=${VMBH_QEMU_JOBS:-$(nproc)}
devices="$here/devices/vmbus-min.mak"
uapi="$top/include/uapi/linux/vmbus_host.h"
trixie_src=/etc/apt/sources.list.d/vmbus-host-trixie-src.sources

die() { echo "qemu/build.sh: error: $*" >&2; exit 1; }
log() { echo "qemu/build.sh: $*" >&2; }

shopt -s nullglob
patches=("$here"/patches/*.patch)
shopt -u nullglob

[ -f "$devices" ] || die "missing $devices"

# The key covers every input that changes the binary. The uapi header is
# part of it because the devices are compiled against it.
key_inputs=("$here/build.sh" "$devices" "${patches[@]}")
[ -f "$uapi" ] && key_inputs+=("$uapi")
hash=$({
	echo "$QEMU_DEB_VERSION"
	for f in "${key_inputs[@]}"; do
		echo "== ${f#"$top"/}"
		cat "$f"
	done
} | sha256sum | cut -c1-16)
out="$cache/$hash/bin/qemu-system-x86_64"

if [ -x "$out" ]; then
	log "cached: ${#patches[@]} patches, key $hash"
	echo "$out"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "not cached yet ($out); building needs root (apt-get)"

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
	log "another QEMU build holds $cache/.lock, waiting"
	flock 9
fi
if [ -x "$out" ]; then		# built by whoever held the lock
	echo "$out"
	exit 0
fi

# --- 1. packages ----------------------------------------------------------

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update"
	quietly apt-get update
	apt_updated=1
}

# Run a command with its output in $cache/apt.log, shown only on failure.
quietly() {
	if ! DEBIAN_FRONTEND=noninteractive "$@" >"$cache/apt.log" 2>&1; then
		tail -n 30 "$cache/apt.log" >&2
		die "failed: $*"
	fi
}

want_src_entry="Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
if [ ! -f "$trixie_src" ] || [ "$(cat "$trixie_src")" != "$want_src_entry" ]; then
	log "adding deb-src entry for trixie: $trixie_src"
	printf '%s\n' "$want_src_entry" >"$trixie_src"
	apt_update
fi

have_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

build_deps=(gcc make pkgconf ninja-build python3-venv libglib2.0-dev
	    libslirp-dev zlib1g-dev libaio-dev seabios ipxe-qemu qemu-system-data
	    dpkg-dev xz-utils)
missing=()
for p in "${build_deps[@]}"; do
	have_pkg "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	log "installing ${missing[*]}"
	quietly apt-get install -y --no-install-recommends "${missing[@]}"
fi

# QEMU 10 needs meson >= 1.5; bookworm has 1.0.1, bookworm-backports 1.7.
meson_ok() {
	local v
	v=$(dpkg-query -W -f='${Version}' meson 2>/dev/null) || return 1
	have_pkg meson && dpkg --compare-versions "$v" ge 1.5
}
if ! meson_ok; then
	apt_update
	log "installing meson from bookworm-backports"
	quietly apt-get install -y --no-install-recommends -t bookworm-backports meson
	meson_ok || die "meson >= 1.5 not installed (is bookworm-backports enabled?)"
fi

# --- 2. pristine source (cached per version) ------------------------------

srcver=${QEMU_DEB_VERSION#*:}
upver=${srcver%-*}
srcdir="$cache/src-$srcver"
pristine="$srcdir/qemu-$upver"
if [ ! -f "$srcdir/.complete" ]; then
	log "fetching QEMU source $QEMU_DEB_VERSION"
	rm -rf "$srcdir"
	mkdir -p "$srcdir"
	if ! (cd "$srcdir" && apt-get source -q "qemu=$QEMU_DEB_VERSION" \
	      >"$cache/apt.log" 2>&1); then
		apt_update
		(cd "$srcdir" && quietly apt-get source -q "qemu=$QEMU_DEB_VERSION")
	fi
	[ -f "$pristine/VERSION" ] || die "unexpected source layout in $srcdir"
	touch "$srcdir/.complete"
fi

# --- 3. build tree: pristine + patches ------------------------------------

# One persistent tree, a git repository whose first commit is the pristine
# source. Each build resets it to that commit and applies the series with
# git am, so only files the series touches get new timestamps and ninja
# rebuilds just those.
tree="$cache/tree-$srcver"
git_t() {
	git -C "$tree" -c user.name="vmbus-host build" \
		-c user.email="vmbus-host-build@localhost" \
		-c advice.detachedHead=false "$@"
}
if ! git_t rev-parse -q --verify refs/tags/pristine >/dev/null 2>&1; then
	log "creating build tree $tree"
	rm -rf "$tree"
	mkdir -p "$tree"
	cp -a "$pristine/." "$tree/"
	git_t init -q
	# Debian's tree has its own .gitignore files; keep every file.
	git_t add -f -A .
	git_t commit -q -m "QEMU $QEMU_DEB_VERSION (Debian source, pristine)"
	git_t tag pristine
fi
cat >"$tree/.git/info/exclude" <<'EOF'
/build/
/configs/devices/x86_64-softmmu/vmbus-min.mak
/linux-headers/linux/vmbus_host.h
EOF

git_t am --abort >/dev/null 2>&1 || true
git_t checkout -q --detach pristine
git_t reset -q --hard pristine
git_t clean -q -fd
for p in "${patches[@]}"; do
	if ! git_t am -q --no-3way "$p" >&2; then
		git_t am --abort >/dev/null 2>&1 || true
		die "patch does not apply: ${p#"$top"/}"
	fi
done
log "applied ${#patches[@]} patches"

# Copy a file only when its content changed, so its timestamp stays stable.
install_if_changed() {
	cmp -s "$1" "$2" || install -m 0644 "$1" "$2"
}
install_if_changed "$devices" "$tree/configs/devices/x86_64-softmmu/vmbus-min.mak"
if [ -f "$uapi" ]; then
	install_if_changed "$uapi" "$tree/linux-headers/linux/vmbus_host.h"
else
	rm -f "$tree/linux-headers/linux/vmbus_host.h"
fi

# --- 4. configure and build -----------------------------------------------

configure_args=(
	--python=/usr/bin/python3
	--target-list=x86_64-softmmu
	--without-default-features --without-default-devices
	--with-devices-x86_64=vmbus-min
	--enable-kvm --disable-tcg
	--enable-slirp --enable-virtfs --enable-attr --enable-hv-balloon
	--enable-vhost-kernel --enable-vhost-net --enable-linux-aio
	--disable-docs --disable-download --disable-install-blobs
	--disable-relocatable --audio-drv-list=
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
)
build="$tree/build"
stamp="$build/.vmbh-configure"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${configure_args[*]}" ]; then
	log "configuring"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && nice -n 10 ../configure "${configure_args[@]}" >configure.log 2>&1) || {
		tail -n 30 "$build/configure.log" >&2
		die "configure failed (log: $build/configure.log)"
	}
	echo "${configure_args[*]}" >"$stamp"
fi

log "building qemu-system-x86_64 (-j$jobs)"
start=$(date +%s)
if ! (cd "$build" && nice -n 10 ninja -j "$jobs" qemu-system-x86_64 >ninja.log 2>&1); then
	grep -E -B2 -A12 'error|FAILED' "$build/ninja.log" | head -n 80 >&2 || true
	die "build failed (log: $build/ninja.log)"
fi
log "built in $(( $(date +%s) - start )) s"

tmp="$cache/$hash.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/bin"
cp "$build/qemu-system-x86_64" "$tmp/bin/"
{
	echo "qemu $QEMU_DEB_VERSION"
	for p in "${patches[@]}"; do basename "$p"; done
} >"$tmp/manifest"
rm -rf "${cache:?}/$hash"
mv "$tmp" "$cache/$hash"
echo "$out"
exit 0
}

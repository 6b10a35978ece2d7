#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-command setup for a fresh Debian 12 (bookworm) machine: build tools,
# sparse, the 6.12 kernel image + headers + source from bookworm-backports /
# bookworm-security, QEMU for the test VM, busybox-static, and for the build
# matrix bookworm's 6.1 headers and the newest Debian kernel (unstable).
# Idempotent; everything downloaded or unpacked lives under $VMBH_CACHE
# (default /var/cache/vmbus-host), keyed by the kernel ABI name, so a rerun
# takes seconds.
#
# Writes $VMBH_CACHE/kernel.env, which the Makefile and the test harness read:
#   VMBH_KABI      ABI name of the 6.12 test kernel (e.g. 6.12.95+deb12-amd64)
#   VMBH_KROOT     folder holding its unpacked image, modules and headers
#   VMBH_KDIR      its kbuild dir (…/lib/modules/$VMBH_KABI/build)
#   VMBH_KSRC      partial kernel source (scripts/, tools/testing/selftests/…)
#   VMBH_KDIR_61   kbuild dir of bookworm's 6.1 headers (build matrix)
#   VMBH_KDIR_NEW  the newest Debian kernel's tree, prepared (build matrix)

set -euo pipefail

CACHE=${VMBH_CACHE:-/var/cache/vmbus-host}
T0=$(date +%s)
installed=()

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get and /var/cache)"
. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] ||
	log "warning: written for Debian 12 (bookworm), this is ${PRETTY_NAME:-unknown}"

mkdir -p "$CACHE"
export DEBIAN_FRONTEND=noninteractive

# --- apt sources ---------------------------------------------------------
SRC=/etc/apt/sources.list.d/vmbus-host.sources
want_src='Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
# linux-source-6.12 comes from bookworm-security; a stock install has it.
if ! grep -qs 'bookworm-security' /etc/apt/sources.list \
	$(find /etc/apt/sources.list.d -type f ! -name 'vmbus-host.*'); then
	want_src+='

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
fi
need_update=0
if [ ! -f "$SRC" ] || [ "$(cat "$SRC")" != "$want_src" ]; then
	printf '%s\n' "$want_src" >"$SRC"
	need_update=1
fi
# Refresh lists at most once a day unless sources changed.
stamp=$CACHE/.apt-update
if [ $need_update = 1 ] || [ ! -f "$stamp" ] ||
   [ -n "$(find "$stamp" -mmin +1440)" ]; then
	log "apt-get update"
	apt-get update -qq
	touch "$stamp"
fi

# --- packages --------------------------------------------------------------
apt_need() {
	# $1: extra apt args ("" or "-t bookworm-backports"), rest: packages
	local target=$1 p missing=()
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	log "installing ${missing[*]}"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $target "${missing[@]}" >/dev/null
	installed+=("${missing[@]}")
}

apt_need "" gcc-12 gcc make bc flex bison dwarves kmod xz-utils cpio \
	sparse busybox-static perl python3 file iproute2 bridge-utils \
	ca-certificates libc6-dev dkms e2fsprogs fio iperf3 libelf-dev libssl-dev
apt_need "-t bookworm-backports" qemu-system-x86 qemu-utils

# --- 6.12 kernel: image, modules, headers (unpacked, not installed) -------
dep=$(apt-cache show linux-image-amd64/bookworm-backports 2>/dev/null |
	sed -n 's/^Depends: .*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p' | head -n1)
[ -n "$dep" ] || die "cannot find linux-image-amd64 in bookworm-backports"
KABI=$dep
KROOT=$CACHE/kernel/$KABI
kver=${KABI%-amd64}		# 6.12.95+deb12

unpack_kernel() {
	# $1: dest, rest: packages (image first)
	local dest=$1 tmp
	shift
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	(cd "$tmp" && apt-get download -qq "$@" >/dev/null) ||
		die "apt-get download $* failed"
	rm -rf "$dest.new"
	mkdir -p "$dest.new"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$dest.new"
	done
	rm -rf "$tmp"
}

fix_headers() {
	# $1: root, $2: abi.  Point the one-line headers Makefile and the
	# absolute build/source links at the unpacked copy.
	local root=$1 abi=$2 h common
	h=$root/usr/src/linux-headers-$abi
	common=$(sed -n 's#^include /usr/src/\(.*\)/Makefile#\1#p' "$h/Makefile")
	[ -n "$common" ] && sed -i "s#^include /usr/src/#include $root/usr/src/#" "$h/Makefile"
	ln -sfn "../../../usr/src/linux-headers-$abi" "$root/lib/modules/$abi/build"
	if [ -n "$common" ]; then
		ln -sfn "../../../usr/src/$common" "$root/lib/modules/$abi/source"
	fi
}

if [ ! -f "$KROOT/.done" ]; then
	log "fetching kernel $KABI"
	pkgs=(linux-image-$KABI-unsigned linux-headers-$KABI
	      linux-headers-$kver-common linux-kbuild-$kver)
	unpack_kernel "$KROOT" "${pkgs[@]}"
	mkdir -p "$KROOT.new/lib/modules/$KABI"
	fix_headers "$KROOT.new" "$KABI"
	# The headers Makefile must name the final path, not .new
	sed -i "s#$KROOT.new/#$KROOT/#" "$KROOT.new/usr/src/linux-headers-$KABI/Makefile"
	depmod -b "$KROOT.new" "$KABI"
	rm -rf "$KROOT"
	mv "$KROOT.new" "$KROOT"
	touch "$KROOT/.done"
	installed+=("kernel:$KABI")
fi
KDIR=$KROOT/lib/modules/$KABI/build

# --- partial kernel source: checkpatch, kernel-doc, kselftest harness -----
srcver=$(apt-cache policy linux-source-6.12 | sed -n 's/ *Candidate: //p')
[ -n "$srcver" ] && [ "$srcver" != "(none)" ] || die "no linux-source-6.12 package"
KSRC=$CACHE/src/linux-source-$srcver
if [ ! -f "$KSRC/.done" ]; then
	log "fetching linux-source-6.12 $srcver (partial unpack)"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	(cd "$tmp" && apt-get download -qq "linux-source-6.12=$srcver" >/dev/null)
	dpkg-deb --fsys-tarfile "$tmp"/*.deb |
		tar -x -C "$tmp" --wildcards '*.tar.xz'
	rm -rf "$KSRC.new"
	mkdir -p "$KSRC.new"
	tar -xJf "$tmp"/usr/src/linux-source-6.12.tar.xz -C "$KSRC.new" \
		--strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc' \
		'*/tools/testing/selftests/kselftest*.h' \
		'*/tools/testing/selftests/lib.mk' \
		'*/tools/include/*' \
		'*/drivers/hv/*' '*/include/linux/hyperv.h' \
		'*/include/asm-generic/hyperv-tlfs.h' \
		'*/arch/x86/include/asm/hyperv-tlfs.h'
	rm -rf "$tmp" "$KSRC"
	mv "$KSRC.new" "$KSRC"
	touch "$KSRC/.done"
	installed+=("linux-source:$srcver")
fi

# --- bookworm 6.1 headers for the build matrix ----------------------------
dep61=$(apt-cache show linux-headers-amd64/bookworm 2>/dev/null |
	sed -n 's/^Depends: linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p' | head -n1)
[ -n "$dep61" ] || die "cannot find linux-headers-amd64 in bookworm"
KROOT61=$CACHE/kernel/$dep61
if [ ! -f "$KROOT61/.done" ]; then
	log "fetching headers $dep61"
	common61=${dep61%-amd64}-common
	kb61=$(apt-cache show "linux-headers-$dep61" |
		sed -n 's/^Depends: .*\(linux-kbuild-6\.1[^ ,]*\).*/\1/p' | head -n1)
	unpack_kernel "$KROOT61" "linux-headers-$dep61" "linux-headers-$common61" \
		"${kb61:-linux-kbuild-6.1}"
	mkdir -p "$KROOT61.new/lib/modules/$dep61"
	fix_headers "$KROOT61.new" "$dep61"
	sed -i "s#$KROOT61.new/#$KROOT61/#" "$KROOT61.new/usr/src/linux-headers-$dep61/Makefile"
	rm -rf "$KROOT61"
	mv "$KROOT61.new" "$KROOT61"
	touch "$KROOT61/.done"
	installed+=("headers:$dep61")
fi

# --- the newest Debian kernel (unstable) for the build matrix --------------
# Its headers packages run tools linked against unstable's glibc, so the
# tree is its linux-source, prepared here with Debian's .config and
# Module.symvers.  unstable is read through a private apt state: nothing
# from it is ever installed.
NEWAPT=$CACHE/apt-unstable
newapt_opts=(-o Dir::Etc::SourceList="$NEWAPT/sources.list"
	-o Dir::Etc::SourceParts=/nonexistent
	-o Dir::State::Lists="$NEWAPT/lists"
	-o Dir::State::Status="$NEWAPT/status"
	-o Dir::Cache="$NEWAPT/cache"
	-o APT::Architectures::=amd64)
newapt() { apt-get "${newapt_opts[@]}" "$@"; }
newapt_cache() { apt-cache "${newapt_opts[@]}" "$@"; }
mkdir -p "$NEWAPT/lists/partial" "$NEWAPT/cache/archives/partial"
touch "$NEWAPT/status"
printf '%s\n' 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian unstable main' \
	>"$NEWAPT/sources.list"
if [ ! -f "$NEWAPT/.update" ] || [ -n "$(find "$NEWAPT/.update" -mmin +1440)" ]; then
	log "apt-get update (unstable, private lists)"
	if newapt update -qq; then
		touch "$NEWAPT/.update"
	else
		log "warning: cannot read Debian unstable's package lists now"
	fi
fi

prepare_newest() {
	# $1: ABI, $2: version.  Fails (1) when the packages cannot be had.
	local abi=$1 ver=$2 xy dest tmp d
	xy=$(echo "$abi" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	dest=$CACHE/kernel/newest-$abi
	log "preparing linux-source-$xy $ver for $abi"
	tmp=$(mktemp -d "$CACHE/dl.XXXXXX")
	if ! (cd "$tmp" && newapt download -qq "linux-source-$xy=$ver" \
		"linux-headers-$abi=$ver" >/dev/null 2>&1); then
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$dest.new"
	mkdir -p "$dest.new" "$tmp/h"
	# Called in a condition, where set -e does not hold: check each step.
	dpkg-deb -x "$tmp"/linux-headers-*.deb "$tmp/h" ||
		die "cannot unpack linux-headers-$abi"
	# The tree minus what preparing it and building modules never read
	# (driver and sound sources, other architectures' code, most docs).
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-*.deb |
		tar -x -O "./usr/src/linux-source-$xy.tar.xz" |
		tar -xJ -C "$dest.new" --strip-components=1 --wildcards \
			--exclude='*/Documentation/*.rst' \
			--exclude='*/Documentation/*.yaml' \
			--exclude='*/Documentation/*.txt' \
			--exclude='*/drivers/*.[chS]' --exclude='*/drivers/*.rs' \
			--exclude='*/sound/*.[chS]' --exclude='*/net/*.c' \
			--exclude='*/fs/*.c' --exclude='*/tools/testing/*' \
			--exclude='*/samples/*.[ch]' \
			--exclude='*/arch/[a-w]*/*.[chS]' \
			--exclude='*/arch/[a-w]*/*.dts*' ||
		die "cannot unpack linux-source-$xy $ver"
	cp "$tmp/h/usr/src/linux-headers-$abi/.config" \
	   "$tmp/h/usr/src/linux-headers-$abi/Module.symvers" "$dest.new/" ||
		die "linux-headers-$abi has no .config or Module.symvers"
	rm -rf "$tmp"
	make -s -C "$dest.new" olddefconfig >/dev/null &&
		make -s -C "$dest.new" -j"$(nproc)" modules_prepare >/dev/null ||
		die "cannot prepare the $abi tree"
	for d in "$CACHE"/kernel/newest-*; do
		[ "$d" = "$dest.new" ] || rm -rf "$d"
	done
	mv "$dest.new" "$dest"
	touch "$dest/.done"
	installed+=("kernel-tree:$abi")
}

newabi=$(newapt_cache show linux-headers-amd64 2>/dev/null |
	sed -n 's/^Depends: .*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p' | head -n1)
newver=
[ -z "$newabi" ] || newver=$(newapt_cache show "linux-headers-$newabi" 2>/dev/null |
	sed -n 's/^Version: //p' | head -n1)
KDIRNEW=$CACHE/kernel/newest-$newabi
# Right after an upload, unstable's source and its amd64 headers can name
# different versions for a while; the tree prepared last time then serves.
if [ -z "$newver" ] || { [ ! -f "$KDIRNEW/.done" ] &&
			 ! prepare_newest "$newabi" "$newver"; }; then
	KDIRNEW=$(find "$CACHE/kernel" -maxdepth 2 -path '*/newest-*/.done' \
		-printf '%h\n' 2>/dev/null | head -n1)
	[ -n "$KDIRNEW" ] ||
		die "cannot get the newest Debian kernel (${newabi:-no linux-headers-amd64} ${newver}) from unstable"
	log "warning: unstable's ${newabi:-newest kernel} cannot be had now; building against ${KDIRNEW##*/}"
fi

cat >"$CACHE/kernel.env.new" <<EOF
VMBH_KABI=$KABI
VMBH_KROOT=$KROOT
VMBH_KDIR=$KDIR
VMBH_KSRC=$KSRC
VMBH_KDIR_61=$KROOT61/lib/modules/$dep61/build
VMBH_KDIR_NEW=$KDIRNEW
EOF
mv "$CACHE/kernel.env.new" "$CACHE/kernel.env"

T1=$(date +%s)
if [ ${#installed[@]} = 0 ]; then
	log "nothing to install; took $((T1 - T0)) s"
else
	log "installed: ${installed[*]}"
	log "took $((T1 - T0)) s"
fi

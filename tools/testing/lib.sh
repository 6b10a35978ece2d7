# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the test VM scripts.  Sourced, not run.

VMBH_CACHE=${VMBH_CACHE:-/var/cache/vmbus-host}

vmbh_die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

vmbh_load_env() {
	[ -f "$VMBH_CACHE/kernel.env" ] ||
		vmbh_die "no $VMBH_CACHE/kernel.env: run 'make setup' first"
	# shellcheck disable=SC1091
	. "$VMBH_CACHE/kernel.env"
}

# Decompress the named kernel modules and their dependencies, in load
# order, into $2 (busybox insmod cannot read .ko.xz).  Prints the load order.
vmbh_collect_modules() {
	local mods=$1 dest=$2 line path name
	mkdir -p "$dest"
	for m in $mods; do
		modprobe -d "$VMBH_KROOT" -S "$VMBH_KABI" --show-depends "$m"
	done | while read -r line; do
		path=${line#insmod }
		path=${path%% *}
		name=$(basename "$path")
		name=${name%.xz}
		if [ ! -f "$dest/$name" ]; then
			xz -dc "$path" >"$dest/$name"
			echo "$name"
		fi
	done
}

vmbh_cpio() {
	# $1: folder, $2: output
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}

# Build (once per kernel and init script) the L1 initramfs; print its path.
vmbh_l1_initramfs() {
	local here key img tmp
	here=$(dirname "${BASH_SOURCE[0]}")
	key=$(cat "$here/l1-init" "$here/lib.sh" /bin/busybox |
		{ sha256sum; echo "$VMBH_KABI"; } | sha256sum | cut -c1-16)
	img=$VMBH_CACHE/vm/l1-$VMBH_KABI-$key.cpio
	if [ ! -f "$img" ]; then
		mkdir -p "$VMBH_CACHE/vm"
		tmp=$(mktemp -d)
		mkdir -p "$tmp"/{bin,sbin,proc,sys,dev,host,lib/mods}
		cp /bin/busybox "$tmp/bin/busybox"
		for a in sh mount umount mkdir insmod chroot poweroff cat sync \
			 sleep echo stty dmesg ln mknod; do
			ln -s busybox "$tmp/bin/$a"
		done
		vmbh_collect_modules "9p 9pnet_virtio" "$tmp/lib/mods" \
			>"$tmp/lib/mods/order"
		install -m 0755 "$here/l1-init" "$tmp/init"
		printf '#!/bin/sh\nexec chroot /host /sbin/modprobe -d "$(cat /kroot)" "$@"\n' \
			>"$tmp/sbin/vmbh-modprobe"
		chmod 0755 "$tmp/sbin/vmbh-modprobe"
		vmbh_cpio "$tmp" "$img"
		rm -rf "$tmp"
	fi
	echo "$img"
}

# True when a dmesg file shows no kernel problem report.
vmbh_dmesg_clean() {
	local f=$1 pat
	pat='Oops|BUG:|kernel BUG|WARNING:|KASAN|UBSAN|possible circular locking'
	pat+='|lockdep|general protection fault|Call Trace:|refcount_t:'
	pat+='|list_(add|del) corruption|kmemleak: [0-9]+ new suspected'
	pat+='|soft lockup|hard LOCKUP|rcu_sched self-detected|blocked for more than'
	[ -f "$f" ] || return 1
	if grep -Eq "$pat" "$f"; then
		grep -En "$pat" "$f" | head -n 20 >&2
		return 1
	fi
	return 0
}

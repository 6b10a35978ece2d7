#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nested mode: boot the L1 test VM with KVM, and in it an L2 Linux guest
# with Hyper-V enlightenments whose own hv_vmbus, hv_storvsc and hv_netvsc
# drivers talk to the VMBus devices given after "--".
#
#   tools/testing/nested.sh [--qemu BIN] [--test NAME] [--smp N] [--pre CMD]
#                           [--post CMD] -- [L2 device args]
#
# --qemu  the L2 QEMU (default: the distribution's, with -device vmbus-bridge)
# --test  a script from tools/testing/l2/ run in L2 (default vmbus-info)
# --pre   a shell command run in L1 before L2 starts (insmod, taps, ...)
# --post  a shell command that undoes --pre, run after L2 when there is no
#         L1 (VMBH_DIRECT=1: the host itself was set up); the test VM is
#         thrown away instead
# L2_APPEND, L2_DURING and L2_REBOOT pass through to l2-run.sh.

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/testing/lib.sh"

qemu=$(command -v qemu-system-x86_64)
test=vmbus-info
smp=1
pre=true
post=true
while [ $# -gt 0 ]; do
	case $1 in
	--qemu) qemu=$2; shift ;;
	--test) test=$2; shift ;;
	--smp) smp=$2; shift ;;
	--pre) pre=$2; shift ;;
	--post) post=$2; shift ;;
	--) shift; break ;;
	*) vmbh_die "unknown option $1" ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- -device vmbus-bridge
[ -f "$top/tools/testing/l2/$test.sh" ] || vmbh_die "no L2 test $test"

vmbh_load_env
out=${VMBH_OUT:-$top/.build/vm}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The L2 initramfs: busybox, the guest's VMBus drivers (and virtio ones
# for the peers in benchmarks), ext4, a few dynamic tools with their
# libraries, the L2 tests.
here=$top/tools/testing
l2mods="hv_vmbus hv_utils hv_storvsc sd_mod hv_netvsc hv_balloon"
l2mods+=" virtio_blk virtio_scsi virtio_net ext4"
l2bins="/usr/sbin/mke2fs /usr/sbin/e2fsck /usr/bin/fio /usr/bin/iperf3"
for b in $l2bins; do
	[ -x "$b" ] || vmbh_die "$b missing: run 'make setup'"
done
key=$(cat "$here/l2-init" "$here"/l2/*.sh "$here/lib.sh" "$here/nested.sh" /bin/busybox \
	$l2bins |
	{ sha256sum; echo "$VMBH_KABI"; } | sha256sum | cut -c1-16)
initrd=$VMBH_CACHE/vm/l2-$VMBH_KABI-$key.cpio
if [ ! -f "$initrd" ]; then
	mkdir -p "$VMBH_CACHE/vm"
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,sbin,proc,sys,dev,tests,lib/mods}
	cp /bin/busybox "$tmp/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$tmp/bin/$a"
	done
	vmbh_collect_modules "$l2mods" "$tmp/lib/mods" >"$tmp/lib/mods/order"
	for b in $l2bins; do
		# Replace busybox's applet link, never write through it.
		rm -f "$tmp/bin/${b##*/}"
		cp "$b" "$tmp/bin/"
		ldd "$b" | grep -o '/[^ ]*' | while read -r lib; do
			cp -L --parents -n "$lib" "$tmp"
		done
	done
	ln -sf mke2fs "$tmp/bin/mkfs.ext4"
	install -m 0755 "$here/l2-init" "$tmp/init"
	cp "$here"/l2/*.sh "$tmp/tests/"
	vmbh_cpio "$tmp" "$initrd"
	rm -rf "$tmp"
fi

# On a host whose own KVM runs Hyper-V guests, skip the L1 VM.
if [ "${VMBH_DIRECT:-0}" = 1 ]; then
	trap 'bash -c "$post"' EXIT
	bash -c "$pre"
	"$here/l2-run.sh" "$out" "$VMBH_KROOT/boot/vmlinuz-$VMBH_KABI" \
		"$initrd" "$qemu" "$test" "$smp" -- "$@"
	exit
fi

exec "$here/vm.sh" --nested -- env L2_APPEND="${L2_APPEND:-}" \
	L2_DURING="${L2_DURING:-}" L2_REBOOT="${L2_REBOOT:-0}" \
	bash -c "$pre && exec \"\$0\" \"\$@\"" \
	"$here/l2-run.sh" "$out" "$VMBH_KROOT/boot/vmlinuz-$VMBH_KABI" "$initrd" \
	"$qemu" "$test" "$smp" -- "$@"

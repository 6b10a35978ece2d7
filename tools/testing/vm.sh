#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command inside the L1 test VM: Debian's 6.12 kernel under QEMU/TCG,
# the host's root mounted read-only over 9p, this checkout mounted writable
# at its own path.  Exits with the command's status; fails the run when the
# VM's dmesg shows an oops, BUG, WARN, KASAN/UBSAN report or lockdep splat.
#
#   tools/testing/vm.sh [--nested] [--mem SIZE] [--smp N] [--timeout S] -- cmd [args...]
#
# --nested loads kvm_amd first (options $VMBH_L1_KVM_AMD, default
# "nested=1"), so /dev/kvm works for an L2 guest.
# Artifacts (console log, dmesg) go to $VMBH_OUT (default .build/vm), and
# the L1 QEMU's monitor listens on $VMBH_OUT/l1-mon.sock for a post-mortem
# of a VM that stopped answering ("info registers -a", "nmi"); QEMU logs
# CPU resets and triple faults to $VMBH_OUT/qemu.log.

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tools/testing/lib.sh"

nested=0
mem=2G
smp=2
tmo=1800
while [ $# -gt 0 ]; do
	case $1 in
	--nested) nested=1 ;;
	--mem) mem=$2; shift ;;
	--smp) smp=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--) shift; break ;;
	*) vmbh_die "unknown option $1" ;;
	esac
	shift
done
[ $# -gt 0 ] || vmbh_die "usage: $0 [--nested] [--mem SIZE] -- cmd [args...]"

vmbh_load_env
out=${VMBH_OUT:-$top/.build/vm}
mkdir -p "$out"
out=$(cd "$out" && pwd)
case $out in
"$top"/*) ;;
*) vmbh_die "VMBH_OUT must be inside the checkout ($top)" ;;
esac
rm -f "$out/rc" "$out/dmesg.txt" "$out/out.log" "$out/console.log" "$out/qemu.log"

# The command runs through bash in the VM, from the checkout, quoted as given.
{
	printf 'cd %q\n' "$top"
	[ $nested = 1 ] &&
		printf 'modprobe kvm_amd %s || exit 97\n' "${VMBH_L1_KVM_AMD:-nested=1}"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$out/cmd.sh"

initrd=$(vmbh_l1_initramfs)

qemu=(qemu-system-x86_64 -nodefaults -no-user-config -machine q35 -accel tcg
	-cpu max -smp "$smp" -m "$mem"
	-kernel "$VMBH_KROOT/boot/vmlinuz-$VMBH_KABI" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 rdinit=/init mitigations=off init_on_alloc=0 vmbh.top=$top vmbh.out=$out vmbh.kroot=$VMBH_KROOT"
	-display none -no-reboot -d cpu_reset -D "$out/qemu.log"
	-monitor "unix:$out/l1-mon.sock,server=on,wait=off"
	-serial "file:$out/console.log"
	-device virtio-serial-pci
	-chardev "file,id=out,path=$out/out.log" -device virtconsole,chardev=out
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$top,mount_tag=work0,security_model=none,multidevs=remap")

t0=$(date +%s)
: >"$out/out.log"
timeout --foreground -k 10 "$tmo" "${qemu[@]}" &
qpid=$!
tail -n +1 -F --pid=$qpid "$out/out.log" 2>/dev/null &
tpid=$!
qrc=0
wait $qpid || qrc=$?
wait $tpid 2>/dev/null || true
t1=$(date +%s)

if [ ! -f "$out/rc" ]; then
	echo "vm: no status from the VM (qemu exit $qrc after $((t1 - t0)) s); serial console tail:" >&2
	tail -n 60 "$out/console.log" >&2 || true
	grep -qs '^Triple fault' "$out/qemu.log" &&
		echo "vm: a CPU of the VM triple-faulted (QEMU's log: $out/qemu.log)" >&2
	exit 125
fi
rc=$(cat "$out/rc")
if ! vmbh_dmesg_clean "$out/dmesg.txt"; then
	echo "vm: kernel reported a problem (dmesg kept in $out/dmesg.txt)" >&2
	[ "$rc" = 0 ] && rc=124
fi
echo "vm: command exited $rc after $((t1 - t0)) s; dmesg in $out/dmesg.txt" >&2
exit "$rc"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the L1 test VM (see nested.sh): boot the L2 Hyper-V-style
# guest under KVM with the given VMBus devices, print what its test printed,
# exit with the test's status.  A run where L2 reported nothing at all is an
# infrastructure failure (see test-vm-recipe.md, "flakiness") and is tried
# once more, saying so; a test that reported a failure is never retried.
#
#   l2-run.sh OUTDIR KERNEL INITRD QEMU TEST SMP -- [device args...]
#
# Environment: L2_APPEND, extra kernel arguments for L2; L2_DURING, a shell
# command run in L1 beside the guest (it may read $out/l2-out.log and talk
# to L2's QEMU monitor on /tmp/l2-mon.sock); L2_REBOOT=1 lets the guest
# reboot instead of ending the run.

set -u
out=$1 kernel=$2 initrd=$3 qemu=$4 test=$5 smp=$6
shift 6
[ "${1:-}" = -- ] && shift

cpu=host,kvm=off,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-vpindex,hv-runtime
cpu+=,hv-synic,hv-stimer,hv-stimer-direct,hv-time,hv-frequencies

run_l2() {
	local noreboot=-no-reboot
	[ "${L2_REBOOT:-0}" = 1 ] && noreboot=
	rm -f "$out"/l2-console.log "$out"/l2-out.log "$out"/l2-rc \
		"$out"/l2-dmesg.txt /tmp/l2-mon.sock
	: >"$out/l2-out.log"
	dpid=
	if [ -n "${L2_DURING:-}" ]; then
		(out=$out bash -c "$L2_DURING") &
		dpid=$!
	fi
	timeout -k 5 600 "$qemu" -nodefaults -no-user-config \
		-machine q35,kernel-irqchip=on -accel kvm -cpu "$cpu" \
		-smp "$smp" -m 1G -kernel "$kernel" -initrd "$initrd" \
		-append "console=hvc0 panic=-1 rdinit=/init init_on_alloc=0 vmbh.test=$test ${L2_APPEND:-}" \
		-display none -monitor unix:/tmp/l2-mon.sock,server=on,wait=off $noreboot \
		-device virtio-serial-pci \
		-chardev "file,id=con,path=$out/l2-console.log" -device virtconsole,chardev=con \
		-chardev "file,id=o,path=$out/l2-out.log" -device virtserialport,chardev=o,name=vmbh.out \
		-chardev "file,id=rc,path=$out/l2-rc" -device virtserialport,chardev=rc,name=vmbh.rc \
		-chardev "file,id=dm,path=$out/l2-dmesg.txt" -device virtserialport,chardev=dm,name=vmbh.dmesg \
		"$@"
}

rm -f "$out"/l2-*.try*
for try in 1 2; do
	t0=$(date +%s)
	run_l2 "$@"
	qrc=$?
	t1=$(date +%s)
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null
	wait
	if [ -s "$out/l2-rc" ]; then
		cat "$out/l2-out.log"
		rc=$(tr -dc 0-9 <"$out/l2-rc")
		echo "l2: test $test exited $rc after $((t1 - t0)) s"
		exit "${rc:-1}"
	fi
	echo "l2: guest reported no status (qemu exit $qrc after $((t1 - t0)) s)"
	tail -n 20 "$out/l2-console.log" 2>/dev/null
	# QEMU refusing its command line is no infrastructure flake.
	[ $qrc = 1 ] && exit 1
	# Keep what the failed try left for a post-mortem.
	for f in "$out"/l2-console.log "$out"/l2-dmesg.txt; do
		[ -e "$f" ] && mv "$f" "${f%.*}.try$try.${f##*.}"
	done
	[ $try = 1 ] && echo "l2: infrastructure failure, retrying once"
done
exit 1

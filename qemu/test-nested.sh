#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks of the patched QEMU that need KVM with Hyper-V and the modules:
# run in the nested test VM (tools/testing/vm.sh --nested), they start
# QEMU with vmbus-host devices and check that realize succeeds with the
# right setup, that device_del and device_add work, and that each wrong
# setup fails with the message Documentation/qemu.rst lists.  No guest
# boots (-S): qemu-pairing.md and tools/testing/nested.sh cover guests.
#
# Build the modules first (make).  VMBH_KO_DIR names another tree to take
# the .ko files from (default: this checkout; the VM sees only the host's
# root file system and the checkout, not the host's /tmp).  Exit status: 0 when every
# check passed.
#
#   qemu/test-nested.sh          on the host: build QEMU, boot the VM
#   qemu/test-nested.sh --in-vm QEMU   inside the VM (used by the above)

set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ko=${VMBH_KO_DIR:-$top}

if [ "${1:-}" != --in-vm ]; then
	qemu=$("$top/qemu/build.sh" | tail -n 1) || exit 1
	for m in hypercall/vmbh_hypercall vmbus_host/vmbus_host \
		 synth_storvsc_be/vmbh_storvsp synth_netvsc_be/vmbh_netvsp; do
		[ -f "$ko/$m.ko" ] || { echo "missing $ko/$m.ko: run make" >&2; exit 1; }
	done
	VMBH_OUT=${VMBH_OUT:-$top/.build/vm-qemu} \
	exec "$top/tools/testing/vm.sh" --nested -- \
		env VMBH_KO_DIR="$ko" "$top/qemu/test-nested.sh" --in-vm "$qemu"
fi

QEMU=$2
. "$top/qemu/test-lib.sh"

cpu=host,kvm=off,hv-relaxed,hv-vapic,hv-time,hv-vpindex,hv-synic,hv-stimer
cpu+=,hv-stimer-direct,hv-runtime
vm=(-M q35,kernel-irqchip=on -accel kvm -cpu "$cpu" -smp 2 -m 256
    -nodefaults -no-user-config -display none -S)

# run NAME WANT(0|fail) REGEX MONITOR_INPUT -- qemu args...
# Starts QEMU with the HMP monitor on stdin/stdout, feeds it MONITOR_INPUT
# (then quit), and checks the exit status and that the output matches.
run() {
	local name=$1 want=$2 regex=$3 input=$4 out rc
	shift 5
	out=$(printf '%b\nquit\n' "$input" |
	      timeout 60 "$QEMU" "$@" -monitor stdio 2>&1)
	rc=$?
	verdict "$name" "$want" "$regex" "$rc" "$out"
}

if [ -e /dev/vmbus-host ]; then
	not_ok "vmbus_host is not loaded before the first check"
else
	run "module not loaded" fail \
		'vmbus_host kernel module is not loaded \(modprobe vmbus_host\)' \
		'' -- "${vm[@]}" -device vmbus-host
fi

modprobe target_core_mod || not_ok "modprobe target_core_mod"
modprobe tun || not_ok "modprobe tun"
modprobe tap || not_ok "modprobe tap"
insmod "$ko/hypercall/vmbh_hypercall.ko" || not_ok "insmod vmbh_hypercall"
insmod "$ko/vmbus_host/vmbus_host.ko" || not_ok "insmod vmbus_host"

run "bridge and echo device realize" 0 'dev: vmbus-echo, id "e0"' \
	'info qtree' -- "${vm[@]}" -device vmbus-host -device vmbus-echo,id=e0
out=$(printf 'device_del e0\ninfo qtree\nquit\n' |
      timeout 60 "$QEMU" "${vm[@]}" -device vmbus-host \
      -device vmbus-echo,id=e0 -monitor stdio 2>&1)
if grep -q 'dev: vmbus-host' <<<"$out" && ! grep -q 'dev: vmbus-echo' <<<"$out"
then
	ok "device_del: echo device gone from qtree"
else
	not_ok "device_del: echo device gone from qtree"
	sed 's/^/     | /' <<<"$out" | head -n 20
fi
out=$(printf 'device_add vmbus-echo,id=e1\ninfo qtree\nquit\n' |
      timeout 60 "$QEMU" "${vm[@]}" -device vmbus-host -monitor stdio 2>&1)
if grep -q 'dev: vmbus-echo, id "e1"' <<<"$out"; then
	ok "device_add: hot-added echo device in qtree"
else
	not_ok "device_add: hot-added echo device in qtree"
	sed 's/^/     | /' <<<"$out" | head -n 20
fi

run "no SynIC" fail 'requires the Hyper-V SynIC: add hv-vpindex,hv-synic' '' -- \
	-M q35 -accel kvm -cpu host,kvm=off -nodefaults -display none -S \
	-device vmbus-host
run "split irqchip" fail 'requires the in-kernel irqchip' '' -- \
	-M q35,kernel-irqchip=split -accel kvm -cpu "$cpu" -nodefaults \
	-display none -S -device vmbus-host
run "storvsp not loaded" fail \
	'the vmbh_storvsp kernel module is not loaded \(modprobe vmbh_storvsp\)' \
	'' -- "${vm[@]}" -device vmbus-host \
	-device vmbus-scsi,wwpn=naa.5001405000000001
run "netvsp not loaded" fail \
	'the vmbh_netvsp kernel module is not loaded' '' -- "${vm[@]}" \
	-device vmbus-host -netdev tap,id=n0,ifname=vt0,script=no,downscript=no \
	-device vmbus-net,netdev=n0

insmod "$ko/synth_storvsc_be/vmbh_storvsp.ko" || not_ok "insmod vmbh_storvsp"
insmod "$ko/synth_netvsc_be/vmbh_netvsp.ko" || not_ok "insmod vmbh_netvsp"

run "scsi without wwpn" fail 'wwpn= is required' '' -- "${vm[@]}" \
	-device vmbus-host -device vmbus-scsi
run "scsi malformed wwpn" fail 'wwpn=bogus: not a vmbh_storvsp target port' '' -- \
	"${vm[@]}" -device vmbus-host -device vmbus-scsi,wwpn=bogus
run "scsi unknown wwpn" fail \
	'wwpn=naa.5001405000000099: no such vmbh_storvsp LIO target port' '' -- \
	"${vm[@]}" -device vmbus-host -device vmbus-scsi,wwpn=naa.5001405000000099
cfg=/sys/kernel/config/target/storvsp/naa.5001405000000001
if mkdir -p "$cfg/tpgt_1"; then
	run "scsi with a target port realizes" 0 'dev: vmbus-scsi, id "d0"' \
		'info qtree' -- "${vm[@]}" -device vmbus-host \
		-device vmbus-scsi,id=d0,wwpn=naa.5001405000000001
else
	not_ok "mkdir $cfg/tpgt_1"
fi

run "net without netdev" fail 'netdev= is required' '' -- "${vm[@]}" \
	-device vmbus-host -device vmbus-net
run "net on a user netdev" fail 'netdev=u0 is a user netdev; vmbus-net needs a tap' \
	'' -- "${vm[@]}" -device vmbus-host -netdev user,id=u0 \
	-device vmbus-net,netdev=u0
run "net on a tap realizes" 0 'dev: vmbus-net, id "nic0"' 'info qtree' -- \
	"${vm[@]}" -device vmbus-host \
	-netdev tap,id=n0,ifname=vt0,script=no,downscript=no \
	-device vmbus-net,id=nic0,netdev=n0,mac=52:54:00:12:34:56

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

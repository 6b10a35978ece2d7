#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke tests of the patched QEMU that need neither KVM nor the kernel
# modules: the devices exist, have their properties, and fail with the
# messages Documentation/qemu.rst promises.  Runs qemu/build.sh first (a
# cached build only prints the binary's path), or uses $QEMU if set.
#
# Exit status: 0 when every check passed.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -z "${QEMU:-}" ]; then
	QEMU=$("$here/build.sh" | tail -n 1) || {
		echo "qemu/test-smoke.sh: qemu/build.sh failed" >&2
		echo "0 passed, 1 failed"
		exit 1
	}
fi
[ -x "$QEMU" ] || { echo "not executable: $QEMU" >&2; echo "0 passed, 1 failed"; exit 1; }
echo "qemu: $QEMU"

. "$here/test-lib.sh"

# check NAME EXPECTED_STATUS(0|fail) REGEX -- qemu args...
# Runs QEMU with a timeout; passes when the exit status matches and the
# combined output matches REGEX (grep -E).
check() {
	local name=$1 want=$2 regex=$3 out rc
	shift 4
	out=$(timeout 30 "$QEMU" "$@" </dev/null 2>&1)
	rc=$?
	verdict "$name" "$want" "$regex" "$rc" "$out"
}

# A VM that stops at once without KVM: enough to realize devices.
qtest=(-M q35 -accel qtest -nodefaults -S -display none -monitor none)

check "version" 0 '^QEMU emulator version 10\.0\.' -- -version

devices=$("$QEMU" -device help 2>&1)
for d in vmbus-host vmbus-scsi vmbus-net vmbus-echo vmbus-bridge hv-balloon; do
	if grep -q "name \"$d\"" <<<"$devices"; then
		ok "-device help lists $d"
	else
		not_ok "-device help lists $d"
	fi
done

check "only kvm (and qtest) accelerators" 0 '^kvm$' -- -accel help
if "$QEMU" -accel help 2>&1 | grep -q '^tcg$'; then
	not_ok "tcg is not built in"
else
	ok "tcg is not built in"
fi

check "vmbus-host has fd and irq" 0 'fd=<str>' -- -device vmbus-host,help
check "vmbus-scsi has wwpn" 0 'wwpn=<str>' -- -device vmbus-scsi,help
check "vmbus-scsi has queues" 0 'queues=<uint32>' -- -device vmbus-scsi,help
check "vmbus-scsi has instanceid" 0 'instanceid=' -- -device vmbus-scsi,help
check "vmbus-net has netdev, mac, mtu" 0 'mtu=<uint32>' -- -device vmbus-net,help
check "vmbus-net has netdev" 0 'netdev=' -- -device vmbus-net,help

if [ -e /dev/vmbus-host ]; then
	# The module is loaded: the next check in line is the accelerator.
	check "vmbus-host without KVM" fail 'vmbus-host: requires KVM \(-accel kvm\)' -- \
		"${qtest[@]}" -device vmbus-host
else
	check "vmbus-host without the module" fail \
		'vmbus_host kernel module is not loaded \(modprobe vmbus_host\)' -- \
		"${qtest[@]}" -device vmbus-host
fi

# fd= takes an open descriptor; /dev/null answers the probe ioctl with
# ENOTTY, which is what a module with another uapi does.
check "vmbus-host,fd= with a uapi mismatch" fail \
	'different versions of linux/vmbus_host.h' -- \
	"${qtest[@]}" -device vmbus-host,fd=3 3</dev/null
check "vmbus-host,fd= not a descriptor" fail 'fd=nosuchfd: .*nosuchfd' -- \
	"${qtest[@]}" -device vmbus-host,fd=nosuchfd
check "at most one bridge" fail 'at most one VMBus bridge' -- \
	"${qtest[@]}" -device vmbus-bridge -device vmbus-host
check "vmbus-scsi needs vmbus-host" fail "No 'vmbus-host-bus' bus found" -- \
	"${qtest[@]}" -device vmbus-scsi,wwpn=naa.5001405000000001
check "vmbus-net needs vmbus-host" fail "No 'vmbus-host-bus' bus found" -- \
	"${qtest[@]}" -netdev user,id=n0 -device vmbus-net,netdev=n0
check "vmbus-echo needs vmbus-host" fail "No 'vmbus-host-bus' bus found" -- \
	"${qtest[@]}" -device vmbus-echo

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

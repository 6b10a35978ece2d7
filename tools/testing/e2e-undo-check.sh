#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the L1 test VM: what e2e-l1.sh sets up on a host (make run's
# direct mode), e2e-l1.sh --undo takes down again, twice over.  Prints a
# line per check and "N passed, N failed".

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
check() {	# description, command...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=$((fail + 1))
	fi
}
gone() { [ ! -e "$1" ]; }
no_modules() { ! grep -qE '^(vmbh_|vmbus_host |brd )' /proc/modules; }
no_iperf() { ! pgrep -f 'iperf3 -s -D -B 192.0.2.1' >/dev/null; }

for round in 1 2; do
	check "round $round: set up" "$top/tools/testing/e2e-l1.sh" --disk-mib 16
	check "round $round: set up made br0, tap0 and the target" \
		test -e /sys/class/net/br0 -a -e /sys/class/net/tap0 -a \
		-d /sys/kernel/config/target/storvsp/naa.5001405000000001
	check "round $round: undo succeeds" "$top/tools/testing/e2e-l1.sh" --undo
	check "round $round: no bridge" gone /sys/class/net/br0
	check "round $round: no tap" gone /sys/class/net/tap0
	check "round $round: no storvsp fabric" gone /sys/kernel/config/target/storvsp
	check "round $round: no iblock backstore" gone /sys/kernel/config/target/core/iblock_0
	check "round $round: modules and RAM disk unloaded" no_modules
	check "round $round: iperf3 server stopped" no_iperf
done
check "undo with nothing set up succeeds" "$top/tools/testing/e2e-l1.sh" --undo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

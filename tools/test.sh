#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: every test tier that fits CI, in order.
#   0. static checks (make check) and host-run unit tests of the pure code
#   1. the modules in the L1 test VM: every kselftest suite
#   2. nested: an L2 Linux guest with its own hv_vmbus drivers under KVM in L1
#   3. end to end: that guest served by the modules through the project's
#      QEMU devices (built by qemu/build.sh): their error checks, disk, NIC,
#      reboot, hot-remove
# Ends with "test: N passed, N failed, N skipped" and the timings.
# VMBH_TIERS (default "0 1 2 3") picks tiers.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/testing/lib.sh"
vmbh_load_env
cd "$top"
tiers=${VMBH_TIERS:-0 1 2 3}
mkdir -p .build
pass=0 fail=0 skip=0 failed=()
T0=$(date +%s)

tally() {
	# $1: name, $2: status, $3-5: counted passes, failures, skips
	pass=$((pass + $3)) fail=$((fail + $4)) skip=$((skip + $5))
	if [ "$2" != 0 ]; then
		failed+=("$1")
		[ "$4" = 0 ] && fail=$((fail + 1))
	fi
}

totals() {
	# kselftest_harness "# Totals:" lines of a log -> "pass fail skip"
	awk '/^# Totals:/ {
		for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] += kv[2] }
	} END { printf "%d %d %d\n", t["pass"], t["fail"] + t["error"], t["skip"] }' "$1"
}

echo "test: building modules and tests"
make -s -C "$top" module >.build/build.log 2>&1 || {
	cat .build/build.log; echo "test: module build failed"; exit 1; }
for mk in selftests/*/Makefile; do
	d=$(dirname "$mk")
	make -s -C "$d" KSRC="$VMBH_KSRC" >>.build/build.log 2>&1 || {
		tail -n 40 .build/build.log; echo "test: building $d failed"; exit 1; }
done

case " $tiers " in *" 0 "*)
	echo "=== tier 0: static checks"
	bash tools/check.sh
	tally check $? 1 0 0
	echo "=== tier 0: unit tests on the host"
	for mk in selftests/*/Makefile; do
		d=$(dirname "$mk")
		make -s -C "$d" -n unit >/dev/null 2>&1 || continue
		make -s -C "$d" KSRC="$VMBH_KSRC" unit 2>&1 | tee .build/unit.log
		st=${PIPESTATUS[0]}
		read -r p f k < <(totals .build/unit.log)
		tally "unit:$d" "$st" "$p" "$f" "$k"
	done
	echo "=== tier 0: the benchmark's statistics (bench/test_pool.py)"
	/usr/bin/python3 bench/test_pool.py -v 2>&1 | tee .build/unit-bench.log
	st=${PIPESTATUS[0]}
	p=$(grep -c ' \.\.\. ok$' .build/unit-bench.log)
	f=$(grep -c -E ' \.\.\. (FAIL|ERROR)$' .build/unit-bench.log)
	tally unit:bench "$st" "$p" "$f" 0
	;;
esac

case " $tiers " in *" 1 "*)
	echo "=== tier 1: kselftests in the test VM"
	tools/testing/vm.sh -- selftests/run_all.sh 2>&1 | tee .build/tier1.log
	st=${PIPESTATUS[0]}
	cp .build/vm/dmesg.txt .build/tier1-dmesg.txt 2>/dev/null
	read -r p f k < <(sed -n 's/^selftests: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p' \
		.build/tier1.log | tail -n1)
	tally tier1 "$st" "${p:-0}" "${f:-0}" "${k:-0}"
	;;
esac

case " $tiers " in *" 2 "*)
	echo "=== tier 2: nested L2 Hyper-V guest (stock vmbus-bridge)"
	tools/testing/nested.sh --test vmbus-info -- -device vmbus-bridge 2>&1 |
		tee .build/tier2.log
	st=${PIPESTATUS[0]}
	cp .build/vm/dmesg.txt .build/tier2-dmesg.txt 2>/dev/null
	grep -q 'hv_vmbus: Vmbus version:' .build/tier2.log || st=1
	if [ "$st" = 0 ]; then tally nested 0 1 0 0; else tally nested "$st" 0 1 0; fi
	;;
esac

e2e() {
	# $1: name, $2: L2 test, rest: nested.sh options before "--"
	local name=$1 t=$2 st
	shift 2
	echo "--- e2e: $name"
	L2_APPEND=vmbh.mac=$E2E_MAC tools/testing/nested.sh --qemu "$QEMU" \
		--pre tools/testing/e2e-l1.sh --test "$t" "$@" -- "${E2E_DEVS[@]}" \
		2>&1 | tee ".build/e2e-$name.log"
	st=${PIPESTATUS[0]}
	cp .build/vm/dmesg.txt ".build/e2e-$name-dmesg.txt" 2>/dev/null
	cp .build/vm/l2-dmesg.txt ".build/e2e-$name-l2-dmesg.txt" 2>/dev/null
	if [ "$st" = 0 ]; then tally "e2e:$name" 0 1 0 0; else tally "e2e:$name" "$st" 0 1 0; fi
}

case " $tiers " in *" 3 "*)
	echo "=== tier 3: guests served by the modules through the QEMU devices"
	# make run's set-up on a host, and its undo (direct mode).
	echo "--- e2e-l1.sh --undo"
	tools/testing/vm.sh -- tools/testing/e2e-undo-check.sh 2>&1 |
		tee .build/e2e-undo.log
	st=${PIPESTATUS[0]}
	read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' \
		.build/e2e-undo.log | tail -n 1)
	tally e2e-undo "$st" "${p:-0}" "${f:-0}" 0
	qemu/build.sh 2>&1 | tee .build/qemu-build.log | tail -n 3
	QEMU=$(tail -n 1 .build/qemu-build.log)
	if [ ! -x "$QEMU" ]; then
		tally qemu-build 1 0 1 0
	else
		E2E_MAC=52:54:00:12:34:56
		E2E_DEVS=(-device vmbus-host
			-device vmbus-scsi,id=d0,wwpn=naa.5001405000000001
			-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
			-device "vmbus-net,netdev=n0,mac=$E2E_MAC")
		# The devices' properties and error messages, without and with KVM.
		for t in test-smoke test-nested; do
			echo "--- qemu/$t.sh"
			QEMU=$QEMU qemu/$t.sh 2>&1 | tee ".build/qemu-$t.log"
			st=${PIPESTATUS[0]}
			read -r p f < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' \
				".build/qemu-$t.log" | tail -n 1)
			tally "qemu:$t" "$st" "${p:-0}" "${f:-0}" 0
		done
		e2e disk-net e2e --smp 2
		L2_REBOOT=1 e2e reboot reboot
		L2_DURING='until grep -q "hotremove: ready" "$out/l2-out.log"; do sleep 1; done; tools/testing/l2-mon "device_del d0"' \
			e2e hotremove hotremove
	fi
	;;
esac

T1=$(date +%s)
[ ${#failed[@]} = 0 ] || echo "test: failed: ${failed[*]}"
echo "test: took $((T1 - T0)) s"
echo "test: $pass passed, $fail failed, $skip skipped"
[ ${#failed[@]} = 0 ]

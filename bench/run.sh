#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Side-by-side benchmark of the vmbus-host backends against their peers in
# the nested test VM (a benchmark, never part of `make test`):
#
#   4 KiB random reads, QD32, on null_blk:  vmbus-scsi | vhost-scsi | virtio-blk (iothread)
#   TCP, guest to L1:                       vmbus-net  | vhost-net  | virtio-net (userspace)
#
# One L2 boot holds one device of each kind; the guest alternates short
# phases between them and rotates the order each round
# (shared/docs/bench-method.md).  L1 records KVM exits, CPU time and the
# busiest threads per phase; the build machine records its own load at
# the same phase edges.  Needs built modules (`make`) and the project's
# QEMU (qemu/build.sh).  Writes bench/results/<date>.{json,rst,png}.
#
#   bench/run.sh [--rounds N] [--secs S] [--smp N] [--only blk|net] [--trace]
#                [--profile] [--no-pin] [--label TEXT]
#                [--variant NAME:MODULE.PARAM=VALUE] [--monitor US]
#
# --monitor US sets vmbus_host.monitor_poll_us for the whole run: with
# 20-10000 our channels are offered with monitor pages, which the guest
# signals without a hypercall and the host polls every US microseconds;
# with 0 the guest signals with hypercalls (Documentation/core.rst).
# Default: the module's default (monitor pages, as L1 is a VM).
#
# --variant adds a backend "ours+NAME" to each round of the kind the
# module serves: our same device, with /sys/module/MODULE/parameters/PARAM
# set to VALUE for its phases only (an A/B of a setting in one run).
# --only runs one kind of phase (for quick looks while working on one
# backend); --trace keeps KVM tracepoint histograms per phase in the JSON
# (where the exits come from; tracing slows L1, so not for ratios);
# --profile keeps each phase's hottest L1 and L2 symbols from perf (same
# caveat).
# With one L2 vCPU, L1 pins that vCPU to its CPU 0 and the threads that
# serve it (every backend's, QEMU's others, the iperf3 server) to CPU 1
# before each phase; --no-pin leaves placement to L1's scheduler.
#
# When no phase ends for VMBH_BENCH_STALL seconds (300, 600 with
# --profile), L1 has stopped: its CPU state goes to
# .build/bench/l1-stall.boot<N>.txt.  A stopped L1 (that, or a triple
# fault) is booted again for the rounds left, up to VMBH_BENCH_BOOTS (3)
# boots; the report says how many it took ("boots" in the JSON).

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=5
secs=5
smp=1
label=
only=
variant=
monitor=default
trace=0
profile=0
pin=1
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--secs) secs=$2; shift ;;
	--smp) smp=$2; shift ;;
	--label) label=$2; shift ;;
	--only)
		case $2 in blk|net) only=$2 ;; *) echo "bench/run.sh: --only blk or net" >&2; exit 2 ;; esac
		shift ;;
	--trace) trace=1 ;;
	--profile) profile=1 ;;
	--no-pin) pin=0 ;;
	--monitor)
		case $2 in
		default|0|[2-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]|10000) monitor=$2 ;;
		*) echo "bench/run.sh: --monitor default, 0 or 20-10000 (us)" >&2; exit 2 ;;
		esac
		shift ;;
	--variant)
		case $2 in
		[a-z0-9]*:vmbh_netvsp.*=*) variant=$2 varkind=net ;;
		[a-z0-9]*:vmbh_storvsp.*=*) variant=$2 varkind=blk ;;
		[a-z0-9]*:vmbus_host.*=*) variant=$2 varkind=net ;;
		*) echo "bench/run.sh: --variant NAME:vmbh_netvsp|vmbh_storvsp.PARAM=VALUE" >&2; exit 2 ;;
		esac
		shift ;;
	*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

[ "$smp" = 1 ] || pin=0	# L1 has two CPUs: one for the vCPU, one for I/O
"$top/bench/setup.sh"
for ko in hypercall/vmbh_hypercall vmbus_host/vmbus_host \
	  synth_storvsc_be/vmbh_storvsp synth_netvsc_be/vmbh_netvsp; do
	[ -f "$top/$ko.ko" ] || { echo "bench/run.sh: $ko.ko missing: run make" >&2; exit 1; }
done
if [ -n "$variant" ]; then
	# Before any VM boots: a parameter the module does not have would
	# only fail in L1, at the variant's first phase.
	vmod=${variant#*:}
	vparam=${vmod#*.}
	vparam=${vparam%%=*}
	vmod=${vmod%%.*}
	case $vmod in
	vmbh_netvsp) vko=synth_netvsc_be/vmbh_netvsp.ko ;;
	vmbh_storvsp) vko=synth_storvsc_be/vmbh_storvsp.ko ;;
	*) vko=vmbus_host/vmbus_host.ko ;;
	esac
	vparams=$(modinfo -F parm "$top/$vko" | sed 's/:.*//')
	if ! grep -qx -- "$vparam" <<<"$vparams"; then
		echo "bench/run.sh: --variant: $vmod has no parameter '$vparam' (it has: ${vparams:-none})" >&2
		exit 2
	fi
fi
qemu=$("$top/qemu/build.sh" | tail -n 1)
# virtio-blk as in bench-method.md wants aio=native; a QEMU built without
# linux-aio refuses it, and then the peer runs with aio=threads (recorded).
aio=native
probe=$("$qemu" -nodefaults -machine none -display none -monitor none -S \
	-drive "file=$top/bench/run.sh,format=raw,if=none,id=p,aio=native,cache.direct=on,readonly=on" \
	2>&1 || true)
case $probe in
*"not supported in this build"*)
	aio=threads
	echo "bench/run.sh: $qemu has no linux-aio: virtio-blk uses aio=threads" >&2 ;;
esac

out=$top/.build/bench
mkdir -p "$out" "$top/bench/results"
rm -f "$out/bench-marks" "$out/bench-phases.jsonl" "$out/host-marks.jsonl"
stamp=$(date -u +%Y%m%dT%H%M%SZ)

/usr/bin/python3 "$top/bench/hostmon.py" "$out" &
mon=$!

# L1 sometimes stops for good under TCG (bench.rst, "stopped L1"), and
# nothing inside it notices.  Once phases run, a gap of $stall s without
# one ending is such a stop: keep L1's CPU state and end the VM.  A
# stopped L1 (that, or a triple fault in QEMU's log) is booted again for
# the rounds left, up to $VMBH_BENCH_BOOTS boots in all (3; 1: report
# the rounds the first boot has).
stall=${VMBH_BENCH_STALL:-$((profile == 1 ? 600 : 300))}
maxboots=${VMBH_BENCH_BOOTS:-3}
watchdog() {
	local m
	while sleep 10; do
		[ -s "$out/bench-phases.jsonl" ] || continue
		m=$(stat -c %Y "$out/bench-phases.jsonl") || continue
		[ $(($(date +%s) - m)) -ge "$stall" ] || continue
		echo "bench/run.sh: no phase ended for $stall s: L1 stopped;" \
			"its CPUs (before and after an NMI) in $out/l1-stall.boot$boots.txt" >&2
		"$top/tools/testing/l1-mon.py" "$out/l1-mon.sock" \
			"info registers -a" "cpu 0" "info lapic" "cpu 1" \
			"info lapic" nmi "info registers -a" \
			>"$out/l1-stall.boot$boots.txt" 2>&1
		"$top/tools/testing/l1-mon.py" "$out/l1-mon.sock" quit \
			>/dev/null 2>&1
		return
	done
}
wd=
trap 'kill $mon $wd 2>/dev/null || true' EXIT

# Keep the phases of the rounds that boot ended (its last "round N done"
# in L2's output) for the report, drop those of a round it did not end.
# Prints that round.
keep_rounds() {
	local last
	last=$(sed -n 's/^bench: round \([0-9]*\) done$/\1/p' "$out/l2-out.log" \
		2>/dev/null | tail -n 1)
	last=${last:-0}
	[ -s "$out/bench-phases.jsonl" ] || { echo "$last"; return; }
	/usr/bin/python3 - "$out/bench-phases.jsonl" "$last" \
		>>"$out/bench-phases.kept.jsonl" <<-'PY'
	import json, sys
	for line in open(sys.argv[1]):
	    if json.loads(line)["round"] <= int(sys.argv[2]):
	        sys.stdout.write(line)
	PY
	echo "$last"
}

mac=52:54:00:12:34:56
rm -f "$out"/l1-stall.boot*.txt "$out"/qemu.boot*.log "$out/run.log"
: >"$out/bench-phases.kept.jsonl"
first=1 boots=0
set +e
while :; do
	boots=$((boots + 1))
	seq0=$(wc -l <"$out/bench-phases.kept.jsonl")
	rm -f "$out/bench-phases.jsonl" "$out/l2-out.log"
	watchdog &
	wd=$!
	VMBH_OUT=$out \
	L2_APPEND="vmbh.mac=$mac vmbh.rounds=$rounds vmbh.first=$first vmbh.secs=$secs${only:+ vmbh.only=$only}${variant:+ vmbh.var=${variant%%:*}:$varkind} vmbh.profile=$profile" \
	L2_DURING="VMBH_BENCH_TRACE=$trace VMBH_BENCH_PROFILE=$profile VMBH_BENCH_PIN=$pin VMBH_BENCH_VARIANT=$variant VMBH_BENCH_SEQ0=$seq0 exec /usr/bin/python3 $top/bench/l1-driver.py" \
	"$top/tools/testing/nested.sh" --qemu "$qemu" --smp "$smp" \
		--pre "$top/bench/bench-l1.sh $monitor" --test bench -- \
		-name l2,debug-threads=on \
		-chardev socket,id=bench,path=/tmp/bench.sock,server=on,wait=off \
		-device virtserialport,chardev=bench,name=vmbh.bench \
		-device vmbus-host \
		-device vmbus-scsi,id=d0,wwpn=naa.5001405000000001 \
		-device vhost-scsi-pci,wwpn=naa.5001405000000002 \
		-object iothread,id=io0 \
		-drive file=/dev/nullb2,format=raw,if=none,id=vb0,aio=$aio,cache.direct=on \
		-device virtio-blk-pci,drive=vb0,iothread=io0 \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device vmbus-net,netdev=n0,mac=$mac \
		-netdev tap,id=n1,ifname=tap1,script=no,downscript=no,vhost=on \
		-device virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57 \
		-netdev tap,id=n2,ifname=tap2,script=no,downscript=no,vhost=off \
		-device virtio-net-pci,netdev=n2,mac=52:54:00:12:34:58 \
		2>&1 | tee -a "$out/run.log"
	rc=${PIPESTATUS[0]}
	kill $wd 2>/dev/null
	wait $wd 2>/dev/null
	done_r=$(keep_rounds)
	[ "$rc" = 0 ] && break
	stopped=
	[ -e "$out/l1-stall.boot$boots.txt" ] &&
		stopped="no phase ended for $stall s"
	grep -qs '^Triple fault' "$out/qemu.log" && stopped="a triple fault"
	cp "$out/qemu.log" "$out/qemu.boot$boots.log" 2>/dev/null
	[ -n "$stopped" ] && [ "$done_r" -lt "$rounds" ] &&
		[ $boots -lt "$maxboots" ] || break
	first=$((done_r + 1))
	echo "bench/run.sh: L1 stopped ($stopped) after round $done_r;" \
		"boot $((boots + 1)) of at most $maxboots runs rounds $first-$rounds" >&2
done
set -e
sleep 1
kill $mon 2>/dev/null || true
wait $mon 2>/dev/null || true
mv "$out/bench-phases.kept.jsonl" "$out/bench-phases.jsonl"
echo "bench/run.sh: nested run exited $rc after $boots boot(s)"

/usr/bin/python3 "$top/bench/report.py" "$out" "$top/bench/results/$stamp" \
	--meta "rounds=$rounds" "secs=$secs" "smp=$smp" "qemu=$qemu" \
	"git=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo none)" \
	"virtio_blk_aio=$aio" "nested_rc=$rc" "label=$label" \
	"only=${only:-all}" "trace=$trace" "profile=$profile" "pin=$pin" \
	"variant=${variant:-none}" "monitor_poll_us=$monitor" "boots=$boots"
exit "$rc"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the storvsp kselftests inside the test VM:
#   tools/testing/vm.sh -- selftests/storvsp/run.sh [test...]
# Loads the target core, brd (iblock tests), null_blk (the benchmark:
# run.sh bench/storvsp_bench) and the three freshly built
# modules, runs each test program (all, or the named ones), then unloads
# everything: a failed rmmod, or a kmem_cache with objects left (dmesg),
# fails the run, which is how leaked commands and pins show up.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../../tools/testing/suite-lib.sh"
# selftests/run_all.sh passes the checkout first, as to every suite.
if [ -d "${1:-}" ]; then
	top=$(cd "$1" && pwd)
	shift
fi
out=$top/.build/selftests/storvsp
# where the .ko files are: the checkout, or a private build of it
mods=${STORVSP_MODDIR:-$top}

rc=0
modprobe target_core_mod || exit 1
modprobe target_core_iblock || exit 1
# 256 MiB RAM disk for iblock data-integrity tests
modprobe brd rd_nr=1 rd_size=262144 max_part=0 || exit 1
# /dev/nullb0 for the benchmark (bench/storvsp_bench)
modprobe null_blk nr_devices=1 gb=4 || exit 1
# the target core lives in configfs (loaded with it)
mountpoint -q /sys/kernel/config ||
	mount -t configfs configfs /sys/kernel/config || exit 1

vmbh_suite_insmod "$mods" hypercall/vmbh_hypercall.ko \
	vmbus_host/vmbus_host.ko synth_storvsc_be/vmbh_storvsp.ko ||
	{ vmbh_suite_unload; exit 1; }

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=(storvsp_scsi storvsp_hostile)
fi
failed=()
for t in "${tests[@]}"; do
	echo "# === $t"
	"$out/$t"
	st=$?
	[ $st -ne 0 ] && { failed+=("$t($st)"); rc=1; }
done

# Whatever a failed test left configured, so the unload can be checked.
fab=/sys/kernel/config/target/storvsp
for l in "$fab"/naa.*/tpgt_*/lun/lun_*/port; do [ -L "$l" ] && rm -f "$l"; done
for d in "$fab"/naa.*/tpgt_*/lun/lun_* "$fab"/naa.*/tpgt_* "$fab"/naa.* "$fab"; do
	[ -d "$d" ] && rmdir "$d"
done
for d in /sys/kernel/config/target/core/*/*/ /sys/kernel/config/target/core/*/; do
	case $d in */alua/|*/alua*) continue ;; esac
	[ -d "$d" ] && rmdir "$d" 2>/dev/null
done

vmbh_suite_unload || rc=1
if [ ${#failed[@]} -gt 0 ]; then
	echo "# FAILED: ${failed[*]}"
else
	echo "# all ${#tests[@]} test programs passed"
fi
exit $rc

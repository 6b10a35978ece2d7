#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the vmbus_host kselftests inside the test VM:
#   run.sh <checkout> [test...]
# insmods the freshly built vmbh_hypercall.ko and vmbus_host.ko from the
# checkout, runs every test binary in out/ (or the named ones), prints their
# TAP output, rmmods, and exits non-zero if any test or the unload failed.

set -u
top=$(cd "${1:?usage: run.sh <checkout> [test...]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tools/testing/suite-lib.sh"

rc=0
# monitor_kvm_write_tracking runs a KVM vCPU
[ -e /dev/kvm ] || modprobe kvm_amd || modprobe kvm_intel
vmbh_suite_insmod "$top" hypercall/vmbh_hypercall.ko \
	vmbus_host/vmbus_host.ko || { vmbh_suite_unload; exit 1; }

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for t in "$here"/out/*; do
		[ -f "$t" ] && [ -x "$t" ] && tests+=("$(basename "$t")")
	done
fi

failed=()
for t in "${tests[@]}"; do
	echo "# === $t"
	"$here/out/$t"
	st=$?
	if [ $st -ne 0 ]; then
		failed+=("$t($st)")
		rc=1
	fi
done

vmbh_suite_unload || rc=1
if [ ${#failed[@]} -gt 0 ]; then
	echo "# FAILED: ${failed[*]}"
else
	echo "# all ${#tests[@]} test programs passed"
fi
exit $rc

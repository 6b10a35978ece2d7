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

loaded=()
unload() {
	local i
	for ((i = ${#loaded[@]} - 1; i >= 0; i--)); do
		rmmod "${loaded[i]}" || { echo "# rmmod ${loaded[i]} failed"; rc=1; }
	done
}

rc=0
for m in hypercall/vmbh_hypercall.ko vmbus_host/vmbus_host.ko; do
	if ! insmod "$top/$m"; then
		echo "# insmod $m failed"
		rc=1
		unload
		exit 1
	fi
	loaded+=("$(basename "$m" .ko)")
done

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

unload
if [ ${#failed[@]} -gt 0 ]; then
	echo "# FAILED: ${failed[*]}"
else
	echo "# all ${#tests[@]} test programs passed"
fi
exit $rc

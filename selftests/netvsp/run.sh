#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the netvsp kselftests inside the test VM:
#   run.sh <checkout> [test...]
# loads tun/tap and the freshly built vmbh_hypercall.ko, vmbus_host.ko and
# vmbh_netvsp.ko from the checkout, runs the test binaries in out/ (or the
# named ones), unloads, and exits non-zero if a test or the unload failed.

set -u
top=$(cd "${1:?usage: run.sh <checkout> [test...]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tools/testing/suite-lib.sh"

modprobe tun || exit 1
modprobe tap || exit 1

rc=0
vmbh_suite_insmod "$top" hypercall/vmbh_hypercall.ko \
	vmbus_host/vmbus_host.ko synth_netvsc_be/vmbh_netvsp.ko ||
	{ vmbh_suite_unload; exit 1; }

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=(netvsp_test netvsp_net)
fi
for t in "${tests[@]}"; do
	"$here/out/$t" || rc=1
done
vmbh_suite_unload || rc=1
exit $rc

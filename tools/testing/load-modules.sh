#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load the project's modules from a built checkout, in dependency order,
# with the kernel modules they depend on (modprobe'd first).
#   load-modules.sh [--deps-only] [checkout]

set -euo pipefail
. "$(dirname "$0")/suite-lib.sh"
deps_only=0
[ "${1:-}" = --deps-only ] && { deps_only=1; shift; }
top=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
kos="hypercall/vmbh_hypercall.ko vmbus_host/vmbus_host.ko synth_storvsc_be/vmbh_storvsp.ko synth_netvsc_be/vmbh_netvsp.ko"

# shellcheck disable=SC2086 # one word a module
if [ $deps_only = 1 ]; then
	vmbh_suite_deps "$top" $kos
else
	vmbh_suite_insmod "$top" $kos
fi

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
ours="vmbh_hypercall vmbus_host vmbh_storvsp vmbh_netvsp"
kos="hypercall/vmbh_hypercall.ko vmbus_host/vmbus_host.ko synth_storvsc_be/vmbh_storvsp.ko synth_netvsc_be/vmbh_netvsp.ko"

for ko in $kos; do
	for d in $(modinfo -F depends "$top/$ko" | tr , ' '); do
		case " $ours " in *" $d "*) ;; *) modprobe "$d" ;; esac
	done
done
[ $deps_only = 1 ] && exit 0
# shellcheck disable=SC2086 # one word a module
vmbh_suite_insmod "$top" $kos

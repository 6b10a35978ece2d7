#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load the project's modules from a built checkout, in dependency order,
# with the kernel modules they depend on (modprobe'd first).
#   load-modules.sh [--deps-only] [checkout]

set -euo pipefail
deps_only=0
[ "${1:-}" = --deps-only ] && { deps_only=1; shift; }
top=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
ours="vmbh_hypercall vmbus_host vmbh_storvsp vmbh_netvsp"
kos="hypercall/vmbh_hypercall vmbus_host/vmbus_host synth_storvsc_be/vmbh_storvsp synth_netvsc_be/vmbh_netvsp"

for ko in $kos; do
	for d in $(modinfo -F depends "$top/$ko.ko" | tr , ' '); do
		case " $ours " in *" $d "*) ;; *) modprobe "$d" ;; esac
	done
done
[ $deps_only = 1 ] && exit 0
for ko in $kos; do
	insmod "$top/$ko.ko"
done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: the main job, for a newcomer.  Builds the modules and the
# project's QEMU, loads the modules, binds a RAM disk (LIO) and a tap on a
# bridge to them, and boots a small Linux guest with Hyper-V
# enlightenments served by them: -device vmbus-host, vmbus-scsi, vmbus-net.
# Prints what it set up and what the guest saw, then exits.
#
# Where this machine's KVM cannot run the guest (no VT-x/AMD-V, as on the
# build machines), all of it runs nested inside the TCG test VM.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s module >/dev/null
echo "run: building (or finding) the project's QEMU"
QEMU=$(qemu/build.sh | tail -n 1)
[ -x "$QEMU" ] || { echo "run: qemu/build.sh gave no binary" >&2; exit 1; }

mac=52:54:00:12:34:56
devs=(-device vmbus-host
	-device vmbus-scsi,id=d0,wwpn=naa.5001405000000001
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
	-device "vmbus-net,netdev=n0,mac=$mac")

if [ -c /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo &&
   [ "$(cat /proc/sys/kernel/modules_disabled)" = 0 ]; then
	echo "run: this host's KVM runs the guest directly"
	export VMBH_DIRECT=1
else
	echo "run: no usable KVM here: running nested in the TCG test VM (about 2 minutes)"
fi
L2_APPEND=vmbh.mac=$mac tools/testing/nested.sh --qemu "$QEMU" --smp 2 \
	--pre tools/testing/e2e-l1.sh --post "tools/testing/e2e-l1.sh --undo" \
	--test show -- "${devs[@]}"

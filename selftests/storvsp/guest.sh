#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# storvsp with a real Linux guest (hv_storvsc) in the nested test VM: the
# guest makes ext4 on the synthetic disk, checks files and runs a fio
# verify job (2 vCPUs: a subchannel), then in a second boot the host
# unlinks the LUN and the guest must drop the disk.  Builds the patched
# QEMU (qemu/build.sh); run "make" first.
#
#   selftests/storvsp/guest.sh

set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/selftests/storvsp
qemu=$("$top/qemu/build.sh" | tail -n 1) || exit 1
dev=(-device vmbus-host -device vmbus-scsi,wwpn=naa.5001405000000001)
rc=0

"$top/tools/testing/nested.sh" --qemu "$qemu" --test disk --smp 2 \
	--pre "$here/l2/l1-setup.sh" -- "${dev[@]}" || rc=1
L2_DURING="$here/l2/l1-unlink.sh" \
	"$top/tools/testing/nested.sh" --qemu "$qemu" --test hotremove \
	--pre "$here/l2/l1-setup.sh" -- "${dev[@]}" || rc=1
[ $rc = 0 ] && echo "guest.sh: disk and LUN hot-remove passed" ||
	echo "guest.sh: FAILED"
exit $rc

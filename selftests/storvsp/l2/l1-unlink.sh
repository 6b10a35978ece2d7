#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Beside the L2 guest (L2_DURING of guest.sh): once the guest's hotremove
# test has its disk, unlink LUN 0 from the storvsp target.  $out is the
# run's output directory.

L=/sys/kernel/config/target/storvsp/naa.5001405000000001/tpgt_1/lun/lun_0
for _ in $(seq 600); do
	grep -q 'hotremove: ready' "$out/l2-out.log" 2>/dev/null && break
	sleep 0.2
done
rm -f "$L/disk" && rmdir "$L" && echo "l1: LUN 0 unlinked"

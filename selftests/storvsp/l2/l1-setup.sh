#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# L1 side of the real-guest storvsp checks (guest.sh): load the modules of
# the checkout and serve brd's /dev/ram0 as LUN 0 of storvsp target
# naa.5001405000000001, the way Documentation/storvsp.rst tells admins.

set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
C=/sys/kernel/config/target
WWPN=naa.5001405000000001

modprobe target_core_iblock
"$top/tools/testing/load-modules.sh" "$top"
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
modprobe brd rd_nr=1 rd_size=262144
mkdir -p $C/core/iblock_0/d0
echo udev_path=/dev/ram0 >$C/core/iblock_0/d0/control
echo 1 >$C/core/iblock_0/d0/enable
cat /proc/sys/kernel/random/uuid >$C/core/iblock_0/d0/wwn/vpd_unit_serial
mkdir -p $C/storvsp/$WWPN/tpgt_1/lun/lun_0
ln -s $C/core/iblock_0/d0 $C/storvsp/$WWPN/tpgt_1/lun/lun_0/disk
echo "l1: storvsp/$WWPN lun 0 -> iblock /dev/ram0"

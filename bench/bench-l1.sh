#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the L1 test VM before the benchmark's L2 guest starts (see
# bench/run.sh).  Gives every backend the same kind of device:
#
#   /dev/nullb0  LIO iblock -> storvsp target naa.5001405000000001 (vmbus-scsi)
#   /dev/nullb1  LIO iblock -> vhost target   naa.5001405000000002 (vhost-scsi)
#   /dev/nullb2  opened by L2's QEMU itself                 (virtio-blk)
#   tap0 in br0 192.0.2.1/24      vmbus-net (vmbh_netvsp)
#   tap1        198.51.100.1/24   vhost-net
#   tap2        203.0.113.1/24    QEMU's userspace virtio-net
#
# and one iperf3 server for all three networks (TEST-NET addresses, inside
# the test VM only).  Three null_blk devices rather than one shared device,
# so no backend sees another's queue.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CFG=/sys/kernel/config/target
WWPN_SV=naa.5001405000000001
WWPN_VH=naa.5001405000000002

modprobe target_core_iblock
"$top/tools/testing/load-modules.sh" "$top"
# bench/run.sh --monitor US: offer monitor pages, polled every US (0: off;
# default: leave the module's default)
[ "${1:-default}" = default ] ||
	echo "$1" > /sys/module/vmbus_host/parameters/monitor_poll_us
modprobe vhost_scsi
modprobe vhost_net
modprobe null_blk nr_devices=3 gb=1 queue_mode=2 irqmode=0

for i in 0 1; do
	mkdir -p $CFG/core/iblock_$i/disk$i
	echo "udev_path=/dev/nullb$i" >$CFG/core/iblock_$i/disk$i/control
	echo 1 >$CFG/core/iblock_$i/disk$i/enable
done
mkdir -p $CFG/storvsp/$WWPN_SV/tpgt_1/lun/lun_0
ln -s $CFG/core/iblock_0/disk0 $CFG/storvsp/$WWPN_SV/tpgt_1/lun/lun_0/port
mkdir -p $CFG/vhost/$WWPN_VH/tpgt_1/lun/lun_0
echo $WWPN_VH >$CFG/vhost/$WWPN_VH/tpgt_1/nexus
ln -s $CFG/core/iblock_1/disk1 $CFG/vhost/$WWPN_VH/tpgt_1/lun/lun_0/port
echo "bench-l1: storvsp $WWPN_SV -> nullb0, vhost $WWPN_VH -> nullb1, nullb2 for virtio-blk"

ip link add br0 type bridge
ip addr add 192.0.2.1/24 dev br0
ip link set br0 up
ip tuntap add tap0 mode tap vnet_hdr
ip link set tap0 master br0 up
ip tuntap add tap1 mode tap vnet_hdr
ip addr add 198.51.100.1/24 dev tap1
ip link set tap1 up
ip tuntap add tap2 mode tap vnet_hdr
ip addr add 203.0.113.1/24 dev tap2
ip link set tap2 up
# No TCP metrics cached between phases (L2 does the same).
echo 1 >/proc/sys/net/ipv4/tcp_no_metrics_save
# A guest that dies mid-phase leaves the server waiting for its data;
# give up on it after 10 s, so the retried guest (l2-run.sh) finds the
# server free instead of "busy running a test".
iperf3 -s -D --rcv-timeout 10000 >/dev/null
echo "bench-l1: tap0 (br0 192.0.2.1), tap1 198.51.100.1, tap2 203.0.113.1, iperf3 server up"

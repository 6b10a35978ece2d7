#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the L1 test VM before an L2 guest served by the modules starts:
# loads the four modules, makes a LIO target for vmbh_storvsp backed by a
# RAM disk, and a bridge with a tap for vmbh_netvsp and two iperf3 servers
# on the bridge.  The network exists only inside the test VM; it uses
# 192.0.2.0/24 (TEST-NET-1).  Prints what it set up.
#
#   e2e-l1.sh [--disk-mib N] [--backstore brd|nullb]
#   e2e-l1.sh --undo
#
# --undo takes down what a run set up (the iperf3 server, the bridge and
# tap, the LIO target and backstore, the RAM disk, the four modules), for
# hosts that are not a throw-away test VM (make run's direct mode).

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mib=256
backstore=brd
undo=0
while [ $# -gt 0 ]; do
	case $1 in
	--undo) undo=1 ;;
	--disk-mib) mib=$2; shift ;;
	--backstore) backstore=$2; shift ;;
	*) echo "e2e-l1: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

WWPN=naa.5001405000000001
CFG=/sys/kernel/config/target

if [ $undo = 1 ]; then
	# Whatever exists of it, in reverse order; a step with nothing to do
	# is skipped, a step that fails is reported.
	rc=0
	step() { "$@" || { echo "e2e: undo: '$*' failed" >&2; rc=1; }; }
	pkill -f "iperf3 -s -D -B 192.0.2.1" || true
	[ -e /sys/class/net/tap0 ] && step ip link del tap0
	[ -e /sys/class/net/br0 ] && step ip link del br0
	t=$CFG/storvsp/$WWPN
	[ -L $t/tpgt_1/lun/lun_0/port ] && step rm $t/tpgt_1/lun/lun_0/port
	[ -d $t/tpgt_1/lun/lun_0 ] && step rmdir $t/tpgt_1/lun/lun_0
	[ -d $t/tpgt_1 ] && step rmdir $t/tpgt_1
	[ -d $t ] && step rmdir $t
	# The fabric's directory holds vmbh_storvsp.
	[ -d $CFG/storvsp ] && step rmdir $CFG/storvsp
	[ -d $CFG/core/iblock_0/disk0 ] && step rmdir $CFG/core/iblock_0/disk0
	[ -d $CFG/core/iblock_0 ] && step rmdir $CFG/core/iblock_0
	for m in vmbh_netvsp vmbh_storvsp vmbus_host vmbh_hypercall brd null_blk; do
		[ -d /sys/module/$m ] && step rmmod $m
	done
	echo "e2e: undo done"
	exit $rc
fi

modprobe target_core_iblock
"$top/tools/testing/load-modules.sh" "$top"
echo "e2e: modules loaded: $(cut -d' ' -f1 /proc/modules | grep -E '^vmbh|^vmbus_host' | tr '\n' ' ')"

case $backstore in
brd)
	modprobe brd rd_nr=1 rd_size=$((mib * 1024))
	dev=/dev/ram0 ;;
nullb)
	modprobe null_blk nr_devices=1 gb=1 queue_mode=2 irqmode=0
	dev=/dev/nullb0 ;;
*) echo "e2e-l1: unknown backstore $backstore" >&2; exit 2 ;;
esac
mkdir -p $CFG/core/iblock_0/disk0
echo "udev_path=$dev" >$CFG/core/iblock_0/disk0/control
echo 1 >$CFG/core/iblock_0/disk0/enable
mkdir -p $CFG/storvsp/$WWPN/tpgt_1/lun/lun_0
ln -s $CFG/core/iblock_0/disk0 $CFG/storvsp/$WWPN/tpgt_1/lun/lun_0/port
echo "e2e: LIO target storvsp/$WWPN lun 0 -> iblock $dev"

ip link add br0 type bridge
ip addr add 192.0.2.1/24 dev br0
ip link set br0 up
ip tuntap add tap0 mode tap vnet_hdr
ip link set tap0 master br0 up
echo "e2e: bridge br0 192.0.2.1/24 with tap0"
# A one-off iperf3 server for the guest's test, and a second on port 5202
# for a guest that l2-run.sh boots again after a failed try: the first
# server may have gone with that try's test, or still hold it.
iperf3 -s -D -B 192.0.2.1 -1 >/dev/null
iperf3 -s -D -B 192.0.2.1 -1 -p 5202 >/dev/null

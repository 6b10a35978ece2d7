# SPDX-License-Identifier: GPL-2.0
# L2 test: the guest's synthetic NIC (hv_netvsc) appears with the MAC given
# as vmbh.mac=, one channel per vCPU, and carries traffic to and from the
# L1 bridge at 192.0.2.1: ping and an iperf3 TCP stream.
set -e
mac=
for a in $(cat /proc/cmdline); do
	case $a in vmbh.mac=*) mac=${a#vmbh.mac=} ;; esac
done
dev=
for n in /sys/class/net/*; do
	drv=$(basename "$(readlink "$n/device/driver" 2>/dev/null)" 2>/dev/null)
	[ "$drv" = hv_netvsc ] && dev=${n##*/} && break
done
[ -n "$dev" ] || { echo "net: no hv_netvsc interface"; ls /sys/class/net; exit 1; }
addr=$(cat /sys/class/net/$dev/address)
echo "net: $dev driver hv_netvsc mac $addr"
[ -z "$mac" ] || [ "$addr" = "$mac" ] || { echo "net: expected mac $mac"; exit 1; }
set -- /sys/class/net/$dev/queues/rx-*
echo "net: $# channels for $(grep -c ^processor /proc/cpuinfo) vCPUs"
[ $# = "$(grep -c ^processor /proc/cpuinfo)" ] || { echo "net: channel count"; exit 1; }
ip link set lo up
ip link set "$dev" up
ip addr add 192.0.2.2/24 dev "$dev"
ping -c 3 -W 5 192.0.2.1
# A guest booted again after a failed try (l2-run.sh) may find the first
# server gone or held by that try; the second is there for it (e2e-l1.sh).
out=$(iperf3 -c 192.0.2.1 -t 3 -f m 2>&1) ||
	out=$(iperf3 -c 192.0.2.1 -p 5202 -t 3 -f m 2>&1) ||
	{ echo "$out"; exit 1; }
echo "$out" | grep -E 'sender|receiver'

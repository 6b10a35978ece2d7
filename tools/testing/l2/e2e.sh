# SPDX-License-Identifier: GPL-2.0
# L2 test, served by the modules: VMBus at the highest version the guest
# offers, the synthetic disk (ext4, files, fio verify) and the synthetic
# NIC (MAC, channels, ping, TCP) in one boot.
set -e
v=$(dmesg | grep -o 'Vmbus version:[0-9.]*')
echo "e2e: $v"
[ "$v" = "Vmbus version:5.3" ] || { echo "e2e: expected VMBus 5.3"; exit 1; }
echo "e2e: vmbus devices:"
ncpu=$(grep -c ^processor /proc/cpuinfo)
for d in /sys/bus/vmbus/devices/*; do
	set -- "$d"/channels/*
	# monitor_id exists where the offer had a monitor page (core.rst)
	sig=hypercall
	[ -e "$d/monitor_id" ] && sig="monitor page, id $(cat "$d/monitor_id")"
	echo "  ${d##*/} class=$(cat "$d/class_id") driver=$(basename "$(readlink "$d/driver")") channels=$# signal=$sig"
	# One channel per vCPU: the primary and the subchannels the driver asked for.
	[ $# = "$ncpu" ] || { echo "e2e: expected $ncpu channels"; exit 1; }
done
for d in /sys/block/sd*; do
	[ -e "$d" ] && echo "e2e: disk ${d##*/}: $(cat $d/device/vendor 2>/dev/null) $(cat $d/device/model 2>/dev/null), $(ls -d $d/mq/* | wc -l) queues"
done
sh /tests/disk.sh
sh /tests/net.sh

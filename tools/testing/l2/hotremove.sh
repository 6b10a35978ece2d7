# SPDX-License-Identifier: GPL-2.0
# L2 test: the host removes the synthetic disk (QEMU device_del, a VMBus
# rescind) and the guest sees it go.
disk=
for d in /sys/block/sd*; do [ -e "$d" ] && disk=${d##*/} && break; done
[ -n "$disk" ] || { echo "hotremove: no disk"; exit 1; }
n=$(ls /sys/bus/vmbus/devices | wc -l)
echo "hotremove: ready, disk $disk, $n vmbus devices"
mkfifo /tmp/t2
i=0
while [ -e /sys/block/$disk ] && [ $i -lt 600 ]; do
	read -t 0.1 x <>/tmp/t2
	i=$((i + 1))
done
[ ! -e /sys/block/$disk ] || { echo "hotremove: $disk still there after 60 s"; exit 1; }
echo "hotremove: $disk gone after $((i / 10)) s; vmbus devices now $(ls /sys/bus/vmbus/devices | wc -l)"
dmesg | grep -iE 'rescind|hv_storvsc' | tail -n 3

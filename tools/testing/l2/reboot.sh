# SPDX-License-Identifier: GPL-2.0
# L2 test: a guest reboot reconnects VMBus.  First boot: write a marker
# to the disk and reboot; second boot: VMBus connects again, the disk is
# there and holds the marker.
set -e
disk=
for d in /sys/block/sd*; do [ -e "$d" ] && disk=/dev/${d##*/} && break; done
[ -n "$disk" ] || { echo "reboot: no disk"; exit 1; }
mark=$(dd if="$disk" bs=16 count=1 2>/dev/null | tr -dc 'A-Za-z0-9')
if [ "$mark" = VMBHREBOOTMARK1 ]; then
	echo "reboot: second boot, $(dmesg | grep -o 'Vmbus version:[0-9.]*'), marker found on $disk"
	exit 0
fi
echo "reboot: first boot, $(dmesg | grep -o 'Vmbus version:[0-9.]*'), writing the marker"
printf 'VMBHREBOOTMARK1\n' | dd of="$disk" bs=16 count=1 conv=fsync 2>/dev/null
reboot -f

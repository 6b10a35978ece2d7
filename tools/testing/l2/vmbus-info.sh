# SPDX-License-Identifier: GPL-2.0
# L2 test: the guest's VMBus connected and its drivers registered.
dmesg | grep -i 'vmbus version'
echo "devices:"
for d in /sys/bus/vmbus/devices/*; do
	[ -e "$d" ] && echo "  ${d##*/} class=$(cat "$d/class_id") driver=$(basename "$(readlink "$d/driver")")"
done
echo "drivers:"
for d in /sys/bus/vmbus/drivers/*; do echo "  ${d##*/}"; done
dmesg | grep -qi 'vmbus version' || exit 1
for drv in hv_storvsc hv_netvsc; do
	[ -d "/sys/bus/vmbus/drivers/$drv" ] || { echo "missing driver $drv"; exit 1; }
done

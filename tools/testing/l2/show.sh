# SPDX-License-Identifier: GPL-2.0
# L2, for make run: what the Hyper-V guest sees of the devices the modules
# serve: its VMBus version, the offered devices and their drivers, the
# synthetic disk and the synthetic NIC, and a ping through the NIC.
echo "guest: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPUs"
echo "guest: $(dmesg | grep -o 'hv_vmbus: Vmbus version:[0-9.]*')"
echo "guest: VMBus devices:"
for d in /sys/bus/vmbus/devices/*; do
	[ -e "$d" ] || continue
	drv=$(basename "$(readlink "$d/driver")")
	sig=hypercall
	[ -e "$d/monitor_id" ] && sig="monitor page, id $(cat "$d/monitor_id")"
	echo "  ${d##*/} class=$(cat "$d/class_id") driver=$drv signal=$sig"
done
ok=1
for d in /sys/block/sd*; do
	[ -e "$d" ] || continue
	echo "guest: disk /dev/${d##*/}: $(cat "$d/device/vendor") $(cat "$d/device/model"), $(($(cat "$d/size") / 2048)) MiB"
	found_disk=1
done
[ -n "${found_disk:-}" ] || { echo "guest: no synthetic disk"; ok=0; }
for n in /sys/class/net/*; do
	[ "$(basename "$(readlink "$n/device/driver" 2>/dev/null)" 2>/dev/null)" = hv_netvsc ] || continue
	dev=${n##*/}
	echo "guest: NIC $dev (hv_netvsc) mac $(cat "$n/address")"
	ip link set "$dev" up
	ip addr add 192.0.2.2/24 dev "$dev"
	ping -c 2 -W 5 192.0.2.1 | grep -E 'bytes from|packets'
done
[ -n "${dev:-}" ] || { echo "guest: no synthetic NIC"; ok=0; }
[ $ok = 1 ]

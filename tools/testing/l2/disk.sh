# SPDX-License-Identifier: GPL-2.0
# L2 test: a disk of the guest ($DISK, default the first SCSI disk) takes an
# ext4 filesystem; files written, synced, re-read after a remount and
# checked; then a fio verify job on the raw space after the filesystem.
set -e
disk=${DISK:-}
if [ -z "$disk" ]; then
	for d in /sys/block/sd*; do
		[ -e "$d" ] && disk=/dev/${d##*/} && break
	done
fi
[ -n "$disk" ] && [ -b "$disk" ] || { echo "disk: no disk found"; ls /sys/block; exit 1; }
echo "disk: $disk, $(cat /sys/block/${disk##*/}/size) sectors"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$disk" 2>&1
mount -t ext4 "$disk" /mnt
i=0
while [ $i -lt 8 ]; do
	dd if=/dev/urandom of=/mnt/f$i bs=64k count=$((i * 4 + 1)) 2>/dev/null
	i=$((i + 1))
done
md5sum /mnt/f* >/tmp/sums
sync
umount /mnt
echo 3 >/proc/sys/vm/drop_caches
mount -t ext4 -o ro "$disk" /mnt
md5sum -c /tmp/sums >/tmp/check 2>&1 || { cat /tmp/check; exit 1; }
echo "disk: $(wc -l </tmp/sums) files re-read and checked"
umount /mnt
e2fsck -fn "$disk" >/tmp/fsck 2>&1 || { cat /tmp/fsck; exit 1; }
echo "disk: e2fsck clean"
fio --name=verify --filename="$disk" --direct=1 --rw=randwrite --bs=4k \
	--size=4M --ioengine=psync --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --output-format=terse --minimal >/tmp/fio 2>&1 ||
	{ cat /tmp/fio; exit 1; }
echo "disk: fio verify of 4 MiB passed"

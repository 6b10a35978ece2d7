# SPDX-License-Identifier: GPL-2.0
# L2 test: the disk test on a virtio-blk disk (vda), proving the L2
# filesystem tooling with a stock device.
DISK=/dev/vda exec sh /tests/disk.sh

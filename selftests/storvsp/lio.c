// SPDX-License-Identifier: GPL-2.0
/*
 * LIO configfs helpers for the storvsp tests: what targetcli would do,
 * written out as mkdir, symlink and attribute writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lio.h"

int lio_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

int lio_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int lio_mkdir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int lio_bs_make(struct lio_bs *bs, const char *control)
{
	char path[256], serial[64];
	int ret;

	snprintf(path, sizeof(path), LIO_ROOT "/core/%s", bs->hba);
	ret = lio_mkdir(path);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), LIO_ROOT "/core/%s/%s", bs->hba,
		 bs->name);
	ret = lio_mkdir(path);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), LIO_ROOT "/core/%s/%s/control", bs->hba,
		 bs->name);
	ret = lio_write(path, control);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), LIO_ROOT "/core/%s/%s/enable", bs->hba,
		 bs->name);
	ret = lio_write(path, "1");
	if (ret)
		return ret;
	/*
	 * As targetcli does: without a unit serial the target core lists
	 * no VPD pages in page 0x00 and sends no 0x80/0x83 designators.
	 */
	snprintf(path, sizeof(path), LIO_ROOT "/core/%s/%s/wwn/vpd_unit_serial",
		 bs->hba, bs->name);
	snprintf(serial, sizeof(serial), "5c0e%08x-%s", (unsigned int)getpid(),
		 bs->name);
	return lio_write(path, serial);
}

int lio_ramdisk(struct lio_bs *bs, int idx, unsigned int mib)
{
	char control[64];

	snprintf(bs->hba, sizeof(bs->hba), "rd_mcp_%d", idx);
	snprintf(bs->name, sizeof(bs->name), "rd%d", idx);
	snprintf(control, sizeof(control), "rd_pages=%u", mib * 256);
	return lio_bs_make(bs, control);
}

int lio_iblock(struct lio_bs *bs, int idx, const char *dev)
{
	char control[128];

	snprintf(bs->hba, sizeof(bs->hba), "iblock_%d", idx);
	snprintf(bs->name, sizeof(bs->name), "ib%d", idx);
	snprintf(control, sizeof(control), "udev_path=%s", dev);
	return lio_bs_make(bs, control);
}

int lio_fileio(struct lio_bs *bs, int idx, const char *path, unsigned int mib)
{
	char control[256];

	snprintf(bs->hba, sizeof(bs->hba), "fileio_%d", idx);
	snprintf(bs->name, sizeof(bs->name), "fd%d", idx);
	snprintf(control, sizeof(control), "fd_dev_name=%s,fd_dev_size=%llu",
		 path, (unsigned long long)mib << 20);
	return lio_bs_make(bs, control);
}

int lio_bs_attr(struct lio_bs *bs, const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), LIO_ROOT "/core/%s/%s/attrib/%s",
		 bs->hba, bs->name, attr);
	return lio_write(path, val);
}

/*
 * rmdir a configfs item that a VM which just went away may still hold
 * for a moment (its session, or a LUN's reference on the device); a
 * busy item left behind would fail the next test's set-up with EEXIST.
 */
static void lio_rmdir_wait(const char *path)
{
	int tries;

	for (tries = 0; tries < 500 && rmdir(path) && errno == EBUSY; tries++)
		usleep(10000);
}

void lio_bs_del(struct lio_bs *bs)
{
	char path[256];

	snprintf(path, sizeof(path), LIO_ROOT "/core/%s/%s", bs->hba,
		 bs->name);
	lio_rmdir_wait(path);
	snprintf(path, sizeof(path), LIO_ROOT "/core/%s", bs->hba);
	lio_rmdir_wait(path);
}

int lio_target(uint64_t id, char *wwpn, size_t len)
{
	char path[256];
	int ret;

	snprintf(wwpn, len, "naa.%016llx", (unsigned long long)id);
	ret = lio_mkdir(LIO_FABRIC);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), LIO_FABRIC "/%s", wwpn);
	ret = lio_mkdir(path);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1", wwpn);
	return lio_mkdir(path);
}

void lio_target_del(const char *wwpn)
{
	char path[256];
	unsigned int lun;

	for (lun = 0; lun < 256; lun++)
		lio_lun_del(wwpn, lun);
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1", wwpn);
	lio_rmdir_wait(path);
	snprintf(path, sizeof(path), LIO_FABRIC "/%s", wwpn);
	lio_rmdir_wait(path);
}

int lio_lun_add(const char *wwpn, unsigned int lun, const struct lio_bs *bs)
{
	char path[256], target[256];
	int ret;

	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1/lun/lun_%u", wwpn,
		 lun);
	ret = lio_mkdir(path);
	if (ret)
		return ret;
	snprintf(target, sizeof(target), LIO_ROOT "/core/%s/%s", bs->hba,
		 bs->name);
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1/lun/lun_%u/port",
		 wwpn, lun);
	if (symlink(target, path))
		return -errno;
	return 0;
}

int lio_lun_del(const char *wwpn, unsigned int lun)
{
	char path[256];
	int ret = 0;

	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1/lun/lun_%u/port",
		 wwpn, lun);
	if (unlink(path) && errno != ENOENT)
		ret = -errno;
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1/lun/lun_%u", wwpn,
		 lun);
	if (rmdir(path) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

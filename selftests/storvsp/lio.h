/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LIO configuration for the storvsp tests, through configfs the way an
 * admin does it (Documentation/storvsp.rst): backstores, the storvsp
 * target port, its TPG and LUN links.
 */
#ifndef _STORVSP_TEST_LIO_H
#define _STORVSP_TEST_LIO_H

#include <stdbool.h>
#include <stdint.h>

#define LIO_ROOT	"/sys/kernel/config/target"
#define LIO_FABRIC	LIO_ROOT "/storvsp"

/* A backstore: core/<hba>/<name>. */
struct lio_bs {
	char hba[32];
	char name[32];
};

/* rd_mcp ramdisk of @mib MiB; 0 or -errno. */
int lio_ramdisk(struct lio_bs *bs, int idx, unsigned int mib);
/* iblock over the block device @dev; 0 or -errno. */
int lio_iblock(struct lio_bs *bs, int idx, const char *dev);
/* fileio over @path, created at @mib MiB; 0 or -errno. */
int lio_fileio(struct lio_bs *bs, int idx, const char *path, unsigned int mib);
void lio_bs_del(struct lio_bs *bs);
/* Set a backstore attribute (attrib/<attr>); 0 or -errno. */
int lio_bs_attr(struct lio_bs *bs, const char *attr, const char *val);

/* Target port naa.<16 hex of @id> with TPG tpgt_1; 0 or -errno. */
int lio_target(uint64_t id, char *wwpn, size_t len);
void lio_target_del(const char *wwpn);
/* Link LUN @lun of the target to @bs; unlink it. 0 or -errno. */
int lio_lun_add(const char *wwpn, unsigned int lun, const struct lio_bs *bs);
int lio_lun_del(const char *wwpn, unsigned int lun);

/* Write @val into @path; 0 or -errno. */
int lio_write(const char *path, const char *val);
/* First line of @path into @buf; 0 or -errno. */
int lio_read(const char *path, char *buf, size_t len);

#endif /* _STORVSP_TEST_LIO_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure checks of guest-written data: ring indices, packet descriptors,
 * GPA ranges, GPADL layouts and the memory table.  No kernel-only
 * includes: ring_check.c also builds in userspace for the unit tests.
 */
#ifndef _VMBH_RING_CHECK_H
#define _VMBH_RING_CHECK_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif
#include <vmbh/vmbus_proto.h>
#include <uapi/linux/vmbus_host.h>

/* Limits of one GPADL: range_buflen is 16 bits, so 8191 u64 entries. */
#define VMBH_GPADL_MAX_ENTRIES	8191

bool vmbh_ring_index_ok(__u32 index, __u32 size);
__u32 vmbh_ring_bytes_to_read(__u32 write, __u32 read, __u32 size);
__u32 vmbh_ring_bytes_to_write(__u32 write, __u32 read, __u32 size);
bool vmbh_ring_space_signal(__u32 pending_send_sz, __u32 avail_now,
			    __u32 bytes_read, __u32 size);
int vmbh_pkt_desc_check(const struct vmbh_packet_desc *desc, __u32 avail,
			__u32 max_len);
int vmbh_gpa_ranges_check(const void *buf, __u32 len, __u32 range_cnt,
			  __u32 *nr_pfns);
bool vmbh_gpa_range_next(const void *buf, __u32 len, __u32 *pos,
			 struct vmbh_gpa_range *range);
int vmbh_ring_gpadl_check(__u32 rangecount, const __u64 *entries,
			  __u32 nr_entries, __u32 downstream_offset);
int vmbh_mem_table_check(const struct vmbh_mem_region *regions, __u32 nr);

#endif /* _VMBH_RING_CHECK_H */

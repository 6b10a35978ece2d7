/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure decoding of HvPostMessage input into a Hyper-V status.  No
 * kernel-only includes: post_check.c also builds in userspace.
 */
#ifndef _VMBH_POST_CHECK_H
#define _VMBH_POST_CHECK_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <linux/types.h>
#endif
#include <vmbh/vmbus_proto.h>

__u32 vmbh_hv_msg_min_size(__u32 msgtype);
__u16 vmbh_hv_post_msg_check(__u32 message_type, __u32 payload_size,
			     const void *payload);

#endif /* _VMBH_POST_CHECK_H */

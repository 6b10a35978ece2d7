/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared inside vmbh_hypercall.ko: the per-VM SynIC model.
 */
#ifndef _VMBH_HYPERCALL_INTERNAL_H
#define _VMBH_HYPERCALL_INTERNAL_H

#include <linux/eventfd.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/vmbus_host.h>
#include <vmbh/hypercall.h>
#include <vmbh/vmbus_proto.h>

/* A host->guest message waiting for the VP's message slot. */
struct vmbh_queued_msg {
	struct list_head node;
	u32 len;
	u8 data[VMBH_HV_MESSAGE_PAYLOAD_SIZE];
};

/* One virtual processor's SynIC as seen from the host. */
struct vmbh_synic_vp {
	struct vmbh_synic *synic;
	u32 vp_index;

	/* Protects the pages, eventfds and queue below. */
	spinlock_t lock;
	struct page *simp_page;		/* pinned, NULL when disabled */
	struct page *siefp_page;	/* pinned, NULL when disabled */
	struct eventfd_ctx *sint;	/* NULL when none */
	struct list_head queue;		/* of struct vmbh_queued_msg */
	u32 nr_queued;

	/* Resample (EOM) polling, changed only under synic->config_lock. */
	struct eventfd_ctx *resample;
	wait_queue_entry_t resample_wait;
	wait_queue_head_t *resample_wqh;
	poll_table resample_pt;

	/* Delivers queued messages after an EOM. */
	struct work_struct retry_work;
};

struct vmbh_synic {
	const char *name;		/* for log messages */
	struct mutex config_lock;	/* serialises vmbh_synic_set_vp() */
	struct xarray vps;		/* vp_index -> struct vmbh_synic_vp */
	atomic_t nr_queued;		/* sum of the VPs' nr_queued */
	atomic64_t msgs_out;		/* messages written into a slot */
};

#endif /* _VMBH_HYPERCALL_INTERNAL_H */

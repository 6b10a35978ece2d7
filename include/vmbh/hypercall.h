/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API of vmbh_hypercall.ko: Hyper-V TLFS messaging for one VM, used by
 * vmbus_host.ko.  Symbols live in the VMBUS_HOST namespace.
 */
#ifndef _VMBH_HYPERCALL_H
#define _VMBH_HYPERCALL_H

#include <linux/types.h>
#include <vmbh/compat.h>

/* Per-VM SynIC model: the VPs the VMM described, each with its pages. */
struct vmbh_synic;

/**
 * struct vmbh_vp_config - one VP's SynIC state as the VMM describes it
 * @simp_uaddr:	VMM address of the message page, 0 when disabled
 * @siefp_uaddr: VMM address of the event flags page, 0 when disabled
 * @sint_fd:	eventfd raising the VMBus SINT, or -1
 * @resample_fd: eventfd fired on EOM/EOI, or -1
 */
struct vmbh_vp_config {
	u64 simp_uaddr;
	u64 siefp_uaddr;
	int sint_fd;
	int resample_fd;
};

/* Host->guest messages queued per VP before new ones are dropped. */
#define VMBH_SYNIC_QUEUE_MAX	4096

struct vmbh_synic *vmbh_synic_create(const char *name);
void vmbh_synic_destroy(struct vmbh_synic *synic);
int vmbh_synic_set_vp(struct vmbh_synic *synic, u32 vp_index,
		      const struct vmbh_vp_config *cfg);
bool vmbh_synic_vp_exists(struct vmbh_synic *synic, u32 vp_index);
int vmbh_synic_post(struct vmbh_synic *synic, u32 vp_index,
		    const void *msg, u32 len);
bool vmbh_synic_signal_event(struct vmbh_synic *synic, u32 vp_index,
			     u32 flag);
u32 vmbh_synic_queued(struct vmbh_synic *synic);
void vmbh_synic_drop_queued(struct vmbh_synic *synic);
u64 vmbh_synic_msgs_out(struct vmbh_synic *synic);
u16 vmbh_hv_post_msg_status(u32 message_type, u32 payload_size,
			    const void *payload);

#endif /* _VMBH_HYPERCALL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API of vmbh_hypercall.ko: Hyper-V TLFS messaging for one VM, used by
 * vmbus_host.ko.  Symbols live in the VMBUS_HOST namespace.
 */
#ifndef _VMBH_HYPERCALL_H
#define _VMBH_HYPERCALL_H

#include <vmbh/compat.h>

/* Per-VM SynIC model: one slot of state per virtual processor. */
struct vmbh_synic;

struct vmbh_synic *vmbh_synic_create(u32 nr_vps);
void vmbh_synic_destroy(struct vmbh_synic *synic);
u32 vmbh_synic_nr_vps(const struct vmbh_synic *synic);

#endif /* _VMBH_HYPERCALL_H */

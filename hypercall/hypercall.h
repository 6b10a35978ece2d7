/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared inside vmbh_hypercall.ko: the per-VM SynIC model.
 */
#ifndef _VMBH_HYPERCALL_INTERNAL_H
#define _VMBH_HYPERCALL_INTERNAL_H

#include <vmbh/hypercall.h>

/* Hyper-V caps the number of virtual processors of a partition. */
#define VMBH_MAX_VPS	1024

struct vmbh_synic {
	u32 nr_vps;
};

#endif /* _VMBH_HYPERCALL_INTERNAL_H */

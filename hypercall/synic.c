// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM SynIC model: the host's view of each virtual processor's
 * synthetic interrupt controller.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include "hypercall.h"

/**
 * vmbh_synic_create() - allocate the SynIC model of one VM
 * @nr_vps: number of virtual processors, 1 to %VMBH_MAX_VPS
 *
 * Return: the model, or an ERR_PTR() on a bad count or no memory.
 */
struct vmbh_synic *vmbh_synic_create(u32 nr_vps)
{
	struct vmbh_synic *synic;

	if (!nr_vps || nr_vps > VMBH_MAX_VPS)
		return ERR_PTR(-EINVAL);
	synic = kzalloc(sizeof(*synic), GFP_KERNEL_ACCOUNT);
	if (!synic)
		return ERR_PTR(-ENOMEM);
	synic->nr_vps = nr_vps;
	return synic;
}
VMBH_EXPORT(vmbh_synic_create);

/**
 * vmbh_synic_destroy() - free a SynIC model
 * @synic: the model from vmbh_synic_create(), or NULL
 */
void vmbh_synic_destroy(struct vmbh_synic *synic)
{
	kfree(synic);
}
VMBH_EXPORT(vmbh_synic_destroy);

/**
 * vmbh_synic_nr_vps() - number of virtual processors of a SynIC model
 * @synic: the model
 *
 * Return: the count given to vmbh_synic_create().
 */
u32 vmbh_synic_nr_vps(const struct vmbh_synic *synic)
{
	return synic->nr_vps;
}
VMBH_EXPORT(vmbh_synic_nr_vps);

// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: one per open /dev/vmbus-host file, torn down whole when
 * the file is released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "vmbus_host.h"

/* Until the VMM describes its vCPUs the bus has one virtual processor. */
#define VMBH_DEFAULT_VPS	1

static int vmbh_open(struct inode *inode, struct file *file)
{
	struct vmbh_vm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->synic = vmbh_synic_create(VMBH_DEFAULT_VPS);
	if (IS_ERR(vm->synic)) {
		ret = PTR_ERR(vm->synic);
		goto out_free_vm;
	}
	file->private_data = vm;
	return 0;

out_free_vm:
	kfree(vm);
	return ret;
}

static int vmbh_release(struct inode *inode, struct file *file)
{
	struct vmbh_vm *vm = file->private_data;

	vmbh_synic_destroy(vm->synic);
	kfree(vm);
	return 0;
}

const struct file_operations vmbh_fops = {
	.owner		= THIS_MODULE,
	.open		= vmbh_open,
	.release	= vmbh_release,
	.llseek		= noop_llseek,
};

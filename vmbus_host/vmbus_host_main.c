// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_host: the host side of Hyper-V's VMBus for KVM guests.  Registers
 * /dev/vmbus-host; each open file is one VM's bus.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include "vmbus_host.h"

static struct miscdevice vmbh_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmbus-host",
	.fops	= &vmbh_fops,
	.mode	= 0600,
};

static int __init vmbh_init(void)
{
	int ret;

	ret = vmbh_test_class_register();
	if (ret)
		return ret;
	ret = misc_register(&vmbh_misc);
	if (ret)
		vmbh_test_class_unregister();
	return ret;
}

static void __exit vmbh_exit(void)
{
	misc_deregister(&vmbh_misc);
	vmbh_test_class_unregister();
}

module_init(vmbh_init);
module_exit(vmbh_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmbus-host developers");
MODULE_DESCRIPTION("Host-side Hyper-V VMBus backend for KVM");
VMBH_IMPORT();

// SPDX-License-Identifier: GPL-2.0
/*
 * vmbh_netvsp: Synthetic network (netvsp) backend for vmbus-host.
 * Registers the VMBH_CLASS_NET device class with vmbus_host.ko.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <uapi/linux/vmbus_host.h>
#include <vmbh/channel.h>

static struct vmbh_class netvsp_class = {
	.id	= VMBH_CLASS_NET,
	.name	= "netvsp",
	.owner	= THIS_MODULE,
};

static int __init netvsp_init(void)
{
	return vmbh_register_class(&netvsp_class);
}

static void __exit netvsp_exit(void)
{
	vmbh_unregister_class(&netvsp_class);
}

module_init(netvsp_init);
module_exit(netvsp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmbus-host developers");
MODULE_DESCRIPTION("Synthetic network (netvsp) backend for vmbus-host");
VMBH_IMPORT();

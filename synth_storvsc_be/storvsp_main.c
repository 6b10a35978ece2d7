// SPDX-License-Identifier: GPL-2.0
/*
 * vmbh_storvsp: Synthetic SCSI (storvsp) backend for vmbus-host.
 * Registers the VMBH_CLASS_SCSI device class with vmbus_host.ko.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <uapi/linux/vmbus_host.h>
#include <vmbh/channel.h>

static struct vmbh_class storvsp_class = {
	.id	= VMBH_CLASS_SCSI,
	.name	= "storvsp",
	.owner	= THIS_MODULE,
};

static int __init storvsp_init(void)
{
	return vmbh_register_class(&storvsp_class);
}

static void __exit storvsp_exit(void)
{
	vmbh_unregister_class(&storvsp_class);
}

module_init(storvsp_init);
module_exit(storvsp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmbus-host developers");
MODULE_DESCRIPTION("Synthetic SCSI (storvsp) backend for vmbus-host");
VMBH_IMPORT();

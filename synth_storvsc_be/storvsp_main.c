// SPDX-License-Identifier: GPL-2.0
/*
 * vmbh_storvsp: Synthetic SCSI (storvsp) backend for vmbus-host.
 * Registers the "storvsp" LIO fabric and the VMBH_CLASS_SCSI device class.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "storvsp.h"

static int __init storvsp_init(void)
{
	int ret;

	ret = storvsp_cmd_cache_init();
	if (ret)
		return ret;
	ret = storvsp_fabric_init();
	if (ret)
		goto out_cache;
	ret = vmbh_register_class(&storvsp_class);
	if (ret)
		goto out_fabric;
	return 0;

out_fabric:
	storvsp_fabric_exit();
out_cache:
	storvsp_cmd_cache_exit();
	return ret;
}

static void __exit storvsp_exit(void)
{
	vmbh_unregister_class(&storvsp_class);
	storvsp_fabric_exit();
	/* kfree_rcu() of controllers must not outlive the module */
	rcu_barrier();
	storvsp_cmd_cache_exit();
}

module_init(storvsp_init);
module_exit(storvsp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmbus-host developers");
MODULE_DESCRIPTION("Synthetic SCSI (storvsp) backend for vmbus-host");
VMBH_IMPORT();

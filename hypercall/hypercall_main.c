// SPDX-License-Identifier: GPL-2.0
/*
 * vmbh_hypercall: Hyper-V TLFS messaging (SynIC message slots, event flags,
 * hypercall input decoding) for the VMs that vmbus_host.ko serves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "hypercall.h"
#include "post_check.h"

/* post_check.c also builds in userspace, so its export lives here. */
VMBH_EXPORT(vmbh_hv_post_msg_check);

static int __init vmbh_hypercall_init(void)
{
	pr_debug("loaded\n");
	return 0;
}

static void __exit vmbh_hypercall_exit(void)
{
	pr_debug("unloaded\n");
}

module_init(vmbh_hypercall_init);
module_exit(vmbh_hypercall_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmbus-host developers");
MODULE_DESCRIPTION("Hyper-V SynIC messaging for the host-side VMBus backend");

// SPDX-License-Identifier: GPL-2.0
/*
 * vmbh_hypercall: Hyper-V TLFS messaging (SynIC message slots, event flags,
 * hypercall input decoding) for the VMs that vmbus_host.ko serves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "hypercall.h"
#include "post_check.h"

/**
 * vmbh_hv_post_msg_status() - Hyper-V status for an HvPostMessage's shape
 * @message_type: hypercall input +8
 * @payload_size: hypercall input +12
 * @payload: %VMBH_HV_MESSAGE_PAYLOAD_SIZE readable bytes
 *
 * The exported face of vmbh_hv_post_msg_check(), which lives in a file
 * that also builds in userspace and so cannot export symbols itself.
 *
 * Return: as vmbh_hv_post_msg_check().
 */
u16 vmbh_hv_post_msg_status(u32 message_type, u32 payload_size,
			    const void *payload)
{
	return vmbh_hv_post_msg_check(message_type, payload_size, payload);
}
EXPORT_SYMBOL_NS_GPL(vmbh_hv_post_msg_status, VMBH_NS);

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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API of vmbus_host.ko for backends (storvsp, netvsp, the echo test
 * class).  Symbols live in the VMBUS_HOST namespace.
 */
#ifndef _VMBH_CHANNEL_H
#define _VMBH_CHANNEL_H

#include <linux/list.h>
#include <vmbh/compat.h>

/**
 * struct vmbh_class - a device class served by a backend module
 * @id:		one of enum vmbh_class_id from the uapi
 * @name:	short name for logs and stats
 * @owner:	the backend module, pinned while a device of the class exists
 * @node:	entry in the core's class list, owned by the core
 */
struct vmbh_class {
	u32 id;
	const char *name;
	struct module *owner;
	struct list_head node;
};

int vmbh_register_class(struct vmbh_class *cls);
void vmbh_unregister_class(struct vmbh_class *cls);

#endif /* _VMBH_CHANNEL_H */

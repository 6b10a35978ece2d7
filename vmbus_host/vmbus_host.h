/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared inside vmbus_host.ko: the VM object behind one open
 * /dev/vmbus-host file and the registry of device classes.
 */
#ifndef _VMBH_VMBUS_HOST_H
#define _VMBH_VMBUS_HOST_H

#include <linux/fs.h>
#include <vmbh/channel.h>
#include <vmbh/hypercall.h>

/* One VM's bus: created by open(), freed by the last close(). */
struct vmbh_vm {
	struct vmbh_synic *synic;
};

extern const struct file_operations vmbh_fops;

struct vmbh_class *vmbh_class_get(u32 id);
void vmbh_class_put(struct vmbh_class *cls);

#endif /* _VMBH_VMBUS_HOST_H */

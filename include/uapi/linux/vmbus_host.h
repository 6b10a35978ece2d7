/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vmbus-host: a host-side Hyper-V VMBus backend for KVM.
 * One open file is one VM's bus; see Documentation/uapi.rst.
 */
#ifndef _UAPI_LINUX_VMBUS_HOST_H
#define _UAPI_LINUX_VMBUS_HOST_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VMBH_IOCTL_MAGIC	0xB7

/* Device classes a backend module registers and a VMM adds devices of. */
enum vmbh_class_id {
	VMBH_CLASS_TEST = 1,	/* ring echo, in vmbus_host.ko */
	VMBH_CLASS_SCSI = 2,	/* storvsp, vmbh_storvsp.ko */
	VMBH_CLASS_NET = 3,	/* netvsp, vmbh_netvsp.ko */
};

#endif /* _UAPI_LINUX_VMBUS_HOST_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Glue over kernel API differences, driven by the probes in compat.mk.
 * Every module of the project includes this first.
 */
#ifndef _VMBH_COMPAT_H
#define _VMBH_COMPAT_H

#include <linux/eventfd.h>
#include <linux/module.h>

/* The symbol namespace shared by the project's modules. */
#ifdef VMBH_NS_BARE
#define VMBH_NS VMBUS_HOST
#else
#define VMBH_NS "VMBUS_HOST"
#endif

/*
 * Monitor pages can ask KVM to report guest writes (monitor.c): with its
 * write tracking, and file_is_kvm() to tell a KVM VM fd from others.
 */
#if defined(VMBH_HAVE_KVM_WRITE_TRACK) && \
	IS_ENABLED(CONFIG_KVM_EXTERNAL_WRITE_TRACKING) && \
	!defined(VMBH_KVM_FILE_INTERNAL)
#define VMBH_KVM_WRITE_TRACK
#endif

#define VMBH_IMPORT()		MODULE_IMPORT_NS(VMBH_NS)

/* Add one to an eventfd's counter and wake its pollers. */
static inline void vmbh_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef VMBH_EVENTFD_SIGNAL_COUNT
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

#endif /* _VMBH_COMPAT_H */

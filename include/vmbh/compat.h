/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Glue over kernel API differences, driven by the probes in compat.mk.
 * Every module of the project includes this first.
 */
#ifndef _VMBH_COMPAT_H
#define _VMBH_COMPAT_H

#include <linux/module.h>

/* The symbol namespace shared by the project's modules. */
#ifdef VMBH_NS_BARE
#define VMBH_NS VMBUS_HOST
#else
#define VMBH_NS "VMBUS_HOST"
#endif

#define VMBH_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, VMBH_NS)
#define VMBH_IMPORT()		MODULE_IMPORT_NS(VMBH_NS)

#endif /* _VMBH_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for the netvsp wire headers and pure parsers, so that
 * the same files build in the kernel and in the host-run unit tests (which
 * supply netvsp_user_types.h, selftests/netvsp/unit/).
 */
#ifndef _VMBH_NETVSP_TYPES_H
#define _VMBH_NETVSP_TYPES_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/stddef.h>
#include <asm/byteorder.h>
#ifndef __LITTLE_ENDIAN
#error "netvsp: Hyper-V wire formats are little-endian and read natively"
#endif
#else
#include "netvsp_user_types.h"
#endif

#endif /* _VMBH_NETVSP_TYPES_H */

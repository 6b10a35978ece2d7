/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest-visible wire header needs to compile both in the kernel and
 * in the userspace tests: fixed-width types, static_assert and __packed.
 */
#ifndef _VMBH_WIRE_H
#define _VMBH_WIRE_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/compiler.h>
#else
#include <assert.h>
/* Userspace has no __packed; the kernel's spelling keeps one layout. */
#ifndef __packed
#define __packed __attribute__((		\
	__packed__))
#endif
#endif

#endif /* _VMBH_WIRE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel types and helpers that synth_netvsc_be/netvsp_types.h pulls
 * in, for building the pure netvsp code in userspace.
 */
#ifndef _NETVSP_USER_TYPES_H
#define _NETVSP_USER_TYPES_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define BIT(n)		(1u << (n))
#define BIT_ULL(n)	(1ull << (n))

#endif /* _NETVSP_USER_TYPES_H */

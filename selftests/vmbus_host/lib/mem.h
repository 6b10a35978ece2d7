/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test guest's "RAM": an anonymous mapping of the test process that is
 * registered as one region of the VM's memory table, with a page allocator
 * and GPA <-> pointer conversion.
 */
#ifndef _VMBH_TEST_MEM_H
#define _VMBH_TEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct tg_mem {
	uint8_t *base;		/* userspace address of the region */
	uint64_t gpa;		/* guest physical address of base */
	size_t size;
	size_t npages;
	uint8_t *used;		/* one byte per page: allocated */
};

int tg_mem_init(struct tg_mem *m, uint64_t gpa, size_t size);
void tg_mem_destroy(struct tg_mem *m);

/* @n contiguous zeroed pages, or NULL. */
void *tg_mem_alloc(struct tg_mem *m, size_t n);
void tg_mem_free(struct tg_mem *m, void *p, size_t n);
size_t tg_mem_pages_used(const struct tg_mem *m);

uint64_t tg_mem_gpa(const struct tg_mem *m, const void *p);
static inline uint64_t tg_mem_pfn(const struct tg_mem *m, const void *p)
{
	return tg_mem_gpa(m, p) >> 12;
}

#endif /* _VMBH_TEST_MEM_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM of the test guest: first-fit page allocator over one mapping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"
#include "ring.h"

int tg_mem_init(struct tg_mem *m, uint64_t gpa, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m->base == MAP_FAILED)
		return -errno;
	m->gpa = gpa;
	m->size = size;
	m->npages = size / TG_PAGE_SIZE;
	m->used = calloc(m->npages, 1);
	if (!m->used) {
		munmap(m->base, size);
		return -ENOMEM;
	}
	return 0;
}

void tg_mem_destroy(struct tg_mem *m)
{
	if (m->base && m->base != MAP_FAILED)
		munmap(m->base, m->size);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

void *tg_mem_alloc(struct tg_mem *m, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < m->npages; i++) {
		run = m->used[i] ? 0 : run + 1;
		if (run == n) {
			size_t first = i + 1 - n;
			void *p = m->base + first * TG_PAGE_SIZE;

			memset(m->used + first, 1, n);
			memset(p, 0, n * TG_PAGE_SIZE);
			return p;
		}
	}
	return NULL;
}

void tg_mem_free(struct tg_mem *m, void *p, size_t n)
{
	size_t first = ((uint8_t *)p - m->base) / TG_PAGE_SIZE;

	memset(m->used + first, 0, n);
}

size_t tg_mem_pages_used(const struct tg_mem *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->npages; i++)
		n += m->used[i];
	return n;
}

uint64_t tg_mem_gpa(const struct tg_mem *m, const void *p)
{
	return m->gpa + ((const uint8_t *)p - m->base);
}

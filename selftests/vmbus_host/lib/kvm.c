// SPDX-License-Identifier: GPL-2.0
/*
 * The test guest's KVM vCPU: see kvm.h.  Long mode from the first
 * instruction (KVM_SET_SREGS), the guest RAM identity-mapped with 2 MiB
 * pages, as the KVM selftests set up their guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "kvm.h"

#define PTE_P		0x1ull
#define PTE_RW		0x2ull
#define PTE_PS		0x80ull
#define CR0_PE		0x1ull
#define CR0_ET		0x10ull
#define CR0_PG		0x80000000ull
#define CR4_PAE		0x20ull
#define EFER_LME	0x100ull
#define EFER_LMA	0x400ull

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int tg_kvm_slot(struct tg_kvm *k, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0,
		.guest_phys_addr = k->mem->gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)k->mem->base,
	};

	return xioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

int tg_kvm_reslot(struct tg_kvm *k)
{
	int ret = tg_kvm_slot(k, 0);

	return ret ? ret : tg_kvm_slot(k, k->mem->size);
}

/* Page tables and code in @mem; return the PML4's address or 0. */
static uint64_t tg_kvm_map(struct tg_kvm *k)
{
	struct tg_mem *m = k->mem;
	uint64_t *pml4 = tg_mem_alloc(m, 1), *pdpt = tg_mem_alloc(m, 1);
	uint64_t *pd = tg_mem_alloc(m, 1);
	static const uint8_t code[] = {
		0xF0, 0x0F, 0xAB, 0x37,	/* lock bts dword [rdi], esi */
		0xF4,			/* hlt */
	};
	uint8_t *text = tg_mem_alloc(m, 1);
	uint64_t a;
	size_t i;

	/* One PD maps 1 GiB: the RAM must sit in one GiB, 2 MiB aligned. */
	if (!pml4 || !pdpt || !pd || !text || m->gpa % (2 << 20) ||
	    m->gpa >> 30 != (m->gpa + m->size - 1) >> 30 ||
	    m->gpa >> 39)
		return 0;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pd, 0, 4096);
	pml4[0] = tg_mem_gpa(m, pdpt) | PTE_P | PTE_RW;
	pdpt[(m->gpa >> 30) & 511] = tg_mem_gpa(m, pd) | PTE_P | PTE_RW;
	for (a = m->gpa, i = (m->gpa >> 21) & 511; a < m->gpa + m->size;
	     a += 2 << 20, i++)
		pd[i] = a | PTE_P | PTE_RW | PTE_PS;
	memcpy(text, code, sizeof(code));
	k->code_gpa = tg_mem_gpa(m, text);
	return tg_mem_gpa(m, pml4);
}

static int tg_kvm_cpuid(struct tg_kvm *k)
{
	struct kvm_cpuid2 *c;
	int ret;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = 256;
	ret = xioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, c);
	if (!ret)
		ret = xioctl(k->vcpu_fd, KVM_SET_CPUID2, c);
	free(c);
	return ret;
}

static int tg_kvm_long_mode(struct tg_kvm *k, uint64_t cr3)
{
	struct kvm_segment cs = {
		.limit = 0xFFFFFFFF, .selector = 8, .type = 11, .present = 1,
		.s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment ds = {
		.limit = 0xFFFFFFFF, .selector = 16, .type = 3, .present = 1,
		.s = 1, .db = 1, .g = 1,
	};
	struct kvm_sregs s;
	int ret = xioctl(k->vcpu_fd, KVM_GET_SREGS, &s);

	if (ret)
		return ret;
	s.cs = cs;
	s.ds = ds;
	s.es = ds;
	s.fs = ds;
	s.gs = ds;
	s.ss = ds;
	s.cr0 = CR0_PE | CR0_ET | CR0_PG;
	s.cr3 = cr3;
	s.cr4 = CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	return xioctl(k->vcpu_fd, KVM_SET_SREGS, &s);
}

int tg_kvm_create(struct tg_kvm *k, struct tg_mem *mem)
{
	uint64_t cr3;
	int ret, sz;

	memset(k, 0, sizeof(*k));
	k->vm_fd = -1;
	k->vcpu_fd = -1;
	k->mem = mem;
	k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm_fd < 0)
		return -errno;
	ret = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
	if (ret < 0)
		goto fail_errno;
	k->vm_fd = ret;
	ret = tg_kvm_slot(k, mem->size);
	if (ret)
		goto fail;
	ret = ioctl(k->vm_fd, KVM_CREATE_VCPU, 0);
	if (ret < 0)
		goto fail_errno;
	k->vcpu_fd = ret;
	sz = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < 0)
		goto fail_errno;
	k->run_size = sz;
	k->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->vcpu_fd, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		goto fail_errno;
	}
	cr3 = tg_kvm_map(k);
	ret = -ENOMEM;
	if (!cr3)
		goto fail;
	ret = tg_kvm_cpuid(k);
	if (!ret)
		ret = tg_kvm_long_mode(k, cr3);
	if (ret)
		goto fail;
	return 0;

fail_errno:
	ret = -errno;
fail:
	tg_kvm_destroy(k);
	return ret;
}

void tg_kvm_destroy(struct tg_kvm *k)
{
	if (k->run)
		munmap(k->run, k->run_size);
	if (k->vcpu_fd >= 0)
		close(k->vcpu_fd);
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->kvm_fd >= 0)
		close(k->kvm_fd);
	k->run = NULL;
	k->vcpu_fd = -1;
	k->vm_fd = -1;
	k->kvm_fd = -1;
}

int tg_kvm_set_bit(struct tg_kvm *k, uint64_t gpa, unsigned int bit)
{
	struct kvm_regs r = {
		.rip = k->code_gpa,
		.rdi = gpa,
		.rsi = bit,
		.rflags = 0x2,
	};
	int ret = xioctl(k->vcpu_fd, KVM_SET_REGS, &r);

	if (!ret)
		ret = xioctl(k->vcpu_fd, KVM_RUN, NULL);
	if (!ret && k->run->exit_reason != KVM_EXIT_HLT) {
		fprintf(stderr, "# KVM_RUN exit reason %u, not HLT\n",
			k->run->exit_reason);
		ret = -EIO;
	}
	if (ret)
		k->errors++;
	else
		k->runs++;
	return ret;
}

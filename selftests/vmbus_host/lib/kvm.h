/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A one-vCPU KVM VM over the test guest's RAM that runs one instruction,
 * a locked bit set, so that a test can have "the guest" write its memory
 * through KVM (which may trap and report the write) rather than through
 * the test's own mapping.
 */
#ifndef _VMBH_TEST_KVM_H
#define _VMBH_TEST_KVM_H

#include <stdint.h>
#include <stddef.h>

#include "mem.h"

struct tg_kvm {
	int kvm_fd;		/* /dev/kvm */
	int vm_fd;		/* KVM_CREATE_VM */
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct tg_mem *mem;	/* memslot 0 */
	uint64_t code_gpa;	/* lock bts [rdi], esi; hlt */
	uint64_t runs;		/* bits set */
	uint64_t errors;	/* KVM_RUN failed or did not halt */
};

/* Create the VM over @mem (64-bit mode, identity-mapped). 0 or -errno. */
int tg_kvm_create(struct tg_kvm *k, struct tg_mem *mem);
void tg_kvm_destroy(struct tg_kvm *k);
/* The vCPU sets bit @bit of the u32 at @gpa (in @mem). 0 or -errno. */
int tg_kvm_set_bit(struct tg_kvm *k, uint64_t gpa, unsigned int bit);
/* Delete memslot 0 and add it again, as a VMM remapping RAM does. */
int tg_kvm_reslot(struct tg_kvm *k);

#endif

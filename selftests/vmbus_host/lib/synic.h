/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest view of the SynIC pages the test process hands to the module as its
 * vCPU's SIMP and SIEFP: message slots with EOM semantics, event flag bits.
 */
#ifndef _VMBH_TEST_SYNIC_H
#define _VMBH_TEST_SYNIC_H

#include <stdbool.h>
#include <stdint.h>

#define TG_VMBUS_SINT		2
#define TG_HV_MSG_SLOT_SIZE	256
#define TG_HV_MSG_PAYLOAD_MAX	240
#define TG_HV_MSG_PENDING	0x1
#define TG_HVMSG_NONE		0
#define TG_HVMSG_VMBUS		1
#define TG_SIEFP_BITS		2048

struct tg_hv_msg {
	uint32_t type;
	uint8_t payload_size;
	uint8_t flags;
	uint16_t reserved;
	uint64_t sender;
	uint8_t payload[TG_HV_MSG_PAYLOAD_MAX];
} __attribute__((packed, aligned(8)));

_Static_assert(sizeof(struct tg_hv_msg) == TG_HV_MSG_SLOT_SIZE, "hv_message");

/*
 * vmbus_on_msg_dpc + vmbus_signal_eom: copy the slot of @sint out of @simp,
 * free it with a compare-exchange, and tell (*@eom) whether msg_pending was
 * set, i.e. whether the guest must write EOM now. Returns false when the
 * slot is empty.
 */
bool tg_simp_take(void *simp, int sint, struct tg_hv_msg *out, bool *eom);

/* Peek without freeing (for tests that hold the slot busy). */
bool tg_simp_busy(void *simp, int sint);

/* vmbus_chan_sched: atomically test and clear bit @bit of @sint's flags. */
bool tg_siefp_test_clear(void *siefp, int sint, unsigned int bit);

/* Test and clear every bit; calls @fn for each set bit. Returns the count. */
int tg_siefp_drain(void *siefp, int sint,
		   void (*fn)(void *ctx, unsigned int bit), void *ctx);

#endif /* _VMBH_TEST_SYNIC_H */

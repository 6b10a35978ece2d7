// SPDX-License-Identifier: GPL-2.0
/*
 * SynIC message slot and event flag handling, done the way the Linux guest
 * does it (drivers/hv/vmbus_drv.c, include/asm-generic/mshyperv.h).
 */
#include <string.h>

#include "synic.h"

static struct tg_hv_msg *tg_slot(void *simp, int sint)
{
	return (struct tg_hv_msg *)((uint8_t *)simp + sint * TG_HV_MSG_SLOT_SIZE);
}

bool tg_simp_busy(void *simp, int sint)
{
	return __atomic_load_n(&tg_slot(simp, sint)->type, __ATOMIC_ACQUIRE) !=
	       TG_HVMSG_NONE;
}

bool tg_simp_take(void *simp, int sint, struct tg_hv_msg *out, bool *eom)
{
	struct tg_hv_msg *slot = tg_slot(simp, sint);
	uint32_t type = __atomic_load_n(&slot->type, __ATOMIC_ACQUIRE);

	*eom = false;
	if (type == TG_HVMSG_NONE)
		return false;
	memcpy(out, slot, sizeof(*out));
	out->type = type;
	/* vmbus_signal_eom: free the slot only if it still holds this type */
	__atomic_compare_exchange_n(&slot->type, &type, TG_HVMSG_NONE, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	/* the slot release before the msg_pending load */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&slot->flags, __ATOMIC_RELAXED) & TG_HV_MSG_PENDING)
		*eom = true;
	return true;
}

static unsigned long *tg_flags(void *siefp, int sint)
{
	return (unsigned long *)((uint8_t *)siefp + sint * (TG_SIEFP_BITS / 8));
}

bool tg_siefp_test_clear(void *siefp, int sint, unsigned int bit)
{
	unsigned long *w = tg_flags(siefp, sint) + bit / (8 * sizeof(long));
	unsigned long m = 1UL << (bit % (8 * sizeof(long)));

	return __atomic_fetch_and(w, ~m, __ATOMIC_SEQ_CST) & m;
}

int tg_siefp_drain(void *siefp, int sint,
		   void (*fn)(void *ctx, unsigned int bit), void *ctx)
{
	unsigned long *w = tg_flags(siefp, sint);
	const unsigned int nw = TG_SIEFP_BITS / (8 * sizeof(long));
	unsigned int i;
	int n = 0;

	for (i = 0; i < nw; i++) {
		unsigned long v;

		if (!__atomic_load_n(&w[i], __ATOMIC_RELAXED))
			continue;
		v = __atomic_exchange_n(&w[i], 0, __ATOMIC_SEQ_CST);
		while (v) {
			unsigned int b = __builtin_ctzl(v);

			v &= v - 1;
			n++;
			if (fn)
				fn(ctx, i * 8 * sizeof(long) + b);
		}
	}
	return n;
}

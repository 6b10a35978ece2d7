// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-0 checks of the test guest's own ring code (lib/ring.c), so that a
 * failing kselftest points at the module and not at the test guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ring.h"

#define RING_PAGES 2

FIXTURE(gring) {
	uint8_t *mem;
	struct tg_ring prod, cons;
	uint8_t buf[8192];
};

FIXTURE_SETUP(gring)
{
	self->mem = aligned_alloc(TG_PAGE_SIZE, RING_PAGES * TG_PAGE_SIZE);
	ASSERT_NE(NULL, self->mem);
	tg_ring_init(&self->prod, self->mem, RING_PAGES * TG_PAGE_SIZE);
	tg_ring_attach(&self->cons, self->mem, RING_PAGES * TG_PAGE_SIZE);
}

FIXTURE_TEARDOWN(gring)
{
	free(self->mem);
}

TEST_F(gring, empty_to_nonempty_signals_once)
{
	struct tg_pkt pkt;
	bool sig;
	uint64_t v = 0x1122334455667788ull;

	ASSERT_EQ(0, tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0, 7, &v,
				  sizeof(v), &sig));
	EXPECT_TRUE(sig);
	ASSERT_EQ(0, tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0, 8, &v,
				  sizeof(v), &sig));
	EXPECT_FALSE(sig);
	ASSERT_EQ(1, tg_ring_peek(&self->cons, self->buf, sizeof(self->buf),
				  &pkt));
	EXPECT_EQ(7, pkt.desc.trans_id);
	EXPECT_EQ(8, pkt.payload_len);
	EXPECT_EQ(0, memcmp(pkt.payload, &v, 8));
	tg_ring_next(&self->cons, &pkt);
	ASSERT_EQ(1, tg_ring_peek(&self->cons, self->buf, sizeof(self->buf),
				  &pkt));
	EXPECT_EQ(8, pkt.desc.trans_id);
	tg_ring_next(&self->cons, &pkt);
	EXPECT_EQ(0, tg_ring_peek(&self->cons, self->buf, sizeof(self->buf),
				  &pkt));
	EXPECT_FALSE(tg_ring_close(&self->cons));
	EXPECT_EQ(0, tg_ring_bytes_to_read(&self->cons));
}

TEST_F(gring, masked_consumer_gets_no_signal)
{
	bool sig;
	uint32_t v = 1;

	tg_ring_mask(&self->cons);
	ASSERT_EQ(0, tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0, 1, &v,
				  sizeof(v), &sig));
	EXPECT_FALSE(sig);
	EXPECT_EQ(16 + 8 + 8, tg_ring_unmask(&self->cons));
}

TEST_F(gring, full_ring_refuses_and_wraps)
{
	uint8_t payload[1000], out[1024];
	struct tg_pkt pkt;
	uint64_t sent = 0, got = 0;
	bool sig;
	int i, ret;

	/* 4096-byte data area, 1024-byte packets: the fourth one must not fit */
	for (i = 0; i < 4; i++) {
		memset(payload, i, sizeof(payload));
		ret = tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0, i,
				   payload, sizeof(payload), &sig);
		if (ret)
			break;
		sent++;
	}
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_EQ(3, sent);

	/* run 100 packets through the ring so the indices wrap many times */
	while (got < 100) {
		while (sent < 100) {
			memset(payload, sent & 0xff, sizeof(payload));
			if (tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0,
					 sent, payload, sizeof(payload), &sig))
				break;
			sent++;
		}
		ASSERT_EQ(1, tg_ring_peek(&self->cons, out, sizeof(out), &pkt));
		ASSERT_EQ(got, pkt.desc.trans_id);
		ASSERT_EQ(1000, pkt.payload_len);
		for (i = 0; i < 1000; i++) {
			ASSERT_EQ(got & 0xff, ((uint8_t *)pkt.payload)[i]);
		}
		tg_ring_next(&self->cons, &pkt);
		tg_ring_close(&self->cons);
		got++;
	}
}

TEST_F(gring, pending_send_signals_on_transition)
{
	uint8_t payload[1000], out[1024];
	struct tg_pkt pkt;
	bool sig;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0,
					  i, payload, sizeof(payload), &sig));
	}
	/* producer waits for room for one more packet */
	tg_ring_set_pending_send(&self->prod, 1024 + 8);
	ASSERT_EQ(1, tg_ring_peek(&self->cons, out, sizeof(out), &pkt));
	tg_ring_next(&self->cons, &pkt);
	EXPECT_TRUE(tg_ring_close(&self->cons));
	/* already enough room: no second signal */
	ASSERT_EQ(1, tg_ring_peek(&self->cons, out, sizeof(out), &pkt));
	tg_ring_next(&self->cons, &pkt);
	EXPECT_FALSE(tg_ring_close(&self->cons));
}

TEST_F(gring, corrupt_descriptor_is_detected)
{
	struct tg_pkt_desc *d = (void *)self->prod.data;
	struct tg_pkt pkt;
	bool sig;
	uint64_t v = 0;

	ASSERT_EQ(0, tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0, 1, &v,
				  sizeof(v), &sig));
	d->len8 = 200;
	EXPECT_EQ(-EIO, tg_ring_peek(&self->cons, self->buf, sizeof(self->buf),
				     &pkt));
	d->len8 = 3;
	d->offset8 = 4;
	EXPECT_EQ(-EIO, tg_ring_peek(&self->cons, self->buf, sizeof(self->buf),
				     &pkt));
}

TEST_F(gring, corrupt_read_index_fails_write)
{
	bool sig;
	uint64_t v = 0;

	tg_store(&self->prod.hdr->read_index, self->prod.dsize + 8);
	EXPECT_EQ(-EIO, tg_ring_send(&self->prod, TG_PKT_DATA_INBAND, 0, 1,
				     &v, sizeof(v), &sig));
}

TEST_HARNESS_MAIN

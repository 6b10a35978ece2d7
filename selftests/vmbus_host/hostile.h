/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixture shared by the hostile-guest tests: VM "a" misbehaves, VM "b" on
 * a second fd must not notice; after each case both must still work.
 */
#ifndef _VMBH_TEST_HOSTILE_H
#define _VMBH_TEST_HOSTILE_H

#include "kselftest_harness.h"
#include "guest.h"

FIXTURE(hostile) {
	struct tg_vm a, b;
	struct tg_dev da[2], db;
	struct tg_chan ca, cb;
	uint32_t relid1;		/* a's second device: offered, not open */
	struct vmbh_bus_info b_before;
	uint64_t seq;
};

/*
 * The fixture's type for helpers taking self (checkpatch reads
 * "FIXTURE_DATA(hostile) *self" as a multiplication).
 */
#define hostile_data FIXTURE_DATA(hostile)

FIXTURE_SETUP(hostile)
{
	const struct tg_offer *o;

	ASSERT_EQ(0, tg_vm_create(&self->a, 2, 0));
	ASSERT_EQ(0, tg_dev_add(&self->a, &self->da[0], VMBH_CLASS_TEST, 1, 1));
	ASSERT_EQ(0, tg_dev_add(&self->a, &self->da[1], VMBH_CLASS_TEST, 1, 2));
	ASSERT_EQ(0, tg_connect(&self->a, TG_VERSION_WIN10_V5_3));
	o = tg_find_offer(&self->a, self->da[0].instance, 0);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca, o, &self->da[0], 4, 4, 0));
	o = tg_find_offer(&self->a, self->da[1].instance, 0);
	ASSERT_NE(NULL, o);
	self->relid1 = o->child_relid;

	ASSERT_EQ(0, tg_vm_create(&self->b, 1, 0));
	ASSERT_EQ(0, tg_echo_setup(&self->b, &self->db, &self->cb, 0, 3));
	ASSERT_EQ(0, tg_echo_one(&self->cb, 1, 64, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_bus_info(&self->b, &self->b_before));
	self->seq = 100;
}

FIXTURE_TEARDOWN(hostile)
{
	tg_vm_destroy(&self->a);
	tg_vm_destroy(&self->b);
	tg_dev_close_fds(&self->da[0]);
	tg_dev_close_fds(&self->da[1]);
	tg_dev_close_fds(&self->db);
}

/*
 * After a hostile act: a fresh GPADL on a's second channel works, a's open
 * channel still echoes (unless the case failed it on purpose: @a_chan_ok
 * false), and b's bus and channel are exactly as before.
 */
static inline void hostile_after(struct __test_metadata *_metadata,
				 hostile_data *self, bool a_chan_ok)
{
	struct vmbh_bus_info b_now;
	void *p;

	/* forget whatever replies the hostile messages produced */
	tg_count_msgs(&self->a, 0, 20);
	tg_drop_msgs(&self->a);

	p = tg_mem_alloc(&self->a.mem, 2);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, tg_gpadl_create(&self->a, self->relid1, 0xAF7E0, p, 2));
	ASSERT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0xAF7E0));
	tg_mem_free(&self->a.mem, p, 2);
	if (a_chan_ok)
		ASSERT_EQ(0, tg_echo_one(&self->ca, self->seq++, 333,
					 TG_TIMEOUT_MS));

	ASSERT_EQ(0, tg_echo_one(&self->cb, self->seq++, 1000, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_bus_info(&self->b, &b_now));
	EXPECT_EQ(self->b_before.state, b_now.state);
	EXPECT_EQ(self->b_before.version, b_now.version);
	EXPECT_EQ(self->b_before.nr_channels, b_now.nr_channels);
	EXPECT_EQ(self->b_before.nr_gpadls, b_now.nr_gpadls);
	EXPECT_EQ(self->b_before.pinned_pages, b_now.pinned_pages);
	EXPECT_EQ(0, b_now.queued_msgs);
}

#endif /* _VMBH_TEST_HOSTILE_H */

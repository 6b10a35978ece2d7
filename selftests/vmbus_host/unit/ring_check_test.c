// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-0 unit tests of vmbus_host/ring_check.c (ring index math, packet
 * descriptor, GPA range, ring GPADL and memory table checks), built in
 * userspace from the module's own source file. The test guest's wire
 * structs (lib/proto.h, from Linux's hyperv.h) are cross-checked against
 * the module's vmbus_proto.h here too.
 */
#include <stddef.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ring_check.h"
#include "proto.h"
#include "ring.h"

/* Both sides must agree on the wire: @tf of struct @t sits where @hf of @h does. */
#define SAME_OFFSET(t, tf, h, hf) \
	_Static_assert(offsetof(struct t, tf) == offsetof(struct h, hf), #tf)
_Static_assert(sizeof(struct tg_offer) == sizeof(struct vmbh_msg_offer_channel), "offer");
SAME_OFFSET(tg_offer, child_relid, vmbh_msg_offer_channel, child_relid);
SAME_OFFSET(tg_offer, connection_id, vmbh_msg_offer_channel, connection_id);
SAME_OFFSET(tg_offer, sub_channel_index, vmbh_msg_offer_channel,
	    sub_channel_index);
SAME_OFFSET(tg_offer, is_dedicated_interrupt, vmbh_msg_offer_channel,
	    is_dedicated_interrupt);
SAME_OFFSET(tg_open, downstream_ringbuffer_pageoffset, vmbh_msg_open_channel,
	    downstream_ringbuffer_pageoffset);
SAME_OFFSET(tg_open, userdata, vmbh_msg_open_channel, userdata);
SAME_OFFSET(tg_initiate_contact, monitor_page2, vmbh_msg_initiate_contact,
	    monitor_page2);
SAME_OFFSET(tg_version_response, msg_conn_id, vmbh_msg_version_response,
	    msg_conn_id);
SAME_OFFSET(tg_gpadl_header, rangecount, vmbh_msg_gpadl_header, rangecount);
SAME_OFFSET(tg_gpadl_created, creation_status, vmbh_msg_gpadl_created,
	    creation_status);
SAME_OFFSET(tg_ring_hdr, pending_send_sz, vmbh_ring_header, pending_send_sz);
SAME_OFFSET(tg_ring_hdr, feature_bits, vmbh_ring_header, feature_bits);
SAME_OFFSET(tg_pkt_desc, trans_id, vmbh_packet_desc, trans_id);

TEST(ring_index_ok)
{
	EXPECT_TRUE(vmbh_ring_index_ok(0, 4096));
	EXPECT_TRUE(vmbh_ring_index_ok(4088, 4096));
	EXPECT_FALSE(vmbh_ring_index_ok(4096, 4096));
	EXPECT_FALSE(vmbh_ring_index_ok(4, 4096));
	EXPECT_FALSE(vmbh_ring_index_ok(0xFFFFFFF8, 4096));
}

TEST(ring_bytes)
{
	EXPECT_EQ(0, vmbh_ring_bytes_to_read(64, 64, 4096));
	EXPECT_EQ(4096, vmbh_ring_bytes_to_write(64, 64, 4096));
	EXPECT_EQ(32, vmbh_ring_bytes_to_read(96, 64, 4096));
	EXPECT_EQ(4096 - 32, vmbh_ring_bytes_to_write(96, 64, 4096));
	/* wrapped */
	EXPECT_EQ(4096 - 4000 + 16, vmbh_ring_bytes_to_read(16, 4000, 4096));
	EXPECT_EQ(4000 - 16, vmbh_ring_bytes_to_write(16, 4000, 4096));
}

/* Same decisions as Linux's hv_pkt_iter_close() and our guest copy. */
TEST(ring_space_signal)
{
	EXPECT_FALSE(vmbh_ring_space_signal(0, 4000, 4000, 4096));
	/* went from 100 free to 1100 free, producer wants 1000 */
	EXPECT_TRUE(vmbh_ring_space_signal(1000, 1100, 1000, 4096));
	/* was already enough */
	EXPECT_FALSE(vmbh_ring_space_signal(1000, 3000, 1000, 4096));
	/* still not enough (equal is not enough) */
	EXPECT_FALSE(vmbh_ring_space_signal(1000, 1000, 900, 4096));
	/* rounded down to 8: 1007 acts like 1000 */
	EXPECT_TRUE(vmbh_ring_space_signal(1007, 1001, 10, 4096));
	/* beyond the ring: never */
	EXPECT_FALSE(vmbh_ring_space_signal(4096, 4096, 4096, 4096));
	EXPECT_FALSE(vmbh_ring_space_signal(0xFFFFFFFF, 4096, 4096, 4096));
}

static int desc(uint16_t type, uint16_t off8, uint16_t len8, uint16_t flags,
		uint32_t avail, uint32_t max)
{
	struct vmbh_packet_desc d = { type, off8, len8, flags, 0 };

	return vmbh_pkt_desc_check(&d, avail, max);
}

TEST(pkt_desc_check)
{
	EXPECT_EQ(0, desc(6, 2, 2, 0, 24, 4096));
	EXPECT_EQ(0, desc(6, 2, 3, 1, 32, 4096));
	EXPECT_EQ(0, desc(0xB, 2, 3, 0, 32, 4096));
	EXPECT_EQ(0, desc(9, 3, 6, 1, 56, 4096));
	/* types */
	EXPECT_EQ(-EINVAL, desc(0, 2, 3, 0, 32, 4096));
	EXPECT_EQ(-EINVAL, desc(7, 2, 3, 0, 32, 4096));
	EXPECT_EQ(-EINVAL, desc(0xFFFF, 2, 3, 0, 32, 4096));
	/* flags */
	EXPECT_EQ(-EINVAL, desc(6, 2, 3, 2, 32, 4096));
	EXPECT_EQ(-EINVAL, desc(6, 2, 3, 0x8000, 32, 4096));
	/* offset8 and len8 */
	EXPECT_EQ(-EINVAL, desc(6, 1, 3, 0, 32, 4096));
	EXPECT_EQ(-EINVAL, desc(6, 0, 0, 0, 32, 4096));
	EXPECT_EQ(-EINVAL, desc(6, 3, 2, 0, 32, 4096));
	EXPECT_EQ(-EINVAL, desc(9, 2, 6, 1, 56, 4096));	/* no GPA header */
	/* trailer must fit as well */
	EXPECT_EQ(-EINVAL, desc(6, 2, 3, 0, 31, 4096));
	EXPECT_EQ(-EINVAL, desc(6, 2, 0xFFFF, 0, 4096, 1 << 20));
	EXPECT_EQ(-EMSGSIZE, desc(6, 2, 100, 0, 4096, 512));
}

TEST(gpa_ranges_check)
{
	uint64_t w[8];
	uint32_t n = 0xdead, pos = 0;
	struct vmbh_gpa_range r;

	/* {4096 + 100 at offset 200 -> 2 pages}, {4096 at 0 -> 1 page} */
	w[0] = (uint64_t)200 << 32 | (4096 + 100);
	w[1] = 10;
	w[2] = 11;
	w[3] = 4096;
	w[4] = 20;
	EXPECT_EQ(40, vmbh_gpa_ranges_check(w, 40, 2, &n));
	EXPECT_EQ(3, n);
	/* one range announced: only its 24 bytes, whatever follows */
	EXPECT_EQ(24, vmbh_gpa_ranges_check(w, 40, 1, &n));
	EXPECT_EQ(2, n);
	ASSERT_TRUE(vmbh_gpa_range_next(w, 24, &pos, &r));
	EXPECT_FALSE(vmbh_gpa_range_next(w, 24, &pos, &r));
	pos = 0;
	ASSERT_TRUE(vmbh_gpa_range_next(w, 40, &pos, &r));
	EXPECT_EQ(2, r.nr_pfns);
	EXPECT_EQ(11, r.pfns[1]);
	ASSERT_TRUE(vmbh_gpa_range_next(w, 40, &pos, &r));
	EXPECT_EQ(20, r.pfns[0]);
	EXPECT_FALSE(vmbh_gpa_range_next(w, 40, &pos, &r));
	/* too short, zero ranges, bad count/offset, overflow */
	EXPECT_EQ(-EINVAL, vmbh_gpa_ranges_check(w, 39, 2, &n));
	EXPECT_EQ(-EINVAL, vmbh_gpa_ranges_check(w, 40, 0, &n));
	EXPECT_EQ(-EINVAL, vmbh_gpa_ranges_check(w, 40, 3, &n));
	w[0] = 0;
	EXPECT_EQ(-EINVAL, vmbh_gpa_ranges_check(w, 40, 1, &n));
	w[0] = (uint64_t)4096 << 32 | 1;
	EXPECT_EQ(-EINVAL, vmbh_gpa_ranges_check(w, 40, 1, &n));
	w[0] = (uint64_t)0xFFF << 32 | 0xFFFFFFFF;
	EXPECT_EQ(-EINVAL, vmbh_gpa_ranges_check(w, 64, 1, &n));
}

static int ring_gpadl(uint32_t pages, uint32_t off, uint32_t byte_offset,
		      uint32_t nr_entries, uint32_t rangecount)
{
	static __u64 e[64];

	e[0] = (uint64_t)byte_offset << 32 | pages * 4096u;
	return vmbh_ring_gpadl_check(rangecount, e, nr_entries, off);
}

TEST(ring_gpadl_check)
{
	EXPECT_EQ(8, ring_gpadl(8, 4, 0, 9, 1));
	EXPECT_EQ(4, ring_gpadl(4, 2, 0, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 1, 0, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 3, 0, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 4, 0, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 0, 0, 5, 1));
	/* u32 wrap of offset + 2 */
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 0xFFFFFFFF, 0, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 0xFFFFFFFE, 0, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 2, 16, 5, 1));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 2, 0, 5, 2));
	EXPECT_EQ(-EINVAL, ring_gpadl(4, 2, 0, 4, 1));
}

TEST(mem_table_check)
{
	struct vmbh_mem_region r[3] = {
		{ 0x100000000ull, 0x10000, 0x7f0000000000ull },
		{ 0x0, 0x1000, 0x7f0000100000ull },
		{ 0x100010000ull, 0x1000, 0x7f0000200000ull },
	};

	EXPECT_EQ(0, vmbh_mem_table_check(r, 3));
	EXPECT_EQ(0, vmbh_mem_table_check(r, 0));
	r[2].gpa -= 0x1000;		/* overlaps r[0] */
	EXPECT_EQ(-EINVAL, vmbh_mem_table_check(r, 3));
	r[2].gpa += 0x1000;
	r[1].size = 0;
	EXPECT_EQ(-EINVAL, vmbh_mem_table_check(r, 3));
	r[1].size = 0x1000;
	r[1].uaddr += 8;
	EXPECT_EQ(-EINVAL, vmbh_mem_table_check(r, 3));
	r[1].uaddr -= 8;
	r[1].gpa = 0xFFFFFFFFFFFFF000ull;
	r[1].size = 0x2000;
	EXPECT_EQ(-EINVAL, vmbh_mem_table_check(r, 3));
	EXPECT_EQ(-EINVAL, vmbh_mem_table_check(r, VMBH_MAX_MEM_REGIONS + 1));
}

TEST_HARNESS_MAIN

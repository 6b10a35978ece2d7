// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest, hypercall and control-message level (vmbus-protocol.md
 * 7.1 and 7.2): each case sends one bad field, checks the status or reply,
 * then checks that the VM still works and that a second VM is untouched.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

static uint32_t post(struct tg_vm *vm, uint32_t conn, uint32_t type,
		     const void *payload, uint32_t size)
{
	return tg_post(vm, conn, type, payload, size);
}

static uint32_t a_gpadls(hostile_data *self)
{
	struct vmbh_bus_info i;

	if (tg_bus_info(&self->a, &i))
		return 0xFFFFFFFF;
	return i.nr_gpadls;
}

static uint32_t a_pinned(hostile_data *self)
{
	struct vmbh_bus_info i;

	if (tg_bus_info(&self->a, &i))
		return 0xFFFFFFFF;
	return i.pinned_pages;
}

/* GPADL over @n fresh pages of a, with one range. */
static uint64_t *fresh_pfns(hostile_data *self, uint32_t n)
{
	static uint64_t pfn[64];
	uint8_t *p = tg_mem_alloc(&self->a.mem, n);
	uint32_t i;

	for (i = 0; i < n; i++)
		pfn[i] = tg_mem_pfn(&self->a.mem, p + i * 4096);
	return pfn;
}

/* A one-range GPADL whose creation must fail with a non-zero status. */
static void gpadl_must_fail(struct __test_metadata *_metadata,
			    hostile_data *self,
			    const struct tg_gpadl_desc *d, uint32_t buflen)
{
	uint32_t before = a_gpadls(self), pinned = a_pinned(self);
	int st = tg_gpadl_create_desc(&self->a, self->relid1, 0xBAD0, d,
				      buflen);

	TH_LOG("GPADL_CREATED status %d", st);
	EXPECT_NE(0, st);
	EXPECT_NE(-ETIMEDOUT, st);
	EXPECT_EQ(before, a_gpadls(self));
	EXPECT_EQ(pinned, a_pinned(self));
	/* the failed id is free again */
	EXPECT_EQ(0, tg_gpadl_create(&self->a, self->relid1, 0xBAD0,
				     tg_mem_alloc(&self->a.mem, 1), 1));
	EXPECT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0xBAD0));
}

/* ---- 7.1 hypercall inputs ---- */

TEST_F(hostile, post_unknown_connection_ids)
{
	static const uint32_t ids[] = { 0, 2, 3, 5, 0x100, 0xFFFFFF };
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		EXPECT_EQ(TG_HV_STATUS_INVALID_CONNECTION_ID,
			  post(&self->a, ids[i], 1, &h, sizeof(h)));
	}
	hostile_after(_metadata, self, true);
}

/* Channel kick ids are not message ports. */
TEST_F(hostile, post_to_channel_connection_id)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };

	EXPECT_EQ(TG_HV_STATUS_INVALID_CONNECTION_ID,
		  post(&self->a, self->ca.conn_id, 1, &h, sizeof(h)));
	hostile_after(_metadata, self, true);
}

/* Bits 24-31 of the connection id are ignored. */
TEST_F(hostile, post_connection_id_high_bits_ignored)
{
	struct tg_gpadl_desc d;
	uint32_t saved = self->a.msg_conn_id;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 1), 1));
	self->a.msg_conn_id |= 0xAB000000;
	EXPECT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0x31, &d, 0));
	self->a.msg_conn_id = saved;
	EXPECT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0x31));
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* After 5.x contact only the id VERSION_RESPONSE named is a message port. */
TEST_F(hostile, post_to_other_message_port)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };
	uint32_t other = self->a.msg_conn_id == 1 ? 4 : 1;

	EXPECT_EQ(TG_HV_STATUS_INVALID_CONNECTION_ID,
		  post(&self->a, other, 1, &h, sizeof(h)));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, post_bad_message_types)
{
	static const uint32_t types[] = { 0, 2, 0x80000010, 0xFFFFFFFF };
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
			  post(&self->a, self->a.msg_conn_id, types[i], &h,
			       sizeof(h)));
	}
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, post_payload_too_small)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };
	uint32_t sz;

	for (sz = 0; sz < 8; sz++) {
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
			  post(&self->a, self->a.msg_conn_id, 1, &h, sz));
	}
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, post_payload_too_large)
{
	uint8_t buf[256] = { TG_MSG_GPADL_TEARDOWN };

	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
		  post(&self->a, self->a.msg_conn_id, 1, buf, 241));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
		  post(&self->a, self->a.msg_conn_id, 1, buf, 256));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
		  post(&self->a, self->a.msg_conn_id, 1, buf, 0x80000000u));
	hostile_after(_metadata, self, true);
}

/* Each guest->host message type, one byte short of its fixed size. */
TEST_F(hostile, post_truncated_messages)
{
	static const struct { uint32_t type, size; } t[] = {
		{ TG_MSG_OPENCHANNEL, 148 }, { TG_MSG_CLOSECHANNEL, 12 },
		{ TG_MSG_GPADL_HEADER, 20 }, { TG_MSG_GPADL_BODY, 16 },
		{ TG_MSG_GPADL_TEARDOWN, 16 }, { TG_MSG_RELID_RELEASED, 12 },
		{ TG_MSG_INITIATE_CONTACT, 40 }, { TG_MSG_MODIFYCHANNEL, 16 },
	};
	uint8_t buf[240];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t conn = t[i].type == TG_MSG_INITIATE_CONTACT ?
				TG_MESSAGE_CONNECTION_ID_4 : self->a.msg_conn_id;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, &t[i].type, 4);
		/* fields that would make a full message valid */
		memcpy(buf + 8, &self->ca.relid, 4);
		TH_LOG("type %u size %u", t[i].type, t[i].size - 1);
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
			  post(&self->a, conn, 1, buf, t[i].size - 1));
	}
	hostile_after(_metadata, self, true);
}

/* Host->guest message types and unknown types sent by the guest. */
TEST_F(hostile, post_host_to_guest_and_unknown_msgtypes)
{
	static const uint32_t types[] = {
		TG_MSG_INVALID, TG_MSG_OFFERCHANNEL, TG_MSG_RESCIND_CHANNELOFFER,
		TG_MSG_ALLOFFERS_DELIVERED, TG_MSG_OPENCHANNEL_RESULT,
		TG_MSG_GPADL_CREATED, TG_MSG_GPADL_TORNDOWN,
		TG_MSG_VERSION_RESPONSE, TG_MSG_UNLOAD_RESPONSE,
		TG_MSG_TL_CONNECT_RESULT, TG_MSG_MODIFYCHANNEL_RESPONSE,
		18, 19, 20, 25, 26, 29, 0x100, 0xFFFFFFFF,
	};
	uint8_t buf[240] = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		memcpy(buf, &types[i], 4);
		TH_LOG("msgtype %u", types[i]);
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
			  post(&self->a, self->a.msg_conn_id, 1, buf, 240));
	}
	hostile_after(_metadata, self, true);
}

/*
 * A guest that never frees its message slot while it keeps asking for
 * replies: the host queues a bounded number and then answers
 * INSUFFICIENT_BUFFERS; freeing the slot drains the queue.
 */
TEST_F(hostile, message_flood_bounded)
{
	struct tg_modifychannel m = { .hdr.msgtype = TG_MSG_MODIFYCHANNEL };
	struct vmbh_bus_info info;
	uint32_t st = 0;
	int i;

	m.child_relid = self->ca.relid;
	for (i = 0; i < 1000; i++) {
		m.target_vp = i & 1;
		st = tg_send(&self->a, &m, sizeof(m));
		if (st != TG_HV_STATUS_SUCCESS)
			break;
	}
	TH_LOG("status %u after %d posts", st, i);
	EXPECT_EQ(TG_HV_STATUS_INSUFFICIENT_BUFFERS, st);
	ASSERT_EQ(0, tg_bus_info(&self->a, &info));
	EXPECT_LE(info.queued_msgs, 64);
	EXPECT_LT(i, 1000);
	/* free the slot: every queued reply arrives in turn */
	EXPECT_EQ(info.queued_msgs + 1,
		  tg_count_msgs(&self->a, TG_MSG_MODIFYCHANNEL_RESPONSE, 500));
	hostile_after(_metadata, self, true);
}

/* EOM (resample) and kick storms carry no meaning beyond "look again". */
TEST_F(hostile, eom_and_kick_storms)
{
	uint64_t one = 1;
	int i;

	for (i = 0; i < 20000; i++) {
		if (write(self->a.vp[0].eom_fd, &one, 8) != 8 ||
		    write(self->ca.kick_fd, &one, 8) != 8)
			break;
	}
	EXPECT_EQ(20000, i);
	hostile_after(_metadata, self, true);
}

/* Two VPs sharing one SIMP/SIEFP page, and a SIMP laid over a ring page. */
TEST_F(hostile, synic_pages_aliased)
{
	struct tg_vp saved = self->a.vp[1];

	self->a.vp[1].simp = self->a.vp[0].simp;
	self->a.vp[1].siefp = self->a.vp[0].siefp;
	ASSERT_EQ(0, tg_vm_set_vp(&self->a, 1, VMBH_VCPU_FLAGS));
	hostile_after(_metadata, self, true);
	/* legal but silly: VP 1's message page is a's ring header page */
	self->a.vp[1].simp = self->ca.ring_mem;
	self->a.vp[1].siefp = (uint8_t *)self->ca.ring_mem + 4096;
	ASSERT_EQ(0, tg_vm_set_vp(&self->a, 1, VMBH_VCPU_FLAGS));
	self->a.vp[1] = saved;
	ASSERT_EQ(0, tg_vm_set_vp(&self->a, 1, VMBH_VCPU_FLAGS));
	hostile_after(_metadata, self, false);
}

/* ---- 7.2 INITIATE_CONTACT / UNLOAD / REQUESTOFFERS ---- */

static int contact_raw(hostile_data *self,
		       struct tg_initiate_contact *c, uint32_t conn,
		       struct tg_version_response *r, uint32_t *st)
{
	c->hdr.msgtype = TG_MSG_INITIATE_CONTACT;
	*st = post(&self->a, conn, 1, c, sizeof(*c));
	if (*st)
		return -EPROTO;
	return tg_wait_msg(&self->a, TG_MSG_VERSION_RESPONSE, r, sizeof(*r),
			   TG_TIMEOUT_MS);
}

/* Re-establish a's connection and channel after a contact test. */
static void reconnect_a(struct __test_metadata *_metadata,
			hostile_data *self)
{
	const struct tg_offer *o;

	tg_chan_forget(&self->ca);
	tg_drop_msgs(&self->a);
	ASSERT_EQ(0, tg_connect(&self->a, TG_VERSION_WIN10_V5_3));
	o = tg_find_offer(&self->a, self->da[0].instance, 0);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca, o, &self->da[0], 4, 4, 0));
	o = tg_find_offer(&self->a, self->da[1].instance, 0);
	ASSERT_NE(NULL, o);
	self->relid1 = o->child_relid;
}

TEST_F(hostile, contact_v5_on_connection_1)
{
	struct tg_initiate_contact c = {
		.vmbus_version_requested = TG_VERSION_WIN10_V5_3, .msg_sint = 2 };
	struct tg_version_response r;
	uint32_t st;

	EXPECT_EQ(-EPROTO, contact_raw(self, &c, 1, &r, &st));
	EXPECT_EQ(TG_HV_STATUS_INVALID_CONNECTION_ID, st);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, contact_bad_sint_and_vtl)
{
	struct tg_initiate_contact c = {
		.vmbus_version_requested = TG_VERSION_WIN10_V5_3 };
	struct tg_version_response r;
	struct vmbh_bus_info info;
	uint8_t sints[] = { 0, 1, 3, 15, 255 };
	unsigned int i;
	uint32_t st;

	for (i = 0; i < sizeof(sints); i++) {
		c.msg_sint = sints[i];
		c.msg_vtl = 0;
		ASSERT_LE(16, contact_raw(self, &c, 4, &r, &st));
		EXPECT_EQ(0, r.version_supported);
	}
	c.msg_sint = 2;
	c.msg_vtl = 1;
	ASSERT_LE(16, contact_raw(self, &c, 4, &r, &st));
	EXPECT_EQ(0, r.version_supported);
	ASSERT_EQ(0, tg_bus_info(&self->a, &info));
	EXPECT_EQ(VMBH_BUS_DISCONNECTED, info.state);
	EXPECT_EQ(0, info.nr_gpadls);
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, contact_one_monitor_page)
{
	struct tg_initiate_contact c = {
		.vmbus_version_requested = TG_VERSION_WIN10_V5_3, .msg_sint = 2 };
	struct tg_version_response r;
	uint32_t st;

	c.monitor_page1 = tg_mem_gpa(&self->a.mem, tg_mem_alloc(&self->a.mem, 1));
	ASSERT_LE(16, contact_raw(self, &c, 4, &r, &st));
	EXPECT_EQ(0, r.version_supported);
	c.monitor_page2 = c.monitor_page1;
	c.monitor_page1 = 0;
	ASSERT_LE(16, contact_raw(self, &c, 4, &r, &st));
	EXPECT_EQ(0, r.version_supported);
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

/* Monitor pages are never dereferenced: outside RAM is no host access. */
TEST_F(hostile, contact_monitor_pages_outside_ram)
{
	struct tg_initiate_contact c = {
		.vmbus_version_requested = TG_VERSION_WIN10_V5_3, .msg_sint = 2,
		.monitor_page1 = 0xFFFFFFFFFFFFF000ull,
		.monitor_page2 = 0x1000,
	};
	struct tg_version_response r;
	uint32_t st;

	ASSERT_LE(16, contact_raw(self, &c, 4, &r, &st));
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

/* Below 5.0 the interrupt page is a GPA the host must never use. */
TEST_F(hostile, contact_interrupt_page_garbage)
{
	struct tg_initiate_contact c = {
		.vmbus_version_requested = TG_VERSION_WIN10,
		.interrupt_page = 0xDEADBEEFCAFEF00Dull,
	};
	struct tg_version_response r;
	uint32_t st;

	ASSERT_LE(16, contact_raw(self, &c, 1, &r, &st));
	EXPECT_EQ(1, r.version_supported);
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

/* target_vcpu must name a VP the VMM set up. */
TEST_F(hostile, contact_bad_target_vcpu)
{
	static const uint32_t vps[] = { 2, 1023, 1024, 0xFFFFFFFF };
	struct tg_initiate_contact c = {
		.vmbus_version_requested = TG_VERSION_WIN10_V5_3, .msg_sint = 2 };
	struct vmbh_bus_info info;
	unsigned int i;
	uint32_t st;

	for (i = 0; i < ARRAY_SIZE(vps); i++) {
		c.target_vcpu = vps[i];
		c.hdr.msgtype = TG_MSG_INITIATE_CONTACT;
		st = post(&self->a, 4, 1, &c, sizeof(c));
		TH_LOG("target_vcpu %u: status %u", vps[i], st);
		tg_count_msgs(&self->a, 0, 50);
		ASSERT_EQ(0, tg_bus_info(&self->a, &info));
		/* never connected to a VP that does not exist */
		if (info.state != VMBH_BUS_DISCONNECTED) {
			EXPECT_LT(info.target_vp, 2);
		}
		tg_drop_msgs(&self->a);
	}
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

/* 200 reconnects in a row: each one a full reset, nothing accumulates. */
TEST_F_TIMEOUT(hostile, contact_storm, 300)
{
	struct vmbh_bus_info info;
	int i;

	for (i = 0; i < 200; i++) {
		ASSERT_EQ(1, tg_contact(&self->a, TG_VERSION_WIN10_V5_3, 0,
					NULL, NULL));
		if (i % 3 == 0) {
			ASSERT_EQ(2, tg_request_offers(&self->a));
		}
	}
	ASSERT_EQ(0, tg_bus_info(&self->a, &info));
	EXPECT_EQ(0, info.nr_gpadls);
	EXPECT_EQ(0, info.pinned_pages);
	EXPECT_EQ(0, info.queued_msgs);
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, unload_twice_and_while_disconnected)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_UNLOAD };

	ASSERT_EQ(0, tg_unload(&self->a));
	/* a second UNLOAD on a dead connection changes nothing */
	tg_send(&self->a, &h, sizeof(h));
	tg_send(&self->a, &h, sizeof(h));
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, requestoffers_twice)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };

	tg_send(&self->a, &h, sizeof(h));
	EXPECT_EQ(0, tg_count_msgs(&self->a, TG_MSG_OFFERCHANNEL, TG_QUIET_MS));
	hostile_after(_metadata, self, true);
}

/* ---- 7.2 GPADL_HEADER / GPADL_BODY ---- */

TEST_F(hostile, gpadl_unknown_relid)
{
	static const uint32_t relids[] = { 0, 999, 2047, 2048, 0xFFFFFFFF };
	struct tg_gpadl_desc d;
	unsigned int i;
	int st;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 1), 1));
	for (i = 0; i < ARRAY_SIZE(relids); i++) {
		st = tg_gpadl_create_desc(&self->a, relids[i], 0x40 + i, &d, 0);
		TH_LOG("relid %u: %d", relids[i], st);
		EXPECT_NE(0, st);
	}
	EXPECT_EQ(1, a_gpadls(self));
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_duplicate_id_same_channel)
{
	struct tg_gpadl_desc d;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 1), 1));
	ASSERT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0x50, &d, 0));
	EXPECT_NE(0, tg_gpadl_create_desc(&self->a, self->relid1, 0x50, &d, 0));
	EXPECT_EQ(2, a_gpadls(self));
	/*
	 * the ring GPADL's id on another channel is a duplicate too? no: ids
	 * are per channel in OpenVMM; a's first GPADL still tears down once
	 */
	EXPECT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0x50));
	EXPECT_EQ(1, a_gpadls(self));
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* Bodies carry no relid: an id being built may not be reused anywhere. */
TEST_F(hostile, gpadl_duplicate_id_in_progress)
{
	struct tg_gpadl_header h = {
		.hdr.msgtype = TG_MSG_GPADL_HEADER,
		.gpadl = 0x60,
		.range_buflen = 8 * 100,	/* needs bodies */
		.rangecount = 1,
	};
	struct tg_gpadl_desc d;

	h.child_relid = self->ca.relid;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &h, sizeof(h)));
	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 1), 1));
	EXPECT_NE(0, tg_gpadl_create_desc(&self->a, self->relid1, 0x60, &d, 0));
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_range_buflen_not_multiple_of_8)
{
	struct tg_gpadl_desc d;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 2), 2));
	gpadl_must_fail(_metadata, self, &d, 8 * 3 - 1);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_range_buflen_too_small_for_rangecount)
{
	struct tg_gpadl_desc d;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 2), 2));
	gpadl_must_fail(_metadata, self, &d, 8);	/* range header only */
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_rangecount_zero)
{
	struct tg_gpadl_desc d;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 1), 1));
	d.rangecount = 0;
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_rangecount_past_buffer)
{
	struct tg_gpadl_desc d;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 2), 2));
	d.rangecount = 3;	/* only one range in range_buflen */
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_byte_count_zero)
{
	struct tg_gpadl_desc d = { 0 };

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 0, 0, fresh_pfns(self, 1), 1));
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_byte_offset_past_page)
{
	struct tg_gpadl_desc d = { 0 };

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 100, 0x1000, fresh_pfns(self, 2), 2));
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_byte_count_overflow)
{
	struct tg_gpadl_desc d = { 0 };

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 0xFFFFFFFF, 0xFFF,
				       fresh_pfns(self, 4), 4));
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* The range needs 3 PFNs, range_buflen holds 2. */
TEST_F(hostile, gpadl_not_enough_pfns)
{
	struct tg_gpadl_desc d = { 0 };

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 3 * 4096, 0, fresh_pfns(self, 2), 2));
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* A page count past the per-GPADL limit, claimed by byte_count. */
TEST_F(hostile, gpadl_page_count_past_limit)
{
	struct tg_gpadl_desc d = { 0 };

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 16385u * 4096, 0,
				       fresh_pfns(self, 4), 4));
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* More entries than range_buflen can express. */
TEST_F(hostile, gpadl_range_buflen_max)
{
	struct tg_gpadl_desc d = { 0 };

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 8191u * 4096, 0,
				       fresh_pfns(self, 4), 4));
	/* 0xFFF8: 8191 entries announced, 5 sent: the GPADL never completes */
	EXPECT_EQ(-ETIMEDOUT, tg_gpadl_create_desc(&self->a, self->relid1,
						   0x70, &d, 0xFFF8));
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

static void gpadl_bad_pfn(struct __test_metadata *_metadata,
			  hostile_data *self, uint64_t bad)
{
	struct tg_gpadl_desc d = { 0 };
	uint64_t *pfn = fresh_pfns(self, 3);

	pfn[1] = bad;
	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 3 * 4096, 0, pfn, 3));
	gpadl_must_fail(_metadata, self, &d, 0);
	tg_gpadl_desc_free(&d);
}

TEST_F(hostile, gpadl_pfn_after_memory_table)
{
	gpadl_bad_pfn(_metadata, self,
		      (self->a.mem.gpa + self->a.mem.size) >> 12);
	gpadl_bad_pfn(_metadata, self,
		      (self->a.mem.gpa + self->a.mem.size + (1ull << 30)) >> 12);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_pfn_before_memory_table)
{
	gpadl_bad_pfn(_metadata, self, 0);
	gpadl_bad_pfn(_metadata, self, (self->a.mem.gpa >> 12) - 1);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_pfn_overflows_gpa)
{
	gpadl_bad_pfn(_metadata, self, 1ull << 52);
	gpadl_bad_pfn(_metadata, self, 0xFFFFFFFFFFFFFFFFull);
	gpadl_bad_pfn(_metadata, self,
		      (self->a.mem.gpa >> 12) | (1ull << 52));
	hostile_after(_metadata, self, true);
}

/* Host-side addresses are not GPAs: the SIMP page of the VMM, say. */
TEST_F(hostile, gpadl_pfn_of_vmm_address)
{
	gpadl_bad_pfn(_metadata, self, (uintptr_t)self->a.vp[0].simp >> 12);
	hostile_after(_metadata, self, true);
}

/* The memory table shrinks: GPAs that were RAM are not any more. */
TEST_F(hostile, gpadl_after_memory_removed)
{
	struct vmbh_mem_region r = {
		.gpa = self->a.mem.gpa,
		.size = self->a.mem.size / 2,
		.uaddr = (uintptr_t)self->a.mem.base,
	};
	struct vmbh_set_mem_table t = {
		.size = sizeof(t), .nr_regions = 1, .regions = (uintptr_t)&r,
	};

	ASSERT_EQ(0, tg_ioctl(self->a.fd, VMBH_SET_MEM_TABLE, &t));
	gpadl_bad_pfn(_metadata, self,
		      (self->a.mem.gpa + self->a.mem.size / 2) >> 12);
	ASSERT_EQ(0, tg_vm_set_mem(&self->a));
	hostile_after(_metadata, self, true);
}

/* Duplicate PFNs and PFNs of the open ring are legal and harmless. */
TEST_F(hostile, gpadl_aliasing_pfns)
{
	struct tg_gpadl_desc d = { 0 };
	uint64_t pfn[4];

	pfn[0] = tg_mem_pfn(&self->a.mem, self->ca.ring_mem);
	pfn[1] = pfn[0];
	pfn[2] = pfn[0];
	pfn[3] = pfn[0] + 5;
	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 4 * 4096, 0, pfn, 4));
	EXPECT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0x80, &d, 0));
	EXPECT_EQ(4 + 8, a_pinned(self));
	EXPECT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0x80));
	EXPECT_EQ(8, a_pinned(self));
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* Payload longer than range_buflen: the excess is ignored. */
TEST_F(hostile, gpadl_payload_longer_than_buflen)
{
	uint8_t buf[240] = { 0 };
	struct tg_gpadl_header *h = (void *)buf;
	uint64_t *w = (uint64_t *)(buf + sizeof(*h));
	struct tg_gpadl_created r;
	int i;

	h->hdr.msgtype = TG_MSG_GPADL_HEADER;
	h->child_relid = self->relid1;
	h->gpadl = 0x90;
	h->range_buflen = 16;
	h->rangecount = 1;
	w[0] = 4096;
	w[1] = fresh_pfns(self, 1)[0];
	for (i = 2; i < 27; i++)
		w[i] = 0xFFFFFFFFFFFFFFFFull;	/* garbage past the end */
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, buf, 240));
	ASSERT_LE(20, tg_wait_msg(&self->a, TG_MSG_GPADL_CREATED, &r,
				  sizeof(r), TG_TIMEOUT_MS));
	EXPECT_EQ(0, r.creation_status);
	EXPECT_EQ(8 + 1, a_pinned(self));
	EXPECT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0x90));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, gpadl_body_unknown_id)
{
	uint8_t buf[240] = { 0 };
	struct tg_gpadl_body *b = (void *)buf;

	b->hdr.msgtype = TG_MSG_GPADL_BODY;
	b->gpadl = 0xFEEDu;
	EXPECT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, buf, 240));
	EXPECT_EQ(0, tg_count_msgs(&self->a, TG_MSG_GPADL_CREATED, TG_QUIET_MS));
	EXPECT_EQ(1, a_gpadls(self));
	hostile_after(_metadata, self, true);
}

/* A body for the complete ring GPADL: must not extend or break it. */
TEST_F(hostile, gpadl_body_for_completed_gpadl)
{
	uint8_t buf[240] = { 0 };
	struct tg_gpadl_body *b = (void *)buf;

	b->hdr.msgtype = TG_MSG_GPADL_BODY;
	b->gpadl = self->ca.gpadl;
	memset(buf + sizeof(*b), 0xff, 240 - sizeof(*b));
	tg_send(&self->a, buf, 240);
	EXPECT_EQ(1, a_gpadls(self));
	EXPECT_EQ(8, a_pinned(self));
	hostile_after(_metadata, self, true);
}

/* Bodies with more PFNs than the GPADL still needs: the excess ignored. */
TEST_F(hostile, gpadl_body_excess_entries)
{
	struct tg_gpadl_desc d;
	uint64_t *pfn = calloc(40, 8);
	uint8_t *p = tg_mem_alloc(&self->a.mem, 30);
	int i;

	for (i = 0; i < 40; i++)
		pfn[i] = tg_mem_pfn(&self->a.mem, p + (i % 30) * 4096);
	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, pfn, 40));
	/* announce 30 pages: header 26 + body of 14 words, 10 extra */
	d.words[0] = 30 * 4096;
	EXPECT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0xA0, &d,
					  8 * 31));
	EXPECT_EQ(8 + 30, a_pinned(self));
	EXPECT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0xA0));
	free(pfn);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* GPADLs started and never finished: bounded, and freed by a reset. */
TEST_F(hostile, gpadl_in_progress_flood)
{
	struct tg_gpadl_header h = {
		.hdr.msgtype = TG_MSG_GPADL_HEADER,
		.range_buflen = 8 * 200,
		.rangecount = 1,
	};
	struct vmbh_bus_info info;
	int i, refused = 0;

	h.child_relid = self->relid1;
	for (i = 0; i < 200; i++) {
		h.gpadl = 0x10000 + i;
		if (tg_send(&self->a, &h, sizeof(h)) != TG_HV_STATUS_SUCCESS)
			refused++;
	}
	tg_count_msgs(&self->a, 0, 50);
	ASSERT_EQ(0, tg_bus_info(&self->a, &info));
	TH_LOG("%u GPADLs after 200 unfinished headers, %d refused posts",
	       info.nr_gpadls, refused);
	EXPECT_LE(info.nr_gpadls, 1 + 64);
	tg_drop_msgs(&self->a);
	ASSERT_EQ(0, tg_reset(&self->a));
	ASSERT_EQ(0, tg_bus_info(&self->a, &info));
	EXPECT_EQ(0, info.nr_gpadls);
	reconnect_a(_metadata, self);
	hostile_after(_metadata, self, true);
}

/* Per-VM GPADL count limit (1024). */
TEST_F_TIMEOUT(hostile, gpadl_count_limit, 300)
{
	struct tg_gpadl_desc d;
	int i, st = 0, ok = 0;

	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, fresh_pfns(self, 1), 1));
	for (i = 0; i < 1100; i++) {
		st = tg_gpadl_create_desc(&self->a, self->relid1, 0x20000 + i,
					  &d, 0);
		if (st)
			break;
		ok++;
	}
	TH_LOG("%d GPADLs accepted, then status %d", ok, st);
	EXPECT_EQ(1024 - 1, ok);	/* the ring is one of them */
	EXPECT_NE(0, st);
	EXPECT_NE(-ETIMEDOUT, st);
	for (i = 0; i < ok; i++) {
		ASSERT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1,
					       0x20000 + i));
	}
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

/* ---- 7.2 GPADL_TEARDOWN ---- */

TEST_F(hostile, teardown_unknown_gpadl)
{
	EXPECT_EQ(-ETIMEDOUT, tg_gpadl_teardown(&self->a, self->relid1, 0x1234));
	EXPECT_EQ(1, a_gpadls(self));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, teardown_wrong_channel)
{
	/* a's ring GPADL named with the other channel's relid */
	tg_gpadl_teardown(&self->a, self->relid1, self->ca.gpadl);
	EXPECT_EQ(1, a_gpadls(self));
	EXPECT_EQ(8, a_pinned(self));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, teardown_twice)
{
	ASSERT_EQ(0, tg_gpadl_create(&self->a, self->relid1, 0xB0,
				     tg_mem_alloc(&self->a.mem, 1), 1));
	ASSERT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0xB0));
	EXPECT_EQ(-ETIMEDOUT, tg_gpadl_teardown(&self->a, self->relid1, 0xB0));
	EXPECT_EQ(1, a_gpadls(self));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, teardown_in_progress_gpadl)
{
	struct tg_gpadl_header h = {
		.hdr.msgtype = TG_MSG_GPADL_HEADER,
		.gpadl = 0xC0,
		.range_buflen = 8 * 100,
		.rangecount = 1,
	};

	h.child_relid = self->relid1;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &h, sizeof(h)));
	EXPECT_EQ(-ETIMEDOUT, tg_gpadl_teardown(&self->a, self->relid1, 0xC0));
	hostile_after(_metadata, self, true);
}

/*
 * Tearing down the ring of an open channel: no TORNDOWN while the host
 * still maps it; it comes after CLOSECHANNEL.
 */
TEST_F(hostile, teardown_ring_of_open_channel)
{
	struct tg_gpadl_teardown t = { .hdr.msgtype = TG_MSG_GPADL_TEARDOWN };
	struct tg_relid_msg c = { .hdr.msgtype = TG_MSG_CLOSECHANNEL };
	const struct tg_offer *o;

	t.child_relid = self->ca.relid;
	t.gpadl = self->ca.gpadl;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &t, sizeof(t)));
	EXPECT_EQ(0, tg_count_msgs(&self->a, TG_MSG_GPADL_TORNDOWN, TG_QUIET_MS));
	EXPECT_EQ(8, a_pinned(self));
	c.child_relid = self->ca.relid;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &c, sizeof(c)));
	EXPECT_LE(12, tg_wait_msg(&self->a, TG_MSG_GPADL_TORNDOWN, NULL, 0,
				  TG_TIMEOUT_MS));
	EXPECT_EQ(0, a_pinned(self));
	tg_chan_forget(&self->ca);
	o = tg_find_offer(&self->a, self->da[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca, o, &self->da[0], 4, 4, 0));
	hostile_after(_metadata, self, true);
}

/* ---- 7.2 OPENCHANNEL ---- */

static int open_raw(hostile_data *self, uint32_t relid,
		    uint32_t gpadl, uint32_t target_vp, uint32_t offset)
{
	struct tg_open o = { .hdr.msgtype = TG_MSG_OPENCHANNEL };
	struct tg_open_result r;
	int ret;

	o.child_relid = relid;
	o.openid = 0x0BE17;
	o.ringbuffer_gpadlhandle = gpadl;
	o.target_vp = target_vp;
	o.downstream_ringbuffer_pageoffset = offset;
	if (tg_send(&self->a, &o, sizeof(o)) != TG_HV_STATUS_SUCCESS)
		return -EPROTO;
	ret = tg_wait_msg_match(&self->a, TG_MSG_OPENCHANNEL_RESULT,
				offsetof(struct tg_open_result, openid), 0x0BE17,
				&r, sizeof(r), TG_QUIET_MS * 5);
	if (ret < 0)
		return ret;
	return r.status;
}

static uint32_t chan1_state(hostile_data *self)
{
	struct vmbh_channel_stats st;

	if (tg_chan_stats(&self->a, &self->da[1], 0, &st))
		return 0xFFFFFFFF;
	return st.state;
}

/* A ring GPADL of @pages on channel 1 with headers initialised. */
static void *ring_gpadl(hostile_data *self, uint32_t id,
			uint32_t pages)
{
	void *p = tg_mem_alloc(&self->a.mem, pages);
	struct tg_ring r;

	tg_ring_init(&r, p, 4096 * 2);
	if (pages > 2)
		tg_ring_init(&r, (uint8_t *)p + 2 * 4096, 4096 * (pages - 2));
	if (tg_gpadl_create(&self->a, self->relid1, id, p, pages))
		return NULL;
	return p;
}

static void open_must_fail(struct __test_metadata *_metadata,
			   hostile_data *self, uint32_t relid,
			   uint32_t gpadl, uint32_t vp, uint32_t off)
{
	int st = open_raw(self, relid, gpadl, vp, off);

	TH_LOG("OPENCHANNEL relid %u gpadl %#x vp %u offset %u: %d", relid,
	       gpadl, vp, off, st);
	/* a Linux guest waits for the result forever: it must come */
	EXPECT_NE(-ETIMEDOUT, st);
	EXPECT_NE(0, st);
	EXPECT_EQ(VMBH_CHAN_OFFERED, chan1_state(self));
}

TEST_F(hostile, open_unknown_relid)
{
	EXPECT_NE(0, open_raw(self, 0, self->ca.gpadl, 0, 4));
	EXPECT_NE(0, open_raw(self, 1999, self->ca.gpadl, 0, 4));
	EXPECT_NE(0, open_raw(self, 0xFFFFFFFF, self->ca.gpadl, 0, 4));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_unknown_gpadl)
{
	open_must_fail(_metadata, self, self->relid1, 0x7777, 0, 2);
	hostile_after(_metadata, self, true);
}

/* The ring GPADL of channel 0 used to open channel 1. */
TEST_F(hostile, open_gpadl_of_other_channel)
{
	open_must_fail(_metadata, self, self->relid1, self->ca.gpadl, 0, 4);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_incomplete_gpadl)
{
	struct tg_gpadl_header h = {
		.hdr.msgtype = TG_MSG_GPADL_HEADER,
		.gpadl = 0xD0,
		.range_buflen = 8 * 60,
		.rangecount = 1,
	};

	h.child_relid = self->relid1;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &h, sizeof(h)));
	open_must_fail(_metadata, self, self->relid1, 0xD0, 0, 2);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_multi_range_or_offset_gpadl)
{
	struct tg_gpadl_desc d = { 0 };
	uint64_t *pfn = fresh_pfns(self, 4);

	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 2 * 4096, 0, pfn, 2));
	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 2 * 4096, 0, pfn + 2, 2));
	ASSERT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0xD1, &d, 0));
	open_must_fail(_metadata, self, self->relid1, 0xD1, 0, 2);
	tg_gpadl_desc_free(&d);
	memset(&d, 0, sizeof(d));
	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 3 * 4096, 16, pfn, 4));
	ASSERT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0xD2, &d, 0));
	open_must_fail(_metadata, self, self->relid1, 0xD2, 0, 2);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_bad_downstream_offset)
{
	static const uint32_t offs[] = { 0, 1, 5, 6, 7, 0xFFFFFFFF };
	unsigned int i;

	ASSERT_NE(NULL, ring_gpadl(self, 0xD3, 6));
	for (i = 0; i < ARRAY_SIZE(offs); i++)
		open_must_fail(_metadata, self, self->relid1, 0xD3, 0, offs[i]);
	/* offset 2 of 6 is fine: proves the GPADL itself was good */
	EXPECT_EQ(0, open_raw(self, self->relid1, 0xD3, 0, 2));
	hostile_after(_metadata, self, true);
}

static void open_bad_index(struct __test_metadata *_metadata,
			   hostile_data *self, bool out_ring,
			   uint32_t value)
{
	uint8_t *p = ring_gpadl(self, 0xD4, 4);
	struct tg_ring_hdr *h;

	ASSERT_NE(NULL, p);
	if (out_ring)
		h = (void *)p;
	else
		h = (void *)(p + 2 * 4096);
	if (out_ring)
		h->write_index = value;
	else
		h->read_index = value;
	open_must_fail(_metadata, self, self->relid1, 0xD4, 0, 2);
	ASSERT_EQ(0, tg_gpadl_teardown(&self->a, self->relid1, 0xD4));
}

TEST_F(hostile, open_out_ring_write_index_bad)
{
	open_bad_index(_metadata, self, true, 4096);	/* == data size */
	open_bad_index(_metadata, self, true, 0xFFFFFFF8);
	open_bad_index(_metadata, self, true, 12);	/* not 8-aligned */
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_in_ring_read_index_bad)
{
	open_bad_index(_metadata, self, false, 4096);
	open_bad_index(_metadata, self, false, 0x80000000);
	open_bad_index(_metadata, self, false, 4);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_bad_target_vp)
{
	ASSERT_NE(NULL, ring_gpadl(self, 0xD5, 4));
	open_must_fail(_metadata, self, self->relid1, 0xD5, 2, 2);
	open_must_fail(_metadata, self, self->relid1, 0xD5, 1024, 2);
	open_must_fail(_metadata, self, self->relid1, 0xD5, 0xFFFFFFFE, 2);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, open_twice)
{
	struct vmbh_channel_stats st;

	/* a second ring GPADL of the same, already open, channel */
	ASSERT_EQ(0, tg_gpadl_create(&self->a, self->ca.relid, 0xD6,
				     tg_mem_alloc(&self->a.mem, 4), 4));
	EXPECT_NE(0, open_raw(self, self->ca.relid, 0xD6, 0, 2));
	ASSERT_EQ(0, tg_chan_stats(&self->a, &self->da[0], 0, &st));
	EXPECT_EQ(VMBH_CHAN_OPEN, st.state);
	hostile_after(_metadata, self, true);
}

/* ---- 7.2 CLOSECHANNEL, RELID_RELEASED, MODIFYCHANNEL, TL_CONNECT ---- */

TEST_F(hostile, close_not_open_and_unknown)
{
	struct tg_relid_msg c = { .hdr.msgtype = TG_MSG_CLOSECHANNEL };
	struct tg_chan ch;
	const struct tg_offer *o;

	c.child_relid = self->relid1;
	EXPECT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &c, sizeof(c)));
	c.child_relid = 1500;
	EXPECT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &c, sizeof(c)));
	EXPECT_EQ(0, tg_count_msgs(&self->a, 0, TG_QUIET_MS));
	EXPECT_EQ(VMBH_CHAN_OFFERED, chan1_state(self));
	/* channel 1 can still be opened normally */
	o = tg_find_offer(&self->a, self->da[1].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->a, &ch, o, &self->da[1], 2, 2, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 5, 5, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
	hostile_after(_metadata, self, true);
}

/* RELID_RELEASED of an open channel (never rescinded) changes nothing. */
TEST_F(hostile, relid_released_of_live_channels)
{
	struct tg_relid_msg m = { .hdr.msgtype = TG_MSG_RELID_RELEASED };
	struct vmbh_bus_info info;

	/*
	 * (an offer never opened may be released: Linux does when probing
	 * fails, so relid1 is left alone here)
	 */
	m.child_relid = self->ca.relid;
	tg_send(&self->a, &m, sizeof(m));
	m.child_relid = 2047;
	tg_send(&self->a, &m, sizeof(m));
	ASSERT_EQ(0, tg_bus_info(&self->a, &info));
	EXPECT_EQ(2, info.nr_channels);
	EXPECT_EQ(1, info.nr_gpadls);
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, modifychannel_bad_target)
{
	struct tg_modifychannel m = { .hdr.msgtype = TG_MSG_MODIFYCHANNEL };
	struct tg_modifychannel_response r;

	m.child_relid = self->ca.relid;
	m.target_vp = 7;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &m, sizeof(m)));
	ASSERT_LE(16, tg_wait_msg(&self->a, TG_MSG_MODIFYCHANNEL_RESPONSE, &r,
				  sizeof(r), TG_TIMEOUT_MS));
	EXPECT_NE(0, r.status);
	/* unknown relid */
	m.child_relid = 1777;
	m.target_vp = 0;
	tg_send(&self->a, &m, sizeof(m));
	if (tg_wait_msg(&self->a, TG_MSG_MODIFYCHANNEL_RESPONSE, &r, sizeof(r),
			TG_QUIET_MS) >= 16) {
		EXPECT_NE(0, r.status);
	}
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, tl_connect_request_arbitrary)
{
	struct tg_tl_connect_request t = {
		.hdr.msgtype = TG_MSG_TL_CONNECT_REQUEST };

	memset(&t.guest_endpoint_id, 0xff, 32);
	tg_send(&self->a, &t, sizeof(t));
	tg_send(&self->a, &t, 240);
	hostile_after(_metadata, self, true);
}

/* After a rescind, OPENCHANNEL and GPADL_HEADER for it are refused. */
TEST_F(hostile, operations_on_rescinded_channel)
{
	struct tg_relid_msg rel = { .hdr.msgtype = TG_MSG_RELID_RELEASED };
	void *p;

	ASSERT_EQ(0, tg_dev_remove(&self->a, &self->da[1]));
	ASSERT_LE(12, tg_wait_msg(&self->a, TG_MSG_RESCIND_CHANNELOFFER, NULL,
				  0, TG_TIMEOUT_MS));
	p = tg_mem_alloc(&self->a.mem, 4);
	EXPECT_NE(0, tg_gpadl_create(&self->a, self->relid1, 0xE0, p, 4));
	EXPECT_EQ(1, a_gpadls(self));
	rel.child_relid = self->relid1;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &rel, sizeof(rel)));
	/* and the released relid is unknown from now on */
	EXPECT_NE(0, tg_gpadl_create(&self->a, self->relid1, 0xE1, p, 4));
	/* give hostile_after a second channel again */
	tg_dev_close_fds(&self->da[1]);
	ASSERT_EQ(0, tg_dev_add(&self->a, &self->da[1], VMBH_CLASS_TEST, 1, 7));
	ASSERT_NE(NULL, tg_wait_offer(&self->a, self->da[1].instance,
				      TG_TIMEOUT_MS));
	self->relid1 = tg_find_offer(&self->a, self->da[1].instance, 0)->child_relid;
	hostile_after(_metadata, self, true);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * storvsp against a hostile guest (vmbus-protocol.md 7.3, 7.4): every
 * malformed packet either gets an error status, after which the
 * controller still works, or fails the channel; never a host crash, a
 * hang, or a write outside the guest's buffer.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lio.h"
#include "sv.h"

#define MAX_XFER	(1024u * 1024u)

static uint64_t target_id(void)
{
	return 0x5001405100000000ull | (uint64_t)getpid();
}

struct ctx {
	char wwpn[32];
	struct lio_bs bs;
	struct sv s;
	uint8_t *buf;		/* 2 MiB of guest memory */
};

static void setup(struct __test_metadata *_metadata, struct ctx *c,
		  bool ready)
{
	ASSERT_EQ(0, lio_ramdisk(&c->bs, 5, 8));
	ASSERT_EQ(0, lio_target(target_id(), c->wwpn, sizeof(c->wwpn)));
	ASSERT_EQ(0, lio_lun_add(c->wwpn, 0, &c->bs));
	ASSERT_EQ(0, sv_start(&c->s, c->wwpn, 3));
	if (ready)
		ASSERT_EQ(0, sv_init(&c->s, VSTOR_VERSION_WIN10));
	c->buf = sv_alloc(&c->s, 2u << 20);
	ASSERT_NE(NULL, c->buf);
}

static void teardown(struct ctx *c)
{
	sv_stop(&c->s);
	lio_target_del(c->wwpn);
	lio_bs_del(&c->bs);
}

/* h: a controller after the handshake; fresh: right after open. */
FIXTURE(h) {
	struct ctx c;
};

FIXTURE_SETUP(h)
{
	setup(_metadata, &self->c, true);
}

FIXTURE_TEARDOWN(h)
{
	teardown(&self->c);
}

FIXTURE(fresh) {
	struct ctx c;
};

FIXTURE_SETUP(fresh)
{
	setup(_metadata, &self->c, false);
}

FIXTURE_TEARDOWN(fresh)
{
	teardown(&self->c);
}

/* The controller still answers a good INQUIRY. */
static void alive(struct __test_metadata *_metadata, struct sv *s)
{
	struct sv_srb r = { .len = 36 };

	r.buf = sv_alloc(s, 4096);
	ASSERT_NE(NULL, r.buf);
	sv_cdb_inquiry(&r, false, 0, 36);
	ASSERT_EQ(0, sv_srb_sync(s, 0, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	ASSERT_EQ(0, ((uint8_t *)r.buf)[0]);
	sv_free(s, r.buf, 4096);
}

/* The reply to the last request; fails the test if none comes. */
static void reply(struct __test_metadata *_metadata, struct sv *s,
		  uint64_t tid, struct vstor_packet *rep)
{
	uint64_t got;

	ASSERT_EQ(1, sv_recv(&s->ch[0], &got, rep, NULL, TG_TIMEOUT_MS));
	ASSERT_EQ(tid, got);
	ASSERT_EQ(VSTOR_OPERATION_COMPLETE_IO, rep->operation);
}

static void failed(struct __test_metadata *_metadata, struct sv *s)
{
	struct vstor_packet rep;
	uint64_t tid;

	ASSERT_TRUE(sv_failed(s, 0, 2000));
	/* and nothing is answered on it */
	ASSERT_EQ(0, sv_recv(&s->ch[0], &tid, &rep, NULL, TG_QUIET_MS));
}

static struct vstor_packet op(uint32_t operation)
{
	struct vstor_packet p = {
		.operation = operation,
		.flags = VSTOR_REQUEST_COMPLETION_FLAG,
	};

	return p;
}

static struct vstor_packet srb(uint8_t cdb0, uint8_t cdb_len, uint8_t data_in,
			       uint32_t len)
{
	struct vstor_packet p = op(VSTOR_OPERATION_EXECUTE_SRB);

	p.vm_srb.length = sizeof(p.vm_srb);
	p.vm_srb.cdb_length = cdb_len;
	p.vm_srb.data_in = data_in;
	p.vm_srb.data_transfer_length = len;
	p.vm_srb.cdb[0] = cdb0;
	p.vm_srb.cdb[4] = len > 255 ? 255 : len;	/* INQUIRY alloc */
	return p;
}

/* GPA-direct header with one range over @buf of @count bytes. */
struct gpa1 {
	uint32_t reserved, range_cnt, byte_count, byte_offset;
	uint64_t pfn[260];
} __packed;

static uint32_t gpa_over(struct sv *s, struct gpa1 *g, const void *buf,
			 uint32_t count)
{
	uint32_t off = (uintptr_t)buf & 4095, n = (off + count + 4095) / 4096;
	uint32_t i;

	memset(g, 0, sizeof(*g));
	g->range_cnt = 1;
	g->byte_count = count;
	g->byte_offset = off;
	for (i = 0; i < n; i++)
		g->pfn[i] = tg_mem_pfn(&s->vm.mem,
				       (const uint8_t *)buf - off + 4096ul * i);
	return 16 + 8 * n;
}

/* An SRB the host refuses with SRB_STATUS_INVALID_REQUEST. */
static void srb_refused(struct __test_metadata *_metadata, struct sv *s,
			uint64_t tid)
{
	struct vstor_packet rep;

	reply(_metadata, s, tid, &rep);
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, rep.vm_srb.srb_status & 0x3f);
	EXPECT_NE(0, rep.status);
	EXPECT_EQ(0, rep.vm_srb.data_transfer_length);
	alive(_metadata, s);
}

static void op_status(struct __test_metadata *_metadata, struct sv *s,
		      uint32_t operation, uint16_t arg, uint32_t want)
{
	struct vstor_packet rep;

	ASSERT_EQ(0, sv_op(&s->ch[0], operation, arg, &rep));
	EXPECT_EQ(want, rep.status);
	EXPECT_EQ(VSTOR_OPERATION_COMPLETE_IO, rep.operation);
}

/* ---- packets that fail the channel ---- */

TEST_F(h, completion_from_guest)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_COMP, 0, 1, NULL, 0,
				 &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(fresh, completion_from_guest_before_handshake)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_COMP, 0, 1, NULL, 0,
				 &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, no_completion_requested)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 0, 1,
				 NULL, 0, &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, unknown_packet_flags)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 0x3, 1,
				 NULL, 0, &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, xfer_page_packet_from_guest)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	uint64_t hdr[2] = { 0xcafe, 0 };

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_XFER_PAGES, 1, 1,
				 hdr, sizeof(hdr), &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, gpadl_packet_type)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], 0x8, 1, 1, NULL, 0, &p,
				 sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, payload_shorter_than_header)
{
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 1,
				 NULL, 0, &p, 8));
	failed(_metadata, &self->c.s);
}

TEST_F(h, gpa_range_count_zero)
{
	struct vstor_packet p = srb(0x12, 6, VSTOR_DATA_IN, 36);
	struct gpa1 g;

	gpa_over(&self->c.s, &g, self->c.buf, 36);
	g.range_cnt = 0;
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 1,
				 &g, 24, &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, gpa_range_offset_beyond_page)
{
	struct vstor_packet p = srb(0x12, 6, VSTOR_DATA_IN, 36);
	struct gpa1 g;

	gpa_over(&self->c.s, &g, self->c.buf, 36);
	g.byte_offset = 4096;
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 1,
				 &g, 32, &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, gpa_range_zero_bytes)
{
	struct vstor_packet p = srb(0, 6, VSTOR_DATA_NONE, 0);
	struct gpa1 g;

	gpa_over(&self->c.s, &g, self->c.buf, 36);
	g.byte_count = 0;
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 1,
				 &g, 24, &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, gpa_range_missing_pfns)
{
	struct vstor_packet p = srb(0x28, 10, VSTOR_DATA_IN, 65536);
	struct gpa1 g;

	/* 64 KiB needs 16 PFNs; the header carries 2 */
	gpa_over(&self->c.s, &g, self->c.buf, 65536);
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 1,
				 &g, 16 + 2 * 8, &p, sizeof(p)));
	failed(_metadata, &self->c.s);
}

TEST_F(h, packet_larger_than_any_request)
{
	static uint8_t big[4096];
	struct vstor_packet p = op(VSTOR_OPERATION_BEGIN_INITIALIZATION);

	memcpy(big, &p, sizeof(p));
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 1,
				 NULL, 0, big, sizeof(big)));
	failed(_metadata, &self->c.s);
}

/* ---- protocol errors answered with a status ---- */

TEST_F(h, unknown_operations)
{
	static const uint32_t ops[] = {
		0, VSTOR_OPERATION_COMPLETE_IO, VSTOR_OPERATION_REMOVE_DEVICE,
		VSTOR_OPERATION_ENUMERATE_BUS, VSTOR_OPERATION_FCHBA_DATA, 14,
		0xffffffff,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		op_status(_metadata, &self->c.s, ops[i], 0,
			  VSTOR_STATUS_INVALID_DEVICE_REQUEST);
	alive(_metadata, &self->c.s);
}

TEST_F(fresh, unknown_operations_before_handshake)
{
	op_status(_metadata, &self->c.s, 99, 0,
		  VSTOR_STATUS_INVALID_DEVICE_REQUEST);
	ASSERT_EQ(0, sv_init(&self->c.s, VSTOR_VERSION_WIN10));
	alive(_metadata, &self->c.s);
}

TEST_F(fresh, srb_before_handshake)
{
	struct vstor_packet p = srb(0, 6, VSTOR_DATA_NONE, 0), rep;

	ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 9, &p,
				  sizeof(p)));
	reply(_metadata, &self->c.s, 9, &rep);
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE, rep.status);
	EXPECT_NE(SRB_STATUS_SUCCESS, rep.vm_srb.srb_status);
	ASSERT_EQ(0, sv_init(&self->c.s, VSTOR_VERSION_WIN10));
	alive(_metadata, &self->c.s);
}

TEST_F(h, init_operations_after_end)
{
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_BEGIN_INITIALIZATION,
		  0, VSTOR_STATUS_INVALID_DEVICE_STATE);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
		  VSTOR_VERSION_WIN6, VSTOR_STATUS_INVALID_DEVICE_STATE);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_QUERY_PROPERTIES, 0,
		  VSTOR_STATUS_INVALID_DEVICE_STATE);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_END_INITIALIZATION, 0,
		  VSTOR_STATUS_INVALID_DEVICE_STATE);
	alive(_metadata, &self->c.s);
}

TEST_F(fresh, handshake_out_of_order)
{
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_QUERY_PROPERTIES, 0,
		  VSTOR_STATUS_INVALID_DEVICE_STATE);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_END_INITIALIZATION, 0,
		  VSTOR_STATUS_INVALID_DEVICE_STATE);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0,
		  0);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0,
		  VSTOR_STATUS_INVALID_DEVICE_STATE);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_QUERY_PROPERTIES, 0,
		  VSTOR_STATUS_INVALID_DEVICE_STATE);
}

TEST_F(fresh, unsupported_versions)
{
	static const uint16_t bad[] = { 0, 0x0100, 0x0601, 0x0603, 0x0700,
					0xffff };
	unsigned int i;

	op_status(_metadata, &self->c.s, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0,
		  0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		op_status(_metadata, &self->c.s,
			  VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, bad[i],
			  VSTOR_STATUS_REVISION_MISMATCH);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
		  VSTOR_VERSION_WIN10, 0);
}

TEST_F(fresh, subchannels_before_handshake)
{
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_CREATE_SUB_CHANNELS,
		  1, VSTOR_STATUS_INVALID_DEVICE_STATE);
}

TEST_F(h, subchannel_counts)
{
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 0,
		  VSTOR_STATUS_INVALID_PARAMETER);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 3,
		  VSTOR_STATUS_INVALID_PARAMETER);
	op_status(_metadata, &self->c.s, VSTOR_OPERATION_CREATE_SUB_CHANNELS,
		  0xffff, VSTOR_STATUS_INVALID_PARAMETER);
	alive(_metadata, &self->c.s);
}

TEST_F(h, cdb_length_zero)
{
	struct vstor_packet p = srb(0, 0, VSTOR_DATA_NONE, 0);

	ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 5, &p,
				  sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
}

TEST_F(h, cdb_length_too_long)
{
	struct vstor_packet p = srb(0, 17, VSTOR_DATA_NONE, 0);

	ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 5, &p,
				  sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
	p.vm_srb.cdb_length = 255;
	ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 6, &p,
				  sizeof(p)));
	srb_refused(_metadata, &self->c.s, 6);
}

TEST_F(h, bad_data_direction)
{
	struct vstor_packet p = srb(0x12, 6, 3, 36);
	struct gpa1 g;
	uint32_t n;

	n = gpa_over(&self->c.s, &g, self->c.buf, 36);
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 5,
				 &g, n, &p, sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
	/* "no data" with a length */
	p.vm_srb.data_in = VSTOR_DATA_NONE;
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 6,
				 &g, n, &p, sizeof(p)));
	srb_refused(_metadata, &self->c.s, 6);
}

TEST_F(h, data_without_range)
{
	struct vstor_packet p = srb(0x12, 6, VSTOR_DATA_IN, 36);

	ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 5, &p,
				  sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
}

TEST_F(h, length_beyond_range)
{
	struct vstor_packet p = srb(0x28, 10, VSTOR_DATA_IN, 8192);
	struct gpa1 g;
	uint32_t n;

	p.vm_srb.cdb[8] = 16;
	n = gpa_over(&self->c.s, &g, self->c.buf, 4096);
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 5,
				 &g, n, &p, sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
	/* nothing was written past the range */
	EXPECT_EQ(0, self->c.buf[4096]);
}

TEST_F(h, oversized_transfer)
{
	struct vstor_packet p = srb(0x28, 10, VSTOR_DATA_IN, MAX_XFER + 4096);
	struct gpa1 g;
	uint32_t n;

	p.vm_srb.cdb[7] = (MAX_XFER + 4096) / 512 >> 8;
	p.vm_srb.cdb[8] = ((MAX_XFER + 4096) / 512) & 0xff;
	n = gpa_over(&self->c.s, &g, self->c.buf, MAX_XFER + 4096);
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 5,
				 &g, n, &p, sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
}

TEST_F(h, two_ranges)
{
	struct vstor_packet p = srb(0x12, 6, VSTOR_DATA_IN, 36);
	struct gpa1 g;

	gpa_over(&self->c.s, &g, self->c.buf, 4096);
	/* second range {4096, 0, pfn} right after the first */
	g.range_cnt = 2;
	g.pfn[1] = 4096;
	g.pfn[2] = g.pfn[0] + 1;
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 5,
				 &g, 16 + 8 + 8 + 8, &p, sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
}

TEST_F(h, pfn_outside_guest_memory)
{
	static const uint64_t bad[] = { 0, 0x1000, 0xfffffffffull,
					0xffffffffffffffull, ~0ull };
	struct vstor_packet p = srb(0x12, 6, VSTOR_DATA_IN, 36);
	struct gpa1 g;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		gpa_over(&self->c.s, &g, self->c.buf, 36);
		g.pfn[0] = bad[i];
		ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0],
					 TG_PKT_DATA_GPA_DIRECT, 1, 10 + i, &g,
					 24, &p, sizeof(p)));
		srb_refused(_metadata, &self->c.s, 10 + i);
	}
}

TEST_F(h, range_straddles_end_of_memory)
{
	struct vstor_packet p = srb(0x28, 10, VSTOR_DATA_IN, 8192);
	struct gpa1 g;
	uint32_t n;

	p.vm_srb.cdb[8] = 16;
	n = gpa_over(&self->c.s, &g, self->c.buf, 8192);
	/* last page of guest RAM, then the page after it */
	g.pfn[0] = (self->c.s.vm.mem.gpa + self->c.s.vm.mem.size) / 4096 - 1;
	g.pfn[1] = g.pfn[0] + 1;
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 5,
				 &g, n, &p, sizeof(p)));
	srb_refused(_metadata, &self->c.s, 5);
}

TEST_F(h, srb_shorter_than_win8_srb)
{
	struct vstor_packet p = srb(0, 6, VSTOR_DATA_NONE, 0);
	const struct vstor_packet *rep;
	struct tg_pkt pkt;

	/* 12 + 36 bytes: the pre-5.1 SRB at protocol 6.2 */
	ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1, 5, &p,
				  48));
	ASSERT_EQ(1, tg_chan_recv_wait(&self->c.s.ch[0], &pkt, TG_TIMEOUT_MS));
	/* the reply is as long as the request */
	ASSERT_EQ(48, pkt.payload_len);
	rep = pkt.payload;
	EXPECT_EQ(5, pkt.desc.trans_id);
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, rep->vm_srb.srb_status & 0x3f);
	alive(_metadata, &self->c.s);
}

TEST_F(h, addresses_out_of_range)
{
	struct vstor_packet p = srb(0, 6, VSTOR_DATA_NONE, 0), rep;
	static const uint8_t addr[][3] = {
		{ 0, 0, 254 }, { 0, 0, 255 }, { 0, 1, 0 }, { 7, 0, 0 },
		{ 8, 0, 0 }, { 255, 255, 255 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addr); i++) {
		p.vm_srb.path_id = addr[i][0];
		p.vm_srb.target_id = addr[i][1];
		p.vm_srb.lun = addr[i][2];
		ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1,
					  20 + i, &p, sizeof(p)));
		reply(_metadata, &self->c.s, 20 + i, &rep);
		EXPECT_EQ(SRB_STATUS_INVALID_LUN, rep.vm_srb.srb_status & 0x3f);
	}
	alive(_metadata, &self->c.s);
}

TEST_F(h, direction_contradicts_cdb)
{
	struct vstor_packet p = srb(0x12, 6, VSTOR_DATA_OUT, 36), rep;
	struct gpa1 g;
	uint32_t n;

	/*
	 * INQUIRY (the device writes the buffer) labelled as a write: the
	 * target core fills the buffer anyway, which storvsp pinned
	 * writable.  Only the guest's own buffer may change.
	 */
	memset(self->c.buf, 0x5a, 8192);
	n = gpa_over(&self->c.s, &g, self->c.buf, 36);
	ASSERT_EQ(0, sv_send_raw(&self->c.s.ch[0], TG_PKT_DATA_GPA_DIRECT, 1, 5,
				 &g, n, &p, sizeof(p)));
	reply(_metadata, &self->c.s, 5, &rep);
	EXPECT_EQ(0x5a, self->c.buf[36]);
	alive(_metadata, &self->c.s);
}

/* CHECK CONDITION, ILLEGAL REQUEST with @asc/@ascq, nothing transferred. */
static void illegal_request(struct __test_metadata *_metadata,
			    const struct sv_srb *r, uint8_t asc, uint8_t ascq)
{
	const struct vmscsi_request *srb = &r->reply.vm_srb;

	EXPECT_EQ(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID,
		  srb->srb_status);
	EXPECT_EQ(0x02, srb->scsi_status);
	EXPECT_EQ(0, srb->data_transfer_length);
	ASSERT_GE(srb->sense_info_length, 14);
	EXPECT_EQ(0x05, srb->sense_data[2] & 0x0f);
	EXPECT_EQ(asc, srb->sense_data[12]);
	EXPECT_EQ(ascq, srb->sense_data[13]);
}

/*
 * CDBs that want more data than the SRB's buffer holds: the target core
 * refuses them (and logs each read, see storvsp.rst), the guest gets an
 * error with sense and nothing is written to its memory.
 */
TEST_F(h, cdb_wants_more_than_the_buffer)
{
	struct sv_srb r = { .len = 512, .buf = self->c.buf };
	int i;

	memset(self->c.buf, 0x5a, 8192);
	for (i = 0; i < 3; i++) {
		/* READ(16) of 8 blocks into 512 bytes */
		sv_cdb_rw(&r, false, 0, 8, false);
		ASSERT_EQ(0, sv_srb_sync(&self->c.s, 0, &r));
		illegal_request(_metadata, &r, 0x24, 0);
	}
	/* INQUIRY with allocation length 255 into 36 bytes */
	r.len = 36;
	sv_cdb_inquiry(&r, false, 0, 255);
	ASSERT_EQ(0, sv_srb_sync(&self->c.s, 0, &r));
	illegal_request(_metadata, &r, 0x24, 0);
	for (i = 0; i < 8192; i++)
		ASSERT_EQ(0x5a, self->c.buf[i]) TH_LOG("byte %d written", i);
	/* WRITE(16) of 8 blocks from 512 bytes */
	r.len = 512;
	sv_cdb_rw(&r, true, 0, 8, false);
	ASSERT_EQ(0, sv_srb_sync(&self->c.s, 0, &r));
	illegal_request(_metadata, &r, 0x0e, 0x03);
	alive(_metadata, &self->c.s);
}

TEST_F(h, resets_are_cheap)
{
	static const uint32_t ops[] = { VSTOR_OPERATION_RESET_LUN,
					VSTOR_OPERATION_RESET_ADAPTER,
					VSTOR_OPERATION_RESET_BUS };
	int i;

	for (i = 0; i < 300; i++)
		op_status(_metadata, &self->c.s, ops[i % 3], 0, 0);
	alive(_metadata, &self->c.s);
}

TEST_F(h, duplicate_transaction_ids)
{
	struct vstor_packet p = srb(0, 6, VSTOR_DATA_NONE, 0), rep;
	uint64_t tid;
	int i, n = 0;

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1,
					  42, &p, sizeof(p)));
	while (n < 8 &&
	       sv_recv(&self->c.s.ch[0], &tid, &rep, NULL, TG_TIMEOUT_MS) == 1) {
		EXPECT_EQ(42, tid);
		n++;
	}
	EXPECT_EQ(8, n);
}

/*
 * The guest stops reading replies: the host->guest ring fills, storvsp
 * keeps what it cannot send and stops taking requests; once the guest
 * reads again every request is answered exactly once.
 */
TEST_F(h, reply_ring_full)
{
	struct vstor_packet p = srb(0, 6, VSTOR_DATA_NONE, 0), rep;
	uint8_t seen[4096] = { 0 };
	uint64_t tid, sent = 0, got = 0;
	int idle = 0;

	/* 128 KiB of 88-byte replies is ~1480; send far more */
	while (sent < 4000 && idle < 50) {
		if (tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1,
				 sent + 1, &p, sizeof(p)) == 0) {
			sent++;
			idle = 0;
		} else {
			idle++;
			usleep(10000);
		}
	}
	ASSERT_GT(sent, 1500);
	while (got < sent &&
	       sv_recv(&self->c.s.ch[0], &tid, &rep, NULL, TG_TIMEOUT_MS) == 1) {
		ASSERT_GE(tid, 1);
		ASSERT_LE(tid, sent);
		ASSERT_EQ(0, seen[tid]);
		seen[tid] = 1;
		got++;
		/* refill while reading: the host must resume */
		if (sent < 4000 &&
		    tg_chan_send(&self->c.s.ch[0], TG_PKT_DATA_INBAND, 1,
				 sent + 1, &p, sizeof(p)) == 0)
			sent++;
	}
	EXPECT_EQ(sent, got);
	alive(_metadata, &self->c.s);
}

/* Answered RESET_LUNs (ids from @tid) until no further reply fits. */
static void fill_reply_ring(struct __test_metadata *_metadata, struct sv *s,
			    uint64_t tid)
{
	struct vstor_packet p = op(VSTOR_OPERATION_RESET_LUN);
	uint32_t reply = TG_PKT_DESC_SIZE + sizeof(p) + TG_RING_TRAILER;
	struct tg_chan *ch = &s->ch[0];
	uint32_t i, n;
	int tries = 0;

	/* the host writes while the free space exceeds the packet */
	n = (tg_ring_bytes_to_write(&ch->in) - 1) / reply;
	for (i = 0; i < n; i++) {
		while (tg_chan_send(ch, TG_PKT_DATA_INBAND, 1, tid + i, &p,
				    sizeof(p))) {
			ASSERT_LT(tries++, 1000);
			usleep(10000);
		}
	}
	while (tg_ring_bytes_to_write(&ch->in) > reply) {
		ASSERT_LT(tries++, 1000);
		usleep(10000);
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/*
 * The guest stops reading with its reply ring full, and closes the
 * channel while one more reply is on its way there: an SRB's from the
 * target core's completion, or a RESET_LUN's from the worker.  Close
 * must not wait for that reply to be sent (it used to sleep for ever when
 * the reply work held it), the reopened channel must not get it, and
 * run.sh's unload finds any command left behind.
 */
TEST_F_TIMEOUT(h, close_with_reply_ring_full, 300)
{
	struct vstor_packet tur = srb(0, 6, VSTOR_DATA_NONE, 0);
	struct vstor_packet reset = op(VSTOR_OPERATION_RESET_LUN);
	struct sv *s = &self->c.s;
	const struct tg_offer *o;
	int64_t t0;
	int i;

	for (i = 0; i < 12; i++) {
		fill_reply_ring(_metadata, s, 1000);
		ASSERT_EQ(0, tg_chan_send(&s->ch[0], TG_PKT_DATA_INBAND, 1,
					  5000 + i, i & 1 ? &reset : &tur,
					  sizeof(tur)));
		/* land the close at different points of the reply's way */
		usleep(i / 2 * 2000);
		t0 = now_ms();
		ASSERT_EQ(0, tg_chan_close(&s->ch[0]));
		EXPECT_LT(now_ms() - t0, 5000);
		o = tg_find_offer(&s->vm, s->dev.instance, 0);
		ASSERT_NE(NULL, o);
		ASSERT_EQ(0, tg_chan_open(&s->vm, &s->ch[0], o, &s->dev,
					  SV_RING_PAGES, SV_RING_PAGES, 0));
		/* a reply left from before would come first, with its id */
		ASSERT_EQ(0, sv_init(s, VSTOR_VERSION_WIN10));
		alive(_metadata, s);
	}
}

TEST_F(h, subchannel_cannot_initialize)
{
	struct vstor_packet rep;

	ASSERT_EQ(0, sv_subchannels(&self->c.s, 1));
	ASSERT_EQ(0, sv_op(&self->c.s.ch[1], VSTOR_OPERATION_BEGIN_INITIALIZATION,
			   0, &rep));
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE, rep.status);
	ASSERT_EQ(0, sv_op(&self->c.s.ch[1], VSTOR_OPERATION_CREATE_SUB_CHANNELS,
			   1, &rep));
	EXPECT_NE(0, rep.status);
}

TEST_F(h, guest_rewrites_buffer_during_io)
{
	struct sv_srb w = { .len = 65536 };
	int i;

	/*
	 * The guest may scribble over a buffer under I/O: only the data is
	 * undefined, the host is unaffected.
	 */
	w.buf = self->c.buf;
	sv_cdb_rw(&w, true, 0, 128, false);
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, sv_srb_send(&self->c.s.ch[0], 100 + i, &w));
		memset(self->c.buf, i, 65536);
	}
	for (i = 0; i < 32; i++) {
		struct vstor_packet rep;
		uint64_t tid;

		ASSERT_EQ(1, sv_recv(&self->c.s.ch[0], &tid, &rep, NULL,
				     TG_TIMEOUT_MS));
		EXPECT_EQ(SRB_STATUS_SUCCESS, rep.vm_srb.srb_status);
	}
	alive(_metadata, &self->c.s);
}

TEST_HARNESS_MAIN

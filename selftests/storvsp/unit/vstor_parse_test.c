// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-0 tests of storvsp's pure VSTOR code (synth_storvsc_be/vstor_parse.c)
 * compiled in userspace: packet validation, SRB checks, the init handshake.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vstor_parse.h"

struct pkt_buf {
	struct vstor_packet vp;
	struct vmbh_vstor_pkt in;
};

/* An in-band packet carrying @payload_len bytes of @vp. */
static void mk_inband(struct pkt_buf *p, const struct vstor_packet *vp,
		      uint32_t payload_len, uint16_t flags)
{
	p->vp = *vp;
	memset(&p->in, 0, sizeof(p->in));
	p->in.type = VSTOR_VMPKT_DATA_INBAND;
	p->in.flags = flags;
	p->in.trans_id = 0x1122334455667788ull;
	p->in.data = &p->vp;
	p->in.len = payload_len;
}

/* A GPA-direct packet with one range {@off, @count}. */
static void mk_gpa(struct pkt_buf *p, const struct vstor_packet *vp,
		   uint32_t off, uint32_t count)
{
	mk_inband(p, vp, 64, 1);
	p->in.type = VSTOR_VMPKT_DATA_GPA_DIRECT;
	p->in.trans_id = 7;
	p->in.range_cnt = 1;
	p->in.byte_offset = off;
	p->in.byte_count = count;
}

static struct vstor_packet srb_pkt(uint32_t len, uint8_t data_in)
{
	struct vstor_packet vp = {
		.operation = VSTOR_OPERATION_EXECUTE_SRB,
		.flags = VSTOR_REQUEST_COMPLETION_FLAG,
	};

	vp.vm_srb.length = sizeof(vp.vm_srb);
	vp.vm_srb.cdb_length = 10;
	vp.vm_srb.data_in = data_in;
	vp.vm_srb.data_transfer_length = len;
	vp.vm_srb.cdb[0] = 0x28;	/* READ(10) */
	return vp;
}

static struct vstor_packet op_pkt(uint32_t op)
{
	struct vstor_packet vp = { .operation = op, .flags = 1 };

	return vp;
}

TEST(wire_sizes)
{
	ASSERT_EQ(64, sizeof(struct vstor_packet));
	ASSERT_EQ(52, sizeof(struct vmscsi_request));
	ASSERT_EQ(24, sizeof(struct vmstorage_channel_properties));
	ASSERT_EQ(80, VSTOR_GUEST_MAX_PKT_SIZE);
	ASSERT_EQ(2152, VMBH_VSTOR_MAX_PKT_LEN);
	ASSERT_EQ(16, offsetof(struct vmscsi_request, cdb));
	ASSERT_EQ(40, offsetof(struct vmscsi_request, srb_flags));
	ASSERT_EQ(12, offsetof(struct vstor_packet, vm_srb));
}

TEST(parse_inband_ok)
{
	struct vstor_packet vp = op_pkt(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	mk_inband(&p, &vp, 64, 1);
	ASSERT_EQ(0, vmbh_vstor_parse_packet(&p.in, &req));
	ASSERT_EQ(0x1122334455667788ull, req.trans_id);
	ASSERT_EQ(64, req.payload_len);
	ASSERT_EQ(VSTOR_OPERATION_BEGIN_INITIALIZATION, req.pkt.operation);
	ASSERT_EQ(0, req.range_cnt);
}

TEST(parse_short_payload_zero_filled)
{
	struct vstor_packet vp = op_pkt(VSTOR_OPERATION_QUERY_PROTOCOL_VERSION);
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	vp.version.major_minor = 0xffff;
	mk_inband(&p, &vp, 16, 1);
	ASSERT_EQ(0, vmbh_vstor_parse_packet(&p.in, &req));
	ASSERT_EQ(16, req.payload_len);
	ASSERT_EQ(0xffff, req.pkt.version.major_minor);
	ASSERT_EQ(0, req.pkt.buffer[10]);
}

TEST(parse_rejects_no_completion_flag)
{
	struct vstor_packet vp = op_pkt(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	mk_inband(&p, &vp, 64, 0);
	ASSERT_EQ(-EPROTO, vmbh_vstor_parse_packet(&p.in, &req));
}

TEST(parse_rejects_unknown_flags)
{
	struct vstor_packet vp = op_pkt(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	mk_inband(&p, &vp, 64, 3);
	ASSERT_EQ(-EPROTO, vmbh_vstor_parse_packet(&p.in, &req));
}

TEST(parse_rejects_completion_and_other_types)
{
	static const uint16_t bad[] = { 0, 1, 5, 7, 8, 0xB, 0xC, 0xFFFF };
	struct vstor_packet vp = op_pkt(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	struct vmbh_vstor_request req;
	struct pkt_buf p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mk_inband(&p, &vp, 64, 1);
		p.in.type = bad[i];
		EXPECT_EQ(-EPROTO, vmbh_vstor_parse_packet(&p.in, &req))
			TH_LOG("type %#x", bad[i]);
	}
}

static uint8_t check(const struct vstor_packet *vp, int gpa, uint32_t off,
		     uint32_t count, int nranges, struct vmbh_vstor_io *io)
{
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	if (gpa) {
		mk_gpa(&p, vp, off, count);
		p.in.range_cnt = nranges;
	} else {
		mk_inband(&p, vp, 64, 1);
	}
	if (vmbh_vstor_parse_packet(&p.in, &req))
		return 0xff;
	return vmbh_vstor_check_srb(&req, VSTOR_VERSION_WIN10,
				    VMBH_VSTOR_MAX_TRANSFER, io);
}

TEST(srb_ok_read)
{
	struct vstor_packet vp = srb_pkt(4096, VSTOR_DATA_IN);
	struct vmbh_vstor_io io;

	ASSERT_EQ(SRB_STATUS_SUCCESS, check(&vp, 1, 100, 8192, 1, &io));
	ASSERT_EQ(4096, io.data_len);
	ASSERT_EQ(2, io.pfn_cnt);
	ASSERT_EQ(100, io.byte_offset);
	ASSERT_EQ(VSTOR_DATA_IN, io.data_in);
}

TEST(srb_ok_no_data)
{
	struct vstor_packet vp = srb_pkt(0, VSTOR_DATA_NONE);
	struct vmbh_vstor_io io;

	vp.vm_srb.cdb[0] = 0;	/* TEST UNIT READY */
	ASSERT_EQ(SRB_STATUS_SUCCESS, check(&vp, 0, 0, 0, 0, &io));
	ASSERT_EQ(0, io.data_len);
	ASSERT_EQ(VSTOR_DATA_NONE, io.data_in);
}

TEST(srb_cdb_length)
{
	struct vstor_packet vp = srb_pkt(0, VSTOR_DATA_NONE);
	struct vmbh_vstor_io io;

	vp.vm_srb.cdb_length = 0;
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 0, 0, 0, 0, &io));
	vp.vm_srb.cdb_length = 17;
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 0, 0, 0, 0, &io));
	vp.vm_srb.cdb_length = 255;
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 0, 0, 0, 0, &io));
	vp.vm_srb.cdb_length = 16;
	EXPECT_EQ(SRB_STATUS_SUCCESS, check(&vp, 0, 0, 0, 0, &io));
}

TEST(srb_data_without_range)
{
	struct vstor_packet vp = srb_pkt(512, VSTOR_DATA_IN);
	struct vmbh_vstor_io io;

	ASSERT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 0, 0, 0, 0, &io));
}

TEST(srb_range_shorter_than_length)
{
	struct vstor_packet vp = srb_pkt(8192, VSTOR_DATA_OUT);
	struct vmbh_vstor_io io;

	ASSERT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 1, 0, 4096, 1, &io));
}

TEST(srb_oversized)
{
	struct vstor_packet vp = srb_pkt(VMBH_VSTOR_MAX_TRANSFER + 4096,
					 VSTOR_DATA_OUT);
	struct vmbh_vstor_io io;

	ASSERT_EQ(SRB_STATUS_INVALID_REQUEST,
		  check(&vp, 1, 0, VMBH_VSTOR_MAX_TRANSFER + 4096,
			1, &io));
	vp.vm_srb.data_transfer_length = VMBH_VSTOR_MAX_TRANSFER;
	ASSERT_EQ(SRB_STATUS_SUCCESS,
		  check(&vp, 1, 0, VMBH_VSTOR_MAX_TRANSFER,
			1, &io));
}

TEST(srb_two_ranges)
{
	struct vstor_packet vp = srb_pkt(4096, VSTOR_DATA_IN);
	struct vmbh_vstor_io io;

	ASSERT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 1, 0, 8192, 2, &io));
}

TEST(parse_gpa_direct)
{
	struct vstor_packet vp = srb_pkt(8192, VSTOR_DATA_IN);
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	mk_gpa(&p, &vp, 512, 8192);
	ASSERT_EQ(0, vmbh_vstor_parse_packet(&p.in, &req));
	ASSERT_EQ(1, req.range_cnt);
	ASSERT_EQ(512, req.byte_offset);
	ASSERT_EQ(8192, req.byte_count);
	p.in.range_cnt = 0;
	ASSERT_EQ(-EPROTO, vmbh_vstor_parse_packet(&p.in, &req));
}

TEST(parse_short_header)
{
	struct vstor_packet vp = op_pkt(VSTOR_OPERATION_BEGIN_INITIALIZATION);
	struct vmbh_vstor_request req;
	struct pkt_buf p;

	mk_inband(&p, &vp, 8, 1);
	ASSERT_EQ(-EPROTO, vmbh_vstor_parse_packet(&p.in, &req));
	mk_inband(&p, &vp, 12, 1);
	ASSERT_EQ(0, vmbh_vstor_parse_packet(&p.in, &req));
}

TEST(srb_bad_direction)
{
	struct vstor_packet vp = srb_pkt(4096, 3);
	struct vmbh_vstor_io io;

	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 1, 0, 4096, 1, &io));
	vp.vm_srb.data_in = VSTOR_DATA_NONE;
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST, check(&vp, 1, 0, 4096, 1, &io));
}

TEST(srb_short_packet)
{
	struct vstor_packet vp = srb_pkt(0, VSTOR_DATA_NONE);
	struct vmbh_vstor_request req;
	struct vmbh_vstor_io io;
	struct pkt_buf p;

	mk_inband(&p, &vp, 48, 1);
	ASSERT_EQ(0, vmbh_vstor_parse_packet(&p.in, &req));
	EXPECT_EQ(SRB_STATUS_INVALID_REQUEST,
		  vmbh_vstor_check_srb(&req, VSTOR_VERSION_WIN10,
				       VMBH_VSTOR_MAX_TRANSFER, &io));
	/* 36-byte SRBs are the format before 5.1 */
	EXPECT_EQ(SRB_STATUS_SUCCESS,
		  vmbh_vstor_check_srb(&req, VSTOR_VERSION_WIN7,
				       VMBH_VSTOR_MAX_TRANSFER, &io));
}

/* Run @op through the state machine and return the reply's status. */
static uint32_t ctl(struct vmbh_vstor_state *st, bool primary, uint32_t op,
		    uint32_t arg, enum vmbh_vstor_action *act,
		    struct vstor_packet *reply)
{
	struct vstor_packet vp = op_pkt(op);
	struct vmbh_vstor_request req;
	struct vstor_packet r;
	struct pkt_buf p;

	if (op == VSTOR_OPERATION_QUERY_PROTOCOL_VERSION)
		vp.version.major_minor = (uint16_t)arg;
	else
		vp.sub_channel_count = (uint16_t)arg;
	mk_inband(&p, &vp, 64, 1);
	if (vmbh_vstor_parse_packet(&p.in, &req))
		return 0xdeadbeef;
	*act = vmbh_vstor_control(st, primary, &req, reply ? reply : &r);
	return reply ? reply->status : r.status;
}

static void handshake(struct __test_metadata *_metadata,
		      struct vmbh_vstor_state *st, uint16_t version)
{
	enum vmbh_vstor_action act;

	ASSERT_EQ(0, ctl(st, true, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0,
			 &act, NULL));
	ASSERT_EQ(0, ctl(st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
			 version, &act, NULL));
	ASSERT_EQ(0, ctl(st, true, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &act,
			 NULL));
	ASSERT_EQ(0, ctl(st, true, VSTOR_OPERATION_END_INITIALIZATION, 0,
			 &act, NULL));
	ASSERT_EQ(VMBH_VSTOR_READY, st->stage);
}

TEST(init_every_version)
{
	static const uint16_t v[] = {
		VSTOR_VERSION_WIN10, VSTOR_VERSION_WIN8_1, VSTOR_VERSION_WIN8,
		VSTOR_VERSION_WIN7, VSTOR_VERSION_WIN6,
	};
	struct vmbh_vstor_state st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
		handshake(_metadata, &st, v[i]);
		ASSERT_EQ(v[i], st.version);
	}
}

TEST(init_version_refused_then_accepted)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;
	struct vstor_packet r;

	vmbh_vstor_state_init(&st, 0, VMBH_VSTOR_MAX_TRANSFER);
	ctl(&st, true, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &act, NULL);
	ASSERT_EQ(VSTOR_STATUS_REVISION_MISMATCH,
		  ctl(&st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, 0x0700,
		      &act, &r));
	ASSERT_EQ(VSTOR_OPERATION_COMPLETE_IO, r.operation);
	ASSERT_EQ(0x0700, r.version.major_minor);
	ASSERT_EQ(VSTOR_STATUS_REVISION_MISMATCH,
		  ctl(&st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, 0x0601,
		      &act, NULL));
	ASSERT_EQ(0, ctl(&st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
			 VSTOR_VERSION_WIN8_1, &act, NULL));
	ASSERT_EQ(VMBH_VSTOR_WAIT_PROPERTIES, st.stage);
}

TEST(init_properties)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;
	struct vstor_packet r;

	vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
	ctl(&st, true, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &act, NULL);
	ctl(&st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
	    VSTOR_VERSION_WIN10, &act, NULL);
	ASSERT_EQ(0, ctl(&st, true, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &act,
			 &r));
	ASSERT_EQ(3, r.properties.max_channel_cnt);
	ASSERT_EQ(VSTOR_PROP_SUPPORTS_MULTI_CHANNEL, r.properties.flags);
	ASSERT_EQ(VMBH_VSTOR_MAX_TRANSFER, r.properties.max_transfer_bytes);

	/* no multi-channel before 5.1 */
	vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
	ctl(&st, true, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &act, NULL);
	ctl(&st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
	    VSTOR_VERSION_WIN7, &act, NULL);
	ctl(&st, true, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &act, &r);
	ASSERT_EQ(0, r.properties.max_channel_cnt);
	ASSERT_EQ(0, r.properties.flags);
}

TEST(init_out_of_order)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;

	vmbh_vstor_state_init(&st, 0, VMBH_VSTOR_MAX_TRANSFER);
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, true, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &act,
		      NULL));
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, true, VSTOR_OPERATION_END_INITIALIZATION, 0, &act,
		      NULL));
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, true, VSTOR_OPERATION_EXECUTE_SRB, 0, &act, NULL));
	EXPECT_EQ(VMBH_VSTOR_ACT_REPLY, act);
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, true, VSTOR_OPERATION_RESET_BUS, 0, &act, NULL));
	EXPECT_EQ(VMBH_VSTOR_WAIT_BEGIN, st.stage);
	handshake(_metadata, &st, VSTOR_VERSION_WIN10);
	/* init ops after END */
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, true, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &act,
		      NULL));
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, true, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
		      VSTOR_VERSION_WIN6, &act, NULL));
	EXPECT_EQ(VSTOR_VERSION_WIN10, st.version);
	EXPECT_EQ(VMBH_VSTOR_READY, st.stage);
}

TEST(unknown_operations)
{
	static const uint32_t ops[] = {
		0, VSTOR_OPERATION_COMPLETE_IO, VSTOR_OPERATION_REMOVE_DEVICE,
		VSTOR_OPERATION_ENUMERATE_BUS, VSTOR_OPERATION_FCHBA_DATA, 14,
		0x80000003u,
	};
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;
	unsigned int i;

	vmbh_vstor_state_init(&st, 0, VMBH_VSTOR_MAX_TRANSFER);
	handshake(_metadata, &st, VSTOR_VERSION_WIN10);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_REQUEST,
			  ctl(&st, true, ops[i], 0, &act, NULL));
		EXPECT_EQ(VMBH_VSTOR_ACT_REPLY, act);
	}
}

TEST(subchannels)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;

	vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
	handshake(_metadata, &st, VSTOR_VERSION_WIN10);
	EXPECT_EQ(VSTOR_STATUS_INVALID_PARAMETER,
		  ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 4, &act,
		      NULL));
	EXPECT_EQ(VSTOR_STATUS_INVALID_PARAMETER,
		  ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 0, &act,
		      NULL));
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_REQUEST,
		  ctl(&st, false, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 1, &act,
		      NULL));
	EXPECT_EQ(0, ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 3,
			 &act, NULL));
	EXPECT_EQ(VMBH_VSTOR_ACT_SUBCHANNELS, act);
	EXPECT_EQ(3, st.subchannels);
	EXPECT_EQ(VSTOR_STATUS_INVALID_PARAMETER,
		  ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 1, &act,
		      NULL));
}

TEST(subchannels_retry_after_failed_offer)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;
	struct vstor_packet r;

	vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
	handshake(_metadata, &st, VSTOR_VERSION_WIN10);
	EXPECT_EQ(0, ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 2,
			 &act, &r));
	ASSERT_EQ(VMBH_VSTOR_ACT_SUBCHANNELS, act);
	/* the device could not offer them: the guest is told so */
	vmbh_vstor_subchannels_failed(&st, &r);
	EXPECT_EQ(VSTOR_STATUS_UNSUCCESSFUL, r.status);
	EXPECT_EQ(VSTOR_OPERATION_COMPLETE_IO, r.operation);
	EXPECT_EQ(0, st.subchannels);
	/* and may ask again */
	EXPECT_EQ(0, ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 2,
			 &act, NULL));
	EXPECT_EQ(VMBH_VSTOR_ACT_SUBCHANNELS, act);
	EXPECT_EQ(2, st.subchannels);
}

TEST(subchannels_need_win8)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;

	vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
	handshake(_metadata, &st, VSTOR_VERSION_WIN7);
	EXPECT_EQ(VSTOR_STATUS_INVALID_PARAMETER,
		  ctl(&st, true, VSTOR_OPERATION_CREATE_SUB_CHANNELS, 1, &act,
		      NULL));
}

TEST(subchannel_cannot_init)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;

	vmbh_vstor_state_init(&st, 3, VMBH_VSTOR_MAX_TRANSFER);
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE,
		  ctl(&st, false, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &act,
		      NULL));
	EXPECT_EQ(VMBH_VSTOR_WAIT_BEGIN, st.stage);
}

TEST(resets)
{
	struct vmbh_vstor_state st;
	enum vmbh_vstor_action act;

	vmbh_vstor_state_init(&st, 0, VMBH_VSTOR_MAX_TRANSFER);
	handshake(_metadata, &st, VSTOR_VERSION_WIN10);
	EXPECT_EQ(0, ctl(&st, true, VSTOR_OPERATION_RESET_BUS, 0, &act, NULL));
	EXPECT_EQ(VMBH_VSTOR_ACT_RESET, act);
	EXPECT_EQ(0, ctl(&st, false, VSTOR_OPERATION_RESET_LUN, 0, &act, NULL));
	EXPECT_EQ(0, ctl(&st, true, VSTOR_OPERATION_RESET_ADAPTER, 0, &act,
			 NULL));
}

TEST(srb_reply)
{
	uint8_t sense[96] = { 0x70, 0, 0x05, [7] = 10, [12] = 0x24 };
	struct vstor_packet r;

	vmbh_vstor_srb_reply(&r, SRB_STATUS_ERROR, 0x02, 0, sense, 96);
	ASSERT_EQ(VSTOR_OPERATION_COMPLETE_IO, r.operation);
	ASSERT_EQ(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID,
		  r.vm_srb.srb_status);
	ASSERT_EQ(20, r.vm_srb.sense_info_length);
	ASSERT_EQ(0x24, r.vm_srb.sense_data[12]);
	ASSERT_NE(0, r.status);

	vmbh_vstor_srb_reply(&r, SRB_STATUS_SUCCESS, 0, 4096, NULL, 0);
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.vm_srb.srb_status);
	ASSERT_EQ(4096, r.vm_srb.data_transfer_length);
	ASSERT_EQ(0, r.status);
	ASSERT_EQ(52, r.vm_srb.length);
	/* sense never without CHECK CONDITION */
	vmbh_vstor_srb_reply(&r, SRB_STATUS_SUCCESS, 0x08, 0, sense, 18);
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.vm_srb.srb_status);
	ASSERT_EQ(0, r.vm_srb.sense_info_length);
}

TEST(reply_len)
{
	/* as long as the request, at most a vstor_packet */
	ASSERT_EQ(64, vmbh_vstor_reply_len(64));
	ASSERT_EQ(48, vmbh_vstor_reply_len(48));
	ASSERT_EQ(12, vmbh_vstor_reply_len(12));
	ASSERT_EQ(64, vmbh_vstor_reply_len(2000));
	ASSERT_EQ(48, vmbh_vstor_unsolicited_len(VSTOR_VERSION_WIN7));
	ASSERT_EQ(64, vmbh_vstor_unsolicited_len(VSTOR_VERSION_WIN8));
	ASSERT_EQ(64, vmbh_vstor_unsolicited_len(VSTOR_VERSION_WIN10));
}

TEST(inquiry_absent)
{
	uint8_t b[64];

	memset(b, 0xaa, sizeof(b));
	ASSERT_EQ(36, vmbh_vstor_inquiry_absent(b, sizeof(b)));
	ASSERT_EQ(0x7f, b[0]);
	ASSERT_EQ(31, b[4]);
	ASSERT_EQ(0xaa, b[36]);
	ASSERT_EQ(5, vmbh_vstor_inquiry_absent(b, 5));
}

TEST_HARNESS_MAIN

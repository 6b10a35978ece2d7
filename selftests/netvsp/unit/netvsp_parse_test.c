// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-0 tests of netvsp's pure code (synth_netvsc_be/{nvsp_parse,
 * rndis_parse,netvsp_offload}.c) built in userspace: message validation,
 * the PPI walker, OID answers, offload translation, RSS and the receive
 * sub-allocation bookkeeping.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "netvsp_parse.h"

static void put32(void *p, u32 v)
{
	memcpy(p, &v, 4);
}

static u32 get32(const void *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/* ---- NVSP ---- */

TEST(nvsp_versions)
{
	EXPECT_TRUE(vmbh_nvsp_version_ok(NVSP_PROTOCOL_VERSION_61));
	EXPECT_TRUE(vmbh_nvsp_version_ok(NVSP_PROTOCOL_VERSION_6));
	EXPECT_TRUE(vmbh_nvsp_version_ok(NVSP_PROTOCOL_VERSION_5));
	EXPECT_TRUE(vmbh_nvsp_version_ok(NVSP_PROTOCOL_VERSION_4));
	EXPECT_TRUE(vmbh_nvsp_version_ok(NVSP_PROTOCOL_VERSION_2));
	EXPECT_TRUE(vmbh_nvsp_version_ok(NVSP_PROTOCOL_VERSION_1));
	EXPECT_FALSE(vmbh_nvsp_version_ok(0x30000));
	EXPECT_FALSE(vmbh_nvsp_version_ok(0x60002));
	EXPECT_FALSE(vmbh_nvsp_version_ok(0));
}

TEST(nvsp_parse_init_only_before_init)
{
	struct nvsp_message in = { .hdr.msg_type = NVSP_MSG_TYPE_INIT }, out;

	in.init.min_protocol_ver = NVSP_PROTOCOL_VERSION_61;
	in.init.max_protocol_ver = NVSP_PROTOCOL_VERSION_61;
	ASSERT_EQ(0, vmbh_nvsp_parse(&in, sizeof(in), 0, &out));
	EXPECT_EQ(NVSP_PROTOCOL_VERSION_61, out.init.max_protocol_ver);
	in.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF;
	EXPECT_EQ(-EPROTO, vmbh_nvsp_parse(&in, sizeof(in), 0, &out));
}

TEST(nvsp_parse_short_and_unknown)
{
	struct nvsp_message in = { 0 }, out;

	EXPECT_EQ(-EINVAL, vmbh_nvsp_parse(&in, 3, NVSP_PROTOCOL_VERSION_61,
					   &out));
	in.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	EXPECT_EQ(-EINVAL, vmbh_nvsp_parse(&in, 15, NVSP_PROTOCOL_VERSION_61,
					   &out));
	EXPECT_EQ(0, vmbh_nvsp_parse(&in, 16, NVSP_PROTOCOL_VERSION_61, &out));
	in.hdr.msg_type = 999;
	EXPECT_EQ(-EPROTO, vmbh_nvsp_parse(&in, sizeof(in),
					   NVSP_PROTOCOL_VERSION_61, &out));
	/* host -> guest types are not accepted from the guest */
	in.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
	EXPECT_EQ(-EPROTO, vmbh_nvsp_parse(&in, sizeof(in),
					   NVSP_PROTOCOL_VERSION_61, &out));
	in.hdr.msg_type = NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE;
	EXPECT_EQ(-EPROTO, vmbh_nvsp_parse(&in, sizeof(in),
					   NVSP_PROTOCOL_VERSION_61, &out));
}

TEST(nvsp_parse_version_gated)
{
	struct nvsp_message in = { .hdr.msg_type = NVSP_MSG5_TYPE_SUBCHANNEL },
			    out;

	EXPECT_EQ(-EPROTO, vmbh_nvsp_parse(&in, sizeof(in),
					   NVSP_PROTOCOL_VERSION_4, &out));
	EXPECT_EQ(0, vmbh_nvsp_parse(&in, sizeof(in), NVSP_PROTOCOL_VERSION_5,
				     &out));
	in.hdr.msg_type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	EXPECT_EQ(-EPROTO, vmbh_nvsp_parse(&in, sizeof(in),
					   NVSP_PROTOCOL_VERSION_1, &out));
	EXPECT_EQ(0, vmbh_nvsp_parse(&in, sizeof(in), NVSP_PROTOCOL_VERSION_2,
				     &out));
}

TEST(nvsp_mtu_clamp)
{
	EXPECT_EQ(1514, vmbh_nvsp_mtu(0));
	EXPECT_EQ(1514, vmbh_nvsp_mtu(1513));
	EXPECT_EQ(1514, vmbh_nvsp_mtu(9217));
	EXPECT_EQ(9014, vmbh_nvsp_mtu(9014));
	EXPECT_EQ(9216, vmbh_nvsp_mtu(9216));
}

TEST(nvsp_recv_layout)
{
	u32 s, c;

	ASSERT_EQ(0, vmbh_nvsp_recv_layout(16 << 20, 1514, 1, &s, &c));
	EXPECT_EQ(0, s % 64);
	EXPECT_GE(s, VMBH_NETVSP_RX_DATA_OFFSET + 1514 + 4);
	EXPECT_GE(s, 68);
	EXPECT_LE((u64)s * c, 16 << 20);
	EXPECT_EQ((16u << 20) / s, c);
	ASSERT_EQ(0, vmbh_nvsp_recv_layout(16 << 20, 9014, 4, &s, &c));
	EXPECT_GE(s, VMBH_NETVSP_RX_DATA_OFFSET + 9014 + 4);
	EXPECT_EQ(-EINVAL, vmbh_nvsp_recv_layout(4096, 1514, 1, &s, &c));
	EXPECT_EQ(-EINVAL, vmbh_nvsp_recv_layout(0, 1514, 1, &s, &c));
}

TEST(nvsp_send_span)
{
	u64 off;
	u64 size = 170 * 6144;

	ASSERT_EQ(0, vmbh_nvsp_send_span(0, 100, 6144, size, &off));
	EXPECT_EQ(0, off);
	ASSERT_EQ(0, vmbh_nvsp_send_span(169, 6144, 6144, size, &off));
	EXPECT_EQ(169 * 6144, off);
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(170, 1, 6144, size, &off));
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(169, 6145, 6144, size, &off));
	/* inside the buffer, but over more than its one section */
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(0, 6145, 6144, size, &off));
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(0, size, 6144, size, &off));
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(0, 100, 0, size, &off));
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(0, 0, 6144, size, &off));
	EXPECT_EQ(-EINVAL, vmbh_nvsp_send_span(0xFFFFFFFE, 8, 6144, size,
					       &off));
}

TEST(nvsp_subchannels_granted)
{
	EXPECT_EQ(3, vmbh_nvsp_subchannels_granted(3, 4, 10000));
	EXPECT_EQ(3, vmbh_nvsp_subchannels_granted(15, 4, 10000));
	EXPECT_EQ(0, vmbh_nvsp_subchannels_granted(15, 1, 10000));
	EXPECT_EQ(0, vmbh_nvsp_subchannels_granted(3, 4, 40));
	EXPECT_LT(vmbh_nvsp_subchannels_granted(63, 64, 1000), 63);
}

/* ---- RNDIS stream and packets ---- */

TEST(rndis_next_bounds)
{
	u8 b[16] = { 0 };
	u32 t, l;

	put32(b, RNDIS_MSG_PACKET);
	put32(b + 4, 16);
	EXPECT_EQ(0, vmbh_rndis_next(b, 16, &t, &l));
	EXPECT_EQ(16, l);
	EXPECT_EQ(-EINVAL, vmbh_rndis_next(b, 15, &t, &l));
	EXPECT_EQ(-EINVAL, vmbh_rndis_next(b, 7, &t, &l));
	put32(b + 4, 7);
	EXPECT_EQ(-EINVAL, vmbh_rndis_next(b, 16, &t, &l));
	put32(b + 4, 0);
	EXPECT_EQ(-EINVAL, vmbh_rndis_next(b, 16, &t, &l));
}

/* Build a PACKET message as netvsc_xmit does: header, PPIs, frame. */
static u32 build_pkt(u8 *m, const u32 *ppi_types, const u32 *ppi_vals,
		     int nppi, u32 frame_len)
{
	struct rndis_packet rp = { 0 };
	u32 off = 8 + sizeof(rp);
	int i;

	rp.per_pkt_info_offset = nppi ? sizeof(rp) : 0;
	for (i = 0; i < nppi; i++) {
		struct rndis_ppi e = { .size = 16, .type = ppi_types[i],
				       .ppi_offset = 12 };

		memcpy(m + off, &e, sizeof(e));
		put32(m + off + 12, ppi_vals[i]);
		off += 16;
	}
	rp.per_pkt_info_len = nppi * 16;
	rp.data_offset = off - 8;
	rp.data_len = frame_len;
	memcpy(m + 8, &rp, sizeof(rp));
	put32(m, RNDIS_MSG_PACKET);
	put32(m + 4, off + frame_len);
	memset(m + off, 0xab, frame_len);
	return off + frame_len;
}

TEST(rndis_packet_ok_with_ppis)
{
	u8 m[512];
	u32 types[] = { RNDIS_PPI_CHECKSUM, RNDIS_PPI_VLAN, RNDIS_PPI_HASH,
			RNDIS_PPI_LSO };
	u32 vals[] = { 0x00220005, 0x00000123, 0xdeadbeef, 0x42205a8 };
	struct vmbh_rndis_pkt p;
	u32 len = build_pkt(m, types, vals, 4, 60);

	ASSERT_EQ(0, vmbh_rndis_parse_packet(m, len, len, &p));
	EXPECT_EQ(8 + 36 + 64, p.data_offset);
	EXPECT_EQ(60, p.data_len);
	EXPECT_EQ(0x00220005, p.csum);
	EXPECT_EQ(0x123, p.vlan);
	EXPECT_EQ(0xdeadbeef, p.hash);
	EXPECT_EQ(0x42205a8, p.lso);
	EXPECT_EQ((1u << 0) | (1u << 6) | (1u << 8) | (1u << 2), p.present);
}

TEST(rndis_packet_no_ppi)
{
	u8 m[256];
	struct vmbh_rndis_pkt p;
	u32 len = build_pkt(m, NULL, NULL, 0, 100);

	ASSERT_EQ(0, vmbh_rndis_parse_packet(m, len, len, &p));
	EXPECT_EQ(0, p.present);
	EXPECT_EQ(44, p.data_offset);
}

TEST(rndis_packet_bad_data)
{
	u8 m[256];
	struct vmbh_rndis_pkt p;
	u32 len = build_pkt(m, NULL, NULL, 0, 100);

	put32(m + 8 + 4, 0);			/* data_len 0 */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m + 8 + 4, 101);			/* past msg_len */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m + 8 + 4, 100);
	put32(m + 8, 0xFFFFFFF0);		/* offset wraps */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m + 8, 8);			/* inside the header */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m + 8, 36);
	put32(m + 8 + 8, 4);			/* OOB data */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m + 8 + 8, 0);
	put32(m + 8 + 28, 1);			/* vc_handle */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m + 8 + 28, 0);
	EXPECT_EQ(0, vmbh_rndis_parse_packet(m, len, len, &p));
	put32(m, RNDIS_MSG_INIT);		/* not a PACKET */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, 40, 40, &p));
}

TEST(rndis_ppi_malformed)
{
	u32 types[] = { RNDIS_PPI_CHECKSUM, RNDIS_PPI_HASH };
	u32 vals[] = { 1, 2 };
	struct vmbh_rndis_pkt p;
	u8 m[256], orig[256];
	u32 len = build_pkt(orig, types, vals, 2, 60);
	u8 *ppi = orig + 44;

	memcpy(m, orig, len);
	ASSERT_EQ(0, vmbh_rndis_parse_packet(m, len, len, &p));
	/* element size 0: the guest's own walker would spin on this */
	memcpy(m, orig, len);
	put32(m + 44, 0);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* element size beyond the PPI area */
	memcpy(m, orig, len);
	put32(m + 44 + 16, 17);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* ppi_offset past the element */
	memcpy(m, orig, len);
	put32(m + 44 + 8, 17);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* ppi_offset inside the element header */
	memcpy(m, orig, len);
	put32(m + 44 + 8, 4);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* value too short for a known type */
	memcpy(m, orig, len);
	put32(m + 44 + 8, 14);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* PPI area overlapping the data */
	memcpy(m, orig, len);
	put32(m + 8 + 24, 40);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* PPI area not ending on an element boundary */
	memcpy(m, orig, len);
	put32(m + 8 + 24, 30);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* PPI offset inside the packet header */
	memcpy(m, orig, len);
	put32(m + 8 + 20, 20);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, len, len, &p));
	/* PPIs beyond the contiguous header copy */
	memcpy(m, orig, len);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_packet(m, 60, len, &p));
	(void)ppi;
}

TEST(rndis_ppi_unknown_and_internal_skipped)
{
	u32 types[] = { 11, RNDIS_PPI_INTERNAL | 1 };
	u32 vals[] = { 7, 8 };
	struct vmbh_rndis_pkt p;
	u8 m[256];
	u32 len = build_pkt(m, types, vals, 2, 60);

	ASSERT_EQ(0, vmbh_rndis_parse_packet(m, len, len, &p));
	EXPECT_EQ(0, p.present);
}

/* ---- RNDIS control ---- */

static u32 build_oid(u8 *m, u32 type, u32 req, u32 oid, const void *data,
		     u32 len)
{
	struct rndis_oid_request r = { .req_id = req, .oid = oid,
				       .info_buflen = len,
				       .info_buf_offset = len ? 20 : 0 };

	put32(m, type);
	put32(m + 4, 28 + len);
	memcpy(m + 8, &r, sizeof(r));
	if (len)
		memcpy(m + 28, data, len);
	return 28 + len;
}

TEST(rndis_control_parse)
{
	u8 m[128];
	struct vmbh_rndis_ctl c;
	u32 len = build_oid(m, RNDIS_MSG_QUERY, 5, OID_GEN_LINK_SPEED, NULL, 0);

	ASSERT_EQ(0, vmbh_rndis_parse_control(m, len, &c));
	EXPECT_EQ(5, c.req_id);
	EXPECT_EQ(OID_GEN_LINK_SPEED, c.oid);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_control(m, 27, &c));
	len = build_oid(m, RNDIS_MSG_SET, 6, OID_GEN_CURRENT_PACKET_FILTER,
			"\x0d\0\0\0", 4);
	ASSERT_EQ(0, vmbh_rndis_parse_control(m, len, &c));
	EXPECT_EQ(28, c.info_offset);
	EXPECT_EQ(4, c.info_len);
	put32(m + 8 + 8, 5);			/* info_buflen past the end */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_control(m, len, &c));
	put32(m + 8 + 8, 4);
	put32(m + 8 + 12, 0xFFFFFFFF);		/* offset wraps */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_control(m, len, &c));
	put32(m + 8 + 12, 4);			/* inside the request */
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_control(m, len, &c));
	put32(m, RNDIS_MSG_INDICATE);
	EXPECT_EQ(-EPROTO, vmbh_rndis_parse_control(m, len, &c));
	put32(m, RNDIS_MSG_INIT_C);
	EXPECT_EQ(-EPROTO, vmbh_rndis_parse_control(m, len, &c));
	put32(m, RNDIS_MSG_INIT);
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_control(m, 20, &c));
	EXPECT_EQ(-EINVAL, vmbh_rndis_parse_control(m, 11, &c));
}

FIXTURE(rndis) {
	struct vmbh_netvsp_cfg cfg;
	struct vmbh_rndis_state st;
	u8 msg[VMBH_NETVSP_CONTROL_MAX];
	u8 reply[VMBH_NETVSP_REPLY_MAX];
};

FIXTURE_SETUP(rndis)
{
	static const u8 mac[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };

	memset(&self->cfg, 0, sizeof(self->cfg));
	memset(&self->st, 0, sizeof(self->st));
	memcpy(self->cfg.mac, mac, 6);
	self->cfg.mtu = 1514;
	self->cfg.nvsp_version = NVSP_PROTOCOL_VERSION_61;
	self->cfg.max_queues = 4;
	self->cfg.link_speed = 100000000;
	self->cfg.link_up = true;
	self->cfg.offloads = true;
}

FIXTURE_TEARDOWN(rndis)
{
}

static int ctl_round(struct __test_metadata *_metadata, struct _test_data_rndis *self,
		     u32 len)
{
	struct vmbh_rndis_ctl c;
	int ret = vmbh_rndis_parse_control(self->msg, len, &c);

	if (ret)
		return ret;
	return vmbh_rndis_control_reply(&self->cfg, &self->st, &c, self->msg,
					self->reply, sizeof(self->reply));
}

static u32 do_init(struct __test_metadata *_metadata, struct _test_data_rndis *self)
{
	struct rndis_initialize_request r = { .req_id = 1, .major_ver = 1,
					      .max_xfer_size = 0x4000 };

	put32(self->msg, RNDIS_MSG_INIT);
	put32(self->msg + 4, 24);
	memcpy(self->msg + 8, &r, sizeof(r));
	return ctl_round(_metadata, self, 24);
}

TEST_F(rndis, init_once)
{
	ASSERT_EQ(52, do_init(_metadata, self));
	EXPECT_EQ(RNDIS_MSG_INIT_C, get32(self->reply));
	EXPECT_EQ(52, get32(self->reply + 4));
	EXPECT_EQ(1, get32(self->reply + 8));
	EXPECT_EQ(0, get32(self->reply + 12));
	EXPECT_EQ(VMBH_NETVSP_MAX_PKT_PER_MSG, get32(self->reply + 32));
	EXPECT_EQ(VMBH_NETVSP_PKT_ALIGN_SHIFT, get32(self->reply + 40));
	EXPECT_EQ(-EPROTO, (int)do_init(_metadata, self));
}

TEST_F(rndis, nothing_before_init)
{
	u32 len = build_oid(self->msg, RNDIS_MSG_QUERY, 2,
			    OID_802_3_PERMANENT_ADDRESS, NULL, 0);

	EXPECT_EQ(-EPROTO, ctl_round(_metadata, self, len));
}

TEST_F(rndis, query_mac_and_link)
{
	u32 len;

	do_init(_metadata, self);
	len = build_oid(self->msg, RNDIS_MSG_QUERY, 2,
			OID_802_3_PERMANENT_ADDRESS, NULL, 0);
	ASSERT_EQ(24 + 6, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_MSG_QUERY_C, get32(self->reply));
	EXPECT_EQ(2, get32(self->reply + 8));
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_EQ(6, get32(self->reply + 16));
	EXPECT_EQ(16, get32(self->reply + 20));
	EXPECT_EQ(0, memcmp(self->reply + 24, self->cfg.mac, 6));

	len = build_oid(self->msg, RNDIS_MSG_QUERY, 3,
			OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0);
	ASSERT_EQ(28, ctl_round(_metadata, self, len));
	EXPECT_EQ(NDIS_MEDIA_STATE_CONNECTED, get32(self->reply + 24));
	self->cfg.link_up = false;
	ASSERT_EQ(28, ctl_round(_metadata, self, len));
	EXPECT_EQ(NDIS_MEDIA_STATE_DISCONNECTED, get32(self->reply + 24));

	len = build_oid(self->msg, RNDIS_MSG_QUERY, 4,
			OID_GEN_MAXIMUM_FRAME_SIZE, NULL, 0);
	ASSERT_EQ(28, ctl_round(_metadata, self, len));
	EXPECT_EQ(1500, get32(self->reply + 24));

	len = build_oid(self->msg, RNDIS_MSG_QUERY, 5, 0x12345678, NULL, 0);
	ASSERT_EQ(24, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_NOT_SUPPORTED, get32(self->reply + 12));
	EXPECT_EQ(0, get32(self->reply + 16));
}

TEST_F(rndis, query_offload_caps_as_guest_checks)
{
	struct ndis_object_header want = { NDIS_OBJECT_TYPE_OFFLOAD, 3, 156 };
	struct ndis_offload o;
	u32 len;

	do_init(_metadata, self);
	len = build_oid(self->msg, RNDIS_MSG_QUERY, 2,
			OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, &want,
			sizeof(want));
	ASSERT_EQ(24 + 156, ctl_round(_metadata, self, len));
	memcpy(&o, self->reply + 24, sizeof(o));
	EXPECT_EQ(0xA7, o.header.type);
	EXPECT_GE(o.header.revision, 1);
	EXPECT_GE(o.header.size, 112);
	EXPECT_LE(o.header.size, get32(self->reply + 16));
	EXPECT_EQ(NDIS_CSUM_CAP_TCP4 | NDIS_CSUM_CAP_TCP4OPT,
		  o.ip4_txcsum & (NDIS_CSUM_CAP_TCP4 | NDIS_CSUM_CAP_TCP4OPT));
	EXPECT_TRUE(o.lsov2_ip4_encap & NDIS_OFFLOAD_ENCAP_8023);
	EXPECT_EQ(NDIS_LSOV2_CAP_IP6EXT | NDIS_LSOV2_CAP_TCP6OPT,
		  o.lsov2_ip6_opts);
	/* NVSP 4 guests ask for revision 2 */
	want.revision = 2;
	want.size = 144;
	len = build_oid(self->msg, RNDIS_MSG_QUERY, 3,
			OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES, &want,
			sizeof(want));
	ASSERT_EQ(24 + 144, ctl_round(_metadata, self, len));
	/* a tap without virtio-net header: valid object, no offloads */
	self->cfg.offloads = false;
	ASSERT_EQ(24 + 144, ctl_round(_metadata, self, len));
	memcpy(&o, self->reply + 24, 144);
	EXPECT_EQ(0xA7, o.header.type);
	EXPECT_EQ(0, o.ip4_txcsum);
	EXPECT_EQ(0, o.lsov2_ip4_encap);
}

TEST_F(rndis, query_rss_caps_by_version)
{
	struct ndis_recv_scale_cap cap;
	u32 len;

	do_init(_metadata, self);
	len = build_oid(self->msg, RNDIS_MSG_QUERY, 2,
			OID_GEN_RECEIVE_SCALE_CAPABILITIES, NULL, 0);
	ASSERT_EQ(24 + 18, ctl_round(_metadata, self, len));
	memcpy(&cap, self->reply + 24, sizeof(cap));
	EXPECT_EQ(4, cap.num_recv_que);
	EXPECT_EQ(128, cap.num_indirect_tabent);
	self->cfg.nvsp_version = NVSP_PROTOCOL_VERSION_4;
	ASSERT_EQ(24, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_NOT_SUPPORTED, get32(self->reply + 12));
}

/* Is @oid answered by a query or a set at the fixture's version? */
static bool oid_answered(struct _test_data_rndis *self, u32 oid)
{
	struct vmbh_rndis_state st = self->st;
	u8 zero[64] = { 0 }, out[VMBH_NETVSP_REPLY_MAX];
	u32 len;

	return vmbh_rndis_query(&self->cfg, oid, zero, 0, out, sizeof(out),
				&len) != RNDIS_STATUS_NOT_SUPPORTED ||
	       vmbh_rndis_set(&self->cfg, &st, oid, zero, 0) !=
	       RNDIS_STATUS_NOT_SUPPORTED;
}

/*
 * OID_GEN_SUPPORTED_LIST names exactly the OIDs a query or a set answers
 * (NDIS lists both kinds): every OID of the NVSP 6.1 list, plus some
 * unknown ones, checked at 6.1 and at 4, where RSS is not offered.
 */
TEST_F(rndis, supported_list_names_what_is_answered)
{
	static const u32 versions[] = { NVSP_PROTOCOL_VERSION_61,
					NVSP_PROTOCOL_VERSION_4 };
	u32 all[64], list[64], nr_all, nr, i, j, v, len;
	u8 out[VMBH_NETVSP_REPLY_MAX];
	bool listed;

	ASSERT_EQ(RNDIS_STATUS_SUCCESS,
		  vmbh_rndis_query(&self->cfg, OID_GEN_SUPPORTED_LIST, NULL, 0,
				   out, sizeof(out), &len));
	ASSERT_EQ(0, len % 4);
	nr_all = len / 4;
	ASSERT_GE(sizeof(all) / 4 - 2, nr_all);
	memcpy(all, out, len);
	all[nr_all++] = 0x12345678;
	all[nr_all++] = OID_GEN_FRIENDLY_NAME;
	for (v = 0; v < 2; v++) {
		self->cfg.nvsp_version = versions[v];
		ASSERT_EQ(RNDIS_STATUS_SUCCESS,
			  vmbh_rndis_query(&self->cfg, OID_GEN_SUPPORTED_LIST,
					   NULL, 0, out, sizeof(out), &len));
		nr = len / 4;
		memcpy(list, out, len);
		for (i = 0; i < nr_all; i++) {
			listed = false;
			for (j = 0; j < nr; j++)
				listed |= list[j] == all[i];
			EXPECT_EQ(listed, oid_answered(self, all[i]))
				TH_LOG("NVSP 0x%x OID 0x%08x", versions[v],
				       all[i]);
		}
	}
	EXPECT_EQ(nr_all - 2 - 2, nr);	/* no RSS OIDs at NVSP 4 */
}

TEST_F(rndis, set_filter_and_mcast)
{
	u8 mc[12] = { 0x01, 0, 0x5e, 0, 0, 1, 0x33, 0x33, 0, 0, 0, 1 };
	u32 len;

	do_init(_metadata, self);
	len = build_oid(self->msg, RNDIS_MSG_SET, 2,
			OID_GEN_CURRENT_PACKET_FILTER, "\x0d\0\0\0", 4);
	ASSERT_EQ(16, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_MSG_SET_C, get32(self->reply));
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_EQ(0x0d, self->st.packet_filter);
	len = build_oid(self->msg, RNDIS_MSG_SET, 3,
			OID_GEN_CURRENT_PACKET_FILTER, "\x0d\0\0", 3);
	ASSERT_EQ(16, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_INVALID_LENGTH, get32(self->reply + 12));
	len = build_oid(self->msg, RNDIS_MSG_SET, 4, OID_802_3_MULTICAST_LIST,
			mc, 12);
	ASSERT_EQ(16, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_EQ(2, self->st.mcast_count);
	len = build_oid(self->msg, RNDIS_MSG_SET, 5, OID_802_3_MULTICAST_LIST,
			mc, 7);
	ASSERT_EQ(16, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_INVALID_LENGTH, get32(self->reply + 12));
}

TEST_F(rndis, set_offload_params)
{
	struct ndis_offload_params p = { 0 };
	u32 len;

	do_init(_metadata, self);
	p.header.type = NDIS_OBJECT_TYPE_DEFAULT;
	p.header.revision = 3;
	p.header.size = 28;
	p.ip_v4_csum = 1;
	p.tcp_ip_v4_csum = 4;
	p.udp_ip_v4_csum = 4;
	p.tcp_ip_v6_csum = 4;
	p.udp_ip_v6_csum = 4;
	p.lso_v2_ipv4 = 2;
	p.lso_v2_ipv6 = 2;
	len = build_oid(self->msg, RNDIS_MSG_SET, 2, OID_TCP_OFFLOAD_PARAMETERS,
			&p, sizeof(p));
	ASSERT_EQ(16, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_TRUE(self->st.tx_csum_tcp4 && self->st.lso4 && self->st.lso6);
	EXPECT_TRUE(self->st.rx_csum);
	/* NVSP 4 form: 22 bytes */
	p.header.size = 22;
	len = build_oid(self->msg, RNDIS_MSG_SET, 3, OID_TCP_OFFLOAD_PARAMETERS,
			&p, 22);
	ASSERT_EQ(16, ctl_round(_metadata, self, len));
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	/* bad header, bad values, short */
	p.header.type = 0x81;
	len = build_oid(self->msg, RNDIS_MSG_SET, 4, OID_TCP_OFFLOAD_PARAMETERS,
			&p, 22);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	p.header.type = NDIS_OBJECT_TYPE_DEFAULT;
	p.tcp_ip_v4_csum = 5;
	len = build_oid(self->msg, RNDIS_MSG_SET, 5, OID_TCP_OFFLOAD_PARAMETERS,
			&p, 22);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	EXPECT_TRUE(self->st.tx_csum_tcp4);
	len = build_oid(self->msg, RNDIS_MSG_SET, 6, OID_TCP_OFFLOAD_PARAMETERS,
			&p, 21);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_LENGTH, get32(self->reply + 12));
}

static u32 build_rss(u8 *d, u16 flag, u32 entries, u32 queue_mod,
		     u16 keysize)
{
	struct ndis_recv_scale_param p = { 0 };
	u32 i;

	p.hdr.type = NDIS_OBJECT_TYPE_RSS_PARAMETERS;
	p.hdr.revision = 2;
	p.hdr.size = sizeof(p);
	p.flag = flag;
	p.hashinfo = NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4 |
		     NDIS_HASH_TCP_IPV4 | NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6;
	p.indirect_tabsize = 4 * entries;
	p.indirect_taboffset = sizeof(p);
	p.hashkey_size = keysize;
	p.hashkey_offset = sizeof(p) + 4 * entries;
	memcpy(d, &p, sizeof(p));
	for (i = 0; i < entries; i++)
		put32(d + sizeof(p) + 4 * i, i % queue_mod);
	for (i = 0; i < 40; i++)
		d[sizeof(p) + 4 * entries + i] = i * 7;
	return sizeof(p) + 4 * entries + 40;
}

TEST_F(rndis, set_rss)
{
	u8 d[1200];
	u32 dl, len;

	do_init(_metadata, self);
	dl = build_rss(d, NDIS_RSS_PARAM_FLAG_DISABLE_RSS, 128, 4, 40);
	len = build_oid(self->msg, RNDIS_MSG_SET, 2,
			OID_GEN_RECEIVE_SCALE_PARAMETERS, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_FALSE(self->st.rss.enabled);
	dl = build_rss(d, 0, 128, 4, 40);
	len = build_oid(self->msg, RNDIS_MSG_SET, 3,
			OID_GEN_RECEIVE_SCALE_PARAMETERS, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_TRUE(self->st.rss.enabled);
	EXPECT_EQ(128, self->st.rss.entries);
	EXPECT_EQ(3, self->st.rss.table[127]);
	/* queue number beyond the device's queues */
	dl = build_rss(d, 0, 128, 5, 40);
	len = build_oid(self->msg, RNDIS_MSG_SET, 4,
			OID_GEN_RECEIVE_SCALE_PARAMETERS, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	/* key size other than 40 */
	dl = build_rss(d, 0, 128, 4, 16);
	len = build_oid(self->msg, RNDIS_MSG_SET, 5,
			OID_GEN_RECEIVE_SCALE_PARAMETERS, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	/* table larger than 256 entries */
	dl = build_rss(d, 0, 257, 4, 40);
	len = build_oid(self->msg, RNDIS_MSG_SET, 6,
			OID_GEN_RECEIVE_SCALE_PARAMETERS, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	/* table outside the data */
	dl = build_rss(d, 0, 128, 4, 40);
	len = build_oid(self->msg, RNDIS_MSG_SET, 7,
			OID_GEN_RECEIVE_SCALE_PARAMETERS, d, 100);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	EXPECT_TRUE(self->st.rss.enabled);
}

static u32 build_netaddr(u8 *d, const char *value)
{
	static const char name[] = "NetworkAddress";
	struct rndis_config_parameter_info p = {
		.parameter_name_offset = 20,
		.parameter_name_length = 28,
		.parameter_type = RNDIS_CONFIG_PARAM_TYPE_STRING,
		.parameter_value_offset = 48,
		.parameter_value_length = 2 * strlen(value),
	};
	u32 i;

	memcpy(d, &p, sizeof(p));
	for (i = 0; i < 14; i++) {
		d[20 + 2 * i] = name[i];
		d[21 + 2 * i] = 0;
	}
	for (i = 0; i < strlen(value); i++) {
		d[48 + 2 * i] = value[i];
		d[49 + 2 * i] = 0;
	}
	return 48 + 2 * strlen(value);
}

TEST_F(rndis, set_mac_through_config_parameter)
{
	static const u8 want[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	u8 d[128];
	u32 dl, len;

	do_init(_metadata, self);
	dl = build_netaddr(d, "021122334455");
	len = build_oid(self->msg, RNDIS_MSG_SET, 2,
			OID_GEN_RNDIS_CONFIG_PARAMETER, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_SUCCESS, get32(self->reply + 12));
	EXPECT_TRUE(self->st.config_mac_set);
	EXPECT_EQ(0, memcmp(want, self->st.config_mac, 6));
	dl = build_netaddr(d, "031122334455");	/* multicast */
	len = build_oid(self->msg, RNDIS_MSG_SET, 3,
			OID_GEN_RNDIS_CONFIG_PARAMETER, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	dl = build_netaddr(d, "02112233445x");
	len = build_oid(self->msg, RNDIS_MSG_SET, 4,
			OID_GEN_RNDIS_CONFIG_PARAMETER, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	dl = build_netaddr(d, "000000000000");
	len = build_oid(self->msg, RNDIS_MSG_SET, 5,
			OID_GEN_RNDIS_CONFIG_PARAMETER, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
	put32(d + 12, 4000);			/* value offset out of bounds */
	len = build_oid(self->msg, RNDIS_MSG_SET, 6,
			OID_GEN_RNDIS_CONFIG_PARAMETER, d, dl);
	ctl_round(_metadata, self, len);
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA, get32(self->reply + 12));
}

TEST_F(rndis, keepalive_reset_halt)
{
	do_init(_metadata, self);
	put32(self->msg, RNDIS_MSG_KEEPALIVE);
	put32(self->msg + 4, 12);
	put32(self->msg + 8, 77);
	ASSERT_EQ(16, ctl_round(_metadata, self, 12));
	EXPECT_EQ(RNDIS_MSG_KEEPALIVE_C, get32(self->reply));
	EXPECT_EQ(77, get32(self->reply + 8));
	EXPECT_EQ(0, get32(self->reply + 12));
	put32(self->msg, RNDIS_MSG_RESET);
	ASSERT_EQ(16, ctl_round(_metadata, self, 12));
	EXPECT_EQ(RNDIS_MSG_RESET_C, get32(self->reply));
	EXPECT_EQ(0, get32(self->reply + 8));
	put32(self->msg, RNDIS_MSG_HALT);
	EXPECT_EQ(0, ctl_round(_metadata, self, 12));
	EXPECT_FALSE(self->st.initialized);
}

TEST_F(rndis, rx_filter)
{
	u8 bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	u8 mc[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	u8 other[6] = { 0x02, 0, 0, 0, 0, 9 };

	EXPECT_FALSE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, self->cfg.mac));
	EXPECT_FALSE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, bc));
	self->st.packet_filter = NDIS_PACKET_TYPE_DIRECTED |
				 NDIS_PACKET_TYPE_BROADCAST;
	EXPECT_TRUE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, self->cfg.mac));
	EXPECT_TRUE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, bc));
	EXPECT_FALSE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, mc));
	EXPECT_FALSE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, other));
	self->st.packet_filter |= NDIS_PACKET_TYPE_ALL_MULTICAST;
	EXPECT_TRUE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, mc));
	self->st.packet_filter = NDIS_PACKET_TYPE_PROMISCUOUS;
	EXPECT_TRUE(vmbh_rndis_rx_wanted(&self->cfg, &self->st, other));
}

TEST(rndis_rx_header_walkable)
{
	u8 b[256];
	struct vmbh_rndis_pkt p;
	u32 len = vmbh_rndis_build_rx_header(b, 60, NDIS_CSUM_RX_TCP_OK, true,
					     0x1234);

	EXPECT_EQ(VMBH_NETVSP_RX_DATA_OFFSET + 60, len);
	ASSERT_EQ(0, vmbh_rndis_parse_packet(b, VMBH_NETVSP_RX_DATA_OFFSET,
					     len, &p));
	EXPECT_EQ(VMBH_NETVSP_RX_DATA_OFFSET, p.data_offset);
	EXPECT_EQ(60, p.data_len);
	EXPECT_EQ(NDIS_CSUM_RX_TCP_OK, p.csum);
	EXPECT_EQ(0x1234, p.hash);
	len = vmbh_rndis_build_indicate(b, RNDIS_STATUS_MEDIA_CONNECT);
	EXPECT_EQ(20, len);
	EXPECT_EQ(RNDIS_MSG_INDICATE, get32(b));
	EXPECT_EQ(RNDIS_STATUS_MEDIA_CONNECT, get32(b + 8));
}

/* ---- offloads ---- */

/* Ethernet + IPv4 + TCP frame with @payload bytes, as a Linux LSO send. */
static u32 build_tcp4(u8 *f, u32 payload, bool lso)
{
	u32 len = 14 + 20 + 20 + payload;

	memset(f, 0, 54);
	f[12] = 0x08;
	f[14] = 0x45;
	if (!lso) {
		f[16] = (len - 14) >> 8;
		f[17] = (len - 14) & 0xff;
	}
	f[22] = 64;
	f[23] = 6;
	f[26] = 10; f[29] = 1;			/* 10.0.0.1 */
	f[30] = 10; f[33] = 2;			/* 10.0.0.2 */
	f[34] = 0x12; f[35] = 0x34;
	f[36] = 0x00; f[37] = 0x50;
	f[46] = 0x50;				/* doff 5 */
	return len;
}

/* Reference checksum of the TCP segment as a receiver verifies it. */
static u16 tcp4_verify(const u8 *f, u32 len)
{
	u32 l4len = len - 34;
	u32 sum = vmbh_netvsp_csum_add(0, f + 26, 8) + 6 + l4len;

	sum = vmbh_netvsp_csum_add(sum, f + 34, l4len);
	return (u16)~vmbh_netvsp_csum_fold(sum);
}

TEST(tx_lso4_fixups)
{
	u8 f[256];
	struct vmbh_rndis_pkt p = { .present = 1u << RNDIS_PPI_LSO };
	struct vmbh_vnet_hdr vh;
	u32 frame_len = build_tcp4(f, 3000, true), hl = 200;

	p.lso = 1448 | 34u << 20 | NDIS_LSO_TYPE_V2;
	ASSERT_EQ(0, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f), frame_len,
					    &vh));
	EXPECT_EQ(200, hl);
	EXPECT_EQ(VMBH_VNET_GSO_TCPV4, vh.gso_type);
	EXPECT_EQ(1448, vh.gso_size);
	EXPECT_EQ(54, vh.hdr_len);
	EXPECT_EQ(34, vh.csum_start);
	EXPECT_EQ(16, vh.csum_offset);
	EXPECT_EQ(VMBH_VNET_F_NEEDS_CSUM, vh.flags);
	EXPECT_EQ(frame_len - 14, (u32)(f[16] << 8 | f[17]));
	/* IPv4 header checksum verifies */
	EXPECT_EQ(0xffff, vmbh_netvsp_csum_fold(vmbh_netvsp_csum_add(0, f + 14,
								     20)));
	/* pseudo-header seed includes the TCP length */
	EXPECT_EQ(vmbh_netvsp_csum_fold(vmbh_netvsp_csum_add(0, f + 26, 8) + 6 +
					frame_len - 34),
		  (u16)(f[50] << 8 | f[51]));
}

TEST(tx_lso_bad_offsets)
{
	u8 f[256];
	struct vmbh_rndis_pkt p = { .present = 1u << RNDIS_PPI_LSO };
	struct vmbh_vnet_hdr vh;
	u32 frame_len = build_tcp4(f, 3000, true), hl;

	p.lso = 1448 | 30u << 20 | NDIS_LSO_TYPE_V2;	/* inside the IP header */
	hl = 200;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 1448 | 250u << 20 | NDIS_LSO_TYPE_V2;	/* beyond the copy */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 0 | 34u << 20 | NDIS_LSO_TYPE_V2;	/* MSS 0 */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 1448 | 34u << 20;			/* LSOv1 */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 1448 | 34u << 20 | NDIS_LSO_TYPE_V2 | NDIS_LSO_IPV6;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 1448 | 34u << 20 | NDIS_LSO_TYPE_V2;
	f[46] = 0x40;					/* TCP doff 4 */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	f[46] = 0x50;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  70000, &vh));
	f[23] = 17;					/* not TCP */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
}

/* The 20-bit LSOv2 MSS must fit the tap's 16-bit gso_size, not wrap. */
TEST(tx_lso_mss_fits_gso_size)
{
	u8 f[256];
	struct vmbh_rndis_pkt p = { .present = 1u << RNDIS_PPI_LSO };
	struct vmbh_vnet_hdr vh;
	u32 frame_len = build_tcp4(f, 3000, true), hl = 200;

	p.lso = 0x10001 | 34u << 20 | NDIS_LSO_TYPE_V2;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 0xFFFFF | 34u << 20 | NDIS_LSO_TYPE_V2;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 0xFFFF | 34u << 20 | NDIS_LSO_TYPE_V2;	/* GSO_BY_FRAGS */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.lso = 0xFFFE | 34u << 20 | NDIS_LSO_TYPE_V2;
	ASSERT_EQ(0, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f), frame_len,
					    &vh));
	EXPECT_EQ(0xFFFE, vh.gso_size);
}

TEST(tx_csum_tcp4_then_software_checksum_verifies)
{
	u8 f[256];
	struct vmbh_rndis_pkt p = { .present = 1u << RNDIS_PPI_CHECKSUM };
	struct vmbh_vnet_hdr vh;
	u32 frame_len = build_tcp4(f, 100, false), hl = frame_len;
	u32 sum;
	u16 c;

	memset(f + 54, 0x5a, 100);
	p.csum = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_TCP | 34u << 16;
	ASSERT_EQ(0, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f), frame_len,
					    &vh));
	EXPECT_EQ(VMBH_VNET_F_NEEDS_CSUM, vh.flags);
	EXPECT_EQ(VMBH_VNET_GSO_NONE, vh.gso_type);
	EXPECT_EQ(34, vh.csum_start);
	EXPECT_EQ(16, vh.csum_offset);
	/* finish as the kernel does for NEEDS_CSUM, then verify */
	sum = vmbh_netvsp_csum_add(0, f + 34, frame_len - 34);
	c = ~vmbh_netvsp_csum_fold(sum);
	f[50] = c >> 8;
	f[51] = c & 0xff;
	EXPECT_EQ(0, tcp4_verify(f, frame_len));
}

TEST(tx_csum_bad)
{
	u8 f[256];
	struct vmbh_rndis_pkt p = { .present = 1u << RNDIS_PPI_CHECKSUM };
	struct vmbh_vnet_hdr vh;
	u32 frame_len = build_tcp4(f, 100, false), hl = frame_len;

	p.csum = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_IPV6 | NDIS_CSUM_TX_TCP |
		 34u << 16;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.csum = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_TCP | 20u << 16;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.csum = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_TCP | 1000u << 16;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	p.csum = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_TCP | NDIS_CSUM_TX_UDP |
		 34u << 16;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f),
						  frame_len, &vh));
	hl = 10;				/* runt */
	EXPECT_EQ(-EINVAL, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f), 10,
						  &vh));
}

TEST(tx_vlan_inserted)
{
	u8 f[256];
	struct vmbh_rndis_pkt p = {
		.present = 1u << RNDIS_PPI_CHECKSUM | 1u << RNDIS_PPI_VLAN,
	};
	struct vmbh_vnet_hdr vh;
	u32 frame_len = build_tcp4(f, 20, false), hl = frame_len;

	p.csum = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_TCP | 34u << 16;
	p.vlan = 5 | 1 << 3 | 100 << 4;	/* prio 5, cfi, id 100 */
	ASSERT_EQ(0, vmbh_netvsp_tx_offload(&p, f, &hl, sizeof(f), frame_len,
					    &vh));
	EXPECT_EQ(frame_len + 4, hl);
	EXPECT_EQ(0x81, f[12]);
	EXPECT_EQ(0x00, f[13]);
	EXPECT_EQ((5 << 13 | 1 << 12 | 100) >> 8, f[14]);
	EXPECT_EQ(0x08, f[16]);
	EXPECT_EQ(38, vh.csum_start);
}

TEST(rx_csum_completes_partial)
{
	u8 f[256];
	struct vmbh_vnet_hdr vh = { .flags = VMBH_VNET_F_NEEDS_CSUM,
				    .csum_start = 34, .csum_offset = 16 };
	u32 len = build_tcp4(f, 50, false), ppi;
	u16 seed = vmbh_netvsp_csum_fold(vmbh_netvsp_csum_add(0, f + 26, 8) +
					 6 + len - 34);

	memset(f + 54, 0x77, 50);
	f[50] = seed >> 8;
	f[51] = seed & 0xff;
	ASSERT_EQ(0, vmbh_netvsp_rx_csum(&vh, f, len, &ppi));
	EXPECT_EQ(NDIS_CSUM_RX_TCP_OK, ppi);
	EXPECT_EQ(0, tcp4_verify(f, len));
	vh.csum_offset = 1000;
	EXPECT_EQ(-EINVAL, vmbh_netvsp_rx_csum(&vh, f, len, &ppi));
	vh.gso_type = VMBH_VNET_GSO_TCPV4;
	EXPECT_EQ(-EOPNOTSUPP, vmbh_netvsp_rx_csum(&vh, f, len, &ppi));
	vh.gso_type = 0;
	vh.flags = VMBH_VNET_F_DATA_VALID;
	ASSERT_EQ(0, vmbh_netvsp_rx_csum(&vh, f, len, &ppi));
	EXPECT_EQ(NDIS_CSUM_RX_TCP_OK, ppi);
	vh.flags = 0;
	ASSERT_EQ(0, vmbh_netvsp_rx_csum(&vh, f, len, &ppi));
	EXPECT_EQ(0, ppi);
}

/* The verification suite of the Microsoft RSS specification. */
static const u8 ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

TEST(toeplitz_reference_vectors)
{
	/* 66.9.149.187:2794 -> 161.142.100.80:1766 */
	u8 in4[12] = { 66, 9, 149, 187, 161, 142, 100, 80,
		       0x0a, 0xea, 0x06, 0xe6 };

	EXPECT_EQ(0x323e8fc2, vmbh_netvsp_toeplitz(ms_key, in4, 8));
	EXPECT_EQ(0x51ccc178, vmbh_netvsp_toeplitz(ms_key, in4, 12));
}

TEST(rss_hash_frame)
{
	struct vmbh_netvsp_rss rss = { .enabled = true,
				       .hashinfo = NDIS_HASH_IPV4 |
						   NDIS_HASH_TCP_IPV4 };
	u8 f[128];
	u32 len = build_tcp4(f, 0, false), h;

	memcpy(rss.key, ms_key, 40);
	f[26] = 66; f[27] = 9; f[28] = 149; f[29] = 187;
	f[30] = 161; f[31] = 142; f[32] = 100; f[33] = 80;
	f[34] = 0x0a; f[35] = 0xea; f[36] = 0x06; f[37] = 0xe6;
	ASSERT_TRUE(vmbh_netvsp_rss_hash(&rss, f, len, &h));
	EXPECT_EQ(0x51ccc178, h);
	rss.hashinfo = NDIS_HASH_IPV4;
	ASSERT_TRUE(vmbh_netvsp_rss_hash(&rss, f, len, &h));
	EXPECT_EQ(0x323e8fc2, h);
	rss.enabled = false;
	EXPECT_FALSE(vmbh_netvsp_rss_hash(&rss, f, len, &h));
}

/* ---- receive sub-allocations ---- */

TEST(rxsec_batches)
{
	u32 fr[8], nx[8], ow[8], secs[3];
	struct vmbh_rxsec rs = { .count = 8, .free = fr, .next = nx,
				 .owner = ow };
	u64 id;
	int i;

	vmbh_rxsec_init(&rs);
	for (i = 0; i < 3; i++)
		secs[i] = vmbh_rxsec_get(&rs);
	EXPECT_EQ(5, rs.nr_free);
	id = vmbh_rxsec_commit(&rs, secs, 3, 2);
	EXPECT_EQ(secs[0], id);
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, id, 1));	/* wrong chan */
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, secs[1], 2)); /* member */
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, 8, 2));
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, 1ull << 40, 2));
	EXPECT_EQ(3, vmbh_rxsec_complete(&rs, id, 2));
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, id, 2));	/* twice */
	EXPECT_EQ(8, rs.nr_free);
	for (i = 0; i < 8; i++)
		EXPECT_LE(0, vmbh_rxsec_get(&rs));
	EXPECT_EQ(-ENOSPC, vmbh_rxsec_get(&rs));
}

TEST(rxsec_drop_channel)
{
	u32 fr[8], nx[8], ow[8], secs[6], rest;
	struct vmbh_rxsec rs = { .count = 8, .free = fr, .next = nx,
				 .owner = ow };
	u64 a, b, c;
	int i;

	vmbh_rxsec_init(&rs);
	for (i = 0; i < 6; i++)
		secs[i] = vmbh_rxsec_get(&rs);
	a = vmbh_rxsec_commit(&rs, secs, 2, 1);
	b = vmbh_rxsec_commit(&rs, secs + 2, 1, 0);
	c = vmbh_rxsec_commit(&rs, secs + 3, 2, 1);
	rest = secs[5];			/* taken, not yet sent */
	EXPECT_EQ(2, rs.nr_free);
	EXPECT_EQ(0, vmbh_rxsec_drop_channel(&rs, 2));
	EXPECT_EQ(4, vmbh_rxsec_drop_channel(&rs, 1));
	EXPECT_EQ(6, rs.nr_free);
	EXPECT_EQ(0, vmbh_rxsec_drop_channel(&rs, 1));
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, a, 1));
	EXPECT_EQ(-EINVAL, vmbh_rxsec_complete(&rs, c, 1));
	EXPECT_EQ(1, vmbh_rxsec_complete(&rs, b, 0));
	vmbh_rxsec_put(&rs, rest);
	EXPECT_EQ(8, rs.nr_free);
}

TEST_HARNESS_MAIN

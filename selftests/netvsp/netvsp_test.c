// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of vmbh_netvsp.ko: the userspace test guest (selftests/
 * vmbus_host/lib) plays a netvsc guest on a NET device bound to a tap it
 * created, and checks NVSP + RNDIS bring-up for every NVSP version, frames
 * in both directions through the tap, and the channel's reaction to
 * malformed NVSP/RNDIS input (vmbus-protocol.md 7.5).
 */
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/userfaultfd.h>
#include <linux/virtio_net.h>

#include "kselftest_harness.h"
#include "nv.h"

/* ---- bring-up at every NVSP version ---- */

FIXTURE(bringup) {
	struct nv n;
};

FIXTURE_VARIANT(bringup) {
	uint32_t version;
};

FIXTURE_VARIANT_ADD(bringup, v61) { .version = NVSP_PROTOCOL_VERSION_61 };
FIXTURE_VARIANT_ADD(bringup, v6) { .version = NVSP_PROTOCOL_VERSION_6 };
FIXTURE_VARIANT_ADD(bringup, v5) { .version = NVSP_PROTOCOL_VERSION_5 };
FIXTURE_VARIANT_ADD(bringup, v4) { .version = NVSP_PROTOCOL_VERSION_4 };
FIXTURE_VARIANT_ADD(bringup, v2) { .version = NVSP_PROTOCOL_VERSION_2 };
FIXTURE_VARIANT_ADD(bringup, v1) { .version = NVSP_PROTOCOL_VERSION_1 };

FIXTURE_SETUP(bringup)
{
	memset(&self->n, 0, sizeof(self->n));
	self->n.tap = -1;
	self->n.peer = -1;
	ASSERT_EQ(0, nv_bringup(&self->n, variant->version, true, 4));
}

FIXTURE_TEARDOWN(bringup)
{
	nv_teardown(&self->n);
}

TEST_F(bringup, oids_and_frames)
{
	struct nv *n = &self->n;
	uint8_t r[512], f[1600], m[2048], got[1700];
	struct ndis_object_header want = { NDIS_OBJECT_TYPE_OFFLOAD, 3, 156 };
	struct ndis_offload o;
	struct vmbh_rndis_pkt p;
	uint32_t v, flen, mlen;
	int ret;

	/* permanent MAC, as netvsc reads it */
	ret = nv_oid(n, RNDIS_MSG_QUERY, OID_802_3_PERMANENT_ADDRESS, NULL, 0,
		     r, sizeof(r));
	ASSERT_EQ(30, ret);
	EXPECT_EQ(0, memcmp(r + 24, nv_guest_mac, 6));
	/* offload capabilities: the checks rndis_query_hwcaps() makes */
	ret = nv_oid(n, RNDIS_MSG_QUERY, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
		     &want, 4, r, sizeof(r));
	ASSERT_GE(ret, 24 + 112);
	EXPECT_EQ(0xA7, r[24]);
	/* LSOv2 up to the 64 KiB a Linux sender's TSO frames reach */
	memcpy(&o, r + 24, sizeof(o));
	EXPECT_EQ(65536, o.lsov2_ip4_maxsz);
	EXPECT_EQ(65536, o.lsov2_ip6_maxsz);
	/* media state follows the tap: up */
	ret = nv_oid(n, RNDIS_MSG_QUERY, OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
		     r, sizeof(r));
	ASSERT_EQ(28, ret);
	memcpy(&v, r + 24, 4);
	EXPECT_EQ(NDIS_MEDIA_STATE_CONNECTED, v);
	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(n, 0x0d));

	/* guest -> peer */
	flen = nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 200, 7);
	mlen = nv_packet(m, f, flen, NULL, NULL, 0);
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_rndis(n, NVSP_RNDIS_CHANNEL_DATA,
						   5, m, mlen));
	ret = nv_peer_read(n->peer, got, sizeof(got), NV_WAIT_MS);
	ASSERT_EQ(flen, ret);
	EXPECT_EQ(0, memcmp(got, f, flen));

	/* peer -> guest */
	flen = nv_udp_frame(got, nv_guest_mac, nv_peer_mac, 300, 9);
	ASSERT_EQ(flen, send(n->peer, got, flen, 0));
	ret = nv_recv_rndis(n, m, sizeof(m), &v, NULL);
	ASSERT_EQ(VMBH_NETVSP_RX_DATA_OFFSET + flen, ret);
	EXPECT_EQ(NVSP_RNDIS_CHANNEL_DATA, v);
	ASSERT_EQ(0, vmbh_rndis_parse_packet(m, ret, ret, &p));
	EXPECT_EQ(flen, p.data_len);
	EXPECT_EQ(0, memcmp(m + p.data_offset, got, flen));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 0));
}

/* ---- malformed input ---- */

FIXTURE(hostile) {
	struct nv n;
};

FIXTURE_SETUP(hostile)
{
	memset(&self->n, 0, sizeof(self->n));
	self->n.tap = -1;
	self->n.peer = -1;
	ASSERT_EQ(0, nv_bringup(&self->n, NVSP_PROTOCOL_VERSION_61, true, 4));
}

FIXTURE_TEARDOWN(hostile)
{
	nv_teardown(&self->n);
}

static void send_raw_rndis(struct nv *n, uint32_t sec, uint32_t size)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

	m.rndis_pkt.channel_type = NVSP_RNDIS_CHANNEL_DATA;
	m.rndis_pkt.send_buf_section_index = sec;
	m.rndis_pkt.send_buf_section_size = size;
	tg_chan_send(&n->ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, ++n->tid, &m, sizeof(m));
}

TEST_F(hostile, section_index_past_buffer_fails_channel)
{
	send_raw_rndis(&self->n, 170, 100);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, section_size_past_buffer_fails_channel)
{
	send_raw_rndis(&self->n, 169, 6145);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, empty_send_fails_channel)
{
	send_raw_rndis(&self->n, 0xFFFFFFFF, 0);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, second_init_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG_TYPE_INIT };

	m.init.min_protocol_ver = NVSP_PROTOCOL_VERSION_61;
	m.init.max_protocol_ver = NVSP_PROTOCOL_VERSION_61;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, unknown_nvsp_type_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = 999 };

	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, short_nvsp_message_fails_channel)
{
	uint32_t t = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;

	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &t, sizeof(t));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, request_without_completion_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

	m.rndis_pkt.send_buf_section_index = 0;
	m.rndis_pkt.send_buf_section_size = 60;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND, 0, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, bad_channel_type_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

	m.rndis_pkt.channel_type = 2;
	m.rndis_pkt.send_buf_section_index = 0;
	m.rndis_pkt.send_buf_section_size = 60;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, unknown_receive_completion_fails_channel)
{
	uint8_t comp[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };

	tg_chan_send(&self->n.ch, TG_PKT_COMP, 0, 12345, comp, 8);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

/* RNDIS content errors: an error completion, the channel stays up. */
static void expect_rndis_error(struct __test_metadata *_metadata, struct nv *n,
			       const uint8_t *m, uint32_t len)
{
	int st = nv_send_rndis(n, NVSP_RNDIS_CHANNEL_DATA, 3, m, len);

	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT, st);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 0));
}

TEST_F(hostile, rndis_msg_len_beyond_stream)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 NULL, NULL, 0), bad = len + 1;

	memcpy(m + 4, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_msg_len_below_header)
{
	uint8_t m[64] = { 1, 0, 0, 0, 4, 0, 0, 0 };

	expect_rndis_error(_metadata, &self->n, m, 64);
}

TEST_F(hostile, rndis_data_past_message)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 NULL, NULL, 0), bad = 1000;

	memcpy(m + 12, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_data_len_zero)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 NULL, NULL, 0), bad = 0;

	memcpy(m + 12, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_ppi_size_zero)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_HASH, v = 1, zero = 0;
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 &t, &v, 1);

	memcpy(m + 44, &zero, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_ppi_offset_past_element)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_HASH, v = 1, bad = 40;
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 &t, &v, 1);

	memcpy(m + 52, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_ppi_area_past_data_offset)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_HASH, v = 1, bad = 200;
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 &t, &v, 1);

	memcpy(m + 8 + 24, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, frame_larger_than_mtu)
{
	static uint8_t f[2000], m[2100];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 1600, 1),
				 NULL, NULL, 0);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, lso_offset_inside_ip_header)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_LSO, v = 1400 | 30u << 20 | NDIS_LSO_TYPE_V2;
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 &t, &v, 1);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, csum_offset_past_frame)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_CHECKSUM,
		 v = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_UDP | 1000u << 16;
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 &t, &v, 1);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, control_message_after_packet)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1),
				 NULL, NULL, 0);
	uint32_t q[3] = { RNDIS_MSG_KEEPALIVE, 12, 5 };

	memcpy(m + len, q, 12);
	expect_rndis_error(_metadata, &self->n, m, len + 12);
}

TEST_F(hostile, query_info_buffer_outside_message)
{
	uint8_t m[64] = { 0 };
	uint32_t w[7] = { RNDIS_MSG_QUERY, 28, 77, OID_GEN_LINK_SPEED, 100, 20,
			  0 };
	int st;

	memcpy(m, w, sizeof(w));
	st = nv_send_rndis(&self->n, NVSP_RNDIS_CHANNEL_CONTROL, 2, m, 28);
	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT, st);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, second_rndis_initialize_rejected)
{
	EXPECT_EQ(-EPROTO, nv_rndis_init(&self->n));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

/* ---- more malformed input: GPA ranges, buffers, OIDs, completions ---- */

/* A GPA-direct SEND_RNDIS_PKT of @nr ranges of @len bytes at page @pfn. */
static void send_raw_gpa(struct nv *n, uint32_t nr, uint64_t pfn,
			 uint32_t len)
{
	static uint8_t buf[4096];
	struct tg_pkt_desc *d = (void *)buf;
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };
	uint32_t pos = 24, i, zero = 0;
	struct iovec iov;
	bool sig;

	memset(buf, 0, sizeof(buf));
	memcpy(buf + 20, &nr, 4);
	for (i = 0; i < nr; i++) {
		memcpy(buf + pos, &len, 4);
		memcpy(buf + pos + 4, &zero, 4);
		memcpy(buf + pos + 8, &pfn, 8);
		pos += 16;
	}
	m.rndis_pkt.send_buf_section_index = NVSP_SEND_SECTION_NONE;
	memcpy(buf + pos, &m, sizeof(m));
	d->type = TG_PKT_DATA_GPA_DIRECT;
	d->flags = TG_PKT_FLAG_COMPLETION_REQUESTED;
	d->trans_id = ++n->tid;
	d->offset8 = pos / 8;
	d->len8 = (pos + sizeof(m)) / 8;
	iov.iov_base = buf;
	iov.iov_len = d->len8 * 8;
	if (!tg_ring_write(&n->ch.out, &iov, 1, &sig) && sig)
		tg_chan_kick(&n->ch);
}

TEST_F(hostile, gpa_range_outside_guest_memory_fails_channel)
{
	send_raw_gpa(&self->n, 1, 0x10, 100);	/* guest RAM starts at 4 GiB */
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, too_many_gpa_ranges_fails_channel)
{
	uint8_t *p = tg_mem_alloc(&self->n.vm.mem, 1);

	ASSERT_NE(NULL, p);
	send_raw_gpa(&self->n, 33, tg_mem_pfn(&self->n.vm.mem, p), 64);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, gpa_frame_larger_than_mtu)
{
	struct nv *n = &self->n;
	uint8_t *p = tg_mem_alloc(&n->vm.mem, 2);
	static uint8_t f[2100];
	struct nv_range r;
	uint32_t flen;

	ASSERT_NE(NULL, p);
	flen = nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 1600, 1);
	r.p = p;
	r.len = nv_packet(p, f, flen, NULL, NULL, 0);
	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT,
		  nv_send_gpa_wait(n, 0, NVSP_RNDIS_CHANNEL_DATA,
				   NVSP_SEND_SECTION_NONE, 0, &r, 1));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 0));
}

TEST_F(hostile, rndis_oob_data_rejected)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac,
						    10, 1), NULL, NULL, 0);
	uint32_t oob_len = 8;

	memcpy(m + 8 + 12, &oob_len, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_vc_handle_rejected)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, nv_udp_frame(f, nv_peer_mac, nv_guest_mac,
						    10, 1), NULL, NULL, 0);
	uint32_t vc = 3;

	memcpy(m + 8 + 28, &vc, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, batched_second_packet_overruns_stream)
{
	uint8_t f[100], m[512];
	uint32_t flen = nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 10, 1);
	uint32_t a = nv_packet(m, f, flen, NULL, NULL, 0);
	uint32_t b = nv_packet(m + a, f, flen, NULL, NULL, 0), bad = b + 64;

	memcpy(m + a + 4, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, a + b);
}

/* Frames from the guest the peer socket sees within @ms of quiet. */
static int peer_frames(struct nv *n, int ms)
{
	uint8_t buf[2048];
	int cnt = 0;

	while (nv_peer_read(n->peer, buf, sizeof(buf), ms) > 0)
		cnt++;
	return cnt;
}

/* @nr RNDIS PACKETs of one 60-byte frame each; returns their bytes. */
static uint32_t small_packets(uint8_t *m, uint32_t nr)
{
	uint8_t f[100];
	uint32_t i, len = 0;

	for (i = 0; i < nr; i++)
		len += nv_packet(m + len, f, nv_udp_frame(f, nv_peer_mac,
							  nv_guest_mac, 18, i),
				 NULL, NULL, 0);
	return len;
}

/* What INITIALIZE_CMPLT allows (max_pkt_per_msg) goes out in one send. */
TEST_F(hostile, batch_of_max_packets_sent)
{
	uint8_t m[NV_SECTION];
	uint32_t len = small_packets(m, VMBH_NETVSP_MAX_PKT_PER_MSG);

	EXPECT_EQ(NVSP_STAT_SUCCESS,
		  nv_send_rndis(&self->n, NVSP_RNDIS_CHANNEL_DATA, 4, m, len));
	EXPECT_EQ(VMBH_NETVSP_MAX_PKT_PER_MSG, peer_frames(&self->n, 500));
}

/* One more packet than allowed: an error, and no flood of frames. */
TEST_F(hostile, batch_over_max_packets_refused)
{
	uint8_t m[NV_SECTION];
	uint32_t len = small_packets(m, 40);

	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT,
		  nv_send_rndis(&self->n, NVSP_RNDIS_CHANNEL_DATA, 4, m, len));
	EXPECT_GE(VMBH_NETVSP_MAX_PKT_PER_MSG, peer_frames(&self->n, 500));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

/* A span over two sections, full of valid packets: none goes out. */
TEST_F(hostile, send_span_over_one_section_fails_channel)
{
	struct nv *n = &self->n;
	uint32_t len = 0;

	while (len + 104 <= 2 * NV_SECTION)
		len += small_packets(n->send_buf + len, 1);
	ASSERT_LT(NV_SECTION, len);
	send_raw_rndis(n, 0, len);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(n, 0));
	EXPECT_EQ(0, peer_frames(n, 500));
}

TEST_F(hostile, lso_mss_zero_rejected)
{
	uint8_t f[200], m[300];
	uint32_t t = RNDIS_PPI_LSO, v = 0 | 34u << 20 | NDIS_LSO_TYPE_V2;
	uint32_t flen = nv_ip_tcp(f, nv_peer_mac, NV_GUEST_IP, NV_PEER_IP, 1, 2,
				  1, 1, 0x10, 100, f, 64);
	uint32_t len = nv_packet(m, f, flen, &t, &v, 1);

	expect_rndis_error(_metadata, &self->n, m, len);
}

/* MSS 0x10001 would wrap to a gso_size of 1: 64 one-byte segments here. */
TEST_F(hostile, lso_mss_above_16_bits_rejected)
{
	uint8_t f[200], m[300];
	uint32_t t = RNDIS_PPI_LSO, v = 0x10001 | 34u << 20 | NDIS_LSO_TYPE_V2;
	uint32_t flen = nv_ip_tcp(f, nv_peer_mac, NV_GUEST_IP, NV_PEER_IP, 1, 2,
				  1, 1, 0x10, 100, f, 64);
	uint32_t len = nv_packet(m, f, flen, &t, &v, 1);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, unknown_rndis_message_type_rejected)
{
	uint32_t w[4] = { 0x99, 16, 5, 0 };

	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT,
		  nv_send_rndis(&self->n, NVSP_RNDIS_CHANNEL_CONTROL, 2, w, 16));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, second_receive_buffer_refused)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF };
	struct nvsp_message r;

	m.send_buf.gpadl_handle = NV_RECV_GPADL;
	m.send_buf.id = NVSP_RECV_BUFFER_ID;
	ASSERT_EQ(0, nv_request(&self->n, &m, &r));
	EXPECT_EQ(NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE, r.hdr.msg_type);
	EXPECT_EQ(NVSP_STAT_FAIL, r.recv_buf_complete.status);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, switch_data_path_bad_value_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG4_TYPE_SWITCH_DATA_PATH };

	m.data_path.active_datapath = 2;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, subchannel_bad_op_refused)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG5_TYPE_SUBCHANNEL };
	struct nvsp_message r;

	m.subchannel_req.op = 2;
	m.subchannel_req.num_subchannels = 1;
	ASSERT_EQ(0, nv_request(&self->n, &m, &r));
	EXPECT_EQ(NVSP_STAT_FAIL, r.subchannel_complete.status);
	EXPECT_EQ(0, r.subchannel_complete.num_subchannels);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, rss_key_size_wrong_refused)
{
	uint8_t d[40 + 16 + 40] = { 0 };
	struct ndis_recv_scale_param p = {
		.hdr = { NDIS_OBJECT_TYPE_RSS_PARAMETERS, 2, 40 },
		.hashinfo = NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4,
		.indirect_tabsize = 16, .indirect_taboffset = 40,
		.hashkey_size = 20, .hashkey_offset = 56,
	};

	memcpy(d, &p, sizeof(p));
	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA,
		  nv_set_status(&self->n, OID_GEN_RECEIVE_SCALE_PARAMETERS, d,
				sizeof(d)));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, rss_table_entry_beyond_queues_refused)
{
	static const uint8_t key[40] = { 1, 2, 3 };
	uint32_t table[4] = { 0, 1, 2, 7 };

	EXPECT_EQ(RNDIS_STATUS_INVALID_DATA,
		  nv_set_rss(&self->n, key, table, 4,
			     NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, packet_filter_wrong_length_refused)
{
	uint16_t f = 0x0d;

	EXPECT_EQ(RNDIS_STATUS_INVALID_LENGTH,
		  nv_set_status(&self->n, OID_GEN_CURRENT_PACKET_FILTER, &f, 2));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
}

TEST_F(hostile, double_receive_completion_fails_channel)
{
	struct nv *n = &self->n;
	uint8_t f[200], comp[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };
	struct tg_pkt pkt;
	uint32_t flen;
	int i, ret = 0;

	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(n, 0x0d));
	flen = nv_udp_frame(f, nv_guest_mac, nv_peer_mac, 100, 3);
	ASSERT_EQ(flen, send(n->peer, f, flen, 0));
	for (i = 0; i < 300 && ret != 1; i++) {
		ret = tg_chan_recv(&n->ch, &pkt);
		if (ret != 1)
			tg_pump(&n->vm, 10);
	}
	ASSERT_EQ(1, ret);
	ASSERT_EQ(TG_PKT_DATA_XFER_PAGES, pkt.desc.type);
	ASSERT_EQ(0, tg_chan_send(&n->ch, TG_PKT_COMP, 0, pkt.desc.trans_id,
				  comp, 8));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 0));
	ASSERT_EQ(0, tg_chan_send(&n->ch, TG_PKT_COMP, 0, pkt.desc.trans_id,
				  comp, 8));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(n, 0));
}

TEST_F(hostile, send_after_revoke_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_REVOKE_SEND_BUF };

	m.revoke_buf.id = NVSP_SEND_BUFFER_ID;
	ASSERT_EQ(0, nv_post(&self->n, &m));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n, 0));
	send_raw_rndis(&self->n, 0, 100);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

TEST_F(hostile, revoke_with_wrong_buffer_id_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_REVOKE_RECV_BUF };

	m.revoke_buf.id = NVSP_SEND_BUFFER_ID;
	ASSERT_EQ(0, nv_post(&self->n, &m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n, 0));
}

/* ---- flow control: no completion is lost to a full ring ---- */

/*
 * A userfaultfd on one guest page, emptied first: the host's worker that
 * pins the page for a GPA-direct send sleeps in the fault until the test
 * fills it.
 */
static int uffd_arm(void *page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (uintptr_t)page, TG_PAGE_SIZE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK), ret = 0;

	if (fd < 0)
		return -errno;
	if (madvise(page, TG_PAGE_SIZE, MADV_DONTNEED) ||
	    ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg))
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int uffd_wait_fault(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
		return -EIO;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 0 : -EBADMSG;
}

static int uffd_fill(int fd, void *page, const void *src)
{
	struct uffdio_copy c = {
		.dst = (uintptr_t)page,
		.src = (uintptr_t)src,
		.len = TG_PAGE_SIZE,
	};

	return ioctl(fd, UFFDIO_COPY, &c) ? -errno : 0;
}

/* Bring @n up with a subchannel and RSS that sends every frame to it. */
static void rss_to_queue_1(struct __test_metadata *_metadata, struct nv *n)
{
	static const uint8_t key[40] = { 1, 2, 3 };
	uint32_t table[16], granted = 0, i;

	ASSERT_EQ(0, nv_bringup(n, NVSP_PROTOCOL_VERSION_61, true, 2));
	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(n, 0x0d));
	ASSERT_EQ(0, nv_subchannels(n, 1, &granted));
	ASSERT_EQ(1, granted);
	for (i = 0; i < 16; i++)
		table[i] = 1;
	ASSERT_EQ(RNDIS_STATUS_SUCCESS,
		  nv_set_rss(n, key, table, 16,
			     NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4));
}

/*
 * The guest reads queue 0 but not queue 1, whose 4 KiB receive ring RSS
 * fills, while the host works on a send on queue 1 (held in a page
 * fault): frames that cannot go to queue 1 pile up on the host, and the
 * send's completion must still reach the guest once it reads queue 1.
 */
TEST(send_completion_kept_while_receive_ring_full)
{
	static uint8_t msg[TG_PAGE_SIZE] __attribute__((aligned(TG_PAGE_SIZE)));
	struct nv n = { .tap = -1, .peer = -1, .sub_recv_pages = 2 };
	uint32_t i, k, flen, len;
	uint8_t f[128], sent[128], got[256], r[64];
	struct nvsp_message rep;
	struct nv_range range;
	uint8_t *page;
	uint64_t tid;
	int uffd;

	rss_to_queue_1(_metadata, &n);

	page = tg_mem_alloc(&n.vm.mem, 1);
	ASSERT_NE(NULL, page);
	flen = nv_udp_frame(sent, nv_peer_mac, nv_guest_mac, 40, 77);
	range.p = page;
	range.len = nv_packet(msg, sent, flen, NULL, NULL, 0);
	uffd = uffd_arm(page);
	ASSERT_LE(0, uffd);
	n.nr_queues = 1;		/* queue 1 is not read from now on */
	tid = ++n.tid;
	ASSERT_EQ(0, nv_send_gpa(&n, 1, tid, NVSP_RNDIS_CHANNEL_DATA,
				 NVSP_SEND_SECTION_NONE, 0, &range, 1));
	ASSERT_EQ(0, uffd_wait_fault(uffd, NV_WAIT_MS));

	/* each control round trip on queue 0 restarts the receive path */
	for (k = 0; k < 16; k++) {
		for (i = 0; i < 64; i++) {
			len = nv_udp_frame(f, nv_guest_mac, nv_peer_mac, 18,
					   i);
			ASSERT_EQ(len, send(n.peer, f, len, 0));
		}
		ASSERT_EQ(28, nv_oid(&n, RNDIS_MSG_QUERY,
				     OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0, r,
				     sizeof(r)));
	}

	ASSERT_EQ(0, uffd_fill(uffd, page, msg));
	n.nr_queues = 2;
	ASSERT_EQ(0, nv_poll(&n, tid, &rep, NV_WAIT_MS));
	EXPECT_EQ(NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, rep.hdr.msg_type);
	EXPECT_EQ(NVSP_STAT_SUCCESS, rep.rndis_pkt_complete.status);
	ASSERT_EQ(flen, nv_peer_read(n.peer, got, sizeof(got), NV_WAIT_MS));
	EXPECT_EQ(0, memcmp(got, sent, flen));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&n, 1));
	close(uffd);
	nv_teardown(&n);
}

/* The guest's unread bytes on the primary, once they differ from @old. */
static uint32_t ring_grew(struct nv *n, uint32_t old)
{
	int64_t end = tg_now_ms() + NV_WAIT_MS;
	uint32_t used;

	while ((used = tg_ring_bytes_to_read(&n->ch.in)) == old &&
	       tg_now_ms() < end)
		tg_pump(&n->vm, 5);
	return used;
}

#define NV_FILL_MAX	512

/*
 * The indirection table that follows a SUBCHANNEL completion waits for
 * room as the completion does.  The guest leaves send completions unread
 * in its primary's small receive ring until the next completion fits and
 * the table after it does not, asks for a subchannel, and only then
 * reads: the table must still come, after the completion.
 */
TEST(indirection_table_kept_while_ring_full)
{
	static uint8_t msg[TG_PAGE_SIZE] __attribute__((aligned(TG_PAGE_SIZE)));
	struct nv n = { .tap = -1, .peer = -1, .prim_recv_pages = 2 };
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG5_TYPE_SUBCHANNEL };
	uint32_t c = 0, t, used, before, flen, i, nr = 0;
	static uint64_t tids[NV_FILL_MAX];
	struct nvsp_message rep;
	struct nv_range range;
	uint8_t f[128], *page;
	uint64_t tid;

	ASSERT_EQ(0, nv_bringup(&n, NVSP_PROTOCOL_VERSION_61, true, 2));
	/* no packet filter: no frame from the tap lands in the ring */
	nv_poll(&n, 0, NULL, 300);
	page = tg_mem_alloc(&n.vm.mem, 1);
	ASSERT_NE(NULL, page);
	flen = nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 40, 1);
	range.p = page;
	range.len = nv_packet(msg, f, flen, NULL, NULL, 0);
	memcpy(page, msg, range.len);
	/* what the host needs for the table: descriptor, message, trailer */
	t = ((sizeof(struct tg_pkt_desc) +
	      sizeof(struct nvsp_indirection_table_msg) + 7) & ~7u) + 8;
	used = tg_ring_bytes_to_read(&n.ch.in);
	ASSERT_EQ(0, used);
	while (!c || n.ch.in.dsize - used > c + t) {
		ASSERT_GT(NV_FILL_MAX, nr);
		tids[nr] = ++n.tid;
		ASSERT_EQ(0, nv_send_gpa(&n, 0, tids[nr], NVSP_RNDIS_CHANNEL_DATA,
					 NVSP_SEND_SECTION_NONE, 0, &range, 1));
		nr++;
		before = used;
		used = ring_grew(&n, before);
		if (!c)
			c = used - before;
		ASSERT_EQ(c, used - before);
	}
	/* room for the completion, none for the table after it */
	ASSERT_LT(c, n.ch.in.dsize - used);
	ASSERT_GE(t, n.ch.in.dsize - used - c);

	m.subchannel_req.op = NVSP_SUBCHANNEL_ALLOCATE;
	m.subchannel_req.num_subchannels = 1;
	tid = ++n.tid;
	ASSERT_EQ(0, tg_chan_send(&n.ch, TG_PKT_DATA_INBAND,
				  TG_PKT_FLAG_COMPLETION_REQUESTED, tid, &m,
				  sizeof(m)));
	EXPECT_EQ(used + c, ring_grew(&n, used));
	usleep(200 * 1000);
	EXPECT_EQ(used + c, tg_ring_bytes_to_read(&n.ch.in));

	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, nv_poll(&n, tids[i], NULL, NV_WAIT_MS));
	ASSERT_EQ(0, nv_poll(&n, tid, &rep, NV_WAIT_MS));
	EXPECT_EQ(NVSP_MSG5_TYPE_SUBCHANNEL, rep.hdr.msg_type);
	EXPECT_EQ(NVSP_STAT_SUCCESS, rep.subchannel_complete.status);
	EXPECT_EQ(1, rep.subchannel_complete.num_subchannels);
	for (i = 0; i < 20 && !n.indirection_seen; i++)
		nv_poll(&n, 0, NULL, 100);
	ASSERT_TRUE(n.indirection_seen);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(i % 2, n.indirection[i]);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&n, 0));
	nv_teardown(&n);
}

/* Whether @f (@len bytes) reaches the guest, frames before it read. */
static bool rx_frame_seen(struct nv *n, struct nv_frame *rx, const void *f,
			  uint32_t len, int ms)
{
	while (!nv_rx_frame(n, rx, ms))
		if (rx->len == len && !memcmp(rx->data, f, len))
			return true;
	return false;
}

/*
 * Receive that stopped for a subchannel's full ring goes on when the
 * guest closes that subchannel: RSS sends every frame to queue 1, whose
 * small ring the guest does not read until the host holds frames for it,
 * then the guest closes queue 1 and a new frame must reach queue 0.  (The
 * new frame wakes the primary's worker, which finds nothing of its own
 * waiting and lets receive go on: frames for a queue whose ring is still
 * full are dropped, the others delivered.)
 */
TEST(receive_resumes_when_stalled_subchannel_closes)
{
	struct nv n = { .tap = -1, .peer = -1, .sub_recv_pages = 2 };
	struct nv_frame *rx = malloc(sizeof(*rx));
	uint32_t i, len;
	uint8_t f[128];

	ASSERT_NE(NULL, rx);
	rss_to_queue_1(_metadata, &n);

	n.nr_queues = 1;		/* queue 1 is not read from now on */
	/* one at a time: small transfer-page packets, a ring full of them */
	for (i = 0; i < 200; i++) {
		len = nv_udp_frame(f, nv_guest_mac, nv_peer_mac, 18, i);
		ASSERT_EQ(len, send(n.peer, f, len, 0));
		usleep(1000);
	}
	usleep(500 * 1000);
	/* queue 1's ring has no room for another packet: receive stalled */
	EXPECT_GT(512, n.sub[1].in.dsize -
		  tg_ring_bytes_to_read(&n.sub[1].in));

	ASSERT_EQ(0, tg_chan_close(&n.sub[1]));
	len = nv_udp_frame(f, nv_guest_mac, nv_peer_mac, 30, 0xa5);
	ASSERT_EQ(len, send(n.peer, f, len, 0));
	EXPECT_TRUE(rx_frame_seen(&n, rx, f, len, NV_WAIT_MS));
	EXPECT_EQ(0, rx->queue);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&n, 0));
	free(rx);
	nv_teardown(&n);
}

/*
 * The guest closes a subchannel whose ring holds transfer-page packets
 * it never completed: their receive sub-allocations come back, so receive
 * resumes on the primary instead of staying out of buffer space.
 */
TEST(closed_subchannel_gives_back_receive_sections)
{
	static const uint8_t marker[60] = {
		0x00, 0x15, 0x5d, 0x00, 0x00, 0x01,	/* nv_guest_mac */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* nv_peer_mac */
		0x88, 0xb5,				/* local, no RSS hash */
		'v', 'm', 'b', 'h',
	};
	struct nv n = { .tap = -1, .peer = -1 };
	struct nv_frame *rx = malloc(sizeof(*rx));
	uint32_t i, len;
	uint8_t f[128];

	ASSERT_NE(NULL, rx);
	rss_to_queue_1(_metadata, &n);

	n.nr_queues = 1;		/* queue 1 is not read from now on */
	/* more frames than sub-allocations, in bursts the tap's queue takes */
	for (i = 0; i < n.num_sub + 50; i++) {
		len = nv_udp_frame(f, nv_guest_mac, nv_peer_mac, 18, i);
		ASSERT_EQ(len, send(n.peer, f, len, 0));
		if (i % 100 == 99)
			usleep(20 * 1000);
	}
	/* queue 0's frame waits behind them: no sub-allocation is left */
	ASSERT_EQ(sizeof(marker), send(n.peer, marker, sizeof(marker), 0));
	ASSERT_FALSE(rx_frame_seen(&n, rx, marker, sizeof(marker), 500));
	EXPECT_LT(0, tg_ring_bytes_to_read(&n.sub[1].in));

	ASSERT_EQ(0, tg_chan_close(&n.sub[1]));
	EXPECT_TRUE(rx_frame_seen(&n, rx, marker, sizeof(marker),
				  NV_WAIT_MS));
	EXPECT_EQ(0, rx->queue);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&n, 0));
	free(rx);
	nv_teardown(&n);
}

TEST_HARNESS_MAIN

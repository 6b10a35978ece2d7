// SPDX-License-Identifier: GPL-2.0
/*
 * Network kselftests of vmbh_netvsp.ko: the userspace netvsc guest's tap
 * is a port of a bridge whose other port is a veth into namespace nvpeer,
 * so the peer's kernel answers ARP, ICMP echo, UDP and TCP; plus vRSS on
 * four queues, link indications, and close under traffic.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>

#include "kselftest_harness.h"
#include "nv.h"

#define UDP_PORT	7777
#define TCP_PORT	7778
#define VLAN_PORT	7779
#define STREAM_N	200

/* Payload of datagram @seq: the sequence number, then a pattern. */
static uint32_t fill_payload(uint8_t *p, uint32_t seq, uint32_t len)
{
	uint32_t i;

	memcpy(p, &seq, 4);
	for (i = 4; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	return len;
}

static bool check_payload(const uint8_t *p, uint32_t len, uint32_t *seq)
{
	uint32_t i;

	if (len < 4)
		return false;
	memcpy(seq, p, 4);
	for (i = 4; i < len; i++)
		if (p[i] != (uint8_t)(*seq * 7 + i))
			return false;
	return true;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Wait for the child's "ready" byte. */
static int peer_ready(int rd)
{
	struct pollfd p = { .fd = rd, .events = POLLIN };
	char c;

	if (poll(&p, 1, 5000) != 1 || read(rd, &c, 1) != 1 || c != 'R')
		return -ETIMEDOUT;
	return 0;
}

/* Sequence numbers the child reported, as a bitmap of @max. */
static int peer_seqs(int rd, uint8_t *seen, uint32_t max, int ms)
{
	struct pollfd p = { .fd = rd, .events = POLLIN };
	uint32_t seq;
	int n = 0;

	while (poll(&p, 1, ms) == 1) {
		if (read(rd, &seq, 4) != 4)
			break;
		if (seq < max && !seen[seq]++)
			n++;
	}
	return n;
}

struct udp_peer {
	uint32_t bind_ip;	/* host order, 0 = any */
	uint16_t port;
	const char *dev;	/* SO_BINDTODEVICE */
	bool echo;
};

/* In nvpeer: report (and echo) every well-formed datagram for 3 s idle. */
static int udp_peer(void *arg, int out)
{
	const struct udp_peer *a = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET }, from;
	struct timeval tv = { .tv_sec = 3 };
	static uint8_t buf[65536];
	socklen_t fl;
	uint32_t seq;
	int s, len, rcv = 1 << 21;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = htons(a->port);
	sin.sin_addr.s_addr = htonl(a->bind_ip);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) ||
	    (a->dev && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, a->dev,
				  strlen(a->dev) + 1)) ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)))
		return 1;
	if (write(out, "R", 1) != 1)
		return 2;
	for (;;) {
		fl = sizeof(from);
		len = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			       &fl);
		if (len < 0)
			return 0;
		if (!check_payload(buf, len, &seq))
			continue;
		if (write(out, &seq, 4) != 4)
			return 3;
		if (a->echo)
			sendto(s, buf, len, 0, (struct sockaddr *)&from, fl);
	}
}

struct tcp_peer {
	uint32_t expect;	/* bytes to read */
};

/* In nvpeer: accept one connection, read and check @expect bytes. */
static int tcp_peer(void *arg, int out)
{
	const struct tcp_peer *a = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(TCP_PORT) };
	struct timeval tv = { .tv_sec = 5 };
	struct pollfd p;
	static uint8_t buf[65536];
	uint32_t got = 0, i;
	int s, c, len, one = 1;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) || listen(s, 4))
		return 1;
	if (write(out, "R", 1) != 1)
		return 2;
	p.fd = s;
	p.events = POLLIN;
	if (!a->expect) {		/* only answer SYNs */
		poll(&p, 1, 5000);
		return 0;
	}
	if (poll(&p, 1, 10000) != 1)
		return 3;
	c = accept(s, NULL, NULL);
	if (c < 0 || setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return 4;
	while (got < a->expect) {
		len = read(c, buf, sizeof(buf));
		if (len <= 0)
			break;
		for (i = 0; i < (uint32_t)len; i++)
			if (buf[i] != (uint8_t)((got + i) * 13 + 5))
				return 5;
		got += len;
	}
	if (write(out, &got, 4) != 4)
		return 6;
	return got == a->expect ? 0 : 7;
}

/* ---- the bridge network ---- */

FIXTURE(net) {
	struct nv n;
	uint8_t *scratch;	/* 32 guest pages for GPA-direct sends */
};

FIXTURE_SETUP(net)
{
	struct nv *n = &self->n;

	memset(n, 0, sizeof(*n));
	n->peer = -1;
	n->tap = nv_tap_open(n->tapname, true);
	ASSERT_LE(0, n->tap);
	ASSERT_EQ(0, nv_net_setup(n->tapname));
	ASSERT_EQ(0, nv_start(n, n->tap, NVSP_PROTOCOL_VERSION_61, 1));
	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(n, 0x0d));
	ASSERT_EQ(0, nv_arp_resolve(n, NV_PEER_IP, n->peer_hw));
	self->scratch = tg_mem_alloc(&n->vm.mem, 32);
	ASSERT_NE(NULL, self->scratch);
}

FIXTURE_TEARDOWN(net)
{
	nv_teardown(&self->n);
	nv_net_teardown();
}

static int read_cmd(const char *cmd, char *out, int cap)
{
	FILE *f = popen(cmd, "r");
	int n;

	if (!f)
		return -errno;
	n = fread(out, 1, cap - 1, f);
	out[n > 0 ? n : 0] = 0;
	pclose(f);
	return n;
}

TEST_F(net, arp_answered_by_peer_kernel)
{
	char buf[256], mac[32];

	/* the MAC the peer's kernel answered with is nvv1's */
	ASSERT_LT(0, read_cmd("ip netns exec " NV_NETNS
			      " cat /sys/class/net/nvv1/address", buf,
			      sizeof(buf)));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 self->n.peer_hw[0], self->n.peer_hw[1], self->n.peer_hw[2],
		 self->n.peer_hw[3], self->n.peer_hw[4], self->n.peer_hw[5]);
	EXPECT_EQ(0, strncmp(buf, mac, 17));
	/* and it learned the guest's address from the request */
	ASSERT_LT(0, read_cmd("ip -n " NV_NETNS " neigh show 10.99.0.1", buf,
			      sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "00:15:5d:00:00:01"));
}

TEST_F(net, icmp_echo_answered)
{
	struct nv *n = &self->n;
	struct nv_frame *rx = malloc(sizeof(*rx));
	uint8_t f[200], icmp[64];
	uint32_t len, seq, l3;
	int ret;

	ASSERT_NE(NULL, rx);
	for (seq = 1; seq <= 5; seq++) {
		memset(icmp, 0, sizeof(icmp));
		icmp[0] = 8;
		icmp[4] = 0x12;
		icmp[5] = 0x34;
		icmp[7] = seq;
		fill_payload(icmp + 8, seq, 56);
		len = nv_ip_hdr(f, n->peer_hw, NV_GUEST_IP, NV_PEER_IP, 1, 64);
		icmp[2] = nv_csum(icmp, 64, 0) >> 8;
		icmp[3] = nv_csum(icmp, 64, 0) & 0xff;
		memcpy(f + len, icmp, 64);
		ASSERT_EQ(NVSP_STAT_SUCCESS,
			  nv_send_frame(n, f, len + 64, NULL, NULL, 0));
		for (;;) {
			ret = nv_rx_frame(n, rx, NV_WAIT_MS);
			ASSERT_EQ(0, ret);
			l3 = 14;
			if (rx->len >= 98 && get16(rx->data + 12) == 0x0800 &&
			    rx->data[l3 + 9] == 1 && rx->data[l3 + 20] == 0)
				break;
		}
		EXPECT_EQ(0, memcmp(rx->data, nv_guest_mac, 6));
		EXPECT_EQ(0, memcmp(rx->data + 6, n->peer_hw, 6));
		EXPECT_EQ(NV_PEER_IP, get32(rx->data + 26));
		EXPECT_EQ(NV_GUEST_IP, get32(rx->data + 30));
		EXPECT_EQ(0x1234, get16(rx->data + 38));
		EXPECT_EQ(seq, get16(rx->data + 40));
		EXPECT_EQ(0, memcmp(rx->data + 42, icmp + 8, 56));
		EXPECT_TRUE(nv_l4_csum_ok(rx->data, rx->len));
	}
	free(rx);
}

TEST_F(net, udp_stream_both_ways)
{
	struct nv *n = &self->n;
	struct udp_peer a = { .port = UDP_PORT, .echo = true };
	struct nv_frame *rx = malloc(sizeof(*rx));
	uint8_t f[1600], p[1500], seen[STREAM_N] = { 0 },
		echoed[STREAM_N] = { 0 };
	uint32_t i, len, plen, seq, got = 0;
	int rd, bad = 0;
	pid_t pid;

	ASSERT_NE(NULL, rx);
	pid = nv_peer_spawn(udp_peer, &a, &rd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, peer_ready(rd));
	for (i = 0; i < STREAM_N; i++) {
		plen = 4 + (i * 37) % 1469;
		fill_payload(p, i, plen);
		len = nv_ip_udp(f, n->peer_hw, NV_GUEST_IP, NV_PEER_IP,
				40000 + i % 4, UDP_PORT, p, plen, true);
		ASSERT_EQ(NVSP_STAT_SUCCESS,
			  nv_send_frame(n, f, len, NULL, NULL, 0));
	}
	while (got < STREAM_N && !nv_rx_frame(n, rx, NV_WAIT_MS)) {
		if (rx->len < 42 || get16(rx->data + 12) != 0x0800 ||
		    rx->data[23] != 17 || get16(rx->data + 34) != UDP_PORT)
			continue;
		if (!nv_l4_csum_ok(rx->data, rx->len) ||
		    !check_payload(rx->data + 42, get16(rx->data + 38) - 8,
				   &seq) || seq >= STREAM_N ||
		    get32(rx->data + 30) != NV_GUEST_IP ||
		    get16(rx->data + 36) != 40000 + seq % 4) {
			bad++;
			continue;
		}
		if (!echoed[seq]++)
			got++;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(STREAM_N, got);
	EXPECT_EQ(STREAM_N, peer_seqs(rd, seen, STREAM_N, 500));
	close(rd);
	EXPECT_EQ(0, nv_peer_wait(pid));
	free(rx);
}

/* A TCP frame from the guest to the peer's TCP_PORT. */
static uint32_t tcp_to_peer(struct nv *n, uint8_t *f, uint32_t seq,
			    uint32_t ack, uint8_t flags, const void *p,
			    uint32_t plen)
{
	return nv_ip_tcp(f, n->peer_hw, NV_GUEST_IP, NV_PEER_IP, 45000,
			 TCP_PORT, seq, ack, flags, 65535, p, plen);
}

/* The next TCP frame from the peer's TCP_PORT, or -errno. */
static int tcp_from_peer(struct nv *n, struct nv_frame *rx, int ms)
{
	int ret;

	while (!(ret = nv_rx_frame(n, rx, ms)))
		if (rx->len >= 54 && get16(rx->data + 12) == 0x0800 &&
		    rx->data[23] == 6 && get16(rx->data + 34) == TCP_PORT)
			return 0;
	return ret;
}

TEST_F(net, tx_checksum_offload_completed)
{
	struct nv *n = &self->n;
	struct udp_peer a = { .port = UDP_PORT };
	struct tcp_peer t = { 0 };
	struct nv_frame *rx = malloc(sizeof(*rx));
	uint32_t type[1] = { RNDIS_PPI_CHECKSUM }, v[1];
	uint8_t f[1600], p[300], seen[8] = { 0 };
	uint32_t len;
	int rd, trd;
	pid_t pid, tpid;

	ASSERT_NE(NULL, rx);
	pid = nv_peer_spawn(udp_peer, &a, &rd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, peer_ready(rd));
	/* 1: wrong UDP checksum, no offload: the peer must drop it */
	len = nv_ip_udp(f, n->peer_hw, NV_GUEST_IP, NV_PEER_IP, 40000,
			UDP_PORT, p, fill_payload(p, 1, 300), true);
	f[40] ^= 0x55;
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, NULL, NULL, 0));
	/* 2: garbage checksum field, UDP checksum offload */
	len = nv_ip_udp(f, n->peer_hw, NV_GUEST_IP, NV_PEER_IP, 40000,
			UDP_PORT, p, fill_payload(p, 2, 300), false);
	f[40] = 0xde;
	f[41] = 0xad;
	v[0] = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_UDP | 34u << 16;
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, type, v, 1));
	/* 3: IP header and UDP checksum both offloaded */
	len = nv_ip_udp(f, n->peer_hw, NV_GUEST_IP, NV_PEER_IP, 40000,
			UDP_PORT, p, fill_payload(p, 3, 300), false);
	f[24] = 0;
	f[25] = 0;
	v[0] |= NDIS_CSUM_TX_IP_HEADER;
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, type, v, 1));
	EXPECT_EQ(2, peer_seqs(rd, seen, 8, 1000));
	EXPECT_EQ(0, seen[1]);
	EXPECT_EQ(1, seen[2]);
	EXPECT_EQ(1, seen[3]);
	close(rd);
	EXPECT_EQ(0, nv_peer_wait(pid));

	/* TCP: a SYN is answered only when its checksum is right */
	tpid = nv_peer_spawn(tcp_peer, &t, &trd);
	ASSERT_LT(0, tpid);
	ASSERT_EQ(0, peer_ready(trd));
	len = tcp_to_peer(n, f, 1000, 0, 0x02, NULL, 0);
	f[50] ^= 0x55;
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, NULL, NULL, 0));
	EXPECT_EQ(-ETIMEDOUT, tcp_from_peer(n, rx, 500));
	len = tcp_to_peer(n, f, 2000, 0, 0x02, NULL, 0);
	f[50] = 0x12;
	f[51] = 0x34;
	v[0] = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_TCP | 34u << 16;
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, type, v, 1));
	ASSERT_EQ(0, tcp_from_peer(n, rx, NV_WAIT_MS));
	EXPECT_EQ(0x12, rx->data[47]);			/* SYN + ACK */
	EXPECT_EQ(2001, get32(rx->data + 42));		/* acks our SYN */
	EXPECT_TRUE(nv_l4_csum_ok(rx->data, rx->len));
	close(trd);
	EXPECT_EQ(0, nv_peer_wait(tpid));
	free(rx);
}

/*
 * One LSOv2 frame of @plen payload bytes at stream offset @off: RNDIS
 * header and PPI in one GPA range, the frame in another, as netvsc sends
 * a GSO skb (send_buf_section_index NONE).
 */
static int send_lso(struct nv *n, uint8_t *scratch, uint32_t seq,
		    uint32_t ack, uint32_t off, uint32_t plen)
{
	uint32_t type = RNDIS_PPI_LSO, v = 1448 | 34u << 20 | NDIS_LSO_TYPE_V2;
	uint8_t *hdr = scratch + 100, *frame = scratch + 2 * 4096 + 300;
	static uint8_t p[65536];
	struct nv_range r[2];
	uint32_t i, len, hl;

	for (i = 0; i < plen; i++)
		p[i] = (uint8_t)((off + i) * 13 + 5);
	len = tcp_to_peer(n, frame, seq, ack, 0x18, p, plen);
	/* what Linux leaves for the host: IP length and checksum zero */
	memset(frame + 16, 0, 2);
	memset(frame + 24, 0, 2);
	hl = nv_packet(hdr, NULL, len, &type, &v, 1) - len;
	r[0].p = hdr;
	r[0].len = hl;
	r[1].p = frame;
	r[1].len = len;
	return nv_send_gpa_wait(n, 0, NVSP_RNDIS_CHANNEL_DATA,
				NVSP_SEND_SECTION_NONE, 0, r, 2);
}

TEST_F(net, lso_tcp_stream_segmented_and_received)
{
	struct nv *n = &self->n;
	struct nv_frame *rx = malloc(sizeof(*rx));
	struct tcp_peer t;
	uint8_t f[128];
	uint32_t isn = 5000, peer_isn, win, total, half, len, got = 0;
	int rd;
	pid_t pid;

	ASSERT_NE(NULL, rx);
	/* the peer must know the total: one flight inside any unscaled
	 * SYN-ACK window Linux sends
	 */
	total = 40000;
	t.expect = total;
	pid = nv_peer_spawn(tcp_peer, &t, &rd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, peer_ready(rd));
	len = tcp_to_peer(n, f, isn, 0, 0x02, NULL, 0);
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, NULL, NULL, 0));
	ASSERT_EQ(0, tcp_from_peer(n, rx, NV_WAIT_MS));
	ASSERT_EQ(0x12, rx->data[47]);
	ASSERT_EQ(isn + 1, get32(rx->data + 42));
	peer_isn = get32(rx->data + 38);
	win = get16(rx->data + 48);
	ASSERT_LE(total, win);
	len = tcp_to_peer(n, f, isn + 1, peer_isn + 1, 0x10, NULL, 0);
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, NULL, NULL, 0));
	/* two LSO frames, each many MSS long */
	half = total / 2;
	ASSERT_EQ(NVSP_STAT_SUCCESS,
		  send_lso(n, self->scratch, isn + 1, peer_isn + 1, 0, half));
	ASSERT_EQ(NVSP_STAT_SUCCESS,
		  send_lso(n, self->scratch, isn + 1 + half, peer_isn + 1,
			   half, total - half));
	{
		struct pollfd p = { .fd = rd, .events = POLLIN };

		/* keep answering ARP while the peer reads */
		while (poll(&p, 1, 0) == 0 && !nv_rx_frame(n, rx, 100))
			;
		ASSERT_EQ(1, poll(&p, 1, 10000));
		ASSERT_EQ(4, read(rd, &got, 4));
	}
	EXPECT_EQ(total, got);
	close(rd);
	EXPECT_EQ(0, nv_peer_wait(pid));
	free(rx);
}

TEST_F(net, gpa_pages_and_batched_sends)
{
	struct nv *n = &self->n;
	struct udp_peer a = { .port = UDP_PORT };
	uint8_t f[4][1600], p[1500], seen[16] = { 0 };
	uint8_t *sc = self->scratch, *sec = n->send_buf + 20 * NV_SECTION;
	uint32_t flen[4], i, off, mlen;
	struct nv_range r[3];
	int rd;
	pid_t pid;

	pid = nv_peer_spawn(udp_peer, &a, &rd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, peer_ready(rd));
	for (i = 0; i < 4; i++)
		flen[i] = nv_ip_udp(f[i], n->peer_hw, NV_GUEST_IP, NV_PEER_IP,
				    40000, UDP_PORT, p,
				    fill_payload(p, 1 + i, 400 + 333 * i),
				    true);

	/* seq 1: GPA only, three ranges, one across a page boundary */
	mlen = nv_packet(sc + 64, NULL, flen[0], NULL, NULL, 0);
	r[0].p = sc + 64;
	r[0].len = mlen - flen[0];
	memcpy(sc + 4096 + 4000, f[0], 200);
	r[1].p = sc + 4096 + 4000;
	r[1].len = 200;
	memcpy(sc + 3 * 4096 + 17, f[0] + 200, flen[0] - 200);
	r[2].p = sc + 3 * 4096 + 17;
	r[2].len = flen[0] - 200;
	ASSERT_EQ(NVSP_STAT_SUCCESS,
		  nv_send_gpa_wait(n, 0, NVSP_RNDIS_CHANNEL_DATA,
				   NVSP_SEND_SECTION_NONE, 0, r, 3));

	/* seq 2 and 3 batched in one section, padded to 8 as netvsc does */
	off = 0;
	for (i = 1; i <= 2; i++) {
		mlen = nv_packet(sec + off, f[i], flen[i], NULL, NULL, 0);
		if (i == 1 && mlen % 8) {
			mlen += 8 - mlen % 8;
			memcpy(sec + off + 4, &mlen, 4);
		}
		off += mlen;
	}
	{
		struct nvsp_message m = {
			.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };
		struct nvsp_message rep;

		m.rndis_pkt.send_buf_section_index = 20;
		m.rndis_pkt.send_buf_section_size = off;
		ASSERT_EQ(0, nv_request(n, &m, &rep));
		EXPECT_EQ(NVSP_STAT_SUCCESS, rep.rndis_pkt_complete.status);
	}

	/*
	 * batched + partial: seq 5 whole in the section, then seq 4's RNDIS
	 * header, whose frame is in a GPA range
	 */
	flen[1] = nv_ip_udp(f[1], n->peer_hw, NV_GUEST_IP, NV_PEER_IP, 40000,
			    UDP_PORT, p, fill_payload(p, 5, 100), true);
	mlen = nv_packet(sec, f[1], flen[1], NULL, NULL, 0);
	if (mlen % 8) {
		mlen += 8 - mlen % 8;
		memcpy(sec + 4, &mlen, 4);
	}
	off = mlen + nv_packet(sec + mlen, NULL, flen[3], NULL, NULL, 0) -
	      flen[3];
	memcpy(sc + 5 * 4096, f[3], flen[3]);
	r[0].p = sc + 5 * 4096;
	r[0].len = flen[3];
	ASSERT_EQ(NVSP_STAT_SUCCESS,
		  nv_send_gpa_wait(n, 0, NVSP_RNDIS_CHANNEL_DATA, 20, off, r,
				   1));

	EXPECT_EQ(5, peer_seqs(rd, seen, 16, 1000));
	for (i = 1; i <= 5; i++)
		EXPECT_EQ(1, seen[i]);
	close(rd);
	EXPECT_EQ(0, nv_peer_wait(pid));
}

TEST_F(net, vlan_tag_inserted)
{
	struct nv *n = &self->n;
	struct udp_peer a = { .bind_ip = NV_VLAN_PEER_IP, .port = VLAN_PORT,
			      .dev = "nvv1.5" };
	uint32_t type[2] = { RNDIS_PPI_VLAN, RNDIS_PPI_CHECKSUM }, v[2];
	uint8_t f[1600], p[600], seen[8] = { 0 };
	uint32_t len;
	int rd;
	pid_t pid;

	pid = nv_peer_spawn(udp_peer, &a, &rd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, peer_ready(rd));
	v[0] = NV_VLAN_ID << 4 | 3;			/* id 5, priority 3 */
	v[1] = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_UDP | 34u << 16;
	/* 1: untagged: reaches nvv1, not the VLAN device */
	len = nv_ip_udp(f, n->peer_hw, NV_VLAN_GUEST_IP, NV_VLAN_PEER_IP,
			40000, VLAN_PORT, p, fill_payload(p, 1, 500), true);
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, NULL, NULL, 0));
	/* 2: tag from the PPI */
	len = nv_ip_udp(f, n->peer_hw, NV_VLAN_GUEST_IP, NV_VLAN_PEER_IP,
			40000, VLAN_PORT, p, fill_payload(p, 2, 500), true);
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, type, v, 1));
	/* 3: tag and UDP checksum offload (its offset moves by the tag) */
	len = nv_ip_udp(f, n->peer_hw, NV_VLAN_GUEST_IP, NV_VLAN_PEER_IP,
			40000, VLAN_PORT, p, fill_payload(p, 3, 500), false);
	f[40] = 0x77;
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_frame(n, f, len, type, v, 2));
	EXPECT_EQ(2, peer_seqs(rd, seen, 8, 1000));
	EXPECT_EQ(0, seen[1]);
	EXPECT_EQ(1, seen[2]);
	EXPECT_EQ(1, seen[3]);
	close(rd);
	EXPECT_EQ(0, nv_peer_wait(pid));
}

/* ---- four queues: subchannels, vRSS ---- */

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

FIXTURE(mq) {
	struct nv n;
};

FIXTURE_SETUP(mq)
{
	uint32_t granted = 0;

	memset(&self->n, 0, sizeof(self->n));
	self->n.tap = -1;
	self->n.peer = -1;
	ASSERT_EQ(0, nv_bringup(&self->n, NVSP_PROTOCOL_VERSION_61, true,
				NV_QUEUES));
	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(&self->n, 0x0d));
	ASSERT_EQ(0, nv_subchannels(&self->n, NV_QUEUES - 1, &granted));
	ASSERT_EQ(NV_QUEUES - 1, granted);
	ASSERT_EQ(NV_QUEUES, self->n.nr_queues);
}

FIXTURE_TEARDOWN(mq)
{
	nv_teardown(&self->n);
}

TEST_F(mq, indirection_table_and_rss_spread)
{
	struct nv *n = &self->n;
	struct nv_frame *rx = malloc(sizeof(*rx));
	uint32_t table[128], per_q[NV_QUEUES] = { 0 }, i, len, hash, got = 0;
	uint32_t lcg = 12345;
	uint8_t f[128], in[12];

	ASSERT_NE(NULL, rx);
	for (i = 0; i < 20 && !n->indirection_seen; i++)
		nv_poll(n, 0, NULL, 100);
	ASSERT_TRUE(n->indirection_seen);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(i % NV_QUEUES, n->indirection[i]);
	for (i = 0; i < 128; i++)
		table[i] = i % NV_QUEUES;
	ASSERT_EQ(RNDIS_STATUS_SUCCESS,
		  nv_set_rss(n, ms_key, table, 128,
			     NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4 |
			     NDIS_HASH_TCP_IPV4));
	/* 64 TCP flows from pseudo-random addresses and ports */
	for (i = 0; i < 64; i++) {
		lcg = lcg * 1103515245 + 12345;
		len = nv_ip_tcp(f, nv_guest_mac, 0x0a630000 | (lcg >> 16 & 0xffff),
				NV_GUEST_IP, 1024 + (lcg & 0x7fff), 80, 1, 0,
				0x02, 1000, NULL, 0);
		memcpy(f + 6, nv_peer_mac, 6);
		ASSERT_EQ(len, send(n->peer, f, len, 0));
	}
	while (got < 64 && !nv_rx_frame(n, rx, NV_WAIT_MS)) {
		if (rx->len < 54 || rx->data[23] != 6)
			continue;
		got++;
		ASSERT_TRUE(rx->ppi.present & (1u << RNDIS_PPI_HASH));
		memcpy(in, rx->data + 26, 8);
		memcpy(in + 8, rx->data + 34, 4);
		hash = vmbh_netvsp_toeplitz(ms_key, in, 12);
		EXPECT_EQ(hash, rx->ppi.hash);
		EXPECT_EQ(table[hash % 128], rx->queue);
		if (rx->queue < NV_QUEUES)
			per_q[rx->queue]++;
	}
	EXPECT_EQ(64, got);
	for (i = 0; i < NV_QUEUES; i++) {
		TH_LOG("queue %u: %u frames", i, per_q[i]);
		EXPECT_LT(0, per_q[i]);
	}
	free(rx);
}

TEST_F(mq, send_on_every_subchannel)
{
	struct nv *n = &self->n;
	uint8_t f[600], m[800], got[700];
	uint32_t q, flen, mlen;

	for (q = 1; q < NV_QUEUES; q++) {
		flen = nv_udp_frame(f, nv_peer_mac, nv_guest_mac, 400, q * 11);
		mlen = nv_packet(m, f, flen, NULL, NULL, 0);
		ASSERT_EQ(NVSP_STAT_SUCCESS,
			  nv_send_rndis_on(n, q, NVSP_RNDIS_CHANNEL_DATA,
					   30 + q, m, mlen));
		ASSERT_EQ(flen, nv_peer_read(n->peer, got, sizeof(got),
					     NV_WAIT_MS));
		EXPECT_EQ(0, memcmp(got, f, flen));
		EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, q));
	}
}

TEST_F(mq, rndis_control_on_subchannel_rejected)
{
	struct nv *n = &self->n;
	uint32_t w[7] = { RNDIS_MSG_QUERY, 28, 77, OID_GEN_LINK_SPEED, 0, 20,
			  0 };

	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT,
		  nv_send_rndis_on(n, 2, NVSP_RNDIS_CHANNEL_CONTROL, 40, w, 28));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 2));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 0));
}

TEST_F(mq, nvsp_control_on_subchannel_fails_it)
{
	struct nv *n = &self->n;
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF };

	m.send_buf.gpadl_handle = NV_RECV_GPADL;
	m.send_buf.id = NVSP_RECV_BUFFER_ID;
	ASSERT_EQ(0, tg_chan_send(&n->sub[1], TG_PKT_DATA_INBAND,
				  TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m,
				  sizeof(m)));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(n, 1));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n, 0));
}

/* ---- link state follows the tap ---- */

FIXTURE(link) {
	struct nv n;
};

FIXTURE_SETUP(link)
{
	memset(&self->n, 0, sizeof(self->n));
	self->n.tap = -1;
	self->n.peer = -1;
	ASSERT_EQ(0, nv_bringup(&self->n, NVSP_PROTOCOL_VERSION_61, true, 1));
	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(&self->n, 0x0d));
}

FIXTURE_TEARDOWN(link)
{
	nv_teardown(&self->n);
}

/* The next INDICATE_STATUS on the control path: its status, or -errno. */
static int64_t next_indication(struct nv *n)
{
	struct nv_msg *m;
	uint32_t type, status;
	int ret;

	for (;;) {
		ret = nv_next_msg(n, NVSP_RNDIS_CHANNEL_CONTROL, &m, 5000);
		if (ret)
			return ret;
		memcpy(&type, m->data, 4);
		memcpy(&status, m->data + 8, 4);
		free(m);
		if (type == RNDIS_MSG_INDICATE)
			return status;
	}
}

static uint32_t media_state(struct nv *n)
{
	uint8_t r[64];
	uint32_t v = 0xFFFF;

	if (nv_oid(n, RNDIS_MSG_QUERY, OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
		   r, sizeof(r)) == 28)
		memcpy(&v, r + 24, 4);
	return v;
}

TEST_F(link, admin_down_up_indicated)
{
	struct nv *n = &self->n;

	ASSERT_EQ(NDIS_MEDIA_STATE_CONNECTED, media_state(n));
	ASSERT_EQ(0, nv_sh("ip link set %s down", n->tapname));
	EXPECT_EQ(RNDIS_STATUS_MEDIA_DISCONNECT, next_indication(n));
	EXPECT_EQ(NDIS_MEDIA_STATE_DISCONNECTED, media_state(n));
	ASSERT_EQ(0, nv_sh("ip link set %s up", n->tapname));
	EXPECT_EQ(RNDIS_STATUS_MEDIA_CONNECT, next_indication(n));
	EXPECT_EQ(NDIS_MEDIA_STATE_CONNECTED, media_state(n));
}

TEST_F(link, carrier_off_on_indicated)
{
	struct nv *n = &self->n;
	int off = 0, on = 1;

	ASSERT_EQ(0, ioctl(n->tap, TUNSETCARRIER, &off));
	EXPECT_EQ(RNDIS_STATUS_MEDIA_DISCONNECT, next_indication(n));
	EXPECT_EQ(NDIS_MEDIA_STATE_DISCONNECTED, media_state(n));
	ASSERT_EQ(0, ioctl(n->tap, TUNSETCARRIER, &on));
	EXPECT_EQ(RNDIS_STATUS_MEDIA_CONNECT, next_indication(n));
	EXPECT_EQ(NDIS_MEDIA_STATE_CONNECTED, media_state(n));
}

/* ---- teardown under traffic ---- */

struct flood {
	int s;
	bool stop;		/* __atomic */
	uint64_t sent;
};

static void *flood_thread(void *arg)
{
	struct flood *fl = arg;
	uint8_t f[1600];
	uint32_t len, i = 0;

	while (!__atomic_load_n(&fl->stop, __ATOMIC_RELAXED)) {
		len = nv_udp_frame(f, nv_guest_mac, nv_peer_mac,
				   (i * 97) % 1400 + 18, i);
		if (send(fl->s, f, len, 0) == (ssize_t)len)
			fl->sent++;
		if (!(++i % 32))
			usleep(500);
	}
	return NULL;
}

/*
 * Frames flow both ways when the guest closes the channel (odd rounds) or
 * the VMM closes the whole fd (even rounds).  Afterwards no page is
 * pinned, the tap device goes away with its last fd (the module dropped
 * its file and device references) and vmalloc space does not grow.
 */
TEST(close_under_traffic_releases_everything)
{
	long vm_before = 0, vm_after;
	int round;

	for (round = 0; round < 6; round++) {
		struct nv n = { .tap = -1, .peer = -1 };
		struct flood fl = { 0 };
		struct vmbh_bus_info bi;
		struct nv_frame *rx = malloc(sizeof(*rx));
		pthread_t th;
		uint8_t f[1600], m[1700];
		uint32_t i, flen, mlen;
		char name[IFNAMSIZ];
		int k;

		ASSERT_NE(NULL, rx);
		if (round == 2)
			vm_before = tg_meminfo_kb("VmallocUsed");
		ASSERT_EQ(0, nv_bringup(&n, NVSP_PROTOCOL_VERSION_61, true, 1));
		ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(&n, 0x0d));
		fl.s = n.peer;
		ASSERT_EQ(0, pthread_create(&th, NULL, flood_thread, &fl));
		for (i = 0; i < 50; i++) {
			flen = nv_udp_frame(f, nv_peer_mac, nv_guest_mac,
					    18 + i * 20, i);
			mlen = nv_packet(m, f, flen, NULL, NULL, 0);
			ASSERT_EQ(NVSP_STAT_SUCCESS,
				  nv_send_rndis(&n, NVSP_RNDIS_CHANNEL_DATA,
						i % 100, m, mlen));
		}
		ASSERT_EQ(0, nv_rx_frame(&n, rx, NV_WAIT_MS));
		/* sends the guest never waits for */
		for (i = 0; i < 40; i++) {
			struct nvsp_message msg = {
				.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

			msg.rndis_pkt.send_buf_section_index = i % 100;
			msg.rndis_pkt.send_buf_section_size = mlen;
			tg_chan_send(&n.ch, TG_PKT_DATA_INBAND,
				     TG_PKT_FLAG_COMPLETION_REQUESTED,
				     1000 + i, &msg, sizeof(msg));
		}
		if (round % 2) {
			ASSERT_EQ(0, tg_chan_close(&n.ch));
			n.nr_queues = 0;
			EXPECT_EQ(0, tg_gpadl_teardown(&n.vm, n.ch.relid,
						       NV_RECV_GPADL));
			EXPECT_EQ(0, tg_gpadl_teardown(&n.vm, n.ch.relid,
						       NV_SEND_GPADL));
			ASSERT_EQ(0, tg_bus_info(&n.vm, &bi));
			EXPECT_EQ(0, bi.pinned_pages);
			EXPECT_EQ(0, bi.nr_gpadls);
		}
		__atomic_store_n(&fl.stop, true, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
		EXPECT_LT(0, fl.sent);
		memcpy(name, n.tapname, IFNAMSIZ);
		nv_teardown(&n);
		for (k = 0; k < 200 && if_nametoindex(name); k++)
			usleep(10000);
		EXPECT_EQ(0, if_nametoindex(name));
		free(rx);
	}
	vm_after = tg_meminfo_kb("VmallocUsed");
	TH_LOG("VmallocUsed %ld -> %ld kB over 4 rounds", vm_before, vm_after);
	EXPECT_GT(256, vm_after - vm_before);
}

TEST_HARNESS_MAIN

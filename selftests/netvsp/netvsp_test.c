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
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "kselftest_harness.h"
#include "guest.h"
#include "netvsp_parse.h"

#define RING_PAGES	32
#define RECV_BUF_PAGES	512		/* 2 MiB */
#define SEND_BUF_PAGES	255		/* 170 sections of 6144 bytes */
#define RECV_GPADL	0x1000
#define SEND_GPADL	0x1001
#define WAIT_MS		3000

static const uint8_t guest_mac[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

struct nv {
	struct tg_vm vm;
	struct tg_dev dev;
	struct tg_chan ch;
	int tap;
	int peer;
	char tapname[IFNAMSIZ];
	uint8_t *recv_buf;
	uint8_t *send_buf;
	uint32_t sub_alloc;
	uint32_t num_sub;
	uint32_t req_id;
	uint64_t tid;
	/* a host packet taken while waiting for a completion */
	uint8_t stash[8192];
	struct tg_pkt stashed;
	bool has_stash;
};

static int tap_open(char *name, bool vnet)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	strcpy(ifr.ifr_name, "nvtap%d");
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		return -errno;
	}
	strcpy(name, ifr.ifr_name);
	return fd;
}

/* Up, without IPv6 chatter (router solicitations, MLD) on the link. */
static int link_up(const char *name)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && ip link set %s up",
		 name, name);
	return system(cmd);
}

/* A packet socket on the tap's network side: the guest's peer. */
static int peer_open(const char *name)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = if_nametoindex(name),
	};
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       htons(ETH_P_ALL));

	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		close(s);
		return -errno;
	}
	return s;
}

/* The next frame the peer receives from the guest (UDP port 12345). */
static int peer_read(int s, uint8_t *buf, uint32_t cap, int ms)
{
	struct sockaddr_ll from;
	socklen_t fl;
	int i, ret;

	for (i = 0; i < ms / 10; i++) {
		fl = sizeof(from);
		ret = recvfrom(s, buf, cap, 0, (struct sockaddr *)&from, &fl);
		if (ret < 0 && errno != EAGAIN)
			return -errno;
		if (ret < 0) {
			usleep(10000);
			continue;
		}
		if (from.sll_pkttype != PACKET_OUTGOING && ret >= 42 &&
		    buf[34] == 0x30 && buf[35] == 0x39)
			return ret;
	}
	return -ETIMEDOUT;
}

/* VMBH_ADD_DEVICE of a NET device, the way tg_dev_add() adds others. */
static int nv_dev_add(struct tg_vm *vm, struct tg_dev *dev, int tap_fd,
		      uint32_t nr_queues, uint32_t mtu)
{
	struct vmbh_add_device a = {
		.size = sizeof(a),
		.class_id = VMBH_CLASS_NET,
		.nr_queues = nr_queues,
	};
	uint32_t i;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->class_id = VMBH_CLASS_NET;
	dev->nr_queues = nr_queues;
	tg_instance(dev->instance, 0x51);
	for (i = 0; i < nr_queues; i++) {
		dev->q[i].conn_id = vm->next_conn_id++;
		dev->q[i].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	}
	memcpy(a.instance, dev->instance, 16);
	a.queues = (uintptr_t)dev->q;
	a.params.net.tap_fd = tap_fd;
	a.params.net.mtu = mtu;
	memcpy(a.params.net.mac, guest_mac, 6);
	ret = tg_ioctl(vm->fd, VMBH_ADD_DEVICE, &a);
	if (ret) {
		tg_dev_close_fds(dev);
		return ret;
	}
	dev->dev_id = a.dev_id;
	return 0;
}

/* Wait for the next packet on the channel. */
static int nv_recv(struct nv *n, struct tg_pkt *pkt, int ms)
{
	int ret;

	if (n->has_stash) {
		n->has_stash = false;
		*pkt = n->stashed;
		return 1;
	}
	for (;;) {
		ret = tg_chan_recv(&n->ch, pkt);
		if (ret)
			return ret;
		if (tg_chan_wait_event(&n->ch, ms))
			return -ETIMEDOUT;
	}
}

/* Send an NVSP message in-band with a completion; wait for the completion. */
static int nv_request(struct nv *n, const struct nvsp_message *m,
		      struct nvsp_message *reply)
{
	struct tg_pkt pkt;
	uint64_t tid = ++n->tid;
	int ret;

	ret = tg_chan_send(&n->ch, TG_PKT_DATA_INBAND,
			   TG_PKT_FLAG_COMPLETION_REQUESTED, tid, m,
			   sizeof(*m));
	if (ret)
		return ret;
	ret = nv_recv(n, &pkt, WAIT_MS);
	if (ret == 1 && pkt.desc.type == TG_PKT_DATA_XFER_PAGES &&
	    !n->has_stash && pkt.len <= sizeof(n->stash)) {
		/* an RNDIS reply may come before the send's completion */
		memcpy(n->stash, pkt.buf, pkt.len);
		n->stashed = pkt;
		n->stashed.buf = n->stash;
		n->stashed.payload = n->stash + ((const uint8_t *)pkt.payload -
						 pkt.buf);
		ret = tg_chan_recv(&n->ch, &pkt);
		if (!ret && !tg_chan_wait_event(&n->ch, WAIT_MS))
			ret = tg_chan_recv(&n->ch, &pkt);
		n->has_stash = true;
	}
	if (ret != 1)
		return ret ? ret : -EIO;
	if (pkt.desc.type != TG_PKT_COMP || pkt.desc.trans_id != tid) {
		fprintf(stderr, "# NVSP %u: got packet type %u id %llu, want a completion of %llu\n",
			m->hdr.msg_type, pkt.desc.type,
			(unsigned long long)pkt.desc.trans_id,
			(unsigned long long)tid);
		return -EBADMSG;
	}
	memset(reply, 0, sizeof(*reply));
	memcpy(reply, pkt.payload, pkt.payload_len < sizeof(*reply) ?
	       pkt.payload_len : sizeof(*reply));
	return 0;
}

static int nv_post(struct nv *n, const struct nvsp_message *m)
{
	return tg_chan_send(&n->ch, TG_PKT_DATA_INBAND, 0, ++n->tid, m,
			    sizeof(*m));
}

/* The channel's state as the core reports it. */
static uint32_t nv_state(struct nv *n)
{
	struct vmbh_channel_stats st;

	usleep(200 * 1000);
	if (tg_chan_stats(&n->vm, &n->dev, 0, &st))
		return 0xFFFFFFFF;
	return st.state;
}

static int nv_init_nvsp(struct nv *n, uint32_t version)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG_TYPE_INIT }, r;
	int ret;

	m.init.min_protocol_ver = m.init.max_protocol_ver = version;
	ret = nv_request(n, &m, &r);
	if (ret)
		return ret;
	if (r.hdr.msg_type != NVSP_MSG_TYPE_INIT_COMPLETE)
		return -EBADMSG;
	if (r.init_complete.status != NVSP_STAT_SUCCESS)
		return -EPROTO;
	if (version >= NVSP_PROTOCOL_VERSION_2) {
		memset(&m, 0, sizeof(m));
		m.hdr.msg_type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
		m.ndis_config.mtu = 1514;
		m.ndis_config.capability = NVSP_NDIS_CAP_IEEE8021Q;
		ret = nv_post(n, &m);
		if (ret)
			return ret;
	}
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = NVSP_MSG1_TYPE_SEND_NDIS_VER;
	m.ndis_ver.ndis_major_ver = 6;
	m.ndis_ver.ndis_minor_ver = version >= NVSP_PROTOCOL_VERSION_5 ? 30 : 1;
	return nv_post(n, &m);
}

static int nv_buffers(struct nv *n)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF };
	struct nvsp_message r;
	int ret;

	n->recv_buf = tg_mem_alloc(&n->vm.mem, RECV_BUF_PAGES);
	n->send_buf = tg_mem_alloc(&n->vm.mem, SEND_BUF_PAGES);
	if (!n->recv_buf || !n->send_buf)
		return -ENOMEM;
	ret = tg_gpadl_create(&n->vm, n->ch.relid, RECV_GPADL, n->recv_buf,
			      RECV_BUF_PAGES);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	m.send_buf.gpadl_handle = RECV_GPADL;
	m.send_buf.id = NVSP_RECV_BUFFER_ID;
	ret = nv_request(n, &m, &r);
	if (ret)
		return ret;
	/* the checks netvsc_init_buf() makes */
	if (r.hdr.msg_type != NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE ||
	    r.recv_buf_complete.status != NVSP_STAT_SUCCESS ||
	    r.recv_buf_complete.num_sections != 1 ||
	    r.recv_buf_complete.section.offset != 0 ||
	    r.recv_buf_complete.section.sub_alloc_size < 68 ||
	    (uint64_t)r.recv_buf_complete.section.sub_alloc_size *
	    r.recv_buf_complete.section.num_sub_allocs >
	    RECV_BUF_PAGES * TG_PAGE_SIZE) {
		fprintf(stderr, "# recv buf complete: type %u status %u sections %u S %u C %u\n",
			r.hdr.msg_type, r.recv_buf_complete.status,
			r.recv_buf_complete.num_sections,
			r.recv_buf_complete.section.sub_alloc_size,
			r.recv_buf_complete.section.num_sub_allocs);
		return -EBADMSG;
	}
	n->sub_alloc = r.recv_buf_complete.section.sub_alloc_size;
	n->num_sub = r.recv_buf_complete.section.num_sub_allocs;

	ret = tg_gpadl_create(&n->vm, n->ch.relid, SEND_GPADL, n->send_buf,
			      SEND_BUF_PAGES);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = NVSP_MSG1_TYPE_SEND_SEND_BUF;
	m.send_buf.gpadl_handle = SEND_GPADL;
	ret = nv_request(n, &m, &r);
	if (ret)
		return ret;
	if (r.hdr.msg_type != NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE ||
	    r.send_buf_complete.status != NVSP_STAT_SUCCESS ||
	    r.send_buf_complete.section_size != 6144)
		return -EBADMSG;
	return 0;
}

/*
 * SEND_RNDIS_PKT of @len bytes placed in send section @sec; returns the
 * completion status or -errno.
 */
static int nv_send_rndis(struct nv *n, uint32_t channel_type, uint32_t sec,
			 const void *msg, uint32_t len)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };
	struct nvsp_message r;
	int ret;

	if (len <= 6144)
		memcpy(n->send_buf + sec * 6144, msg, len);
	m.rndis_pkt.channel_type = channel_type;
	m.rndis_pkt.send_buf_section_index = sec;
	m.rndis_pkt.send_buf_section_size = len;
	ret = nv_request(n, &m, &r);
	if (ret)
		return ret;
	if (r.hdr.msg_type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE)
		return -EBADMSG;
	return r.rndis_pkt_complete.status;
}

/*
 * Take the next transfer-page packet: copy its first range's RNDIS message
 * into @out, complete it, return the message length or -errno.
 */
static int nv_recv_rndis(struct nv *n, void *out, uint32_t cap,
			 uint32_t *channel_type, uint32_t *nranges)
{
	struct tg_pkt pkt;
	uint32_t rc, off, len, st = 1;
	const uint8_t *h;
	uint8_t comp[8];
	int ret;

	ret = nv_recv(n, &pkt, WAIT_MS);
	if (ret != 1)
		return ret ? ret : -EIO;
	if (pkt.desc.type != TG_PKT_DATA_XFER_PAGES) {
		fprintf(stderr, "# got packet type %u, want transfer pages\n",
			pkt.desc.type);
		return -EBADMSG;
	}
	h = pkt.buf + 16;
	memcpy(&rc, h + 4, 4);
	if (rc < 1 || *(const uint16_t *)h != NVSP_RECV_BUFFER_ID)
		return -EBADMSG;
	memcpy(&len, h + 8, 4);
	memcpy(&off, h + 12, 4);
	if (channel_type)
		memcpy(channel_type, (const uint8_t *)pkt.payload + 4, 4);
	if (nranges)
		*nranges = rc;
	if (len > n->sub_alloc || len > cap)
		return -EMSGSIZE;
	memcpy(out, n->recv_buf + off, len);
	memcpy(comp, &(uint32_t){ NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE }, 4);
	memcpy(comp + 4, &st, 4);
	ret = tg_chan_send(&n->ch, TG_PKT_COMP, 0, pkt.desc.trans_id, comp, 8);
	return ret ? ret : (int)len;
}

static int nv_rndis_init(struct nv *n)
{
	uint8_t m[24] = { 0 }, r[256];
	uint32_t v;
	int ret;

	v = RNDIS_MSG_INIT;
	memcpy(m, &v, 4);
	v = 24;
	memcpy(m + 4, &v, 4);
	v = ++n->req_id;
	memcpy(m + 8, &v, 4);
	v = 1;
	memcpy(m + 12, &v, 4);
	ret = nv_send_rndis(n, NVSP_RNDIS_CHANNEL_CONTROL, 0, m, 24);
	if (ret != NVSP_STAT_SUCCESS)
		return ret < 0 ? ret : -EPROTO;
	ret = nv_recv_rndis(n, r, sizeof(r), NULL, NULL);
	if (ret < 52)
		return ret < 0 ? ret : -EBADMSG;
	memcpy(&v, r, 4);
	if (v != RNDIS_MSG_INIT_C)
		return -EBADMSG;
	memcpy(&v, r + 12, 4);
	return v == RNDIS_STATUS_SUCCESS ? 0 : -EPROTO;
}

/* QUERY or SET; returns the reply length, the reply in @r. */
static int nv_oid(struct nv *n, uint32_t type, uint32_t oid, const void *data,
		  uint32_t dlen, uint8_t *r, uint32_t cap)
{
	uint8_t m[1024] = { 0 };
	struct rndis_oid_request q = { .req_id = ++n->req_id, .oid = oid,
				       .info_buflen = dlen,
				       .info_buf_offset = 20 };
	uint32_t len = 28 + dlen;
	int ret;

	memcpy(m, &type, 4);
	memcpy(m + 4, &len, 4);
	memcpy(m + 8, &q, sizeof(q));
	memcpy(m + 28, data, dlen);
	ret = nv_send_rndis(n, NVSP_RNDIS_CHANNEL_CONTROL, 1, m, len);
	if (ret != NVSP_STAT_SUCCESS)
		return ret < 0 ? ret : -EPROTO;
	return nv_recv_rndis(n, r, cap, NULL, NULL);
}

static int nv_set_filter(struct nv *n, uint32_t filter)
{
	uint8_t r[64];
	uint32_t st;
	int ret = nv_oid(n, RNDIS_MSG_SET, OID_GEN_CURRENT_PACKET_FILTER,
			 &filter, 4, r, sizeof(r));

	if (ret < 16)
		return ret < 0 ? ret : -EBADMSG;
	memcpy(&st, r + 12, 4);
	return st;
}

/* Everything up to a usable link at @version. */
static int nv_bringup(struct nv *n, uint32_t version, bool vnet)
{
	const struct tg_offer *o;
	int ret;

	n->tap = tap_open(n->tapname, vnet);
	if (n->tap < 0)
		return n->tap;
	if (link_up(n->tapname))
		return -EIO;
	n->peer = peer_open(n->tapname);
	if (n->peer < 0)
		return n->peer;
	ret = tg_vm_create(&n->vm, 1, 64ul << 20);
	if (ret)
		return ret;
	ret = nv_dev_add(&n->vm, &n->dev, n->tap, 4, 0);
	if (ret)
		return ret;
	ret = tg_connect(&n->vm, 0);
	if (ret)
		return ret;
	o = tg_find_offer(&n->vm, n->dev.instance, 0);
	if (!o)
		return -ENOENT;
	ret = tg_chan_open(&n->vm, &n->ch, o, &n->dev, RING_PAGES, RING_PAGES,
			   0);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	ret = nv_init_nvsp(n, version);
	if (ret)
		return ret;
	ret = nv_buffers(n);
	if (ret)
		return ret;
	return nv_rndis_init(n);
}

static void nv_teardown(struct nv *n)
{
	tg_vm_destroy(&n->vm);
	tg_dev_close_fds(&n->dev);
	if (n->peer > 0)
		close(n->peer);
	if (n->tap >= 0)
		close(n->tap);
}

/* An RNDIS PACKET holding @frame, optional PPIs. */
static uint32_t nv_packet(uint8_t *m, const void *frame, uint32_t flen,
			  const uint32_t *types, const uint32_t *vals, int nppi)
{
	struct rndis_packet rp = { 0 };
	uint32_t off = 44, t = RNDIS_MSG_PACKET, len;
	int i;

	for (i = 0; i < nppi; i++) {
		struct rndis_ppi e = { 16, types[i], 12 };

		memcpy(m + off, &e, 12);
		memcpy(m + off + 12, &vals[i], 4);
		off += 16;
	}
	rp.per_pkt_info_offset = nppi ? 36 : 0;
	rp.per_pkt_info_len = nppi * 16;
	rp.data_offset = off - 8;
	rp.data_len = flen;
	memcpy(m + 8, &rp, sizeof(rp));
	memcpy(m + off, frame, flen);
	len = off + flen;
	memcpy(m, &t, 4);
	memcpy(m + 4, &len, 4);
	return len;
}

/* Ethernet + IPv4 + UDP frame with @payload bytes of pattern @seed. */
static uint32_t udp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
			  uint32_t payload, uint8_t seed)
{
	uint32_t len = 42 + payload, i, sum;
	uint16_t v;

	memset(f, 0, 42);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	v = htons(len - 14);
	memcpy(f + 16, &v, 2);
	f[22] = 64;
	f[23] = 17;
	f[26] = 10; f[29] = 1;
	f[30] = 10; f[33] = 2;
	sum = vmbh_netvsp_csum_add(0, f + 14, 20);
	v = htons((uint16_t)~vmbh_netvsp_csum_fold(sum));
	memcpy(f + 24, &v, 2);
	f[34] = 0x30; f[35] = 0x39;
	f[36] = 0x30; f[37] = 0x3a;
	v = htons(len - 34);
	memcpy(f + 38, &v, 2);
	for (i = 0; i < payload; i++)
		f[42 + i] = seed + i;
	return len;
}

static int tap_read(int fd, uint8_t *buf, uint32_t cap, int ms)
{
	int i, ret;

	for (i = 0; i < ms / 10; i++) {
		ret = read(fd, buf, cap);
		if (ret >= 0)
			return ret;
		if (errno != EAGAIN)
			return -errno;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

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
	ASSERT_EQ(0, nv_bringup(&self->n, variant->version, true));
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
	uint32_t v, flen, mlen;
	int ret;

	/* permanent MAC, as netvsc reads it */
	ret = nv_oid(n, RNDIS_MSG_QUERY, OID_802_3_PERMANENT_ADDRESS, NULL, 0,
		     r, sizeof(r));
	ASSERT_EQ(30, ret);
	EXPECT_EQ(0, memcmp(r + 24, guest_mac, 6));
	/* offload capabilities: the checks rndis_query_hwcaps() makes */
	ret = nv_oid(n, RNDIS_MSG_QUERY, OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
		     &want, 4, r, sizeof(r));
	ASSERT_GE(ret, 24 + 112);
	EXPECT_EQ(0xA7, r[24]);
	/* media state follows the tap: up */
	ret = nv_oid(n, RNDIS_MSG_QUERY, OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
		     r, sizeof(r));
	ASSERT_EQ(28, ret);
	memcpy(&v, r + 24, 4);
	EXPECT_EQ(NDIS_MEDIA_STATE_CONNECTED, v);
	ASSERT_EQ(RNDIS_STATUS_SUCCESS, nv_set_filter(n, 0x0d));

	/* guest -> peer */
	flen = udp_frame(f, peer_mac, guest_mac, 200, 7);
	mlen = nv_packet(m, f, flen, NULL, NULL, 0);
	ASSERT_EQ(NVSP_STAT_SUCCESS, nv_send_rndis(n, NVSP_RNDIS_CHANNEL_DATA,
						   5, m, mlen));
	ret = peer_read(n->peer, got, sizeof(got), WAIT_MS);
	ASSERT_EQ(flen, ret);
	EXPECT_EQ(0, memcmp(got, f, flen));

	/* peer -> guest */
	flen = udp_frame(got, guest_mac, peer_mac, 300, 9);
	ASSERT_EQ(flen, send(n->peer, got, flen, 0));
	ret = nv_recv_rndis(n, m, sizeof(m), &v, NULL);
	ASSERT_EQ(VMBH_NETVSP_RX_DATA_OFFSET + flen, ret);
	EXPECT_EQ(NVSP_RNDIS_CHANNEL_DATA, v);
	{
		struct vmbh_rndis_pkt p;

		ASSERT_EQ(0, vmbh_rndis_parse_packet(m, ret, ret, &p));
		EXPECT_EQ(flen, p.data_len);
		EXPECT_EQ(0, memcmp(m + p.data_offset, got, flen));
	}
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n));
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
	ASSERT_EQ(0, nv_bringup(&self->n, NVSP_PROTOCOL_VERSION_61, true));
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
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, section_size_past_buffer_fails_channel)
{
	send_raw_rndis(&self->n, 169, 6145);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, empty_send_fails_channel)
{
	send_raw_rndis(&self->n, 0xFFFFFFFF, 0);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, second_init_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG_TYPE_INIT };

	m.init.min_protocol_ver = m.init.max_protocol_ver =
		NVSP_PROTOCOL_VERSION_61;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, unknown_nvsp_type_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = 999 };

	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, short_nvsp_message_fails_channel)
{
	uint32_t t = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;

	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &t, sizeof(t));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, request_without_completion_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

	m.rndis_pkt.send_buf_section_index = 0;
	m.rndis_pkt.send_buf_section_size = 60;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND, 0, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, bad_channel_type_fails_channel)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

	m.rndis_pkt.channel_type = 2;
	m.rndis_pkt.send_buf_section_index = 0;
	m.rndis_pkt.send_buf_section_size = 60;
	tg_chan_send(&self->n.ch, TG_PKT_DATA_INBAND,
		     TG_PKT_FLAG_COMPLETION_REQUESTED, 99, &m, sizeof(m));
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

TEST_F(hostile, unknown_receive_completion_fails_channel)
{
	uint8_t comp[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };

	tg_chan_send(&self->n.ch, TG_PKT_COMP, 0, 12345, comp, 8);
	EXPECT_EQ(VMBH_CHAN_FAILED, nv_state(&self->n));
}

/* RNDIS content errors: an error completion, the channel stays up. */
static void expect_rndis_error(struct __test_metadata *_metadata, struct nv *n,
			       const uint8_t *m, uint32_t len)
{
	int st = nv_send_rndis(n, NVSP_RNDIS_CHANNEL_DATA, 3, m, len);

	EXPECT_EQ(NVSP_STAT_INVALID_RNDIS_PKT, st);
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(n));
}

TEST_F(hostile, rndis_msg_len_beyond_stream)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
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
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 NULL, NULL, 0), bad = 1000;

	memcpy(m + 12, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_data_len_zero)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 NULL, NULL, 0), bad = 0;

	memcpy(m + 12, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_ppi_size_zero)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_HASH, v = 1, zero = 0;
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 &t, &v, 1);

	memcpy(m + 44, &zero, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_ppi_offset_past_element)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_HASH, v = 1, bad = 40;
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 &t, &v, 1);

	memcpy(m + 52, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, rndis_ppi_area_past_data_offset)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_HASH, v = 1, bad = 200;
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 &t, &v, 1);

	memcpy(m + 8 + 24, &bad, 4);
	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, frame_larger_than_mtu)
{
	static uint8_t f[2000], m[2100];
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 1600, 1),
				 NULL, NULL, 0);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, lso_offset_inside_ip_header)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_LSO, v = 1400 | 30u << 20 | NDIS_LSO_TYPE_V2;
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 &t, &v, 1);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, csum_offset_past_frame)
{
	uint8_t f[100], m[256];
	uint32_t t = RNDIS_PPI_CHECKSUM,
		 v = NDIS_CSUM_TX_IPV4 | NDIS_CSUM_TX_UDP | 1000u << 16;
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
				 &t, &v, 1);

	expect_rndis_error(_metadata, &self->n, m, len);
}

TEST_F(hostile, control_message_after_packet)
{
	uint8_t f[100], m[256];
	uint32_t len = nv_packet(m, f, udp_frame(f, peer_mac, guest_mac, 10, 1),
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
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n));
}

TEST_F(hostile, second_rndis_initialize_rejected)
{
	EXPECT_EQ(-EPROTO, nv_rndis_init(&self->n));
	EXPECT_EQ(VMBH_CHAN_OPEN, nv_state(&self->n));
}

TEST_HARNESS_MAIN

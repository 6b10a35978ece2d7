// SPDX-License-Identifier: GPL-2.0
/*
 * The netvsc side of the netvsp kselftests (nv.h): bring-up, NVSP and
 * RNDIS requests, GPA-direct sends, the receive path, frame builders and
 * the bridge/namespace plumbing the network tests use.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "nv.h"

const uint8_t nv_guest_mac[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01 };
const uint8_t nv_peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static int64_t nv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

int nv_tap_open(char *name, bool vnet)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "nvtap%%d");
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		return -errno;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

int nv_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret)
		fprintf(stderr, "# '%s' exited %d\n", cmd, ret);
	return ret;
}

/* Up, without IPv6 chatter (router solicitations, MLD) on the link. */
int nv_link_up(const char *name)
{
	return nv_sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && ip link set %s up",
		     name, name);
}

/* A packet socket on @name: frames to and from the tap's network side. */
int nv_packet_socket(const char *name)
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

/* The next frame the peer socket receives from the guest (UDP port 12345). */
int nv_peer_read(int s, uint8_t *buf, uint32_t cap, int ms)
{
	struct sockaddr_ll from;
	int64_t end = nv_now_ms() + ms;
	socklen_t fl;
	int ret;

	for (;;) {
		fl = sizeof(from);
		ret = recvfrom(s, buf, cap, 0, (struct sockaddr *)&from, &fl);
		if (ret < 0 && errno != EAGAIN)
			return -errno;
		if (ret >= 42 && from.sll_pkttype != PACKET_OUTGOING &&
		    buf[34] == 0x30 && buf[35] == 0x39)
			return ret;
		if (ret < 0) {
			if (nv_now_ms() >= end)
				return -ETIMEDOUT;
			usleep(2000);
		}
	}
}

/* Transmit checksum offload off: the kernel completes checksums itself. */
int nv_tx_csum_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	ret = ioctl(s, SIOCETHTOOL, &ifr) ? -errno : 0;
	close(s);
	return ret;
}

int nv_tap_read(int fd, uint8_t *buf, uint32_t cap, int ms)
{
	int64_t end = nv_now_ms() + ms;
	int ret;

	for (;;) {
		ret = read(fd, buf, cap);
		if (ret >= 0)
			return ret;
		if (errno != EAGAIN)
			return -errno;
		if (nv_now_ms() >= end)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

/* VMBH_ADD_DEVICE of a NET device on the given tap. */
int nv_dev_add(struct tg_vm *vm, struct tg_dev *dev, int tap_fd,
	       uint32_t nr_queues, uint32_t mtu)
{
	union vmbh_class_params p = { 0 };

	p.net.tap_fd = tap_fd;
	p.net.mtu = mtu;
	memcpy(p.net.mac, nv_guest_mac, 6);
	return tg_dev_add_params(vm, dev, VMBH_CLASS_NET, nr_queues, 0x51, &p);
}

struct tg_chan *nv_chan(struct nv *n, uint32_t queue)
{
	return queue ? &n->sub[queue] : &n->ch;
}

static int nv_send_on(struct tg_chan *ch, struct tg_vm *vm, uint16_t type,
		      uint16_t flags, uint64_t tid, const void *p, uint32_t len)
{
	int64_t end = nv_now_ms() + NV_WAIT_MS;
	int ret;

	while ((ret = tg_chan_send(ch, type, flags, tid, p, len)) == -EAGAIN &&
	       nv_now_ms() < end)
		tg_pump(vm, 5);
	return ret;
}

/* A transfer-page packet: queue its RNDIS messages, complete it. */
static int nv_take_xfer(struct nv *n, struct tg_chan *ch, uint32_t queue,
			const struct tg_pkt *pkt)
{
	const uint8_t *h = pkt->buf + 16;
	uint32_t rc, i, ctype, msgtype, cnt, off, st = NVSP_STAT_SUCCESS;
	uint8_t comp[8];
	uint16_t id;

	memcpy(&id, h, 2);
	memcpy(&rc, h + 4, 4);
	if (id != NVSP_RECV_BUFFER_ID || rc < 1 ||
	    24 + 8ull * rc > (uint32_t)pkt->desc.offset8 * 8 ||
	    pkt->payload_len < 8)
		return -EBADMSG;
	memcpy(&msgtype, pkt->payload, 4);
	memcpy(&ctype, (const uint8_t *)pkt->payload + 4, 4);
	if (msgtype != NVSP_MSG1_TYPE_SEND_RNDIS_PKT)
		return -EBADMSG;
	for (i = 0; i < rc; i++) {
		struct nv_msg *m;

		memcpy(&cnt, pkt->buf + 24 + 8 * i, 4);
		memcpy(&off, pkt->buf + 28 + 8 * i, 4);
		if (cnt > n->sub_alloc || cnt > NV_MSG_MAX ||
		    (uint64_t)off + cnt > NV_RECV_BUF_PAGES * TG_PAGE_SIZE) {
			fprintf(stderr, "# receive range %u+%u out of bounds\n",
				off, cnt);
			return -EBADMSG;
		}
		m = malloc(sizeof(*m));
		if (!m)
			return -ENOMEM;
		m->next = NULL;
		m->channel_type = ctype;
		m->queue = queue;
		m->len = cnt;
		memcpy(m->data, n->recv_buf + off, cnt);
		*n->tail = m;
		n->tail = &m->next;
		n->queued++;
	}
	msgtype = NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE;
	memcpy(comp, &msgtype, 4);
	memcpy(comp + 4, &st, 4);
	return nv_send_on(ch, &n->vm, TG_PKT_COMP, 0, pkt->desc.trans_id, comp,
			  8);
}

static int nv_take_inband(struct nv *n, const struct tg_pkt *pkt)
{
	struct nvsp_indirection_table_msg t;

	if (pkt->payload_len < sizeof(t))
		return 0;
	memcpy(&t, pkt->payload, sizeof(t));
	if (t.hdr.msg_type != NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE ||
	    t.table.count != 16 || t.table.offset != 12)
		return -EBADMSG;
	memcpy(n->indirection, t.entries, sizeof(n->indirection));
	n->indirection_seen = true;
	return 0;
}

/* One host packet: 1 when it completes @tid, 0 when taken, or -errno. */
static int nv_take(struct nv *n, uint32_t q, const struct tg_pkt *pkt,
		   uint64_t tid, struct nvsp_message *reply)
{
	uint32_t len = pkt->payload_len;

	switch (pkt->desc.type) {
	case TG_PKT_DATA_XFER_PAGES:
		return nv_take_xfer(n, nv_chan(n, q), q, pkt);
	case TG_PKT_DATA_INBAND:
		return nv_take_inband(n, pkt);
	case TG_PKT_COMP:
		if (!tid || pkt->desc.trans_id != tid)
			break;
		if (reply) {
			memset(reply, 0, sizeof(*reply));
			memcpy(reply, pkt->payload,
			       len < sizeof(*reply) ? len : sizeof(*reply));
		}
		return 1;
	}
	fprintf(stderr, "# queue %u: unexpected packet type %u id %llu\n", q,
		pkt->desc.type, (unsigned long long)pkt->desc.trans_id);
	return -EBADMSG;
}

/*
 * Take the host's packets on every open channel for up to @ms: receive
 * messages are queued, completions matched against @tid.  With @tid 0,
 * return after the first sweep that found anything.  Returns 0 (with
 * @reply filled for @tid), -ETIMEDOUT, or -EBADMSG for an unexpected
 * packet.
 */
int nv_poll(struct nv *n, uint64_t tid, struct nvsp_message *reply, int ms)
{
	int64_t end = nv_now_ms() + ms;
	struct tg_pkt pkt;
	uint32_t q;
	int ret, found;

	for (;;) {
		found = 0;
		for (q = 0; q < n->nr_queues; q++) {
			struct tg_chan *ch = nv_chan(n, q);

			while ((ret = tg_chan_recv(ch, &pkt)) == 1) {
				found++;
				ret = nv_take(n, q, &pkt, tid, reply);
				if (ret)
					return ret < 0 ? ret : 0;
			}
			if (ret < 0)
				return ret;
		}
		if (found && !tid)
			return 0;
		if (nv_now_ms() >= end)
			return -ETIMEDOUT;
		tg_pump(&n->vm, 5);
	}
}

/* Send an NVSP message in-band with a completion; wait for the completion. */
int nv_request(struct nv *n, const struct nvsp_message *m,
	       struct nvsp_message *reply)
{
	uint64_t tid = ++n->tid;
	int ret;

	ret = nv_send_on(&n->ch, &n->vm, TG_PKT_DATA_INBAND,
			 TG_PKT_FLAG_COMPLETION_REQUESTED, tid, m, sizeof(*m));
	return ret ? ret : nv_poll(n, tid, reply, NV_WAIT_MS);
}

int nv_post(struct nv *n, const struct nvsp_message *m)
{
	return nv_send_on(&n->ch, &n->vm, TG_PKT_DATA_INBAND, 0, ++n->tid, m,
			  sizeof(*m));
}

/* The channel's state as the core reports it, after the host had time. */
uint32_t nv_state(struct nv *n, uint32_t queue)
{
	struct vmbh_channel_stats st;

	usleep(200 * 1000);
	if (tg_chan_stats(&n->vm, &n->dev, queue, &st))
		return 0xFFFFFFFF;
	return st.state;
}

int nv_init_nvsp(struct nv *n, uint32_t version)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG_TYPE_INIT }, r;
	int ret;

	m.init.min_protocol_ver = version;
	m.init.max_protocol_ver = version;
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

int nv_buffers(struct nv *n)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF };
	struct nvsp_message r;
	int ret;

	n->recv_buf = tg_mem_alloc(&n->vm.mem, NV_RECV_BUF_PAGES);
	n->send_buf = tg_mem_alloc(&n->vm.mem, NV_SEND_BUF_PAGES);
	if (!n->recv_buf || !n->send_buf)
		return -ENOMEM;
	ret = tg_gpadl_create(&n->vm, n->ch.relid, NV_RECV_GPADL, n->recv_buf,
			      NV_RECV_BUF_PAGES);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	m.send_buf.gpadl_handle = NV_RECV_GPADL;
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
	    NV_RECV_BUF_PAGES * TG_PAGE_SIZE) {
		fprintf(stderr, "# recv buf complete: type %u status %u sections %u S %u C %u\n",
			r.hdr.msg_type, r.recv_buf_complete.status,
			r.recv_buf_complete.num_sections,
			r.recv_buf_complete.section.sub_alloc_size,
			r.recv_buf_complete.section.num_sub_allocs);
		return -EBADMSG;
	}
	n->sub_alloc = r.recv_buf_complete.section.sub_alloc_size;
	n->num_sub = r.recv_buf_complete.section.num_sub_allocs;

	ret = tg_gpadl_create(&n->vm, n->ch.relid, NV_SEND_GPADL, n->send_buf,
			      NV_SEND_BUF_PAGES);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_type = NVSP_MSG1_TYPE_SEND_SEND_BUF;
	m.send_buf.gpadl_handle = NV_SEND_GPADL;
	ret = nv_request(n, &m, &r);
	if (ret)
		return ret;
	if (r.hdr.msg_type != NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE ||
	    r.send_buf_complete.status != NVSP_STAT_SUCCESS ||
	    r.send_buf_complete.section_size != NV_SECTION)
		return -EBADMSG;
	return 0;
}

/*
 * SEND_RNDIS_PKT of @len bytes placed in send section @sec, on @queue;
 * returns the completion status or -errno.
 */
int nv_send_rndis_on(struct nv *n, uint32_t queue, uint32_t channel_type,
		     uint32_t sec, const void *msg, uint32_t len)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };
	struct nvsp_message r;
	uint64_t tid = ++n->tid;
	int ret;

	if (len <= NV_SECTION && sec < NV_SEND_BUF_PAGES * TG_PAGE_SIZE / NV_SECTION)
		memcpy(n->send_buf + sec * NV_SECTION, msg, len);
	m.rndis_pkt.channel_type = channel_type;
	m.rndis_pkt.send_buf_section_index = sec;
	m.rndis_pkt.send_buf_section_size = len;
	ret = nv_send_on(nv_chan(n, queue), &n->vm, TG_PKT_DATA_INBAND,
			 TG_PKT_FLAG_COMPLETION_REQUESTED, tid, &m, sizeof(m));
	if (!ret)
		ret = nv_poll(n, tid, &r, NV_WAIT_MS);
	if (ret)
		return ret;
	if (r.hdr.msg_type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE)
		return -EBADMSG;
	return r.rndis_pkt_complete.status;
}

int nv_send_rndis(struct nv *n, uint32_t channel_type, uint32_t sec,
		  const void *msg, uint32_t len)
{
	return nv_send_rndis_on(n, 0, channel_type, sec, msg, len);
}

/*
 * SEND_RNDIS_PKT as a GPA-direct packet (type 9): the stream is the send
 * section span (if @sec is not NONE) followed by the bytes of @r.
 */
int nv_send_gpa(struct nv *n, uint32_t queue, uint64_t tid,
		uint32_t channel_type, uint32_t sec, uint32_t sec_len,
		const struct nv_range *r, uint32_t nr)
{
	static uint8_t buf[8192];
	struct tg_pkt_desc *d = (void *)buf;
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };
	struct tg_chan *ch = nv_chan(n, queue);
	uint32_t pos = 24, i, k, zero = 0;
	struct iovec iov;
	bool sig;
	int ret;

	memset(buf, 0, sizeof(buf));
	memcpy(buf + 16, &zero, 4);
	memcpy(buf + 20, &nr, 4);
	for (i = 0; i < nr; i++) {
		uintptr_t a = (uintptr_t)r[i].p;
		uint32_t off = a & (TG_PAGE_SIZE - 1);
		uint32_t pages = (off + r[i].len + TG_PAGE_SIZE - 1) / TG_PAGE_SIZE;
		uint64_t pfn;

		if (pos + 8 + 8 * pages + sizeof(m) > sizeof(buf))
			return -E2BIG;
		memcpy(buf + pos, &r[i].len, 4);
		memcpy(buf + pos + 4, &off, 4);
		pos += 8;
		for (k = 0; k < pages; k++) {
			pfn = tg_mem_pfn(&n->vm.mem, (void *)(a - off)) + k;
			memcpy(buf + pos, &pfn, 8);
			pos += 8;
		}
	}
	m.rndis_pkt.channel_type = channel_type;
	m.rndis_pkt.send_buf_section_index = sec;
	m.rndis_pkt.send_buf_section_size = sec_len;
	memcpy(buf + pos, &m, sizeof(m));
	d->type = TG_PKT_DATA_GPA_DIRECT;
	d->flags = TG_PKT_FLAG_COMPLETION_REQUESTED;
	d->trans_id = tid;
	d->offset8 = pos / 8;
	d->len8 = (pos + sizeof(m) + 7) / 8;
	iov.iov_base = buf;
	iov.iov_len = d->len8 * 8;
	for (k = 0; k < 1000; k++) {
		ret = tg_ring_write(&ch->out, &iov, 1, &sig);
		if (ret != -EAGAIN)
			break;
		tg_pump(&n->vm, 5);
	}
	if (!ret && sig)
		tg_chan_kick(ch);
	return ret;
}

int nv_send_gpa_wait(struct nv *n, uint32_t queue, uint32_t channel_type,
		     uint32_t sec, uint32_t sec_len, const struct nv_range *r,
		     uint32_t nr)
{
	struct nvsp_message rep;
	uint64_t tid = ++n->tid;
	int ret = nv_send_gpa(n, queue, tid, channel_type, sec, sec_len, r, nr);

	if (!ret)
		ret = nv_poll(n, tid, &rep, NV_WAIT_MS);
	if (ret)
		return ret;
	if (rep.hdr.msg_type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE)
		return -EBADMSG;
	return rep.rndis_pkt_complete.status;
}

/* The oldest received RNDIS message on @channel_type (-1: any); free it. */
int nv_next_msg(struct nv *n, int channel_type, struct nv_msg **out, int ms)
{
	int64_t end = nv_now_ms() + ms;
	struct nv_msg **pp, *m;
	int ret;

	for (;;) {
		for (pp = &n->head; (m = *pp); pp = &m->next) {
			if (channel_type >= 0 &&
			    m->channel_type != (uint32_t)channel_type)
				continue;
			*pp = m->next;
			if (!*pp)
				n->tail = pp;
			n->queued--;
			*out = m;
			return 0;
		}
		if (nv_now_ms() >= end)
			return -ETIMEDOUT;
		ret = nv_poll(n, 0, NULL, (int)(end - nv_now_ms()));
		if (ret && ret != -ETIMEDOUT)
			return ret;
	}
}

/* The next received RNDIS message: its bytes in @out, its length returned. */
int nv_recv_rndis(struct nv *n, void *out, uint32_t cap,
		  uint32_t *channel_type, uint32_t *nranges)
{
	struct nv_msg *m;
	int ret = nv_next_msg(n, -1, &m, NV_WAIT_MS);

	if (ret)
		return ret;
	if (channel_type)
		*channel_type = m->channel_type;
	if (nranges)
		*nranges = 1;
	ret = m->len > cap ? -EMSGSIZE : (int)m->len;
	if (ret > 0)
		memcpy(out, m->data, m->len);
	free(m);
	return ret;
}

int nv_rndis_init(struct nv *n)
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
int nv_oid(struct nv *n, uint32_t type, uint32_t oid, const void *data,
	   uint32_t dlen, uint8_t *r, uint32_t cap)
{
	uint8_t m[2048] = { 0 };
	struct rndis_oid_request q = { .req_id = ++n->req_id, .oid = oid,
				       .info_buflen = dlen,
				       .info_buf_offset = 20 };
	uint32_t len = 28 + dlen, rid;
	struct nv_msg *msg;
	int ret;

	if (len > sizeof(m))
		return -E2BIG;
	memcpy(m, &type, 4);
	memcpy(m + 4, &len, 4);
	memcpy(m + 8, &q, sizeof(q));
	if (dlen)
		memcpy(m + 28, data, dlen);
	ret = nv_send_rndis(n, NVSP_RNDIS_CHANNEL_CONTROL, 1, m, len);
	if (ret != NVSP_STAT_SUCCESS)
		return ret < 0 ? ret : -EPROTO;
	/* the reply to this request, skipping status indications */
	for (;;) {
		ret = nv_next_msg(n, NVSP_RNDIS_CHANNEL_CONTROL, &msg,
				  NV_WAIT_MS);
		if (ret)
			return ret;
		memcpy(&rid, msg->data + 8, 4);
		if (msg->len >= 12 && rid == q.req_id &&
		    *(uint32_t *)msg->data != RNDIS_MSG_INDICATE)
			break;
		free(msg);
	}
	ret = msg->len > cap ? -EMSGSIZE : (int)msg->len;
	if (ret > 0)
		memcpy(r, msg->data, msg->len);
	free(msg);
	return ret;
}

/* SET an OID; returns the SET_CMPLT status or -errno. */
int nv_set_status(struct nv *n, uint32_t oid, const void *data, uint32_t len)
{
	uint8_t r[64];
	uint32_t st;
	int ret = nv_oid(n, RNDIS_MSG_SET, oid, data, len, r, sizeof(r));

	if (ret < 16)
		return ret < 0 ? ret : -EBADMSG;
	memcpy(&st, r + 12, 4);
	return st;
}

int nv_set_filter(struct nv *n, uint32_t filter)
{
	return nv_set_status(n, OID_GEN_CURRENT_PACKET_FILTER, &filter, 4);
}

int nv_set_rss(struct nv *n, const uint8_t *key, const uint32_t *table,
	       uint32_t entries, uint32_t hashinfo)
{
	uint8_t d[40 + 4 * NDIS_RSS_INDIRECTION_MAX + NDIS_RSS_HASH_KEY_SIZE];
	struct ndis_recv_scale_param p = {
		.hdr = { NDIS_OBJECT_TYPE_RSS_PARAMETERS, 2, 40 },
		.hashinfo = hashinfo,
		.indirect_tabsize = 4 * entries,
		.indirect_taboffset = 40,
		.hashkey_size = NDIS_RSS_HASH_KEY_SIZE,
		.hashkey_offset = 40 + 4 * entries,
	};

	memcpy(d, &p, sizeof(p));
	memcpy(d + 40, table, 4 * entries);
	memcpy(d + 40 + 4 * entries, key, NDIS_RSS_HASH_KEY_SIZE);
	return nv_set_status(n, OID_GEN_RECEIVE_SCALE_PARAMETERS, d,
			     40 + 4 * entries + NDIS_RSS_HASH_KEY_SIZE);
}

/*
 * Everything up to a usable link on an existing tap: VM, device with
 * @queues channels, VMBus, the primary open, NVSP at @version, buffers,
 * RNDIS INITIALIZE.
 */
int nv_start(struct nv *n, int tap, uint32_t version, uint32_t queues)
{
	const struct tg_offer *o;
	int ret;

	n->tail = &n->head;
	ret = tg_vm_create(&n->vm, 1, 64ul << 20);
	if (ret)
		return ret;
	ret = nv_dev_add(&n->vm, &n->dev, tap, queues, 0);
	if (ret)
		return ret;
	ret = tg_connect(&n->vm, 0);
	if (ret)
		return ret;
	o = tg_find_offer(&n->vm, n->dev.instance, 0);
	if (!o)
		return -ENOENT;
	ret = tg_chan_open(&n->vm, &n->ch, o, &n->dev, NV_RING_PAGES,
			   n->prim_recv_pages ? n->prim_recv_pages :
			   NV_RING_PAGES, 0);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	n->nr_queues = 1;
	ret = nv_init_nvsp(n, version);
	if (ret)
		return ret;
	ret = nv_buffers(n);
	if (ret)
		return ret;
	return nv_rndis_init(n);
}

/* A fresh tap (no bridge) with a packet socket on it, then nv_start(). */
int nv_bringup(struct nv *n, uint32_t version, bool vnet, uint32_t queues)
{
	n->tail = &n->head;
	n->tap = nv_tap_open(n->tapname, vnet);
	if (n->tap < 0)
		return n->tap;
	if (nv_link_up(n->tapname))
		return -EIO;
	n->peer = nv_packet_socket(n->tapname);
	if (n->peer < 0)
		return n->peer;
	return nv_start(n, n->tap, version, queues);
}

/* SUBCHANNEL {allocate, @want}, then open every subchannel offered. */
int nv_subchannels(struct nv *n, uint32_t want, uint32_t *granted)
{
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG5_TYPE_SUBCHANNEL }, r;
	int64_t end;
	uint32_t q;
	int ret;

	m.subchannel_req.op = NVSP_SUBCHANNEL_ALLOCATE;
	m.subchannel_req.num_subchannels = want;
	ret = nv_request(n, &m, &r);
	if (ret)
		return ret;
	if (r.hdr.msg_type != NVSP_MSG5_TYPE_SUBCHANNEL ||
	    r.subchannel_complete.status != NVSP_STAT_SUCCESS)
		return -EPROTO;
	*granted = r.subchannel_complete.num_subchannels;
	if (*granted > want || *granted >= NV_QUEUES)
		return -EBADMSG;
	end = nv_now_ms() + NV_WAIT_MS;
	for (q = 1; q <= *granted; q++) {
		const struct tg_offer *o;

		while (!(o = tg_find_offer(&n->vm, n->dev.instance, q))) {
			if (nv_now_ms() >= end)
				return -ETIMEDOUT;
			tg_pump(&n->vm, 20);
		}
		ret = tg_chan_open(&n->vm, &n->sub[q], o, &n->dev,
				   NV_RING_PAGES, n->sub_recv_pages ?
				   n->sub_recv_pages : NV_RING_PAGES, 0);
		if (ret)
			return ret < 0 ? ret : -EPROTO;
		n->nr_queues = q + 1;
	}
	tg_drop_msgs(&n->vm);
	return 0;
}

void nv_teardown(struct nv *n)
{
	struct nv_msg *m;

	while ((m = n->head)) {
		n->head = m->next;
		free(m);
	}
	tg_vm_destroy(&n->vm);
	tg_dev_close_fds(&n->dev);
	if (n->peer > 0)
		close(n->peer);
	if (n->tap >= 0)
		close(n->tap);
}

/* An RNDIS PACKET holding @frame, optional 4-byte PPIs. */
uint32_t nv_packet(uint8_t *m, const void *frame, uint32_t flen,
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
	if (frame)
		memcpy(m + off, frame, flen);
	len = off + flen;
	memcpy(m, &t, 4);
	memcpy(m + 4, &len, 4);
	return len;
}

/* Ethernet + IPv4 + UDP frame with @payload bytes of pattern @seed. */
uint32_t nv_udp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
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

/* One's-complement checksum of @p, folded and complemented, host order. */
uint16_t nv_csum(const void *p, uint32_t len, uint32_t sum)
{
	u32 s = vmbh_netvsp_csum_add(sum, p, len);

	return (uint16_t)~vmbh_netvsp_csum_fold(s);
}

static void nv_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void nv_put32(uint8_t *p, uint32_t v)
{
	nv_put16(p, v >> 16);
	nv_put16(p + 2, v & 0xffff);
}

uint32_t nv_ip_hdr(uint8_t *f, const uint8_t *dst_mac, uint32_t saddr,
		   uint32_t daddr, uint8_t proto, uint32_t l4len)
{
	static uint16_t ip_id;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, nv_guest_mac, 6);
	nv_put16(f + 12, 0x0800);
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	nv_put16(f + 16, 20 + l4len);
	nv_put16(f + 18, ++ip_id);
	f[22] = 64;
	f[23] = proto;
	nv_put32(f + 26, saddr);
	nv_put32(f + 30, daddr);
	nv_put16(f + 24, nv_csum(f + 14, 20, 0));
	return 34;
}

static uint32_t nv_pseudo(const uint8_t *f, uint8_t proto, uint32_t l4len)
{
	return vmbh_netvsp_csum_add(0, f + 26, 8) + proto + l4len;
}

uint32_t nv_ip_udp(uint8_t *f, const uint8_t *dst_mac, uint32_t saddr,
		   uint32_t daddr, uint16_t sport, uint16_t dport,
		   const void *payload, uint32_t plen, bool csum)
{
	uint32_t off = nv_ip_hdr(f, dst_mac, saddr, daddr, 17, 8 + plen);
	uint16_t c;

	nv_put16(f + off, sport);
	nv_put16(f + off + 2, dport);
	nv_put16(f + off + 4, 8 + plen);
	nv_put16(f + off + 6, 0);
	memcpy(f + off + 8, payload, plen);
	if (csum) {
		c = nv_csum(f + off, 8 + plen, nv_pseudo(f, 17, 8 + plen));
		nv_put16(f + off + 6, c ? c : 0xffff);
	}
	return off + 8 + plen;
}

uint32_t nv_ip_tcp(uint8_t *f, const uint8_t *dst_mac, uint32_t saddr,
		   uint32_t daddr, uint16_t sport, uint16_t dport,
		   uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		   const void *payload, uint32_t plen)
{
	uint32_t thl = (flags & 0x02) ? 24 : 20;
	uint32_t off = nv_ip_hdr(f, dst_mac, saddr, daddr, 6, thl + plen);
	uint8_t *t = f + off;

	memset(t, 0, thl);
	nv_put16(t, sport);
	nv_put16(t + 2, dport);
	nv_put32(t + 4, seq);
	nv_put32(t + 8, ack);
	t[12] = (thl / 4) << 4;
	t[13] = flags;
	nv_put16(t + 14, win);
	if (thl == 24) {	/* MSS option on SYN */
		t[20] = 2;
		t[21] = 4;
		nv_put16(t + 22, 1460);
	}
	if (plen)
		memcpy(t + thl, payload, plen);
	nv_put16(t + 16, nv_csum(t, thl + plen, nv_pseudo(f, 6, thl + plen)));
	return off + thl + plen;
}

static uint16_t nv_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv4 header checksum and TCP/UDP/ICMP checksum of a received frame. */
bool nv_l4_csum_ok(const uint8_t *f, uint32_t len)
{
	uint32_t l3 = 14, ihl, tot, l4len;
	uint8_t proto;

	if (len >= 18 && nv_get16(f + 12) == 0x8100)
		l3 = 18;
	if (len < l3 + 20 || nv_get16(f + l3 - 2) != 0x0800)
		return false;
	ihl = (f[l3] & 0xf) * 4;
	tot = nv_get16(f + l3 + 2);
	if (ihl < 20 || tot < ihl || l3 + tot > len ||
	    nv_csum(f + l3, ihl, 0) != 0)
		return false;
	proto = f[l3 + 9];
	l4len = tot - ihl;
	if (proto == 1)
		return nv_csum(f + l3 + ihl, l4len, 0) == 0;
	if (proto == 17 && l4len >= 8 && !nv_get16(f + l3 + ihl + 6))
		return true;
	if (proto != 6 && proto != 17)
		return false;
	return nv_csum(f + l3 + ihl, l4len,
		       vmbh_netvsp_csum_add(0, f + l3 + 12, 8) + proto +
		       l4len) == 0;
}

/* Send one frame through a send section (queue 0), PPIs optional. */
int nv_send_frame(struct nv *n, const void *frame, uint32_t len,
		  const uint32_t *types, const uint32_t *vals, int nppi)
{
	uint8_t m[NV_SECTION];

	if (len + 44 + 16 * nppi > sizeof(m))
		return -E2BIG;
	len = nv_packet(m, frame, len, types, vals, nppi);
	return nv_send_rndis(n, NVSP_RNDIS_CHANNEL_DATA, 7, m, len);
}

static int nv_arp_reply(struct nv *n, const uint8_t *req)
{
	uint8_t f[60] = { 0 };

	memcpy(f, req + 22, 6);
	memcpy(f + 6, nv_guest_mac, 6);
	nv_put16(f + 12, 0x0806);
	nv_put16(f + 14, 1);
	nv_put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	nv_put16(f + 20, 2);
	memcpy(f + 22, nv_guest_mac, 6);
	memcpy(f + 28, req + 38, 4);
	memcpy(f + 32, req + 22, 10);
	n->arp_answered++;
	return nv_send_frame(n, f, sizeof(f), NULL, NULL, 0) ==
		NVSP_STAT_SUCCESS ? 0 : -EIO;
}

static uint32_t nv_get32(const uint8_t *p)
{
	return (uint32_t)nv_get16(p) << 16 | nv_get16(p + 2);
}

/*
 * The next data frame on the guest's receive path (any queue); ARP
 * requests for the guest's address are answered and not returned.
 */
int nv_rx_frame(struct nv *n, struct nv_frame *f, int ms)
{
	int64_t end = nv_now_ms() + ms;
	struct nv_msg *m;
	const uint8_t *d;
	int ret;

	for (;;) {
		int left = (int)(end - nv_now_ms());

		ret = nv_next_msg(n, NVSP_RNDIS_CHANNEL_DATA, &m,
				  left > 0 ? left : 0);
		if (ret)
			return ret;
		if (vmbh_rndis_parse_packet(m->data, m->len, m->len, &f->ppi) ||
		    f->ppi.data_offset + f->ppi.data_len > m->len) {
			fprintf(stderr, "# malformed receive PACKET\n");
			free(m);
			return -EBADMSG;
		}
		d = m->data + f->ppi.data_offset;
		f->len = f->ppi.data_len;
		f->queue = m->queue;
		memcpy(f->data, d, f->len);
		free(m);
		if (f->len >= 42 && nv_get16(f->data + 12) == 0x0806 &&
		    nv_get16(f->data + 20) == 1 &&
		    (nv_get32(f->data + 38) == NV_GUEST_IP)) {
			ret = nv_arp_reply(n, f->data);
			if (ret)
				return ret;
			continue;
		}
		return 0;
	}
}

/* ARP for @ip from the guest's address; the answer's MAC in @mac. */
int nv_arp_resolve(struct nv *n, uint32_t ip, uint8_t *mac)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int64_t end = nv_now_ms() + NV_WAIT_MS;
	uint8_t f[60] = { 0 };
	struct nv_frame *rx = malloc(sizeof(*rx));
	int ret;

	if (!rx)
		return -ENOMEM;
	memcpy(f, bcast, 6);
	memcpy(f + 6, nv_guest_mac, 6);
	nv_put16(f + 12, 0x0806);
	nv_put16(f + 14, 1);
	nv_put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	nv_put16(f + 20, 1);
	memcpy(f + 22, nv_guest_mac, 6);
	nv_put32(f + 28, NV_GUEST_IP);
	nv_put32(f + 38, ip);
	ret = nv_send_frame(n, f, sizeof(f), NULL, NULL, 0);
	if (ret != NVSP_STAT_SUCCESS) {
		free(rx);
		return ret < 0 ? ret : -EIO;
	}
	for (;;) {
		ret = nv_rx_frame(n, rx, (int)(end - nv_now_ms()));
		if (ret)
			break;
		if (rx->len >= 42 && nv_get16(rx->data + 12) == 0x0806 &&
		    nv_get16(rx->data + 20) == 2 &&
		    nv_get32(rx->data + 28) == ip &&
		    !memcmp(rx->data + 32, nv_guest_mac, 6) &&
		    nv_get32(rx->data + 38) == NV_GUEST_IP &&
		    !memcmp(rx->data, nv_guest_mac, 6)) {
			memcpy(mac, rx->data + 22, 6);
			break;
		}
	}
	free(rx);
	return ret;
}

void nv_net_teardown(void)
{
	/* nvv0 first: a namespace's devices are destroyed asynchronously */
	if (system("ip link del nvv0 2>/dev/null; ip netns del " NV_NETNS
		   " 2>/dev/null; ip link del " NV_BRIDGE " 2>/dev/null"))
		return;
}

/*
 * Bridge nvbr0 with @tapname and veth nvv0 as ports; nvv0's peer nvv1 in
 * namespace nvpeer with 10.99.0.2/24, and VLAN 5 on it with 10.99.5.2/24.
 * nvv0 computes checksums in software, so the peer's kernel checks every
 * checksum the guest (through the module) produced.
 */
#define NV_NO_IPV6 "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"

int nv_net_setup(const char *tapname)
{
	nv_net_teardown();
	if (nv_sh("ip netns add " NV_NETNS " && ip netns exec " NV_NETNS
		  " sysctl -qw " NV_NO_IPV6) ||
	    nv_sh("ip link add " NV_BRIDGE " type bridge && sysctl -qw net.ipv6.conf." NV_BRIDGE
		  ".disable_ipv6=1 && ip link set " NV_BRIDGE " up") ||
	    nv_sh("ip link add nvv0 type veth peer name nvv1 netns " NV_NETNS
		  " && sysctl -qw net.ipv6.conf.nvv0.disable_ipv6=1 && ip link set nvv0 master "
		  NV_BRIDGE " up") ||
	    nv_sh("ip -n " NV_NETNS " link set lo up && ip -n " NV_NETNS
		  " addr add 10.99.0.2/24 dev nvv1 && ip -n " NV_NETNS " link set nvv1 up") ||
	    nv_sh("ip -n " NV_NETNS " link add link nvv1 name nvv1.5 type vlan id 5 && ip -n "
		  NV_NETNS " addr add 10.99.5.2/24 dev nvv1.5 && ip -n " NV_NETNS
		  " link set nvv1.5 up") ||
	    nv_sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && ip link set %s master "
		  NV_BRIDGE " up", tapname, tapname))
		return -EIO;
	return nv_tx_csum_off("nvv0");
}

/*
 * Run @fn in a child inside the peer namespace; @fn writes its reports
 * to @out.  *@rd gets the read end.  Returns the child's pid or -errno.
 */
pid_t nv_peer_spawn(int (*fn)(void *arg, int out), void *arg, int *rd)
{
	int p[2], fd;
	pid_t pid;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(p[0]);
		fd = open("/run/netns/" NV_NETNS, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(120);
		_exit(fn(arg, p[1]));
	}
	close(p[1]);
	*rd = p[0];
	return pid;
}

/* The child's exit status; killed after 20 s. */
int nv_peer_wait(pid_t pid)
{
	int64_t end = nv_now_ms() + 20000;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		if (r < 0)
			return -errno;
		if (nv_now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
}

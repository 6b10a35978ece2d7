// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the test guest: pumps the SynIC pages, runs the VMBus
 * control protocol the way drivers/hv does, and drives channel rings.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

int64_t tg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

static void tg_eventfd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static uint64_t tg_eventfd_drain(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void tg_note_event(void *ctx, unsigned int bit)
{
	struct tg_vm *vm = ctx;

	vm->chan_event[bit] = 1;
	vm->chan_events++;
}

static void tg_queue_msg(struct tg_vm *vm, const struct tg_hv_msg *m)
{
	const struct tg_msg_hdr *h = (const void *)m->payload;

	vm->msgs_seen++;
	if (h->msgtype == TG_MSG_OFFERCHANNEL &&
	    m->payload_size >= sizeof(struct tg_offer)) {
		/* keep the newest offers */
		if (vm->nr_offers == TG_MAX_OFFERS) {
			memmove(vm->offers, vm->offers + 1,
				(TG_MAX_OFFERS - 1) * sizeof(vm->offers[0]));
			vm->nr_offers--;
		}
		memcpy(&vm->offers[vm->nr_offers++], m->payload,
		       sizeof(struct tg_offer));
	}
	if (vm->q_len == TG_MSGQ_LEN)
		abort();	/* a test that never consumes its messages */
	vm->q[(vm->q_head + vm->q_len++) % TG_MSGQ_LEN] = *m;
}

/* Everything already delivered, without waiting. */
static int tg_take_all(struct tg_vm *vm)
{
	struct tg_hv_msg m;
	int vp, n = 0;
	bool eom;

	for (vp = 0; vp < vm->nr_vps; vp++) {
		struct tg_vp *p = &vm->vp[vp];

		p->sints += tg_eventfd_drain(p->sint_fd);
		while (tg_simp_take(p->simp, TG_VMBUS_SINT, &m, &eom)) {
			tg_queue_msg(vm, &m);
			n++;
			if (eom) {
				p->eoms++;
				tg_eventfd_signal(p->eom_fd);
			}
		}
		n += tg_siefp_drain(p->siefp, TG_VMBUS_SINT, tg_note_event, vm);
	}
	return n;
}

int tg_pump(struct tg_vm *vm, int timeout_ms)
{
	struct pollfd pfd[TG_MAX_VPS];
	int vp, n;

	n = tg_take_all(vm);
	if (n || timeout_ms <= 0)
		return n;
	for (vp = 0; vp < vm->nr_vps; vp++) {
		pfd[vp].fd = vm->vp[vp].sint_fd;
		pfd[vp].events = POLLIN;
	}
	poll(pfd, vm->nr_vps, timeout_ms);
	return tg_take_all(vm);
}

static int tg_find_queued(struct tg_vm *vm, uint32_t msgtype, int off,
			  uint32_t val, void *out, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < vm->q_len; i++) {
		unsigned int idx = (vm->q_head + i) % TG_MSGQ_LEN;
		struct tg_hv_msg *m = &vm->q[idx];
		const struct tg_msg_hdr *h = (const void *)m->payload;
		uint32_t v;
		int size;

		if (msgtype && h->msgtype != msgtype)
			continue;
		if (off >= 0) {
			memcpy(&v, m->payload + off, sizeof(v));
			if (v != val)
				continue;
		}
		size = m->payload_size;
		if (out) {
			memset(out, 0, len);
			memcpy(out, m->payload,
			       len < TG_HV_MSG_PAYLOAD_MAX ? len : TG_HV_MSG_PAYLOAD_MAX);
		}
		/* remove entry i, keep the order of the rest */
		for (; i + 1 < vm->q_len; i++)
			vm->q[(vm->q_head + i) % TG_MSGQ_LEN] =
				vm->q[(vm->q_head + i + 1) % TG_MSGQ_LEN];
		vm->q_len--;
		return size;
	}
	return -ENOENT;
}

static int tg_wait_queued(struct tg_vm *vm, uint32_t msgtype, int off,
			  uint32_t val, void *out, uint32_t len, int timeout_ms)
{
	int64_t end = tg_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		tg_pump(vm, 0);
		ret = tg_find_queued(vm, msgtype, off, val, out, len);
		if (ret >= 0)
			return ret;
		if (tg_now_ms() >= end)
			return -ETIMEDOUT;
		tg_pump(vm, (int)(end - tg_now_ms()) > 0 ?
			(int)(end - tg_now_ms()) : 1);
	}
}

int tg_wait_msg(struct tg_vm *vm, uint32_t msgtype, void *out, uint32_t len,
		int timeout_ms)
{
	return tg_wait_queued(vm, msgtype, -1, 0, out, len, timeout_ms);
}

int tg_wait_msg_match(struct tg_vm *vm, uint32_t msgtype, uint32_t off,
		      uint32_t val, void *out, uint32_t len, int timeout_ms)
{
	return tg_wait_queued(vm, msgtype, off, val, out, len, timeout_ms);
}

int tg_count_msgs(struct tg_vm *vm, uint32_t msgtype, int ms)
{
	int64_t end = tg_now_ms() + ms;
	unsigned int i;
	int n = 0;

	while (tg_now_ms() < end)
		tg_pump(vm, (int)(end - tg_now_ms()));
	tg_pump(vm, 0);
	for (i = 0; i < vm->q_len; i++) {
		const struct tg_msg_hdr *h =
			(const void *)vm->q[(vm->q_head + i) % TG_MSGQ_LEN].payload;

		if (!msgtype || h->msgtype == msgtype)
			n++;
	}
	return n;
}

void tg_drop_msgs(struct tg_vm *vm)
{
	vm->q_head = 0;
	vm->q_len = 0;
}

int tg_contact(struct tg_vm *vm, uint32_t version, uint32_t target_vcpu,
	       struct tg_version_response *resp, uint32_t *status)
{
	struct tg_initiate_contact c = {
		.hdr.msgtype = TG_MSG_INITIATE_CONTACT,
		.vmbus_version_requested = version,
		.target_vcpu = target_vcpu,
	};
	uint32_t conn = version >= TG_VERSION_WIN10_V5 ?
			TG_MESSAGE_CONNECTION_ID_4 : TG_MESSAGE_CONNECTION_ID;
	struct tg_version_response r;
	uint32_t st;
	int ret;

	if (version >= TG_VERSION_WIN10_V5) {
		c.msg_sint = TG_VMBUS_SINT;
		c.msg_vtl = 0;
	}
	if (vm->mon[0]) {
		c.monitor_page1 = tg_mem_gpa(&vm->mem, vm->mon[0]);
		c.monitor_page2 = tg_mem_gpa(&vm->mem, vm->mon[1]);
	}
	st = tg_post(vm, conn, TG_HVMSG_VMBUS, &c, sizeof(c));
	if (status)
		*status = st;
	if (st != TG_HV_STATUS_SUCCESS)
		return -EPROTO;
	ret = tg_wait_msg(vm, TG_MSG_VERSION_RESPONSE, &r, sizeof(r),
			  TG_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	if (ret < (int)sizeof(r))
		return -EBADMSG;
	if (resp)
		*resp = r;
	if (r.version_supported) {
		vm->version = version;
		vm->msg_conn_id = version >= TG_VERSION_WIN10_V5 ?
				  r.msg_conn_id : TG_MESSAGE_CONNECTION_ID;
	}
	return r.version_supported;
}

int tg_request_offers(struct tg_vm *vm)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };
	int ret;

	vm->nr_offers = 0;
	if (tg_send(vm, &h, sizeof(h)) != TG_HV_STATUS_SUCCESS)
		return -EPROTO;
	ret = tg_wait_msg(vm, TG_MSG_ALLOFFERS_DELIVERED, NULL, 0,
			  TG_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	/* offers came before ALLOFFERS_DELIVERED: consume their messages */
	while (tg_find_queued(vm, TG_MSG_OFFERCHANNEL, -1, 0, NULL, 0) >= 0)
		;
	return vm->nr_offers;
}

int tg_connect(struct tg_vm *vm, uint32_t version)
{
	int ret = tg_contact(vm, version ?: TG_VERSION_WIN10_V5_3, 0, NULL,
			     NULL);

	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EPROTONOSUPPORT;
	ret = tg_request_offers(vm);
	return ret < 0 ? ret : 0;
}

const struct tg_offer *tg_find_offer(struct tg_vm *vm, const uint8_t *instance,
				     uint16_t sub_index)
{
	int i;

	for (i = vm->nr_offers - 1; i >= 0; i--)
		if (!memcmp(vm->offers[i].if_instance.b, instance, 16) &&
		    vm->offers[i].sub_channel_index == sub_index)
			return &vm->offers[i];
	return NULL;
}

const struct tg_offer *tg_wait_offer(struct tg_vm *vm, const uint8_t *instance,
				     int timeout_ms)
{
	int64_t end = tg_now_ms() + timeout_ms;
	const struct tg_offer *o;

	for (;;) {
		tg_pump(vm, 0);
		while (tg_find_queued(vm, TG_MSG_OFFERCHANNEL, -1, 0, NULL,
				      0) >= 0)
			;
		o = tg_find_offer(vm, instance, 0);
		if (o || tg_now_ms() >= end)
			return o;
		tg_pump(vm, (int)(end - tg_now_ms()));
	}
}

int tg_unload(struct tg_vm *vm)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_UNLOAD };
	int ret;

	if (tg_send(vm, &h, sizeof(h)) != TG_HV_STATUS_SUCCESS)
		return -EPROTO;
	ret = tg_wait_msg(vm, TG_MSG_UNLOAD_RESPONSE, NULL, 0, TG_TIMEOUT_MS);
	return ret < 0 ? ret : 0;
}

struct tg_post_ctx {
	struct tg_vm *vm;
};

static int tg_post_cb(void *ctx, const void *msg, uint32_t len)
{
	struct tg_post_ctx *c = ctx;

	return tg_send(c->vm, msg, len) == TG_HV_STATUS_SUCCESS ? 0 : -EPROTO;
}

int tg_gpadl_create_desc(struct tg_vm *vm, uint32_t relid, uint32_t gpadl,
			 const struct tg_gpadl_desc *d, uint32_t range_buflen)
{
	struct tg_post_ctx c = { vm };
	struct tg_gpadl_created r;
	int ret;

	ret = tg_gpadl_msgs(d, relid, gpadl, range_buflen, tg_post_cb, &c);
	if (ret)
		return ret;
	ret = tg_wait_msg_match(vm, TG_MSG_GPADL_CREATED,
				offsetof(struct tg_gpadl_created, gpadl), gpadl,
				&r, sizeof(r), TG_TIMEOUT_MS);
	if (ret < 0)
		return ret;
	if (r.child_relid != relid)
		return -EBADMSG;
	return r.creation_status;
}

int tg_gpadl_create(struct tg_vm *vm, uint32_t relid, uint32_t gpadl,
		    void *p, uint32_t npages)
{
	struct tg_gpadl_desc d;
	uint64_t *pfns = malloc(npages * sizeof(*pfns));
	uint32_t i;
	int ret;

	if (!pfns)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		pfns[i] = tg_mem_pfn(&vm->mem, (uint8_t *)p + i * TG_PAGE_SIZE);
	ret = tg_gpadl_desc_simple(&d, pfns, npages);
	free(pfns);
	if (ret)
		return ret;
	ret = tg_gpadl_create_desc(vm, relid, gpadl, &d, 0);
	tg_gpadl_desc_free(&d);
	return ret;
}

int tg_gpadl_teardown(struct tg_vm *vm, uint32_t relid, uint32_t gpadl)
{
	struct tg_gpadl_teardown t = {
		.hdr.msgtype = TG_MSG_GPADL_TEARDOWN,
		.child_relid = relid,
		.gpadl = gpadl,
	};
	int ret;

	if (tg_send(vm, &t, sizeof(t)) != TG_HV_STATUS_SUCCESS)
		return -EPROTO;
	ret = tg_wait_msg_match(vm, TG_MSG_GPADL_TORNDOWN,
				offsetof(struct tg_gpadl_torndown, gpadl), gpadl,
				NULL, 0, TG_TIMEOUT_MS);
	return ret < 0 ? ret : 0;
}

int tg_chan_open(struct tg_vm *vm, struct tg_chan *ch,
		 const struct tg_offer *offer, const struct tg_dev *dev,
		 uint32_t send_pages, uint32_t recv_pages, uint32_t target_vp)
{
	struct tg_open o = { .hdr.msgtype = TG_MSG_OPENCHANNEL };
	struct tg_open_result r;
	uint32_t i;
	int ret;

	memset(ch, 0, sizeof(*ch));
	ch->vm = vm;
	ch->relid = offer->child_relid;
	ch->conn_id = offer->connection_id;
	ch->monitor_id = vm->mon[1] && (offer->monitor_allocated & 1) ?
			 offer->monitorid : -1;
	ch->kick_fd = -1;
	for (i = 0; dev && i < dev->nr_queues; i++)
		if (dev->q[i].conn_id == ch->conn_id)
			ch->kick_fd = dev->q[i].kick_fd;
	ch->target_vp = target_vp;
	ch->send_pages = send_pages;
	ch->ring_pages = send_pages + recv_pages;
	ch->rxbuf_len = (recv_pages - 1) * TG_PAGE_SIZE;
	ch->rxbuf = malloc(ch->rxbuf_len);
	ch->ring_mem = tg_mem_alloc(&vm->mem, ch->ring_pages);
	if (!ch->rxbuf || !ch->ring_mem) {
		ret = -ENOMEM;
		goto fail;
	}
	ch->gpadl = vm->next_gpadl++;
	ret = tg_gpadl_create(vm, ch->relid, ch->gpadl, ch->ring_mem,
			      ch->ring_pages);
	if (ret) {
		ch->gpadl = 0;
		goto fail;
	}
	tg_ring_init(&ch->out, ch->ring_mem, send_pages * TG_PAGE_SIZE);
	tg_ring_init(&ch->in, (uint8_t *)ch->ring_mem +
		     send_pages * TG_PAGE_SIZE, recv_pages * TG_PAGE_SIZE);

	o.child_relid = ch->relid;
	o.openid = ch->relid;
	o.ringbuffer_gpadlhandle = ch->gpadl;
	o.target_vp = target_vp;
	o.downstream_ringbuffer_pageoffset = send_pages;
	if (tg_send(vm, &o, sizeof(o)) != TG_HV_STATUS_SUCCESS) {
		ret = -EPROTO;
		goto fail_gpadl;
	}
	ret = tg_wait_msg_match(vm, TG_MSG_OPENCHANNEL_RESULT,
				offsetof(struct tg_open_result, child_relid),
				ch->relid, &r, sizeof(r), TG_TIMEOUT_MS);
	if (ret < 0)
		goto fail_gpadl;
	if (r.openid != ch->relid) {
		ret = -EBADMSG;
		goto fail_gpadl;
	}
	if (r.status) {
		ret = r.status;
		goto fail_gpadl;
	}
	return 0;

fail_gpadl:
	tg_gpadl_teardown(vm, ch->relid, ch->gpadl);
	ch->gpadl = 0;
fail:
	tg_chan_forget(ch);
	return ret;
}

void tg_chan_forget(struct tg_chan *ch)
{
	if (ch->ring_mem)
		tg_mem_free(&ch->vm->mem, ch->ring_mem, ch->ring_pages);
	ch->ring_mem = NULL;
	free(ch->rxbuf);
	ch->rxbuf = NULL;
}

int tg_chan_close(struct tg_chan *ch)
{
	struct tg_relid_msg c = {
		.hdr.msgtype = TG_MSG_CLOSECHANNEL,
		.child_relid = ch->relid,
	};
	int ret = 0;

	if (tg_send(ch->vm, &c, sizeof(c)) != TG_HV_STATUS_SUCCESS)
		ret = -EPROTO;
	if (!ret && ch->gpadl)
		ret = tg_gpadl_teardown(ch->vm, ch->relid, ch->gpadl);
	ch->vm->chan_event[ch->relid % TG_SIEFP_BITS] = 0;
	/* the host said it will not touch the pages again: reuse them */
	if (!ret)
		tg_chan_forget(ch);
	return ret;
}

void tg_chan_kick(struct tg_chan *ch)
{
	ch->kicks++;
	if (ch->vm && ch->vm->mon[1] && ch->monitor_id >= 0 && ch->vm->kvm)
		tg_kvm_set_bit(ch->vm->kvm,
			       tg_mem_gpa(&ch->vm->mem,
					  tg_monitor_pending(ch->vm,
							     ch->monitor_id)),
			       ch->monitor_id % 32);
	else if (ch->vm && ch->vm->mon[1] && ch->monitor_id >= 0)
		__atomic_fetch_or(tg_monitor_pending(ch->vm, ch->monitor_id),
				  1u << (ch->monitor_id % 32), __ATOMIC_SEQ_CST);
	else
		tg_eventfd_signal(ch->kick_fd);
}

int tg_monitor_pages(struct tg_vm *vm)
{
	vm->mon[0] = tg_mem_alloc(&vm->mem, 1);
	vm->mon[1] = tg_mem_alloc(&vm->mem, 1);
	if (!vm->mon[0] || !vm->mon[1])
		return -ENOMEM;
	memset(vm->mon[0], 0, TG_PAGE_SIZE);
	memset(vm->mon[1], 0, TG_PAGE_SIZE);
	return 0;
}

uint32_t *tg_monitor_pending(struct tg_vm *vm, int id)
{
	/* struct hv_monitor_page: trigger_group[4] {pending, armed} at 8 */
	return (uint32_t *)(vm->mon[1] + 8 + 8 * (id / 32));
}

int tg_chan_send(struct tg_chan *ch, uint16_t type, uint16_t flags,
		 uint64_t tid, const void *payload, uint32_t len)
{
	bool sig;
	int ret = tg_ring_send(&ch->out, type, flags, tid, payload, len, &sig);

	if (!ret && sig)
		tg_chan_kick(ch);
	return ret;
}

int tg_chan_recv(struct tg_chan *ch, struct tg_pkt *pkt)
{
	int ret = tg_ring_peek(&ch->in, ch->rxbuf, ch->rxbuf_len, pkt);

	if (ret != 1)
		return ret;
	tg_ring_next(&ch->in, pkt);
	if (tg_ring_close(&ch->in))
		tg_chan_kick(ch);
	return 1;
}

bool tg_chan_take_event(struct tg_chan *ch)
{
	struct tg_vm *vm = ch->vm;

	tg_pump(vm, 0);
	if (!vm->chan_event[ch->relid % TG_SIEFP_BITS])
		return false;
	vm->chan_event[ch->relid % TG_SIEFP_BITS] = 0;
	return true;
}

int tg_chan_wait_event(struct tg_chan *ch, int timeout_ms)
{
	int64_t end = tg_now_ms() + timeout_ms;

	while (!tg_chan_take_event(ch)) {
		if (tg_now_ms() >= end)
			return -ETIMEDOUT;
		tg_pump(ch->vm, (int)(end - tg_now_ms()));
	}
	return 0;
}

int tg_chan_recv_wait(struct tg_chan *ch, struct tg_pkt *pkt, int timeout_ms)
{
	int64_t end = tg_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = tg_chan_recv(ch, pkt);
		if (ret)
			return ret;
		if (tg_now_ms() >= end ||
		    tg_chan_wait_event(ch, (int)(end - tg_now_ms())))
			return 0;
	}
}

void tg_fill(void *buf, uint32_t len, uint64_t seq)
{
	uint8_t *p = buf;
	uint64_t x = seq * 0x9E3779B97F4A7C15ull + 1;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		p[i] = x >> ((i & 7) * 8);
	}
}

bool tg_check(const void *buf, uint32_t len, uint64_t seq)
{
	uint8_t tmp[8192];

	if (len > sizeof(tmp))
		return false;
	tg_fill(tmp, len, seq);
	return !memcmp(tmp, buf, len);
}

int tg_echo_one(struct tg_chan *ch, uint64_t seq, uint32_t len,
		int timeout_ms)
{
	int64_t end = tg_now_ms() + timeout_ms;
	uint8_t buf[8192];
	struct tg_pkt pkt;
	int ret;

	if (len > sizeof(buf))
		return -EINVAL;
	tg_fill(buf, len, seq);
	ret = tg_chan_send(ch, TG_PKT_DATA_INBAND,
			   TG_PKT_FLAG_COMPLETION_REQUESTED, seq, buf, len);
	if (ret)
		return ret;
	for (;;) {
		ret = tg_chan_recv(ch, &pkt);
		if (ret < 0)
			return ret;
		if (ret == 1) {
			if (pkt.desc.trans_id != seq ||
			    pkt.payload_len < len ||
			    pkt.payload_len > ((len + 7) & ~7u) ||
			    !tg_check(pkt.payload, len, seq))
				return -EBADMSG;
			return 0;
		}
		if (tg_now_ms() >= end)
			return -ETIMEDOUT;
		tg_chan_wait_event(ch, (int)(end - tg_now_ms()) > 0 ?
				   (int)(end - tg_now_ms()) : 1);
	}
}

int tg_echo_one_irq(struct tg_chan *ch, uint64_t seq, uint32_t len,
		    int timeout_ms)
{
	uint8_t buf[8192];
	struct tg_pkt pkt;
	int ret;

	if (len > sizeof(buf))
		return -EINVAL;
	tg_chan_take_event(ch);
	if (tg_ring_bytes_to_read(&ch->in))
		return -EBUSY;
	tg_fill(buf, len, seq);
	ret = tg_chan_send(ch, TG_PKT_DATA_INBAND,
			   TG_PKT_FLAG_COMPLETION_REQUESTED, seq, buf, len);
	if (ret)
		return ret;
	for (;;) {
		ret = tg_chan_wait_event(ch, timeout_ms);
		if (ret)
			return ret;
		ret = tg_chan_recv(ch, &pkt);
		if (ret < 0)
			return ret;
		if (ret == 1)
			break;
	}
	if (pkt.desc.trans_id != seq || !tg_check(pkt.payload, len, seq))
		return -EBADMSG;
	return 0;
}

int tg_echo_setup(struct tg_vm *vm, struct tg_dev *dev, struct tg_chan *ch,
		  uint32_t version, uint8_t seed)
{
	const struct tg_offer *o;
	int ret;

	ret = tg_dev_add(vm, dev, VMBH_CLASS_TEST, 1, seed);
	if (ret)
		return ret;
	if (!vm->version) {
		ret = tg_connect(vm, version);
		if (ret)
			return ret;
		o = tg_find_offer(vm, dev->instance, 0);
	} else {
		o = tg_wait_offer(vm, dev->instance, TG_TIMEOUT_MS);
	}
	if (!o)
		return -ENOENT;
	return tg_chan_open(vm, ch, o, dev, 4, 4, 0);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The storvsc side of the storvsp kselftests: what drivers/scsi/storvsc_drv.c
 * sends, built on the vmbus_host test guest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sv.h"

static int64_t sv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

int sv_dev_add(struct tg_vm *vm, struct tg_dev *dev, const char *wwpn,
	       uint32_t nr_queues, uint8_t seed)
{
	union vmbh_class_params p = { 0 };

	snprintf(p.scsi.wwpn, sizeof(p.scsi.wwpn), "%s", wwpn);
	return tg_dev_add_params(vm, dev, VMBH_CLASS_SCSI, nr_queues, seed, &p);
}

int sv_start(struct sv *s, const char *wwpn, uint32_t nr_queues)
{
	const struct tg_offer *o;
	int ret;

	memset(s, 0, sizeof(*s));
	s->nr_queues = nr_queues;
	s->next_tid = 1;
	ret = tg_vm_create(&s->vm, 2, SV_MEM);
	if (ret)
		return ret;
	ret = sv_dev_add(&s->vm, &s->dev, wwpn, nr_queues, 0x5c);
	if (ret)
		return ret;
	ret = tg_connect(&s->vm, 0);
	if (ret)
		return ret;
	o = tg_find_offer(&s->vm, s->dev.instance, 0);
	if (!o)
		return -ENOENT;
	ret = tg_chan_open(&s->vm, &s->ch[0], o, &s->dev, SV_RING_PAGES,
			   SV_RING_PAGES, 0);
	if (ret)
		return ret < 0 ? ret : -EPROTO;
	s->open[0] = true;
	return 0;
}

void sv_stop(struct sv *s)
{
	tg_vm_destroy(&s->vm);
	tg_dev_close_fds(&s->dev);
}

int sv_send_raw(struct tg_chan *ch, uint16_t type, uint16_t flags,
		uint64_t tid, const void *hdr, uint32_t hdr_len,
		const void *payload, uint32_t payload_len)
{
	static const uint8_t zero[8];
	uint32_t off = TG_PKT_DESC_SIZE + ((hdr_len + 7) & ~7u);
	uint32_t padded = (payload_len + 7) & ~7u;
	struct tg_pkt_desc d = {
		.type = type,
		.offset8 = off / 8,
		.len8 = (off + padded) / 8,
		.flags = flags,
		.trans_id = tid,
	};
	struct iovec iov[5] = {
		{ &d, sizeof(d) },
		{ (void *)hdr, hdr_len },
		{ (void *)zero, ((hdr_len + 7) & ~7u) - hdr_len },
		{ (void *)payload, payload_len },
		{ (void *)zero, padded - payload_len },
	};
	bool sig;
	int ret;

	ret = tg_ring_write(&ch->out, iov, 5, &sig);
	if (!ret && sig)
		tg_chan_kick(ch);
	return ret;
}

int sv_recv(struct tg_chan *ch, uint64_t *tid, struct vstor_packet *reply,
	    uint16_t *type, int ms)
{
	struct tg_pkt pkt;
	int ret;

	ret = tg_chan_recv_wait(ch, &pkt, ms);
	if (ret <= 0)
		return ret;
	/*
	 * storvsc_on_channel_callback() drops replies shorter than a whole
	 * vstor_packet, and unsolicited packets without an operation.
	 */
	if (pkt.payload_len < (pkt.desc.trans_id ? sizeof(*reply) : 4))
		return -EMSGSIZE;
	*tid = pkt.desc.trans_id;
	if (type)
		*type = pkt.desc.type;
	memset(reply, 0, sizeof(*reply));
	memcpy(reply, pkt.payload, pkt.payload_len < sizeof(*reply) ?
	       pkt.payload_len : sizeof(*reply));
	return 1;
}

int sv_op(struct tg_chan *ch, uint32_t op, uint16_t arg,
	  struct vstor_packet *reply)
{
	struct vstor_packet p = {
		.operation = op,
		.flags = VSTOR_REQUEST_COMPLETION_FLAG,
	};
	uint64_t tid;
	int ret;

	if (op == VSTOR_OPERATION_QUERY_PROTOCOL_VERSION)
		p.version.major_minor = arg;
	else
		p.sub_channel_count = arg;
	ret = tg_chan_send(ch, TG_PKT_DATA_INBAND,
			   TG_PKT_FLAG_COMPLETION_REQUESTED, SV_TID_INIT, &p,
			   sizeof(p));
	if (ret)
		return ret;
	ret = sv_recv(ch, &tid, reply, NULL, TG_TIMEOUT_MS);
	if (ret <= 0)
		return ret ? ret : -ETIMEDOUT;
	return tid == SV_TID_INIT ? 0 : -EBADMSG;
}

uint32_t sv_init(struct sv *s, uint16_t version)
{
	struct tg_chan *ch = &s->ch[0];
	struct vstor_packet r;

	if (sv_op(ch, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &r))
		return ~0u;
	if (r.status || r.operation != VSTOR_OPERATION_COMPLETE_IO)
		return r.status ? r.status : ~0u;
	if (sv_op(ch, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, version, &r))
		return ~0u;
	if (r.status)
		return r.status;
	s->version = version;
	if (sv_op(ch, VSTOR_OPERATION_QUERY_PROPERTIES, 0, &r))
		return ~0u;
	if (r.status)
		return r.status;
	s->props = r.properties;
	if (sv_op(ch, VSTOR_OPERATION_END_INITIALIZATION, 0, &r))
		return ~0u;
	return r.status;
}

int sv_subchannels(struct sv *s, uint16_t n)
{
	const struct tg_offer *o;
	struct vstor_packet r;
	int ret, i;

	ret = sv_op(&s->ch[0], VSTOR_OPERATION_CREATE_SUB_CHANNELS, n, &r);
	if (ret)
		return ret;
	if (r.status)
		return -EPROTO;
	for (i = 1; i <= n; i++) {
		int64_t end = sv_now_ms() + TG_TIMEOUT_MS;

		while (!(o = tg_find_offer(&s->vm, s->dev.instance, i))) {
			if (sv_now_ms() >= end)
				return -ETIMEDOUT;
			tg_pump(&s->vm, 50);
		}
		ret = tg_chan_open(&s->vm, &s->ch[i], o, &s->dev,
				   SV_RING_PAGES, SV_RING_PAGES, i & 1);
		if (ret)
			return ret < 0 ? ret : -EPROTO;
		s->open[i] = true;
	}
	return 0;
}

int sv_srb_send(struct tg_chan *ch, uint64_t tid, const struct sv_srb *r)
{
	struct vstor_packet p = {
		.operation = VSTOR_OPERATION_EXECUTE_SRB,
		.flags = VSTOR_REQUEST_COMPLETION_FLAG,
	};
	struct {
		uint32_t reserved, range_cnt;
		uint32_t byte_count, byte_offset;
		uint64_t pfn[260];
	} __packed g = { .range_cnt = 1 };
	struct vmscsi_request *srb = &p.vm_srb;
	uint32_t off, npfn, i;

	srb->length = sizeof(*srb);
	srb->path_id = r->path;
	srb->target_id = r->target;
	srb->lun = r->lun;
	srb->cdb_length = r->cdb_len;
	srb->sense_info_length = VSTOR_SENSE_LEN;
	srb->data_in = r->data_in;
	srb->data_transfer_length = r->len;
	memcpy(srb->cdb, r->cdb, sizeof(r->cdb));
	srb->srb_flags = 0x8;
	srb->time_out_value = 60;

	if (!r->len || !r->buf)
		return tg_chan_send(ch, TG_PKT_DATA_INBAND,
				    TG_PKT_FLAG_COMPLETION_REQUESTED, tid, &p,
				    sizeof(p));

	off = (uintptr_t)r->buf & 4095;
	npfn = (off + r->len + 4095) / 4096;
	if (npfn > 260)
		return -EINVAL;
	g.byte_count = r->len;
	g.byte_offset = off;
	for (i = 0; i < npfn; i++)
		g.pfn[i] = tg_mem_pfn(&ch->vm->mem,
				      (uint8_t *)r->buf - off + 4096ul * i);
	return sv_send_raw(ch, TG_PKT_DATA_GPA_DIRECT,
			   TG_PKT_FLAG_COMPLETION_REQUESTED, tid, &g,
			   16 + 8 * npfn, &p, sizeof(p));
}

int sv_srb_sync(struct sv *s, int q, struct sv_srb *r)
{
	uint64_t tid = s->next_tid++, got;
	int ret;

	ret = sv_srb_send(&s->ch[q], tid, r);
	if (ret)
		return ret;
	ret = sv_recv(&s->ch[q], &got, &r->reply, NULL, 10 * TG_TIMEOUT_MS);
	if (ret <= 0)
		return ret ? ret : -ETIMEDOUT;
	return got == tid ? 0 : -EBADMSG;
}

int sv_stats(struct sv *s, int q, struct vmbh_channel_stats *st)
{
	return tg_chan_stats(&s->vm, &s->dev, q, st);
}

bool sv_failed(struct sv *s, int q, int ms)
{
	int64_t end = sv_now_ms() + ms;
	struct vmbh_channel_stats st;

	do {
		if (!sv_stats(s, q, &st) && st.state == VMBH_CHAN_FAILED)
			return true;
		usleep(10000);
	} while (sv_now_ms() < end);
	return false;
}

void sv_cdb_rw(struct sv_srb *r, bool write, uint64_t lba, uint32_t blocks,
	       bool fua)
{
	int i;

	memset(r->cdb, 0, sizeof(r->cdb));
	r->cdb[0] = write ? 0x8a : 0x88;	/* WRITE(16) / READ(16) */
	r->cdb[1] = fua ? 0x08 : 0;
	for (i = 0; i < 8; i++)
		r->cdb[2 + i] = lba >> (56 - 8 * i);
	for (i = 0; i < 4; i++)
		r->cdb[10 + i] = blocks >> (24 - 8 * i);
	r->cdb_len = 16;
	r->data_in = write ? VSTOR_DATA_OUT : VSTOR_DATA_IN;
}

void sv_cdb_inquiry(struct sv_srb *r, bool evpd, uint8_t page, uint16_t alloc)
{
	memset(r->cdb, 0, sizeof(r->cdb));
	r->cdb[0] = 0x12;
	r->cdb[1] = evpd;
	r->cdb[2] = page;
	r->cdb[3] = alloc >> 8;
	r->cdb[4] = alloc & 0xff;
	r->cdb_len = 6;
	r->data_in = VSTOR_DATA_IN;
}

void *sv_alloc(struct sv *s, uint32_t bytes)
{
	return tg_mem_alloc(&s->vm.mem, (bytes + 4095) / 4096);
}

void sv_free(struct sv *s, void *p, uint32_t bytes)
{
	tg_mem_free(&s->vm.mem, p, (bytes + 4095) / 4096);
}

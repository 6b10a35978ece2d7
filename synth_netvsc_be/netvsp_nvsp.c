// SPDX-License-Identifier: GPL-2.0
/*
 * NVSP over a channel: initialisation, the receive and send buffers,
 * subchannels, and SEND_RNDIS_PKT, whose RNDIS stream carries control
 * messages (answered on the receive path) and the guest's frames (written
 * to the tap).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "netvsp.h"

/* Maximum MDL chain length the host reports in INIT_COMPLETE (Hyper-V's). */
#define NETVSP_MAX_MDL_CHAIN	34

static void netvsp_fail(struct netvsp_chan *nc, const char *why)
{
	pr_warn_ratelimited("%s: queue %u relid %u: %s\n", nc->nd->name,
			    nc->queue, vmbh_chan_relid(nc->chan), why);
	vmbh_chan_fail(nc->chan, why);
}

/**
 * netvsp_nvsp_msg_size() - bytes of the NVSP messages the host sends
 * @nd: the NIC
 *
 * Return: 40 from NVSP 6.1, 28 below (as Hyper-V and OpenVMM send).
 */
u32 netvsp_nvsp_msg_size(struct netvsp_dev *nd)
{
	return nd->nvsp_version >= NVSP_PROTOCOL_VERSION_61 ?
		NVSP_MSG_SIZE_V61 : NVSP_MSG_SIZE_V1;
}

/*
 * Send the completion of the request the worker handles (@msg NULL and
 * @len 0 for an empty one), or queue it behind what waits for ring room.
 */
static void netvsp_complete(struct netvsp_chan *nc, u64 trans_id,
			    const struct nvsp_message *msg, u32 len)
{
	struct netvsp_dev *nd = nc->nd;
	struct netvsp_pending *p;

	spin_lock_bh(&nd->lock);
	p = netvsp_pending_next(nc, true);
	if (p) {
		p->kind = NETVSP_PENDING_COMPLETION;
		p->trans_id = trans_id;
		p->msg_len = len;
		if (len)
			p->msg = *msg;
		netvsp_pending_push(nc, p);
	}
	spin_unlock_bh(&nd->lock);
	if (!p)
		netvsp_fail(nc, "no room for a completion");
}

static void netvsp_complete_status(struct netvsp_chan *nc, u64 trans_id,
				   u32 type, u32 status)
{
	struct nvsp_message m = { .hdr.msg_type = type };

	m.rndis_pkt_complete.status = status;
	netvsp_complete(nc, trans_id, &m, netvsp_nvsp_msg_size(nc->nd));
}

static int netvsp_stream_copy(const struct netvsp_stream *s, u32 off,
			      void *dst, u32 len)
{
	u8 *d = dst;
	u32 i, n;

	if (off > s->len || len > s->len - off)
		return -EINVAL;
	if (off < s->sec_len) {
		n = min(len, s->sec_len - off);
		memcpy(d, s->sec + off, n);
		d += n;
		len -= n;
		off = 0;
	} else {
		off -= s->sec_len;
	}
	for (i = 0; i < s->nr && len; i++) {
		if (off >= s->maps[i].len) {
			off -= s->maps[i].len;
			continue;
		}
		n = min(len, s->maps[i].len - off);
		if (vmbh_gpa_map_copy_from(&s->maps[i], off, d, n))
			return -EINVAL;
		d += n;
		len -= n;
		off = 0;
	}
	return len ? -EINVAL : 0;
}

static bool netvsp_bvec_add(struct bio_vec *bv, u32 *nr, struct page *page,
			    u32 off, u32 len)
{
	if (*nr == NETVSP_TX_BVECS)
		return false;
	bv[*nr].bv_page = page;
	bv[*nr].bv_offset = off;
	bv[*nr].bv_len = len;
	(*nr)++;
	return true;
}

/*
 * Describe bytes [@off, @off + @len) of the stream as page pieces, so the
 * tap copies them from guest memory once, with no bounce in between.
 */
static int netvsp_stream_bvec(const struct netvsp_stream *s, u32 off, u32 len,
			      struct bio_vec *bv, u32 *nr)
{
	const struct vmbh_gpa_map *m;
	u32 i, n, pos;

	if (off > s->len || len > s->len - off)
		return -EINVAL;
	while (len && off < s->sec_len) {
		const u8 *va = s->sec + off;

		/* The send buffer is a vmap() of the GPADL's pages. */
		n = min3(len, s->sec_len - off,
			 (u32)(PAGE_SIZE - offset_in_page(va)));
		if (!netvsp_bvec_add(bv, nr, vmalloc_to_page(va),
				     offset_in_page(va), n))
			return -E2BIG;
		off += n;
		len -= n;
	}
	off -= min(off, s->sec_len);
	for (i = 0; i < s->nr && len; i++) {
		m = &s->maps[i];
		if (off >= m->len) {
			off -= m->len;
			continue;
		}
		while (len && off < m->len) {
			pos = m->offset + off;
			n = min3(len, m->len - off,
				 (u32)(PAGE_SIZE - pos % PAGE_SIZE));
			if (!netvsp_bvec_add(bv, nr, m->pages[pos / PAGE_SIZE],
					     pos % PAGE_SIZE, n))
				return -E2BIG;
			off += n;
			len -= n;
		}
		off = 0;
	}
	return len ? -EINVAL : 0;
}

/*
 * One RNDIS PACKET: copy the headers out and apply the offloads to the
 * copy, then hand the tap the copy and the rest of the frame in place.
 */
static u32 netvsp_tx_frame(struct netvsp_chan *nc,
			   const struct netvsp_stream *s, u32 off, u32 msg_len)
{
	struct netvsp_dev *nd = nc->nd;
	u8 msg[VMBH_NETVSP_TX_HDR_MAX];
	u32 hl = min_t(u32, msg_len, sizeof(msg)), frame_len, copied, max;
	u8 *page = page_address(nc->tx_page);
	struct bio_vec *bv = nc->tx_bv;
	struct vmbh_rndis_pkt p;
	struct vmbh_vnet_hdr vh;
	u32 nr = 0, len;
	int ret;

	if (netvsp_stream_copy(s, off, msg, hl) ||
	    vmbh_rndis_parse_packet(msg, hl, msg_len, &p))
		return NVSP_STAT_INVALID_RNDIS_PKT;
	frame_len = p.data_len;
	max = (p.present & BIT(RNDIS_PPI_LSO)) ? VMBH_NETVSP_LSO_MAX :
						 nd->cfg.mtu + 4;
	if (frame_len > max)
		return NVSP_STAT_INVALID_RNDIS_PKT;
	if (!nd->vnet_hdr_len &&
	    (p.present & (BIT(RNDIS_PPI_LSO) | BIT(RNDIS_PPI_CHECKSUM))))
		return NVSP_STAT_INVALID_RNDIS_PKT;
	copied = min_t(u32, frame_len, VMBH_NETVSP_TX_HDR_MAX);
	if (netvsp_stream_copy(s, off + p.data_offset,
			       page + NETVSP_TX_HDR_OFF, copied))
		return NVSP_STAT_INVALID_RNDIS_PKT;
	hl = copied;
	if (vmbh_netvsp_tx_offload(&p, page + NETVSP_TX_HDR_OFF, &hl,
				   NETVSP_TX_HDR_ROOM, frame_len, &vh))
		return NVSP_STAT_INVALID_RNDIS_PKT;
	len = nd->vnet_hdr_len + hl + frame_len - copied;
	if (nd->vnet_hdr_len) {
		memcpy(page + NETVSP_TX_VNET_OFF, &vh, sizeof(vh));
		netvsp_bvec_add(bv, &nr, nc->tx_page, NETVSP_TX_VNET_OFF,
				nd->vnet_hdr_len);
	}
	netvsp_bvec_add(bv, &nr, nc->tx_page, NETVSP_TX_HDR_OFF, hl);
	if (frame_len > copied &&
	    netvsp_stream_bvec(s, off + p.data_offset + copied,
			       frame_len - copied, bv, &nr))
		return NVSP_STAT_INVALID_RNDIS_PKT;
	ret = netvsp_tap_send(nd, bv, nr, len);
	spin_lock_bh(&nd->lock);
	if (ret) {
		nd->stats.tx_errors++;
	} else {
		nd->stats.tx_frames++;
		nd->stats.tx_bytes += frame_len;
	}
	spin_unlock_bh(&nd->lock);
	/* A tap error is the host's problem, not a malformed packet. */
	return NVSP_STAT_SUCCESS;
}

/* A control message: act on it and answer on the receive path. */
static u32 netvsp_tx_control(struct netvsp_chan *nc,
			     const struct netvsp_stream *s, u32 off,
			     u32 msg_len)
{
	struct netvsp_dev *nd = nc->nd;
	struct vmbh_rndis_ctl ctl;
	u8 *msg, *reply;
	bool kick = false;
	int len;
	u32 status = NVSP_STAT_INVALID_RNDIS_PKT;

	if (msg_len > VMBH_NETVSP_CONTROL_MAX)
		return status;
	msg = kmalloc(msg_len + VMBH_NETVSP_REPLY_MAX, GFP_KERNEL);
	if (!msg)
		return NVSP_STAT_BUSY;
	reply = msg + msg_len;
	if (netvsp_stream_copy(s, off, msg, msg_len) ||
	    vmbh_rndis_parse_control(msg, msg_len, &ctl))
		goto out_free;
	spin_lock_bh(&nd->lock);
	len = vmbh_rndis_control_reply(&nd->cfg, &nd->rndis, &ctl, msg, reply,
				       VMBH_NETVSP_REPLY_MAX);
	if (ctl.type == RNDIS_MSG_INIT && len > 0)
		nd->link_reported = nd->cfg.link_up;
	kick = nd->rndis.initialized && nd->rndis.packet_filter;
	spin_unlock_bh(&nd->lock);
	if (len < 0)
		goto out_free;
	if (len && netvsp_send_control(nd, reply, len, true))
		goto out_free;
	if (kick)
		netvsp_rx_kick(nd);
	status = NVSP_STAT_SUCCESS;
out_free:
	kfree(msg);
	return status;
}

/*
 * Walk the RNDIS messages of a stream: PACKETs, at most the
 * max_pkt_per_msg of INITIALIZE_CMPLT (so one message cannot make the
 * host write a frame for every few dozen bytes of its buffers), or one
 * control message.
 */
static u32 netvsp_rndis_stream(struct netvsp_chan *nc,
			       const struct netvsp_stream *s, u32 channel_type)
{
	u32 off = 0, type, msg_len, status = NVSP_STAT_SUCCESS;
	u8 h[sizeof(struct rndis_msg_header)];
	u32 packets = 0;

	while (off < s->len) {
		if (netvsp_stream_copy(s, off, h, min_t(u32, sizeof(h),
							s->len - off)) ||
		    vmbh_rndis_next(h, s->len - off, &type, &msg_len))
			return NVSP_STAT_INVALID_RNDIS_PKT;
		if (type == RNDIS_MSG_PACKET) {
			if (++packets > VMBH_NETVSP_MAX_PKT_PER_MSG)
				return NVSP_STAT_INVALID_RNDIS_PKT;
			status = netvsp_tx_frame(nc, s, off, msg_len);
		} else {
			/* One control message per send, on the primary. */
			if (packets || off + msg_len != s->len ||
			    channel_type != NVSP_RNDIS_CHANNEL_CONTROL ||
			    nc->queue)
				return NVSP_STAT_INVALID_RNDIS_PKT;
			status = netvsp_tx_control(nc, s, off, msg_len);
		}
		if (status != NVSP_STAT_SUCCESS)
			return status;
		off += msg_len;
	}
	return status;
}

static void netvsp_send_rndis(struct netvsp_chan *nc,
			      const struct vmbh_packet *pkt,
			      const struct nvsp_send_rndis_pkt *rp)
{
	struct netvsp_dev *nd = nc->nd;
	struct netvsp_stream *s = &nc->stream;
	struct vmbh_gpa_range r;
	u32 pos = 0, status, i;
	u64 off;

	if (rp->channel_type > NVSP_RNDIS_CHANNEL_CONTROL) {
		netvsp_fail(nc, "bad RNDIS channel type");
		return;
	}
	s->sec = NULL;
	s->sec_len = 0;
	s->nr = 0;
	s->len = 0;
	down_read(&nd->buf_sem);
	if (rp->send_buf_section_index != NVSP_SEND_SECTION_NONE) {
		if (!nd->send.addr ||
		    vmbh_nvsp_send_span(rp->send_buf_section_index,
					rp->send_buf_section_size,
					VMBH_NETVSP_SEND_SECTION,
					nd->send.size, &off)) {
			netvsp_fail(nc, "bad send buffer section");
			goto out_unlock;
		}
		s->sec = (const u8 *)nd->send.addr + off;
		s->sec_len = rp->send_buf_section_size;
	}
	if (pkt->type == VMBH_PACKET_TYPE_DATA_GPA_DIRECT) {
		while (vmbh_pkt_next_range(pkt, &pos, &r)) {
			if (s->nr == NETVSP_MAX_RANGES) {
				netvsp_fail(nc, "too many GPA ranges");
				goto out_unmap;
			}
			if (vmbh_chan_map_range(nc->chan, &r, r.byte_count,
						false, &s->maps[s->nr])) {
				netvsp_fail(nc, "GPA range outside guest memory");
				goto out_unmap;
			}
			s->len += r.byte_count;
			s->nr++;
		}
	}
	s->len += s->sec_len;
	if (!s->len) {
		netvsp_fail(nc, "SEND_RNDIS_PKT without data");
		goto out_unmap;
	}
	status = netvsp_rndis_stream(nc, s, rp->channel_type);
	netvsp_complete_status(nc, pkt->trans_id,
			       NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE, status);
out_unmap:
	for (i = 0; i < s->nr; i++)
		vmbh_gpa_unmap(&s->maps[i]);
out_unlock:
	up_read(&nd->buf_sem);
}

static u32 netvsp_recv_buf(struct netvsp_chan *nc,
			   const struct nvsp_send_buffer *b,
			   struct nvsp_message *reply)
{
	struct netvsp_dev *nd = nc->nd;
	struct vmbh_gpadl_view view;
	struct vmbh_rxsec rs = { 0 };
	u32 size, count;
	u32 *arrays;

	if (nd->recv.addr || b->id != NVSP_RECV_BUFFER_ID ||
	    (nd->nvsp_version >= NVSP_PROTOCOL_VERSION_2 && !nd->ndis_config))
		return NVSP_STAT_FAIL;
	if (vmbh_dev_gpadl_get(nd->vdev, b->gpadl_handle, &view))
		return NVSP_STAT_FAIL;
	if (vmbh_nvsp_recv_layout(view.size, nd->cfg.mtu, nd->cfg.max_queues,
				  &size, &count))
		goto out_put;
	arrays = kvmalloc_array(3 * (size_t)count, sizeof(u32), GFP_KERNEL);
	if (!arrays)
		goto out_put;
	rs.count = count;
	rs.free = arrays;
	rs.next = arrays + count;
	rs.owner = arrays + 2 * (size_t)count;
	vmbh_rxsec_init(&rs);

	down_write(&nd->buf_sem);
	nd->recv = view;
	nd->recv_id = b->gpadl_handle;
	nd->sub_alloc = size;
	spin_lock_bh(&nd->lock);
	nd->rxsec = rs;
	spin_unlock_bh(&nd->lock);
	up_write(&nd->buf_sem);

	reply->recv_buf_complete.num_sections = 1;
	reply->recv_buf_complete.section.offset = 0;
	reply->recv_buf_complete.section.sub_alloc_size = size;
	reply->recv_buf_complete.section.num_sub_allocs = count;
	reply->recv_buf_complete.section.end_offset = size * count;
	return NVSP_STAT_SUCCESS;

out_put:
	vmbh_gpadl_put(&view);
	return NVSP_STAT_FAIL;
}

static u32 netvsp_send_buf(struct netvsp_chan *nc,
			   const struct nvsp_send_buffer *b,
			   struct nvsp_message *reply)
{
	struct netvsp_dev *nd = nc->nd;
	struct vmbh_gpadl_view view;

	if (nd->send.addr || b->id != NVSP_SEND_BUFFER_ID)
		return NVSP_STAT_FAIL;
	if (vmbh_dev_gpadl_get(nd->vdev, b->gpadl_handle, &view))
		return NVSP_STAT_FAIL;
	if (view.size < VMBH_NETVSP_SEND_SECTION) {
		vmbh_gpadl_put(&view);
		return NVSP_STAT_FAIL;
	}
	down_write(&nd->buf_sem);
	nd->send = view;
	nd->send_id = b->gpadl_handle;
	up_write(&nd->buf_sem);
	reply->send_buf_complete.section_size = VMBH_NETVSP_SEND_SECTION;
	return NVSP_STAT_SUCCESS;
}

static void netvsp_revoke(struct netvsp_dev *nd, bool recv)
{
	u32 *arrays = NULL;

	down_write(&nd->buf_sem);
	if (recv && nd->recv.addr) {
		vmbh_gpadl_put(&nd->recv);
		spin_lock_bh(&nd->lock);
		arrays = nd->rxsec.free;
		memset(&nd->rxsec, 0, sizeof(nd->rxsec));
		spin_unlock_bh(&nd->lock);
	} else if (!recv && nd->send.addr) {
		vmbh_gpadl_put(&nd->send);
	}
	up_write(&nd->buf_sem);
	kvfree(arrays);
}

/**
 * netvsp_buffers_release() - forget the receive and send buffers
 * @nd: the NIC
 *
 * Waits for every data path using them.  Transfer-page packets still
 * outstanding are forgotten: their completions are ignored from now on.
 */
void netvsp_buffers_release(struct netvsp_dev *nd)
{
	netvsp_revoke(nd, true);
	netvsp_revoke(nd, false);
}

/**
 * netvsp_send_table() - host->guest SEND_INDIRECTION_TABLE
 * @nc: the primary
 * @channels: the guest's sends are spread over this many channels
 *
 * Return: 0, -EAGAIN when the ring has no room, another error when the
 * channel cannot take it.
 */
int netvsp_send_table(struct netvsp_chan *nc, u32 channels)
{
	struct nvsp_indirection_table_msg t = {
		.hdr.msg_type = NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE,
		.table.count = NVSP_INDIRECTION_TABLE_ENTRIES,
		.table.offset = offsetof(struct nvsp_indirection_table_msg,
					 entries),
	};
	u32 i;

	for (i = 0; i < NVSP_INDIRECTION_TABLE_ENTRIES; i++)
		t.entries[i] = i % channels;
	return vmbh_chan_send_inband(nc->chan, 0, false, &t, sizeof(t));
}

/*
 * The table follows the SUBCHANNEL completion; when the ring has no room
 * it waits in order behind it, as the completion does, instead of being
 * lost (a guest that relies on the host's table would send on one queue).
 */
static void netvsp_queue_table(struct netvsp_chan *nc, u32 channels)
{
	struct netvsp_dev *nd = nc->nd;
	struct netvsp_pending *p;

	spin_lock_bh(&nd->lock);
	p = netvsp_pending_next(nc, true);
	if (p) {
		p->kind = NETVSP_PENDING_TABLE;
		p->channels = channels;
		netvsp_pending_push(nc, p);
	}
	spin_unlock_bh(&nd->lock);
	if (!p)
		netvsp_fail(nc, "no room for the indirection table");
}

static void netvsp_subchannel(struct netvsp_chan *nc, u64 trans_id,
			      const struct nvsp_subchannel_request *req)
{
	struct netvsp_dev *nd = nc->nd;
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG5_TYPE_SUBCHANNEL };
	u32 granted = 0;
	int n;

	m.subchannel_complete.status = NVSP_STAT_FAIL;
	down_read(&nd->buf_sem);
	if (req->op == NVSP_SUBCHANNEL_ALLOCATE && nd->recv.addr)
		granted = vmbh_nvsp_subchannels_granted(req->num_subchannels,
							nd->cfg.max_queues,
							nd->rxsec.count);
	up_read(&nd->buf_sem);
	if (req->op == NVSP_SUBCHANNEL_ALLOCATE && granted) {
		n = vmbh_dev_offer_subchannels(nd->vdev, granted);
		if (n >= 0) {
			m.subchannel_complete.status = NVSP_STAT_SUCCESS;
			m.subchannel_complete.num_subchannels = n;
		}
	} else if (req->op == NVSP_SUBCHANNEL_ALLOCATE) {
		m.subchannel_complete.status = NVSP_STAT_SUCCESS;
	}
	netvsp_complete(nc, trans_id, &m, netvsp_nvsp_msg_size(nd));
	if (m.subchannel_complete.status == NVSP_STAT_SUCCESS &&
	    m.subchannel_complete.num_subchannels)
		netvsp_queue_table(nc, m.subchannel_complete.num_subchannels + 1);
}

static void netvsp_init(struct netvsp_chan *nc, u64 trans_id,
			const struct nvsp_init *init)
{
	struct netvsp_dev *nd = nc->nd;
	struct nvsp_message m = { .hdr.msg_type = NVSP_MSG_TYPE_INIT_COMPLETE };
	u32 v = init->max_protocol_ver;

	m.init_complete.status = NVSP_STAT_NONE;
	if (init->min_protocol_ver <= v && vmbh_nvsp_version_ok(v)) {
		nd->nvsp_version = v;
		spin_lock_bh(&nd->lock);
		nd->cfg.nvsp_version = v;
		spin_unlock_bh(&nd->lock);
		m.init_complete.status = NVSP_STAT_SUCCESS;
		m.init_complete.negotiated_protocol_ver =
			v == NVSP_PROTOCOL_VERSION_1 ? NVSP_PROTOCOL_VERSION_1 :
						       0xFFFFFFFF;
		m.init_complete.max_mdl_chain_len = NETVSP_MAX_MDL_CHAIN;
	}
	netvsp_complete(nc, trans_id, &m, netvsp_nvsp_msg_size(nd));
}

/* Messages that only the primary carries, during or after init. */
static void netvsp_control(struct netvsp_chan *nc, const struct vmbh_packet *pkt,
			   const struct nvsp_message *msg)
{
	struct netvsp_dev *nd = nc->nd;
	struct nvsp_message reply = { 0 };
	u32 type = msg->hdr.msg_type;

	switch (type) {
	case NVSP_MSG_TYPE_INIT:
		if (nd->nvsp_version) {
			netvsp_fail(nc, "second NVSP INIT");
			return;
		}
		netvsp_init(nc, pkt->trans_id, &msg->init);
		return;
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		if (nd->ndis_config) {
			netvsp_fail(nc, "second NDIS config");
			return;
		}
		/* The device MTU rules; an out-of-range value is noted only. */
		vmbh_nvsp_mtu(msg->ndis_config.mtu);
		nd->ndis_config = true;
		return;
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		if (nd->ndis_version) {
			netvsp_fail(nc, "second NDIS version");
			return;
		}
		nd->ndis_version = true;
		return;
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
		reply.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE;
		reply.recv_buf_complete.status =
			netvsp_recv_buf(nc, &msg->send_buf, &reply);
		netvsp_complete(nc, pkt->trans_id, &reply,
				netvsp_nvsp_msg_size(nd));
		return;
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		reply.hdr.msg_type = NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE;
		reply.send_buf_complete.status =
			netvsp_send_buf(nc, &msg->send_buf, &reply);
		netvsp_complete(nc, pkt->trans_id, &reply,
				netvsp_nvsp_msg_size(nd));
		return;
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		/* The ids SEND_RECV_BUF and SEND_SEND_BUF accept. */
		if (msg->revoke_buf.id !=
		    (type == NVSP_MSG1_TYPE_REVOKE_RECV_BUF ?
		     NVSP_RECV_BUFFER_ID : NVSP_SEND_BUFFER_ID)) {
			netvsp_fail(nc, "revoke of an unknown buffer id");
			return;
		}
		netvsp_revoke(nd, type == NVSP_MSG1_TYPE_REVOKE_RECV_BUF);
		return;
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		netvsp_subchannel(nc, pkt->trans_id, &msg->subchannel_req);
		return;
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		if (msg->data_path.active_datapath > NVSP_DATAPATH_VF) {
			netvsp_fail(nc, "bad data path");
			return;
		}
		netvsp_complete(nc, pkt->trans_id, NULL, 0);
		return;
	default:
		netvsp_fail(nc, "unexpected NVSP message");
	}
}

static bool netvsp_needs_completion(u32 type)
{
	switch (type) {
	case NVSP_MSG_TYPE_INIT:
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
	case NVSP_MSG5_TYPE_SUBCHANNEL:
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		return true;
	default:
		return false;
	}
}

static void netvsp_packet(struct netvsp_chan *nc, const struct vmbh_packet *pkt)
{
	struct netvsp_dev *nd = nc->nd;
	struct nvsp_message msg;
	bool kick;
	int ret;

	if (pkt->type == VMBH_PACKET_TYPE_COMP) {
		/* The guest is done with a transfer-page packet. */
		spin_lock_bh(&nd->lock);
		ret = nd->rxsec.count ?
			vmbh_rxsec_complete(&nd->rxsec, pkt->trans_id, nc->queue) :
			0;
		kick = nd->rx_stalled;
		nd->rx_stalled = false;
		spin_unlock_bh(&nd->lock);
		if (ret < 0) {
			netvsp_fail(nc, "completion of no outstanding receive");
			return;
		}
		if (kick)
			netvsp_rx_kick(nd);
		return;
	}
	if (vmbh_nvsp_parse(pkt->data, pkt->len, nd->nvsp_version, &msg)) {
		netvsp_fail(nc, "malformed or unexpected NVSP message");
		return;
	}
	if (netvsp_needs_completion(msg.hdr.msg_type) &&
	    !(pkt->flags & VMBH_PACKET_FLAG_COMPLETION_REQUESTED)) {
		netvsp_fail(nc, "NVSP request without completion");
		return;
	}
	if (msg.hdr.msg_type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT) {
		netvsp_send_rndis(nc, pkt, &msg.rndis_pkt);
		return;
	}
	if (pkt->type != VMBH_PACKET_TYPE_DATA_INBAND ||
	    msg.hdr.msg_type == NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE) {
		netvsp_fail(nc, "unexpected NVSP packet");
		return;
	}
	if (nc->queue) {
		netvsp_fail(nc, "control message on a subchannel");
		return;
	}
	netvsp_control(nc, pkt, &msg);
}

/**
 * netvsp_handle() - &vmbh_class_ops.handle: drain a channel's ring
 * @chan: an open channel of a NIC
 *
 * The primary's worker then moves frames from the tap to the guest.
 *
 * Return: true when a packet waits for ring room (the core runs the
 * handler again when the guest makes room), false when the ring is empty.
 */
bool netvsp_handle(struct vmbh_channel *chan)
{
	struct netvsp_chan *nc = vmbh_chan_priv(chan);
	struct netvsp_dev *nd = nc->nd;
	struct vmbh_packet pkt;

	/*
	 * A request is taken only while nothing waits, so none of the
	 * entries kept for requests is used when it starts (NETVSP_PENDING).
	 */
	if (!netvsp_flush_pending(nc)) {
		while (!vmbh_chan_recv(chan, &pkt)) {
			netvsp_packet(nc, &pkt);
			if (READ_ONCE(nc->nr_pending))
				break;
		}
	}
	if (!nc->queue && test_and_clear_bit(NETVSP_RX_WANTED, &nd->rx_flags) &&
	    netvsp_rx_run(nd))
		netvsp_rx_kick(nd);
	return READ_ONCE(nc->nr_pending) != 0;
}

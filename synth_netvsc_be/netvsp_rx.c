// SPDX-License-Identifier: GPL-2.0
/*
 * Host -> guest: frames read from the tap straight into the guest's
 * receive sub-allocations, sent in batches as transfer-page packets on the
 * queue RSS picks; control replies and link indications on the primary.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "netvsp.h"

static void netvsp_nvsp_rndis(struct netvsp_dev *nd, struct nvsp_message *m,
			      u32 channel_type)
{
	memset(m, 0, sizeof(*m));
	m->hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	m->rndis_pkt.channel_type = channel_type;
	m->rndis_pkt.send_buf_section_index = NVSP_SEND_SECTION_NONE;
}

/**
 * netvsp_pending_next() - the entry for a packet about to be sent
 * @nc: the channel; the caller holds @nc->nd->lock
 * @reply: the packet answers the request @nc's worker is handling, and
 *	may take the entries kept for requests (%NETVSP_PENDING); anything
 *	else is refused before it would
 *
 * The caller fills the entry in and hands it to netvsp_pending_push().
 *
 * Return: the entry past the last one waiting, NULL when none is left.
 */
struct netvsp_pending *netvsp_pending_next(struct netvsp_chan *nc, bool reply)
{
	lockdep_assert_held(&nc->nd->lock);
	if (nc->nr_pending >= NETVSP_PENDING -
	    (reply ? 0 : NETVSP_PENDING_REQUEST)) {
		/* Requests leave their entries free; see %NETVSP_PENDING. */
		WARN_ON_ONCE(reply);
		return NULL;
	}
	return &nc->pending[nc->nr_pending];
}

static int netvsp_pending_send(struct netvsp_chan *nc,
			       const struct netvsp_pending *p)
{
	switch (p->kind) {
	case NETVSP_PENDING_XFER:
		return vmbh_chan_send_xfer_pages(nc->chan, NVSP_RECV_BUFFER_ID,
						 p->trans_id, p->ranges,
						 p->nr_ranges, &p->msg,
						 p->msg_len);
	case NETVSP_PENDING_TABLE:
		return netvsp_send_table(nc, p->channels);
	default:
		return vmbh_chan_send_completion(nc->chan, p->trans_id,
						 p->msg_len ? &p->msg : NULL,
						 p->msg_len);
	}
}

/**
 * netvsp_pending_push() - send a packet now, or queue it for ring room
 * @nc: the channel; the caller holds @nc->nd->lock
 * @p: the entry netvsp_pending_next() gave, filled in
 *
 * The packet is sent at once when nothing waits; it is kept, in order,
 * behind what waits when something does or the ring has no room.
 *
 * Return: 0 when sent, 1 when kept, else the send's error.
 */
int netvsp_pending_push(struct netvsp_chan *nc, struct netvsp_pending *p)
{
	int ret = -EAGAIN;

	lockdep_assert_held(&nc->nd->lock);
	if (!nc->nr_pending)
		ret = netvsp_pending_send(nc, p);
	if (ret != -EAGAIN)
		return ret;
	nc->nr_pending++;
	if (p->kind == NETVSP_PENDING_XFER)
		nc->nd->rx_stalled = true;
	return 1;
}

/*
 * Send (or queue) one transfer-page packet; caller holds nd->lock.
 * @reply: as for netvsp_pending_next(); -EBUSY when no entry is left.
 */
static int netvsp_xfer(struct netvsp_chan *nc, u64 id, const u32 *secs,
		       const u32 *lens, u32 n, u32 channel_type, bool reply)
{
	struct netvsp_dev *nd = nc->nd;
	struct netvsp_pending *p;
	int ret;
	u32 i;

	p = netvsp_pending_next(nc, reply);
	if (!p)
		return -EBUSY;
	p->kind = NETVSP_PENDING_XFER;
	p->trans_id = id;
	p->nr_ranges = n;
	for (i = 0; i < n; i++) {
		p->ranges[i].byte_count = lens[i];
		p->ranges[i].byte_offset = secs[i] * nd->sub_alloc;
	}
	netvsp_nvsp_rndis(nd, &p->msg, channel_type);
	p->msg_len = netvsp_nvsp_msg_size(nd);
	ret = netvsp_pending_push(nc, p);
	return ret > 0 ? 0 : ret;
}

/**
 * netvsp_flush_pending() - retry the packets that found the ring full
 * @nc: a channel, from its worker
 *
 * Return: packets still waiting.
 */
int netvsp_flush_pending(struct netvsp_chan *nc)
{
	struct netvsp_dev *nd = nc->nd;
	bool kick = false;
	int ret, left;
	u32 done = 0;

	spin_lock_bh(&nd->lock);
	while (done < nc->nr_pending) {
		struct netvsp_pending *p = &nc->pending[done];

		ret = netvsp_pending_send(nc, p);
		if (ret == -EAGAIN)
			break;
		if (ret && p->kind == NETVSP_PENDING_XFER && nd->rxsec.count)
			vmbh_rxsec_complete(&nd->rxsec, p->trans_id, nc->queue);
		done++;
	}
	if (done) {
		memmove(nc->pending, nc->pending + done,
			(nc->nr_pending - done) * sizeof(nc->pending[0]));
		nc->nr_pending -= done;
	}
	left = nc->nr_pending;
	if (!left && nd->rx_stalled) {
		nd->rx_stalled = false;
		kick = true;
	}
	spin_unlock_bh(&nd->lock);
	if (kick)
		netvsp_rx_kick(nd);
	return left;
}

/**
 * netvsp_send_control() - send an RNDIS message to the guest's control path
 * @nd: the NIC; the caller holds @nd->buf_sem for reading
 * @msg: the message
 * @len: its bytes, at most %VMBH_NETVSP_REPLY_MAX
 * @reply: the answer to the control message the primary's worker is
 *	handling (false for indications)
 *
 * Return: 0; -ENODEV without an open primary or receive buffer; -ENOSPC
 * without a free sub-allocation; -EBUSY when an indication finds the
 * primary's ring full and its queue used up.
 */
int netvsp_send_control(struct netvsp_dev *nd, const u8 *msg, u32 len,
			bool reply)
{
	struct netvsp_chan *nc;
	int sec, ret;
	u32 s;
	u64 id;

	spin_lock_bh(&nd->lock);
	nc = nd->chans[0];
	if (!nc || !nd->recv.addr || !nd->rxsec.count) {
		ret = -ENODEV;
		goto out_unlock;
	}
	sec = vmbh_rxsec_get(&nd->rxsec);
	if (sec < 0) {
		ret = sec;
		goto out_unlock;
	}
	memcpy((u8 *)nd->recv.addr + (size_t)sec * nd->sub_alloc, msg, len);
	s = sec;
	id = vmbh_rxsec_commit(&nd->rxsec, &s, 1, 0);
	ret = netvsp_xfer(nc, id, &s, &len, 1, NVSP_RNDIS_CHANNEL_CONTROL,
			  reply);
	if (ret)
		vmbh_rxsec_complete(&nd->rxsec, id, 0);
out_unlock:
	spin_unlock_bh(&nd->lock);
	return ret;
}

static void netvsp_flush_batch(struct netvsp_dev *nd, struct netvsp_batch *b,
			       u32 queue)
{
	struct netvsp_chan *nc;
	u64 id;
	u32 i;

	if (!b->n)
		return;
	spin_lock_bh(&nd->lock);
	nc = nd->chans[queue];
	if (!nc)
		nc = nd->chans[0];
	if (nc) {
		id = vmbh_rxsec_commit(&nd->rxsec, b->secs, b->n, nc->queue);
		if (netvsp_xfer(nc, id, b->secs, b->lens, b->n,
				NVSP_RNDIS_CHANNEL_DATA, false)) {
			vmbh_rxsec_complete(&nd->rxsec, id, nc->queue);
			nd->stats.rx_dropped += b->n;
		} else {
			nd->stats.rx_frames += b->n;
			for (i = 0; i < b->n; i++)
				nd->stats.rx_bytes += b->lens[i] -
						      VMBH_NETVSP_RX_DATA_OFFSET;
		}
	} else {
		for (i = 0; i < b->n; i++)
			vmbh_rxsec_put(&nd->rxsec, b->secs[i]);
		nd->stats.rx_dropped += b->n;
	}
	spin_unlock_bh(&nd->lock);
	b->n = 0;
}

/* Queue for a frame: the guest's indirection table over its RSS hash. */
static u32 netvsp_rx_queue(struct netvsp_dev *nd, const u8 *frame, u32 len,
			   bool *has_hash, u32 *hash)
{
	const struct vmbh_netvsp_rss *rss = &nd->rndis.rss;
	u32 q = 0;

	*has_hash = vmbh_netvsp_rss_hash(rss, frame, len, hash);
	if (*has_hash && rss->entries)
		q = rss->table[*hash % rss->entries];
	return q < VMBH_NETVSP_MAX_QUEUES ? q : 0;
}

/* Read one frame into a fresh sub-allocation; 1 = keep going, 0 = stop. */
static int netvsp_rx_one(struct netvsp_dev *nd, struct netvsp_batch *batches)
{
	u32 s = nd->sub_alloc, len, csum = 0, hash = 0, q, msg_len;
	struct vmbh_vnet_hdr vh;
	bool wanted, has_hash;
	u8 *buf;
	int sec, ret;

	spin_lock_bh(&nd->lock);
	if (nd->rx_stalled || !nd->rndis.initialized ||
	    nd->rxsec.nr_free <= VMBH_NETVSP_RX_CONTROL_RESERVE) {
		if (nd->rndis.initialized)
			nd->rx_stalled = true;
		spin_unlock_bh(&nd->lock);
		return 0;
	}
	sec = vmbh_rxsec_get(&nd->rxsec);
	spin_unlock_bh(&nd->lock);

	buf = (u8 *)nd->recv.addr + (size_t)sec * s;
	ret = netvsp_tap_recv(nd, &vh, buf + VMBH_NETVSP_RX_DATA_OFFSET,
			      s - VMBH_NETVSP_RX_DATA_OFFSET, &len);
	if (ret == -EAGAIN || (ret && ret != -EMSGSIZE)) {
		spin_lock_bh(&nd->lock);
		vmbh_rxsec_put(&nd->rxsec, sec);
		spin_unlock_bh(&nd->lock);
		return 0;
	}
	spin_lock_bh(&nd->lock);
	wanted = !ret && len >= 14 &&
		 vmbh_rndis_rx_wanted(&nd->cfg, &nd->rndis,
				      buf + VMBH_NETVSP_RX_DATA_OFFSET);
	if (!wanted || vmbh_netvsp_rx_csum(&vh, buf + VMBH_NETVSP_RX_DATA_OFFSET,
					   len, &csum)) {
		if (!ret && len >= 14 && !wanted)
			nd->stats.rx_filtered++;
		else
			nd->stats.rx_dropped++;
		vmbh_rxsec_put(&nd->rxsec, sec);
		spin_unlock_bh(&nd->lock);
		return 1;
	}
	q = netvsp_rx_queue(nd, buf + VMBH_NETVSP_RX_DATA_OFFSET, len,
			    &has_hash, &hash);
	spin_unlock_bh(&nd->lock);

	msg_len = vmbh_rndis_build_rx_header(buf, len, csum, has_hash, hash);
	batches[q].secs[batches[q].n] = sec;
	batches[q].lens[batches[q].n++] = msg_len;
	if (batches[q].n == NETVSP_RX_BATCH)
		netvsp_flush_batch(nd, &batches[q], q);
	return 1;
}

/**
 * netvsp_rx_kick() - have the primary's worker look at the tap
 * @nd: the NIC
 *
 * From any context; nothing happens while the primary is not open.
 */
void netvsp_rx_kick(struct netvsp_dev *nd)
{
	set_bit(NETVSP_RX_WANTED, &nd->rx_flags);
	vmbh_chan_wake(nd->primary);
}

/**
 * netvsp_rx_run() - move frames from the tap to the guest
 * @nd: the NIC, from the primary channel's worker
 *
 * Stops when the tap is empty, the budget is used, or the guest has no
 * room: then frames wait in the tap's queue, whose overflow the tap counts
 * as drops, and a receive completion or ring space kicks the worker.
 *
 * Return: true when the budget ran out with frames perhaps left.
 */
bool netvsp_rx_run(struct netvsp_dev *nd)
{
	struct netvsp_batch *batches = nd->rx_batches;
	u32 i, budget = NETVSP_RX_BUDGET;

	down_read(&nd->buf_sem);
	if (nd->recv.addr) {
		while (budget && netvsp_rx_one(nd, batches) > 0)
			budget--;
		for (i = 0; i < VMBH_NETVSP_MAX_QUEUES; i++)
			netvsp_flush_batch(nd, &batches[i], i);
	}
	up_read(&nd->buf_sem);
	return !budget;
}

/**
 * netvsp_link_work() - indicate a tap carrier change to the guest
 * @work: &netvsp_dev.link_work
 */
void netvsp_link_work(struct work_struct *work)
{
	struct netvsp_dev *nd = container_of(to_delayed_work(work),
					     struct netvsp_dev, link_work);
	bool up = netvsp_tap_carrier(nd), tell;
	u8 msg[32];
	u32 len;

	spin_lock_bh(&nd->lock);
	nd->cfg.link_up = up;
	tell = nd->rndis.initialized && nd->link_reported != up;
	spin_unlock_bh(&nd->lock);
	if (!tell)
		return;
	len = vmbh_rndis_build_indicate(msg, up ? RNDIS_STATUS_MEDIA_CONNECT :
						  RNDIS_STATUS_MEDIA_DISCONNECT);
	down_read(&nd->buf_sem);
	if (!netvsp_send_control(nd, msg, len, false)) {
		spin_lock_bh(&nd->lock);
		nd->link_reported = up;
		spin_unlock_bh(&nd->lock);
	} else {
		queue_delayed_work(system_unbound_wq, &nd->link_work, HZ / 10);
	}
	up_read(&nd->buf_sem);
}

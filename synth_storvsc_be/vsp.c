// SPDX-License-Identifier: GPL-2.0
/*
 * storvsp on VMBus channels: the VSTOR handshake, EXECUTE_SRB into the
 * target core with the guest's own pages as the data buffer, completions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "storvsp.h"

/* Guest-triggered: ratelimited, naming the VM and the channel. */
static __printf(2, 3) void storvsp_warn(const struct storvsp_queue *q,
					const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_warn("%s relid %u: %pV", vmbh_dev_name(q->ctrl->dev),
		vmbh_chan_relid(q->chan), &vaf);
	va_end(args);
}

static struct kmem_cache *storvsp_cmd_cache;

/*
 * Drop one of the queue's inflight references.  The closing channel
 * waits for none to be left; ctrl is freed with kfree_rcu(), so the
 * wakeup after the decrement cannot touch freed memory.
 */
static void storvsp_queue_put(struct storvsp_queue *q)
{
	rcu_read_lock();
	atomic_dec(&q->inflight);
	/*
	 * Orders the decrement before the load of closing (atomic_dec() is
	 * unordered); pairs with storvsp_close()'s barrier between setting
	 * closing and reading inflight.
	 */
	smp_mb__after_atomic();
	if (READ_ONCE(q->closing))
		wake_up(&q->ctrl->idle);
	rcu_read_unlock();
}

static void storvsp_cmd_free(struct storvsp_cmd *cmd)
{
	struct storvsp_queue *q = cmd->q;

	if (cmd->map.pages)
		vmbh_gpa_unmap(&cmd->map);
	if (cmd->bounce)
		target_free_sgl(cmd->sgl, cmd->nents);
	else if (cmd->sgl != cmd->inline_sgl)
		kfree(cmd->sgl);
	kmem_cache_free(storvsp_cmd_cache, cmd);
	if (atomic_xchg(&q->throttled, 0))
		vmbh_chan_wake(q->chan);
	storvsp_queue_put(q);
}

static void storvsp_reply_free(struct storvsp_reply *r)
{
	if (r->cmd)
		storvsp_cmd_free(container_of(r, struct storvsp_cmd, reply));
	else
		kfree(r);
}

/*
 * Queue @r for @q->reply_work.  The target core completes commands from
 * its per-CPU completion work; the reply work queued behind them on the
 * same CPU's pool runs once they are done and sends the burst back to
 * back, so the guest, which masks its ring while it reads, takes one
 * interrupt for it rather than one per command.  Consumes @r.
 */
static void storvsp_send_reply(struct storvsp_queue *q, struct storvsp_reply *r)
{
	if (READ_ONCE(q->closing)) {
		storvsp_reply_free(r);
		return;
	}
	/* Keep the channel from finishing close until the wakeups are done. */
	atomic_inc(&q->inflight);
	if (llist_add(&r->node, &q->pending))
		queue_work(system_wq, &q->reply_work);
	storvsp_queue_put(q);
}

/*
 * Send the queued replies.  False when the ring is full: the rest waits
 * for the worker, which the guest wakes when it has made room.
 */
static bool storvsp_flush_pending(struct storvsp_queue *q)
{
	struct llist_node *list, *next;
	struct storvsp_reply *r;
	int ret;

	if (llist_empty(&q->pending))
		return true;
	list = llist_reverse_order(llist_del_all(&q->pending));
	while (list) {
		r = llist_entry(list, struct storvsp_reply, node);
		ret = vmbh_chan_send_completion(q->chan, r->trans_id, &r->pkt,
						r->len);
		if (ret == -EAGAIN)
			break;
		next = list->next;
		storvsp_reply_free(r);
		list = next;
	}
	if (!list)
		return true;
	/*
	 * Put the rest back.  Completions of different requests may reach
	 * the guest in any order, so the order of the list does not matter.
	 */
	while (list) {
		next = list->next;
		llist_add(list, &q->pending);
		list = next;
	}
	/*
	 * The reply work runs beside storvsp_close(), which may have found
	 * the list empty while we held it and gone to sleep on the commands
	 * in it: make it look again.  Orders the put-back before the load
	 * of closing; pairs with the full barrier of llist_del_all() after
	 * close set it, so one of the two sees the other's store.
	 */
	smp_mb();
	if (READ_ONCE(q->closing))
		wake_up(&q->ctrl->idle);
	return false;
}

static void storvsp_reply_work(struct work_struct *work)
{
	struct storvsp_queue *q = container_of(work, struct storvsp_queue,
					       reply_work);

	/*
	 * The ring is full: leave the rest to the worker.  Its handle then
	 * waits for the guest's signal that it made room, and the wakeup
	 * makes it look again even if that signal came while this work
	 * still held the replies.
	 */
	if (!storvsp_flush_pending(q))
		vmbh_chan_wake(q->chan);
}

static void storvsp_drop_pending(struct storvsp_queue *q)
{
	struct llist_node *list = llist_del_all(&q->pending);
	struct storvsp_reply *r, *tmp;

	llist_for_each_entry_safe(r, tmp, list, node)
		storvsp_reply_free(r);
}

/* Worker: answer a non-SRB packet. */
static void storvsp_send_control(struct storvsp_queue *q, u64 trans_id,
				 const struct vstor_packet *pkt, u32 len)
{
	struct storvsp_reply *r;
	int ret;

	if (llist_empty(&q->pending)) {
		ret = vmbh_chan_send_completion(q->chan, trans_id, pkt, len);
		if (ret != -EAGAIN)
			return;
	}
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		vmbh_chan_fail(q->chan, "no memory for a VSTOR reply");
		return;
	}
	r->cmd = false;
	r->trans_id = trans_id;
	r->len = len;
	r->pkt = *pkt;
	storvsp_send_reply(q, r);
}

/* Copy @len bytes between the bounce scatterlist and the guest buffer. */
static int storvsp_bounce_copy(struct storvsp_cmd *cmd, u32 len, bool to_guest)
{
	struct scatterlist *sg;
	u32 off = 0, n;
	void *p;
	int i, ret = 0;

	for_each_sg(cmd->sgl, sg, cmd->nents, i) {
		if (off >= len)
			break;
		n = min(sg->length, len - off);
		p = kmap_local_page(sg_page(sg));
		if (to_guest)
			ret = vmbh_gpa_map_copy_to(&cmd->map, off,
						   p + sg->offset, n);
		else
			ret = vmbh_gpa_map_copy_from(&cmd->map, off,
						     p + sg->offset, n);
		kunmap_local(p);
		if (ret)
			break;
		off += n;
	}
	return ret;
}

/**
 * storvsp_cmd_done() - the target core released a command: answer it
 * @cmd: the command
 *
 * Runs where the target core dropped its last reference (its completion
 * work, or the worker when submission failed).
 */
void storvsp_cmd_done(struct storvsp_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	u8 status = se_cmd->scsi_status;
	u32 done = cmd->len;

	if (!cmd->responded) {
		vmbh_vstor_srb_reply(&cmd->reply.pkt, SRB_STATUS_ABORTED, 0, 0,
				     NULL, 0);
	} else if (status == SAM_STAT_CHECK_CONDITION) {
		vmbh_vstor_srb_reply(&cmd->reply.pkt, SRB_STATUS_ERROR, status,
				     0, cmd->sense, se_cmd->scsi_sense_length);
	} else {
		/*
		 * Statuses other than CHECK CONDITION (BUSY, TASK SET FULL,
		 * RESERVATION CONFLICT) go back as SRB success so the
		 * guest's SCSI layer sees the status byte and retries or
		 * fails as SCSI says; storvsc turns SRB errors without sense
		 * into a bare DID_ERROR.
		 */
		if (se_cmd->se_cmd_flags & SCF_UNDERFLOW_BIT)
			done -= min(done, se_cmd->residual_count);
		if (cmd->bounce && cmd->data_in == VSTOR_DATA_IN && done &&
		    status == SAM_STAT_GOOD && storvsp_bounce_copy(cmd, done, true))
			done = 0;
		vmbh_vstor_srb_reply(&cmd->reply.pkt, SRB_STATUS_SUCCESS,
				     status, status == SAM_STAT_GOOD ? done : 0,
				     NULL, 0);
	}
	storvsp_send_reply(cmd->q, &cmd->reply);
}

/* Complete @cmd without the target core. */
static void storvsp_cmd_answer(struct storvsp_cmd *cmd, u8 srb_status,
			       u32 done)
{
	vmbh_vstor_srb_reply(&cmd->reply.pkt, srb_status, 0, done, NULL, 0);
	storvsp_send_reply(cmd->q, &cmd->reply);
}

/*
 * A command to a (path, target, LUN) the TPG does not back.  As Hyper-V
 * and OpenVMM: standard INQUIRY says "no LUN here" and REPORT LUNS lists
 * none, so the guest's scan goes on; anything else is INVALID_LUN, which
 * makes the guest drop the LUN (hot-remove).
 */
static void storvsp_no_lun(struct storvsp_cmd *cmd, bool our_target)
{
	u8 buf[36];
	u32 n, alloc;

	switch (cmd->cdb[0]) {
	case INQUIRY:
		if (cmd->cdb[1] & 1)	/* EVPD */
			break;
		alloc = cmd->cdb[3] << 8 | cmd->cdb[4];
		n = vmbh_vstor_inquiry_absent(buf, min(cmd->len, alloc));
		if (n && vmbh_gpa_map_copy_to(&cmd->map, 0, buf, n))
			n = 0;
		storvsp_cmd_answer(cmd, SRB_STATUS_SUCCESS, n);
		return;
	case REPORT_LUNS:
		if (our_target) {
			/* the target core lists the TPG's LUNs */
			storvsp_submit(cmd, 0, cmd->len, VSTOR_DATA_IN);
			return;
		}
		n = vmbh_vstor_report_luns_empty(buf, cmd->len);
		if (n && vmbh_gpa_map_copy_to(&cmd->map, 0, buf, n))
			n = 0;
		storvsp_cmd_answer(cmd, SRB_STATUS_SUCCESS, n);
		return;
	}
	storvsp_cmd_answer(cmd, SRB_STATUS_INVALID_LUN, 0);
}

static int storvsp_map_data(struct storvsp_cmd *cmd,
			    const struct vmbh_gpa_range *range)
{
	int ret, n;

	/*
	 * Always pinned for writing: the target core's emulated commands
	 * (INQUIRY, MODE SENSE...) fill the buffer whatever data_in says,
	 * and a read-only pin must never be written.
	 */
	ret = vmbh_chan_map_range(cmd->q->chan, range, cmd->len, true,
				  &cmd->map);
	if (ret)
		return ret;

	/*
	 * Block drivers take sector-aligned segments only (brd WARNs, DMA
	 * engines may misbehave); guests send such buffers for passthrough
	 * (storvsc allows 4-byte alignment).  Those rare ones are copied.
	 */
	if ((range->byte_offset | cmd->len) & (STORVSP_DMA_ALIGN - 1)) {
		/* zeroed unless overwritten: never show the guest stale memory */
		ret = target_alloc_sgl(&cmd->sgl, &cmd->nents, cmd->len,
				       cmd->data_in != VSTOR_DATA_OUT, false);
		if (ret)
			return ret;
		cmd->bounce = true;
		if (cmd->data_in == VSTOR_DATA_OUT)
			return storvsp_bounce_copy(cmd, cmd->len, false);
		return 0;
	}

	if (cmd->map.nr_pages > STORVSP_INLINE_SGS) {
		cmd->sgl = kmalloc_array(cmd->map.nr_pages, sizeof(*cmd->sgl),
					 GFP_KERNEL);
		if (!cmd->sgl)
			return -ENOMEM;
	}
	sg_init_table(cmd->sgl, cmd->map.nr_pages);
	n = vmbh_gpa_map_sg(&cmd->map, cmd->sgl, cmd->map.nr_pages);
	if (n < 0)
		return n;
	cmd->nents = n;
	return 0;
}

static void storvsp_execute(struct storvsp_queue *q,
			    const struct vmbh_vstor_request *req,
			    const struct vmbh_gpa_range *range)
{
	const struct vmscsi_request *srb = &req->pkt.vm_srb;
	struct storvsp_ctrl *ctrl = q->ctrl;
	struct vstor_packet reply;
	struct vmbh_vstor_io io;
	struct storvsp_cmd *cmd;
	u8 srb_status;
	int ret;

	srb_status = vmbh_vstor_check_srb(req, ctrl->version,
					  VMBH_VSTOR_MAX_TRANSFER, &io);
	if (srb_status != SRB_STATUS_SUCCESS) {
		storvsp_warn(q, "invalid SRB: cdb_length %u data_in %u length %u ranges %u\n",
			     srb->cdb_length, srb->data_in,
			     srb->data_transfer_length, req->range_cnt);
		vmbh_vstor_srb_reply(&reply, srb_status, 0, 0, NULL, 0);
		storvsp_send_control(q, req->trans_id, &reply,
				     vmbh_vstor_reply_len(req->payload_len));
		return;
	}

	cmd = kmem_cache_zalloc(storvsp_cmd_cache, GFP_KERNEL);
	if (!cmd) {
		/* storvsc retries an SRB error without sense */
		vmbh_vstor_srb_reply(&reply, SRB_STATUS_ERROR, 0, 0, NULL, 0);
		storvsp_send_control(q, req->trans_id, &reply,
				     vmbh_vstor_reply_len(req->payload_len));
		return;
	}
	atomic_inc(&q->inflight);
	cmd->q = q;
	cmd->len = io.data_len;
	cmd->data_in = io.data_in;
	cmd->sgl = cmd->inline_sgl;
	cmd->reply.cmd = true;
	cmd->reply.trans_id = req->trans_id;
	cmd->reply.len = vmbh_vstor_reply_len(req->payload_len);
	memcpy(cmd->cdb, srb->cdb, io.cdb_len);

	if (io.data_len) {
		ret = storvsp_map_data(cmd, range);
		if (ret) {
			storvsp_warn(q, "cannot map SRB buffer (%u bytes at offset %u): %d\n",
				     io.data_len, range->byte_offset, ret);
			storvsp_cmd_answer(cmd, ret == -ENOMEM ?
					   SRB_STATUS_ERROR :
					   SRB_STATUS_INVALID_REQUEST, 0);
			return;
		}
	}

	if (srb->path_id || srb->target_id)
		storvsp_no_lun(cmd, false);
	else if (!storvsp_lun_present(ctrl, srb->lun))
		storvsp_no_lun(cmd, true);
	else
		storvsp_submit(cmd, srb->lun, io.data_len, io.data_in);
}

/* Primary worker: tell the guest that LUNs came or went. */
static void storvsp_send_rescan(struct storvsp_queue *q)
{
	struct storvsp_ctrl *ctrl = q->ctrl;
	struct vstor_packet pkt = {
		.operation = VSTOR_OPERATION_ENUMERATE_BUS,
	};
	int ret;

	/*
	 * OpenVMM sends it from 4.2 on; older guests poll.  acquire: pairs
	 * with the release of ready after ctrl->version was set.
	 */
	if (!smp_load_acquire(&ctrl->ready) ||
	    ctrl->version < VSTOR_VERSION_WIN7 ||
	    !test_and_clear_bit(STORVSP_RESCAN, &ctrl->flags))
		return;
	ret = vmbh_chan_send_inband(q->chan, 0, false, &pkt,
				    vmbh_vstor_unsolicited_len(ctrl->version));
	if (ret == -EAGAIN)
		set_bit(STORVSP_RESCAN, &ctrl->flags);
}

static void storvsp_packet(struct storvsp_queue *q,
			   const struct vmbh_packet *pkt)
{
	struct storvsp_ctrl *ctrl = q->ctrl;
	bool primary = vmbh_chan_queue(q->chan) == 0;
	struct vmbh_gpa_range range = {};
	struct vmbh_vstor_request req;
	enum vmbh_vstor_action act;
	struct vmbh_vstor_pkt in = {
		.type = pkt->type,
		.flags = pkt->flags,
		.trans_id = pkt->trans_id,
		.data = pkt->data,
		.len = pkt->len,
		.range_cnt = pkt->range_cnt,
	};
	struct vstor_packet reply;
	u16 version, subchannels;
	u32 pos = 0;
	bool ready;
	int ret;

	if (pkt->range_cnt && vmbh_pkt_next_range(pkt, &pos, &range)) {
		in.byte_count = range.byte_count;
		in.byte_offset = range.byte_offset;
	}
	if (vmbh_vstor_parse_packet(&in, &req)) {
		vmbh_chan_fail(q->chan, "malformed VSTOR packet");
		return;
	}

	/* acquire: ctrl->version was written before ready (below) */
	ready = smp_load_acquire(&ctrl->ready);
	if (req.pkt.operation == VSTOR_OPERATION_EXECUTE_SRB && ready) {
		storvsp_execute(q, &req, &range);
		return;
	}

	spin_lock(&ctrl->state_lock);
	act = vmbh_vstor_control(&ctrl->st, primary, &req, &reply);
	version = ctrl->st.version;
	subchannels = ctrl->st.subchannels;
	if (ctrl->st.stage == VMBH_VSTOR_READY && !ctrl->ready) {
		ctrl->version = version;
		/* pairs with the acquire loads of ready */
		smp_store_release(&ctrl->ready, true);
	}
	spin_unlock(&ctrl->state_lock);

	switch (act) {
	case VMBH_VSTOR_ACT_EXECUTE:
		storvsp_execute(q, &req, &range);
		return;
	case VMBH_VSTOR_ACT_SUBCHANNELS:
		ret = vmbh_dev_offer_subchannels(ctrl->dev, subchannels);
		if (ret < 0) {
			spin_lock(&ctrl->state_lock);
			vmbh_vstor_subchannels_failed(&ctrl->st, &reply);
			spin_unlock(&ctrl->state_lock);
		}
		break;
	case VMBH_VSTOR_ACT_RESET:
		/*
		 * Nothing to abort: every command reaches the target core at
		 * once and completes from there, which storvsc's reset
		 * handler waits for.
		 */
		break;
	case VMBH_VSTOR_ACT_REPLY:
		if (reply.status)
			storvsp_warn(q, "operation %u refused: status %#x\n",
				     req.pkt.operation, reply.status);
		break;
	}
	storvsp_send_control(q, req.trans_id, &reply,
			     vmbh_vstor_reply_len(req.payload_len));
}

static bool storvsp_handle(struct vmbh_channel *chan)
{
	struct storvsp_queue *q = vmbh_chan_priv(chan);
	struct vmbh_packet pkt;

	if (vmbh_chan_queue(chan) == 0)
		storvsp_send_rescan(q);
	for (;;) {
		/* replies first: they are what frees the guest's requests */
		if (!storvsp_flush_pending(q))
			return true;
		if (atomic_read(&q->inflight) >= STORVSP_QUEUE_DEPTH) {
			atomic_set(&q->throttled, 1);
			/* a command freed before the flag was seen */
			if (atomic_read(&q->inflight) >= STORVSP_QUEUE_DEPTH)
				return true;
			atomic_set(&q->throttled, 0);
		}
		if (vmbh_chan_recv(chan, &pkt))
			return false;
		storvsp_packet(q, &pkt);
	}
}

/**
 * storvsp_rescan() - LUNs of the controller's TPG changed
 * @ctrl: a bound controller
 *
 * The primary channel's worker sends ENUMERATE_BUS when the guest is
 * ready for it.
 */
void storvsp_rescan(struct storvsp_ctrl *ctrl)
{
	set_bit(STORVSP_RESCAN, &ctrl->flags);
	vmbh_chan_wake(ctrl->q[0].chan);
}

static int storvsp_probe(struct vmbh_device *dev)
{
	const struct vmbh_scsi_params *p = &vmbh_dev_params(dev)->scsi;
	u32 i, nr = vmbh_dev_nr_queues(dev);
	struct storvsp_ctrl *ctrl;
	char wwpn[sizeof(p->wwpn)];
	int ret;

	memcpy(wwpn, p->wwpn, sizeof(wwpn));
	if (!memchr(wwpn, 0, sizeof(wwpn)))
		return -EINVAL;

	ctrl = kzalloc(struct_size(ctrl, q, nr), GFP_KERNEL);
	if (!ctrl)
		return -ENOMEM;
	ctrl->dev = dev;
	ctrl->nr_queues = nr;
	spin_lock_init(&ctrl->state_lock);
	init_waitqueue_head(&ctrl->idle);
	vmbh_vstor_state_init(&ctrl->st, min_t(u32, nr - 1, U16_MAX),
			      VMBH_VSTOR_MAX_TRANSFER);
	for (i = 0; i < nr; i++) {
		ctrl->q[i].ctrl = ctrl;
		ctrl->q[i].chan = vmbh_dev_channel(dev, i);
		init_llist_head(&ctrl->q[i].pending);
		INIT_WORK(&ctrl->q[i].reply_work, storvsp_reply_work);
		vmbh_chan_set_priv(ctrl->q[i].chan, &ctrl->q[i]);
	}

	ret = storvsp_bind(ctrl, wwpn);
	if (ret) {
		pr_info("%s: cannot serve LIO target %s: %d\n",
			vmbh_dev_name(dev), wwpn, ret);
		kfree(ctrl);
		return ret;
	}
	vmbh_dev_set_priv(dev, ctrl);
	return 0;
}

static void storvsp_remove(struct vmbh_device *dev)
{
	struct storvsp_ctrl *ctrl = vmbh_dev_priv(dev);

	storvsp_unbind(ctrl);
	kfree_rcu(ctrl, rcu);
}

static int storvsp_open(struct vmbh_channel *chan, const u8 *userdata)
{
	struct storvsp_queue *q = vmbh_chan_priv(chan);
	struct storvsp_ctrl *ctrl = q->ctrl;

	WRITE_ONCE(q->closing, false);
	if (vmbh_chan_queue(chan) == 0) {
		/* a (re)opened primary starts the handshake over */
		spin_lock(&ctrl->state_lock);
		vmbh_vstor_state_init(&ctrl->st, ctrl->st.max_subchannels,
				      VMBH_VSTOR_MAX_TRANSFER);
		WRITE_ONCE(ctrl->ready, false);
		clear_bit(STORVSP_RESCAN, &ctrl->flags);
		spin_unlock(&ctrl->state_lock);
	}
	return 0;
}

static void storvsp_close(struct vmbh_channel *chan)
{
	struct storvsp_queue *q = vmbh_chan_priv(chan);
	struct storvsp_ctrl *ctrl = q->ctrl;

	/*
	 * The worker is stopped; replies still come from the target core's
	 * completions and move through the reply work.  Whoever adds to
	 * pending or drops an inflight count checks closing afterwards,
	 * across a full barrier, and wakes us if set: storvsp_send_reply()
	 * and every free through storvsp_queue_put(), the work's put-back in
	 * storvsp_flush_pending().  Our llist_del_all() is the barrier
	 * between setting closing and looking at pending and inflight, so
	 * each change is either seen here or its maker sees closing: the
	 * wait below cannot miss the last one.
	 */
	WRITE_ONCE(q->closing, true);
	for (;;) {
		storvsp_drop_pending(q);
		/* what the target core still holds answers into nothing */
		wait_event(ctrl->idle,
			   !atomic_read(&q->inflight) ||
			   !llist_empty(&q->pending));
		if (!atomic_read(&q->inflight) && llist_empty(&q->pending))
			break;
	}
	/*
	 * No command is left, but the work may still hold control replies
	 * (which pin no inflight count) and put them back when the ring is
	 * full: wait for it and drop them, or the reopened channel would
	 * send them.
	 */
	cancel_work_sync(&q->reply_work);
	storvsp_drop_pending(q);
	if (vmbh_chan_queue(chan) == 0) {
		spin_lock(&ctrl->state_lock);
		WRITE_ONCE(ctrl->ready, false);
		spin_unlock(&ctrl->state_lock);
	}
}

static const struct vmbh_class_ops storvsp_class_ops = {
	.probe	= storvsp_probe,
	.remove	= storvsp_remove,
	.open	= storvsp_open,
	.close	= storvsp_close,
	.handle	= storvsp_handle,
};

struct vmbh_class storvsp_class = {
	.id		= VMBH_CLASS_SCSI,
	.name		= "storvsp",
	.owner		= THIS_MODULE,
	.ops		= &storvsp_class_ops,
	/* ba6163d9-04a1-4d29-b605-72e2ffb1dc7f, the storvsc SCSI class */
	.if_type	= { 0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
			    0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f },
	.max_pkt_size	= VMBH_VSTOR_MAX_PKT_LEN,
};

int storvsp_cmd_cache_init(void)
{
	storvsp_cmd_cache = KMEM_CACHE(storvsp_cmd, 0);
	return storvsp_cmd_cache ? 0 : -ENOMEM;
}

void storvsp_cmd_cache_exit(void)
{
	kmem_cache_destroy(storvsp_cmd_cache);
}

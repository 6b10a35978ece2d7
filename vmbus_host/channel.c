// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: ring buffers over the ring GPADL, the per-channel worker woken
 * by the kick eventfd, and the packet API backends use (channel.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include "vmbus_host.h"

/* ---- accessors ---- */

void *vmbh_chan_priv(const struct vmbh_channel *chan)
{
	return chan->priv;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_priv, VMBH_NS);

void vmbh_chan_set_priv(struct vmbh_channel *chan, void *priv)
{
	chan->priv = priv;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_set_priv, VMBH_NS);

struct vmbh_device *vmbh_chan_device(const struct vmbh_channel *chan)
{
	return chan->dev;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_device, VMBH_NS);

u32 vmbh_chan_queue(const struct vmbh_channel *chan)
{
	return chan->queue;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_queue, VMBH_NS);

u32 vmbh_chan_relid(const struct vmbh_channel *chan)
{
	return READ_ONCE(chan->relid);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_relid, VMBH_NS);

u32 vmbh_chan_target_vp(const struct vmbh_channel *chan)
{
	return READ_ONCE(chan->target_vp);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_target_vp, VMBH_NS);

/* ---- worker ---- */

void vmbh_chan_wake(struct vmbh_channel *chan)
{
	unsigned long flags;

	set_bit(VMBH_CHAN_F_WAKE, &chan->flags);
	spin_lock_irqsave(&chan->wake_lock, flags);
	if (chan->worker)
		wake_up_process(chan->worker);
	spin_unlock_irqrestore(&chan->wake_lock, flags);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_wake, VMBH_NS);

void vmbh_chan_fail(struct vmbh_channel *chan, const char *why)
{
	/*
	 * Counted before the flag is set (test_and_set_bit() is fully
	 * ordered): whoever sees FAILED in vmbh_chan_stats() sees the error.
	 */
	atomic64_inc(&chan->stats.errors);
	if (test_and_set_bit(VMBH_CHAN_F_FAILED, &chan->flags))
		return;
	vmbh_vm_warn(chan->dev->vm, "%s relid %u failed: %s\n",
		     chan->dev->name, READ_ONCE(chan->relid), why);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_fail, VMBH_NS);

/* Raise the channel's interrupt on its target VP. */
static void vmbh_chan_signal(struct vmbh_channel *chan)
{
	if (vmbh_synic_signal_event(chan->dev->vm->synic,
				    READ_ONCE(chan->target_vp),
				    READ_ONCE(chan->relid)))
		atomic64_inc(&chan->stats.interrupts);
	vmbh_monitor_boost(chan);
}

/*
 * Packets the worker writes while it handles the guest's packets wait for
 * one interrupt at the end of the batch, as vhost signals used buffers
 * once per batch: a netvsc send completion and the answer it caused (a
 * TCP ACK read from the tap) then reach the guest with one interrupt.
 * The bound keeps a guest that never stops sending from waiting long.
 */
#define VMBH_CHAN_SIGNAL_BATCH	32

/*
 * Under send_lock, with write_index published: does the guest need an
 * interrupt to see what it has not read?  Without batching the rule is
 * the guest's own (hv_signal_on_write): only when the ring was empty at
 * @old.  For a batch, whenever the guest is not polling (interrupt_mask)
 * and has not read everything.
 */
static bool vmbh_chan_want_signal(struct vmbh_channel *chan, u32 old,
				  bool batch)
{
	struct vmbh_ring_header *hdr = chan->out_hdr;
	u32 read;

	/* Index store before reading the guest's mask and read_index. */
	smp_mb();
	if (READ_ONCE(hdr->interrupt_mask))
		return false;
	read = READ_ONCE(hdr->read_index);
	return batch ? read != chan->out_write : read == old;
}

/* End a batch: raise the one interrupt it may owe. */
static void vmbh_chan_batch_end(struct vmbh_channel *chan)
{
	bool signal = false;

	spin_lock_irq(&chan->send_lock);
	if (chan->batched && chan->can_send)
		signal = vmbh_chan_want_signal(chan, 0, true);
	chan->batched = 0;
	chan->batching = false;
	spin_unlock_irq(&chan->send_lock);
	if (signal)
		vmbh_chan_signal(chan);
}

static void vmbh_chan_batch_begin(struct vmbh_channel *chan)
{
	spin_lock_irq(&chan->send_lock);
	chan->batching = true;
	spin_unlock_irq(&chan->send_lock);
}

static bool vmbh_chan_in_pending(struct vmbh_channel *chan)
{
	return READ_ONCE(chan->in_hdr->write_index) != chan->in_read;
}

/*
 * Packets one handle run takes before vmbh_chan_recv() reports the ring
 * empty: the worker then looks at kthread_should_stop() and yields the
 * CPU before it goes on (vhost_exceeds_weight() for vhost's rings).
 */
#define VMBH_CHAN_RECV_WEIGHT	256

/*
 * Drain with the guest->host ring masked, unmask, re-check, as the
 * guest does for its own inbound ring (hv_begin_read/hv_end_read).
 */
static void vmbh_chan_run(struct vmbh_channel *chan)
{
	const struct vmbh_class_ops *ops = chan->dev->cls->ops;

	bool more;

	for (;;) {
		/*
		 * A guest that keeps its ring from ever being empty must not
		 * hold up close, which waits for us with vm->lock held.
		 */
		if (test_bit(VMBH_CHAN_F_FAILED, &chan->flags) ||
		    kthread_should_stop())
			return;
		WRITE_ONCE(chan->in_hdr->interrupt_mask, 1);
		chan->recv_left = VMBH_CHAN_RECV_WEIGHT;
		vmbh_chan_batch_begin(chan);
		more = ops->handle(chan);
		vmbh_chan_batch_end(chan);
		if (more)
			return;
		if (test_bit(VMBH_CHAN_F_FAILED, &chan->flags))
			return;
		WRITE_ONCE(chan->in_hdr->interrupt_mask, 0);
		/*
		 * Unmask before re-reading write_index; pairs with the guest's
		 * full barrier between its write_index store and its
		 * interrupt_mask load (hv_signal_on_write).
		 */
		smp_mb();
		if (!vmbh_chan_in_pending(chan))
			return;
		cond_resched();
	}
}

static int vmbh_chan_worker(void *data)
{
	struct vmbh_channel *chan = data;
	struct mm_struct *mm = chan->dev->vm->mm;
	bool use_mm = mmget_not_zero(mm);

	/* Backends pin guest pages from here, through the VMM's mm. */
	if (use_mm)
		kthread_use_mm(mm);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!test_and_clear_bit(VMBH_CHAN_F_WAKE, &chan->flags)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		vmbh_chan_run(chan);
		cond_resched();
	}
	if (use_mm) {
		kthread_unuse_mm(mm);
		mmput(mm);
	}
	return 0;
}

/* The kick eventfd fired: the guest signalled the channel. */
static int vmbh_kick_wake(wait_queue_entry_t *wait, unsigned int mode,
			  int sync, void *key)
{
	struct vmbh_channel *chan = container_of(wait, struct vmbh_channel,
						 kick_wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		/* Called with the eventfd's wait queue lock held. */
		eventfd_ctx_do_read(chan->kick, &cnt);
		atomic64_inc(&chan->stats.kicks);
		vmbh_chan_wake(chan);
	}
	return 0;
}

static void vmbh_kick_queue(struct file *file, wait_queue_head_t *wqh,
			    poll_table *pt)
{
	struct vmbh_channel *chan = container_of(pt, struct vmbh_channel,
						 kick_pt);

	chan->kick_wqh = wqh;
	add_wait_queue(wqh, &chan->kick_wait);
}

/* ---- open and close ---- */

/**
 * vmbh_chan_open() - OPENCHANNEL: map the rings and start the worker
 * @chan: an offered channel, not open
 * @m: the guest's message
 *
 * Return: 0, or an error that the caller turns into a failure status.
 */
int vmbh_chan_open(struct vmbh_channel *chan,
		   const struct vmbh_msg_open_channel *m)
{
	struct vmbh_device *dev = chan->dev;
	struct vmbh_vm *vm = dev->vm;
	u32 n = m->downstream_ringbuffer_pageoffset, in_w, out_r;
	struct task_struct *worker;
	struct vmbh_gpadl *g;
	u8 *base;
	int pages, ret;

	lockdep_assert_held(&vm->lock);
	g = vmbh_gpadl_find_get(vm, m->ringbuffer_gpadlhandle);
	if (!g || g->relid != chan->relid) {
		ret = -ENOENT;
		goto out_put;
	}
	pages = vmbh_ring_gpadl_check(g->rangecount, g->entries, g->nr_entries,
				      n);
	if (pages < 0 || !vmbh_synic_vp_exists(vm->synic, m->target_vp)) {
		ret = -EINVAL;
		goto out_put;
	}
	base = g->vaddr;
	chan->in_hdr = (struct vmbh_ring_header *)base;
	chan->in_data = base + VMBH_RING_HEADER_SIZE;
	chan->in_size = (n - 1) * VMBH_GPA_PAGE_SIZE;
	chan->out_hdr = (struct vmbh_ring_header *)(base + n * VMBH_GPA_PAGE_SIZE);
	chan->out_data = (u8 *)chan->out_hdr + VMBH_RING_HEADER_SIZE;
	chan->out_size = (pages - n - 1) * VMBH_GPA_PAGE_SIZE;
	chan->in_read = READ_ONCE(chan->in_hdr->read_index);
	in_w = READ_ONCE(chan->in_hdr->write_index);
	chan->out_write = READ_ONCE(chan->out_hdr->write_index);
	out_r = READ_ONCE(chan->out_hdr->read_index);
	if (!vmbh_ring_index_ok(chan->in_read, chan->in_size) ||
	    !vmbh_ring_index_ok(in_w, chan->in_size) ||
	    !vmbh_ring_index_ok(chan->out_write, chan->out_size) ||
	    !vmbh_ring_index_ok(out_r, chan->out_size)) {
		ret = -EINVAL;
		goto out_put;
	}
	chan->rxbuf = kvmalloc(dev->cls->max_pkt_size, GFP_KERNEL_ACCOUNT);
	if (!chan->rxbuf) {
		ret = -ENOMEM;
		goto out_put;
	}
	WRITE_ONCE(chan->out_hdr->feature_bits, VMBH_RING_FEAT_PENDING_SEND_SZ);
	chan->flags = 0;

	ret = dev->cls->ops->open(chan, m->userdata);
	if (ret)
		goto out_free_buf;
	worker = vmbh_kthread_create(vmbh_chan_worker, chan, "vmbh-%s-%u",
				     vm->name, chan->relid);
	if (IS_ERR(worker)) {
		ret = PTR_ERR(worker);
		goto out_close;
	}
	get_task_struct(worker);
	spin_lock_irq(&chan->wake_lock);
	chan->worker = worker;
	spin_unlock_irq(&chan->wake_lock);

	spin_lock_irq(&chan->send_lock);
	chan->target_vp = m->target_vp;
	chan->can_send = true;
	spin_unlock_irq(&chan->send_lock);
	chan->ring_gpadl = g;
	chan->open = true;

	init_waitqueue_func_entry(&chan->kick_wait, vmbh_kick_wake);
	init_poll_funcptr(&chan->kick_pt, vmbh_kick_queue);
	vfs_poll(chan->kick_file, &chan->kick_pt);
	wake_up_process(worker);
	vmbh_monitor_open(chan);
	return 0;

out_close:
	dev->cls->ops->close(chan);
out_free_buf:
	kvfree(chan->rxbuf);
	chan->rxbuf = NULL;
out_put:
	chan->in_hdr = NULL;
	chan->out_hdr = NULL;
	chan->in_data = NULL;
	chan->out_data = NULL;
	if (g)
		vmbh_gpadl_release_ref(g);
	vmbh_vm_warn(vm, "%s: OPENCHANNEL relid %u gpadl %#x refused: %d\n",
		     dev->name, chan->relid, m->ringbuffer_gpadlhandle, ret);
	return ret;
}

/**
 * vmbh_chan_close() - stop the worker, let the backend finish, unmap
 * @chan: an open channel
 *
 * The ring GPADL's reference is dropped last, so a GPADL_TEARDOWN the
 * guest already sent is answered only now.
 */
void vmbh_chan_close(struct vmbh_channel *chan)
{
	struct task_struct *worker;
	u64 cnt;

	lockdep_assert_held(&chan->dev->vm->lock);
	vmbh_monitor_close(chan);
	if (chan->kick_wqh)
		eventfd_ctx_remove_wait_queue(chan->kick, &chan->kick_wait, &cnt);
	chan->kick_wqh = NULL;

	spin_lock_irq(&chan->wake_lock);
	worker = chan->worker;
	chan->worker = NULL;
	spin_unlock_irq(&chan->wake_lock);
	kthread_stop(worker);
	put_task_struct(worker);

	spin_lock_irq(&chan->send_lock);
	chan->can_send = false;
	spin_unlock_irq(&chan->send_lock);
	chan->dev->cls->ops->close(chan);

	chan->open = false;
	kvfree(chan->rxbuf);
	chan->rxbuf = NULL;
	chan->in_hdr = NULL;
	chan->out_hdr = NULL;
	vmbh_gpadl_release_ref(chan->ring_gpadl);
	chan->ring_gpadl = NULL;
}

/**
 * vmbh_chan_set_target() - MODIFYCHANNEL: interrupt another VP
 * @chan: an open channel
 * @vp: an existing VP
 */
void vmbh_chan_set_target(struct vmbh_channel *chan, u32 vp)
{
	spin_lock_irq(&chan->send_lock);
	WRITE_ONCE(chan->target_vp, vp);
	spin_unlock_irq(&chan->send_lock);
	/* Whatever the old VP had not seen yet, the new one sees. */
	vmbh_chan_signal(chan);
}

/* ---- receive ---- */

static void vmbh_ring_copy_from(const u8 *data, u32 size, u32 off, void *dst,
				u32 len)
{
	u32 first = min(len, size - off);

	memcpy(dst, data + off, first);
	memcpy((u8 *)dst + first, data, len - first);
}

int vmbh_chan_recv(struct vmbh_channel *chan, struct vmbh_packet *pkt)
{
	struct vmbh_ring_header *hdr = chan->in_hdr;
	u32 size = chan->in_size, write, avail, len, off, read, nr_pfns;
	struct vmbh_packet_desc desc;
	u32 pending, avail_now;
	int ret;

	if (test_bit(VMBH_CHAN_F_FAILED, &chan->flags) || !hdr)
		return -EIO;
	/* This run's share is used: vmbh_chan_run() comes back for more. */
	if (!chan->recv_left)
		return -EAGAIN;
	write = READ_ONCE(hdr->write_index);
	if (!vmbh_ring_index_ok(write, size)) {
		vmbh_chan_fail(chan, "bad write_index");
		return -EIO;
	}
	/* Read the packet only after write_index: pairs with the guest's
	 * barrier before it stores write_index.
	 */
	smp_rmb();
	read = chan->in_read;
	avail = vmbh_ring_bytes_to_read(write, read, size);
	if (!avail) {
		/*
		 * read_index is ours: undo a guest's scribble, or the guest's
		 * own signalling rule would never see the ring empty again.
		 */
		if (READ_ONCE(hdr->read_index) != read)
			WRITE_ONCE(hdr->read_index, read);
		return -EAGAIN;
	}
	if (avail < sizeof(desc) + VMBH_PACKET_TRAILER_SIZE) {
		vmbh_chan_fail(chan, "truncated packet");
		return -EIO;
	}
	vmbh_ring_copy_from(chan->in_data, size, read, &desc, sizeof(desc));
	ret = vmbh_pkt_desc_check(&desc, avail, chan->dev->cls->max_pkt_size);
	if (ret) {
		vmbh_chan_fail(chan, ret == -EMSGSIZE ? "packet too large" :
			       "malformed packet descriptor");
		return -EIO;
	}
	len = desc.len8 * 8;
	off = desc.offset8 * 8;
	/* Use the validated descriptor, never a second read of it. */
	memcpy(chan->rxbuf, &desc, sizeof(desc));
	vmbh_ring_copy_from(chan->in_data, size, (read + sizeof(desc)) % size,
			    chan->rxbuf + sizeof(desc), len - sizeof(desc));

	pkt->type = desc.type;
	pkt->flags = desc.flags;
	pkt->trans_id = desc.trans_id;
	pkt->data = chan->rxbuf + off;
	pkt->len = len - off;
	pkt->range_cnt = 0;
	pkt->ranges = NULL;
	pkt->ranges_len = 0;
	if (desc.type == VMBH_PACKET_TYPE_DATA_GPA_DIRECT) {
		const struct vmbh_gpa_direct_hdr *gd = (const void *)chan->rxbuf;

		pkt->range_cnt = gd->range_cnt;
		pkt->ranges = gd + 1;
		ret = vmbh_gpa_ranges_check(pkt->ranges, off - sizeof(*gd),
					    pkt->range_cnt, &nr_pfns);
		if (ret < 0) {
			vmbh_chan_fail(chan, "malformed GPA-direct ranges");
			return -EIO;
		}
		/* Bytes between the last range and the payload are not one. */
		pkt->ranges_len = ret;
	}
	chan->recv_left--;

	chan->in_read = (read + len + VMBH_PACKET_TRAILER_SIZE) % size;
	/* Finish reading the packet before handing its space back. */
	smp_mb();
	WRITE_ONCE(hdr->read_index, chan->in_read);
	atomic64_inc(&chan->stats.in_packets);
	atomic64_add(len, &chan->stats.in_bytes);

	/* Read pending_send_sz after publishing read_index (hv_pkt_iter_close). */
	smp_mb();
	pending = READ_ONCE(hdr->pending_send_sz);
	if (pending) {
		write = READ_ONCE(hdr->write_index);
		if (vmbh_ring_index_ok(write, size)) {
			avail_now = vmbh_ring_bytes_to_write(write, chan->in_read,
							     size);
			if (vmbh_ring_space_signal(pending, avail_now,
						   len + VMBH_PACKET_TRAILER_SIZE,
						   size))
				vmbh_chan_signal(chan);
		}
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_recv, VMBH_NS);

bool vmbh_pkt_next_range(const struct vmbh_packet *pkt, u32 *pos,
			 struct vmbh_gpa_range *range)
{
	return vmbh_gpa_range_next(pkt->ranges, pkt->ranges_len, pos, range);
}
EXPORT_SYMBOL_NS_GPL(vmbh_pkt_next_range, VMBH_NS);

/* ---- send ---- */

static void vmbh_ring_copy_to(u8 *data, u32 size, u32 off, const void *src,
			      u32 len)
{
	u32 first = min(len, size - off);

	memcpy(data + off, src, first);
	memcpy(data, (const u8 *)src + first, len - first);
}

/* Write one packet made of @nr pieces; pads to 8 and adds the trailer. */
static int vmbh_chan_write(struct vmbh_channel *chan, const struct kvec *vec,
			   unsigned int nr)
{
	static const u8 zeros[8];
	struct vmbh_ring_header *hdr;
	u32 total = 0, pktlen, need, read, size, pos, old;
	unsigned long flags;
	bool signal, batch;
	u64 trailer;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr; i++)
		total += vec[i].iov_len;
	pktlen = ALIGN(total, 8);
	need = pktlen + VMBH_PACKET_TRAILER_SIZE;

	spin_lock_irqsave(&chan->send_lock, flags);
	if (!chan->can_send || test_bit(VMBH_CHAN_F_FAILED, &chan->flags)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	hdr = chan->out_hdr;
	size = chan->out_size;
	if (need >= size || pktlen / 8 > U16_MAX) {
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	old = chan->out_write;
	read = READ_ONCE(hdr->read_index);
	if (!vmbh_ring_index_ok(read, size))
		goto out_bad_index;
	if (vmbh_ring_bytes_to_write(old, read, size) <= need) {
		WRITE_ONCE(hdr->pending_send_sz, need);
		/*
		 * Publish pending_send_sz before re-reading read_index; pairs
		 * with the guest's barrier between its read_index store and
		 * its pending_send_sz load (hv_pkt_iter_close).
		 */
		smp_mb();
		read = READ_ONCE(hdr->read_index);
		if (!vmbh_ring_index_ok(read, size))
			goto out_bad_index;
		if (vmbh_ring_bytes_to_write(old, read, size) <= need) {
			atomic64_inc(&chan->stats.ring_full);
			ret = -EAGAIN;
			/* The guest must read what is there to make room. */
			signal = chan->batched &&
				 vmbh_chan_want_signal(chan, 0, true);
			chan->batched = 0;
			spin_unlock_irqrestore(&chan->send_lock, flags);
			if (signal)
				vmbh_chan_signal(chan);
			return ret;
		}
	}
	if (READ_ONCE(hdr->pending_send_sz))
		WRITE_ONCE(hdr->pending_send_sz, 0);

	pos = old;
	for (i = 0; i < nr; i++) {
		vmbh_ring_copy_to(chan->out_data, size, pos, vec[i].iov_base,
				  vec[i].iov_len);
		pos = (pos + vec[i].iov_len) % size;
	}
	vmbh_ring_copy_to(chan->out_data, size, pos, zeros, pktlen - total);
	pos = (pos + pktlen - total) % size;
	trailer = (u64)old << 32;
	vmbh_ring_copy_to(chan->out_data, size, pos, &trailer, sizeof(trailer));
	chan->out_write = (old + need) % size;
	/* Packet and trailer before the index that publishes them. */
	smp_mb();
	WRITE_ONCE(hdr->write_index, chan->out_write);
	/* Only the worker's own packets join its batch. */
	batch = chan->batching && current == READ_ONCE(chan->worker);
	if (batch && ++chan->batched < VMBH_CHAN_SIGNAL_BATCH) {
		signal = false;
	} else {
		signal = vmbh_chan_want_signal(chan, old, batch);
		/*
		 * Another context's packet that found the ring not empty
		 * (the worker's batch in it, unsignalled) does not signal:
		 * the batch still owes its interrupt at its end.
		 */
		if (signal || batch)
			chan->batched = 0;
	}
	spin_unlock_irqrestore(&chan->send_lock, flags);

	atomic64_inc(&chan->stats.out_packets);
	atomic64_add(need - VMBH_PACKET_TRAILER_SIZE, &chan->stats.out_bytes);
	if (signal)
		vmbh_chan_signal(chan);
	return 0;

out_bad_index:
	spin_unlock_irqrestore(&chan->send_lock, flags);
	vmbh_chan_fail(chan, "bad read_index");
	return -ENODEV;
out_unlock:
	spin_unlock_irqrestore(&chan->send_lock, flags);
	return ret;
}

static int vmbh_chan_send_simple(struct vmbh_channel *chan, u16 type,
				 u16 flags, u64 trans_id, const void *data,
				 u32 len)
{
	struct vmbh_packet_desc desc = {
		.type = type,
		.offset8 = sizeof(desc) / 8,
		.len8 = (sizeof(desc) + ALIGN(len, 8)) / 8,
		.flags = flags,
		.trans_id = trans_id,
	};
	struct kvec vec[2] = {
		{ .iov_base = &desc, .iov_len = sizeof(desc) },
		{ .iov_base = (void *)data, .iov_len = len },
	};

	if (len > U16_MAX * 8)
		return -EMSGSIZE;
	return vmbh_chan_write(chan, vec, 2);
}

int vmbh_chan_send_inband(struct vmbh_channel *chan, u64 trans_id,
			  bool completion_requested, const void *data, u32 len)
{
	return vmbh_chan_send_simple(chan, VMBH_PACKET_TYPE_DATA_INBAND,
				     completion_requested ?
				     VMBH_PACKET_FLAG_COMPLETION_REQUESTED : 0,
				     trans_id, data, len);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_send_inband, VMBH_NS);

int vmbh_chan_send_completion(struct vmbh_channel *chan, u64 trans_id,
			      const void *data, u32 len)
{
	return vmbh_chan_send_simple(chan, VMBH_PACKET_TYPE_COMP, 0, trans_id,
				     data, len);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_send_completion, VMBH_NS);

int vmbh_chan_send_xfer_pages(struct vmbh_channel *chan, u16 pageset_id,
			      u64 trans_id,
			      const struct vmbh_xfer_page_range *ranges,
			      u32 nr_ranges, const void *data, u32 len)
{
	u32 hdr_len = sizeof(struct vmbh_xfer_page_hdr) +
		      nr_ranges * sizeof(*ranges);
	struct vmbh_xfer_page_hdr hdr = {
		.desc.type = VMBH_PACKET_TYPE_DATA_XFER_PAGES,
		.desc.flags = VMBH_PACKET_FLAG_COMPLETION_REQUESTED,
		.desc.trans_id = trans_id,
		.xfer_pageset_id = pageset_id,
		.range_cnt = nr_ranges,
	};
	struct kvec vec[3] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)ranges, .iov_len = nr_ranges * sizeof(*ranges) },
		{ .iov_base = (void *)data, .iov_len = len },
	};

	if (!nr_ranges)
		return -EINVAL;
	if (nr_ranges > U16_MAX || len > U16_MAX * 8)
		return -EMSGSIZE;
	hdr.desc.offset8 = hdr_len / 8;
	hdr.desc.len8 = (hdr_len + ALIGN(len, 8)) / 8;
	return vmbh_chan_write(chan, vec, 3);
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_send_xfer_pages, VMBH_NS);

u32 vmbh_chan_send_space(struct vmbh_channel *chan)
{
	unsigned long flags;
	u32 read, avail = 0;

	spin_lock_irqsave(&chan->send_lock, flags);
	if (chan->can_send && !test_bit(VMBH_CHAN_F_FAILED, &chan->flags)) {
		read = READ_ONCE(chan->out_hdr->read_index);
		if (vmbh_ring_index_ok(read, chan->out_size))
			avail = vmbh_ring_bytes_to_write(chan->out_write, read,
							 chan->out_size);
	}
	spin_unlock_irqrestore(&chan->send_lock, flags);
	/* A packet of P bytes needs P + 8 (trailer) < avail. */
	return avail >= 16 ? avail - 16 : 0;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_send_space, VMBH_NS);

/* ---- guest memory for I/O ---- */

int vmbh_chan_map_range(struct vmbh_channel *chan,
			const struct vmbh_gpa_range *range, u32 len,
			bool writable, struct vmbh_gpa_map *map)
{
	struct vmbh_vm *vm = chan->dev->vm;
	u32 nr;
	int ret;

	if (!len || len > range->byte_count)
		return -EINVAL;
	/* Pins go through current->mm: only the channel's worker has it. */
	if (current->mm != vm->mm)
		return -EFAULT;
	nr = DIV_ROUND_UP(range->byte_offset + len, VMBH_GPA_PAGE_SIZE);
	map->pages = kvmalloc_array(nr, sizeof(*map->pages), GFP_KERNEL);
	if (!map->pages)
		return -ENOMEM;
	ret = vmbh_pin_pfns(vm, range->pfns, nr, writable ? FOLL_WRITE : 0,
			    map->pages);
	if (ret) {
		kvfree(map->pages);
		map->pages = NULL;
		return ret;
	}
	map->nr_pages = nr;
	map->offset = range->byte_offset;
	map->len = len;
	map->writable = writable;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vmbh_chan_map_range, VMBH_NS);

void vmbh_gpa_unmap(struct vmbh_gpa_map *map)
{
	if (!map->pages)
		return;
	unpin_user_pages_dirty_lock(map->pages, map->nr_pages, map->writable);
	kvfree(map->pages);
	map->pages = NULL;
	map->nr_pages = 0;
}
EXPORT_SYMBOL_NS_GPL(vmbh_gpa_unmap, VMBH_NS);

int vmbh_gpa_map_sg(const struct vmbh_gpa_map *map, struct scatterlist *sgl,
		    unsigned int nents)
{
	u32 left = map->len, off = map->offset, i;
	struct scatterlist *sg = sgl;

	if (nents < map->nr_pages)
		return -EINVAL;
	for (i = 0; i < map->nr_pages; i++) {
		u32 chunk = min_t(u32, left, PAGE_SIZE - off);

		sg_set_page(sg, map->pages[i], chunk, off);
		left -= chunk;
		off = 0;
		if (i + 1 < map->nr_pages)
			sg = sg_next(sg);
	}
	sg_mark_end(sg);
	return map->nr_pages;
}
EXPORT_SYMBOL_NS_GPL(vmbh_gpa_map_sg, VMBH_NS);

static int vmbh_gpa_map_copy(const struct vmbh_gpa_map *map, u32 offset,
			     void *buf, u32 len, bool to_guest)
{
	u32 pos, idx, in_page, chunk;
	u8 *p = buf;
	void *va;

	if (offset > map->len || len > map->len - offset)
		return -EINVAL;
	if (to_guest && !map->writable)
		return -EINVAL;
	pos = map->offset + offset;
	while (len) {
		idx = pos / PAGE_SIZE;
		in_page = pos % PAGE_SIZE;
		chunk = min_t(u32, len, PAGE_SIZE - in_page);
		va = kmap_local_page(map->pages[idx]);
		if (to_guest)
			memcpy(va + in_page, p, chunk);
		else
			memcpy(p, va + in_page, chunk);
		kunmap_local(va);
		p += chunk;
		pos += chunk;
		len -= chunk;
	}
	return 0;
}

int vmbh_gpa_map_copy_to(const struct vmbh_gpa_map *map, u32 offset,
			 const void *src, u32 len)
{
	return vmbh_gpa_map_copy(map, offset, (void *)src, len, true);
}
EXPORT_SYMBOL_NS_GPL(vmbh_gpa_map_copy_to, VMBH_NS);

int vmbh_gpa_map_copy_from(const struct vmbh_gpa_map *map, u32 offset,
			   void *dst, u32 len)
{
	return vmbh_gpa_map_copy(map, offset, dst, len, false);
}
EXPORT_SYMBOL_NS_GPL(vmbh_gpa_map_copy_from, VMBH_NS);

/* ---- stats ---- */

/**
 * vmbh_chan_stats() - fill the output fields of VMBH_GET_CHANNEL_STATS
 * @chan: the channel
 * @st: the ioctl argument
 */
void vmbh_chan_stats(struct vmbh_channel *chan, struct vmbh_channel_stats *st)
{
	lockdep_assert_held(&chan->dev->vm->lock);
	if (!chan->relid)
		st->state = VMBH_CHAN_UNOFFERED;
	else if (chan->open && test_bit(VMBH_CHAN_F_FAILED, &chan->flags))
		st->state = VMBH_CHAN_FAILED;
	else if (chan->open)
		st->state = VMBH_CHAN_OPEN;
	else
		st->state = VMBH_CHAN_OFFERED;
	/* Pairs with the ordered test_and_set_bit() in vmbh_chan_fail(). */
	smp_rmb();
	st->relid = chan->relid;
	st->kicks = atomic64_read(&chan->stats.kicks);
	st->interrupts = atomic64_read(&chan->stats.interrupts);
	st->in_packets = atomic64_read(&chan->stats.in_packets);
	st->in_bytes = atomic64_read(&chan->stats.in_bytes);
	st->out_packets = atomic64_read(&chan->stats.out_packets);
	st->out_bytes = atomic64_read(&chan->stats.out_bytes);
	st->ring_full = atomic64_read(&chan->stats.ring_full);
	st->errors = atomic64_read(&chan->stats.errors);
}

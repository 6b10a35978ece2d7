// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VM SynIC model: writes VMBus messages into a VP's message slot with
 * the TLFS slot protocol, sets event flags, raises the SINT through an
 * irqfd and retries queued messages when the guest signals EOM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "hypercall.h"

/* message_flags lives in the u32 at byte 4 of a slot, bits 8-15. */
#define VMBH_SLOT_WORD1_PENDING	(VMBH_HV_MSG_FLAG_PENDING << 8)
/* The same bit counted from the slot's start (x86: little endian). */
#define VMBH_SLOT_PENDING_BIT \
	(offsetof(struct vmbh_hv_message, message_flags) * BITS_PER_BYTE)
static_assert(offsetof(struct vmbh_hv_message, message_flags) == 5);
static_assert(VMBH_HV_MSG_FLAG_PENDING == 1);
/*
 * Attempts at a slot the guest frees while we look: a guest that keeps
 * freeing and refilling its own slot must not keep us here with
 * interrupts off.  An honest guest frees it at most once (one retry).
 */
#define VMBH_SLOT_TRIES		4

static struct vmbh_hv_message *vmbh_vp_slot(struct vmbh_synic_vp *vp)
{
	lockdep_assert_held(&vp->lock);
	return page_address(vp->simp_page) + VMBH_SIMP_VMBUS_OFFSET;
}

/*
 * Ask the guest for an EOM when it frees the slot: set msg_pending in
 * the message it has not consumed yet.  Return true when the slot turned
 * out to be free meanwhile, so the caller retries at once.
 */
static bool vmbh_slot_set_pending(struct vmbh_hv_message *slot)
{
	/*
	 * One locked OR of the flags byte: a guest rewriting the slot's
	 * header cannot keep it failing, as it could a cmpxchg loop.
	 */
	set_bit(VMBH_SLOT_PENDING_BIT, (unsigned long *)slot);
	/*
	 * Pairs with the guest clearing message_type, then a full barrier,
	 * then reading msg_pending (vmbus_signal_eom): one side sees the
	 * other's store.
	 */
	smp_mb();
	return READ_ONCE(slot->message_type) == VMBH_HVMSG_NONE;
}

/*
 * Write one message into the VP's slot.  Return false when the slot is
 * busy (msg_pending is then set, so the guest will signal EOM).
 */
static bool vmbh_vp_try_deliver(struct vmbh_synic_vp *vp, const void *data,
				u32 len, bool more)
{
	struct vmbh_hv_message *slot;
	int tries;

	lockdep_assert_held(&vp->lock);
	if (!vp->simp_page)
		return false;
	slot = vmbh_vp_slot(vp);
	for (tries = 1;; tries++) {
		if (READ_ONCE(slot->message_type) == VMBH_HVMSG_NONE) {
			memcpy(slot->payload, data, len);
			slot->sender = 0;
			WRITE_ONCE(*(u32 *)&slot->payload_size,
				   len | (more ? VMBH_SLOT_WORD1_PENDING : 0));
			/* Payload and header before the type that publishes them. */
			smp_wmb();
			if (cmpxchg(&slot->message_type, VMBH_HVMSG_NONE,
				    VMBH_HVMSG_VMBUS) == VMBH_HVMSG_NONE)
				break;
		}
		/* Given up: the message stays queued for the next EOM. */
		if (!vmbh_slot_set_pending(slot) || tries == VMBH_SLOT_TRIES)
			return false;
	}
	atomic64_inc(&vp->synic->msgs_out);
	if (vp->sint)
		vmbh_eventfd_signal(vp->sint);
	return true;
}

/* Deliver queued messages in order until the slot is busy. */
static void vmbh_vp_flush(struct vmbh_synic_vp *vp)
{
	struct vmbh_queued_msg *qm;

	lockdep_assert_held(&vp->lock);
	while ((qm = list_first_entry_or_null(&vp->queue,
					      struct vmbh_queued_msg, node))) {
		bool more = !list_is_singular(&vp->queue);

		if (!vmbh_vp_try_deliver(vp, qm->data, qm->len, more))
			return;
		list_del(&qm->node);
		vp->nr_queued--;
		atomic_dec(&vp->synic->nr_queued);
		kfree(qm);
	}
}

static void vmbh_vp_retry_work(struct work_struct *work)
{
	struct vmbh_synic_vp *vp = container_of(work, struct vmbh_synic_vp,
						retry_work);

	spin_lock_irq(&vp->lock);
	vmbh_vp_flush(vp);
	spin_unlock_irq(&vp->lock);
}

/* The resample eventfd fired: the guest wrote EOM (or EOI). */
static int vmbh_vp_resample_wake(wait_queue_entry_t *wait, unsigned int mode,
				 int sync, void *key)
{
	struct vmbh_synic_vp *vp = container_of(wait, struct vmbh_synic_vp,
						resample_wait);
	__poll_t flags = key_to_poll(key);
	u64 cnt;

	if (flags & EPOLLIN) {
		/* Called with the eventfd's wait queue lock held. */
		eventfd_ctx_do_read(vp->resample, &cnt);
		schedule_work(&vp->retry_work);
	}
	return 0;
}

static void vmbh_vp_resample_queue(struct file *file, wait_queue_head_t *wqh,
				   poll_table *pt)
{
	struct vmbh_synic_vp *vp = container_of(pt, struct vmbh_synic_vp,
						resample_pt);

	vp->resample_wqh = wqh;
	add_wait_queue(wqh, &vp->resample_wait);
}

static void vmbh_vp_resample_detach(struct vmbh_synic_vp *vp)
{
	u64 cnt;

	lockdep_assert_held(&vp->synic->config_lock);
	if (!vp->resample)
		return;
	if (vp->resample_wqh)
		eventfd_ctx_remove_wait_queue(vp->resample, &vp->resample_wait,
					      &cnt);
	eventfd_ctx_put(vp->resample);
	vp->resample = NULL;
	vp->resample_wqh = NULL;
}

/* Poll the resample eventfd @file (whose context is @ctx) from now on. */
static void vmbh_vp_resample_attach(struct vmbh_synic_vp *vp,
				    struct file *file, struct eventfd_ctx *ctx)
{
	lockdep_assert_held(&vp->synic->config_lock);
	vp->resample = ctx;
	init_waitqueue_func_entry(&vp->resample_wait, vmbh_vp_resample_wake);
	init_poll_funcptr(&vp->resample_pt, vmbh_vp_resample_queue);
	vfs_poll(file, &vp->resample_pt);
}

/* Take an eventfd by number: its file and its context, both referenced. */
static int vmbh_eventfd_get(int fd, struct file **file,
			    struct eventfd_ctx **ctx)
{
	*file = fget(fd);
	if (!*file)
		return -EBADF;
	*ctx = eventfd_ctx_fileget(*file);
	if (IS_ERR(*ctx)) {
		fput(*file);
		*file = NULL;
		return PTR_ERR(*ctx);
	}
	return 0;
}

static int vmbh_pin_page(u64 uaddr, struct page **page)
{
	int ret;

	if (!uaddr)
		return 0;
	if (uaddr & (VMBH_SYNIC_PAGE_SIZE - 1))
		return -EINVAL;
	/* Not a user address (GUP would say -EOVERFLOW at the very top). */
	if (uaddr > TASK_SIZE - PAGE_SIZE)
		return -EFAULT;
	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, page);
	if (ret == 1)
		return 0;
	return ret < 0 ? ret : -EFAULT;
}

static void vmbh_unpin_page(struct page *page)
{
	if (page)
		unpin_user_pages_dirty_lock(&page, 1, true);
}

static struct vmbh_synic_vp *vmbh_vp_get_or_create(struct vmbh_synic *synic,
						   u32 vp_index)
{
	struct vmbh_synic_vp *vp;
	int ret;

	lockdep_assert_held(&synic->config_lock);
	vp = xa_load(&synic->vps, vp_index);
	if (vp)
		return vp;
	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return ERR_PTR(-ENOMEM);
	vp->synic = synic;
	vp->vp_index = vp_index;
	spin_lock_init(&vp->lock);
	INIT_LIST_HEAD(&vp->queue);
	INIT_WORK(&vp->retry_work, vmbh_vp_retry_work);
	ret = xa_err(xa_store(&synic->vps, vp_index, vp, GFP_KERNEL_ACCOUNT));
	if (ret) {
		kfree(vp);
		return ERR_PTR(ret);
	}
	return vp;
}

/**
 * vmbh_synic_create() - allocate the SynIC model of one VM
 * @name: the VM's name for log messages; must outlive the model
 *
 * Return: the model, or an ERR_PTR() when out of memory.
 */
struct vmbh_synic *vmbh_synic_create(const char *name)
{
	struct vmbh_synic *synic;

	synic = kzalloc(sizeof(*synic), GFP_KERNEL_ACCOUNT);
	if (!synic)
		return ERR_PTR(-ENOMEM);
	synic->name = name;
	mutex_init(&synic->config_lock);
	xa_init(&synic->vps);
	return synic;
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_create, VMBH_NS);

static void vmbh_vp_drop_queue(struct vmbh_synic_vp *vp)
{
	struct vmbh_queued_msg *qm, *tmp;

	lockdep_assert_held(&vp->lock);
	list_for_each_entry_safe(qm, tmp, &vp->queue, node) {
		list_del(&qm->node);
		kfree(qm);
	}
	atomic_sub(vp->nr_queued, &vp->synic->nr_queued);
	vp->nr_queued = 0;
}

/**
 * vmbh_synic_destroy() - free a SynIC model
 * @synic: the model from vmbh_synic_create(), or NULL
 *
 * Unpins every page, drops queued messages and the eventfds.
 */
void vmbh_synic_destroy(struct vmbh_synic *synic)
{
	struct vmbh_synic_vp *vp;
	unsigned long index;

	if (!synic)
		return;
	xa_for_each(&synic->vps, index, vp) {
		mutex_lock(&synic->config_lock);
		vmbh_vp_resample_detach(vp);
		mutex_unlock(&synic->config_lock);
		cancel_work_sync(&vp->retry_work);
		spin_lock_irq(&vp->lock);
		vmbh_vp_drop_queue(vp);
		spin_unlock_irq(&vp->lock);
		vmbh_unpin_page(vp->simp_page);
		vmbh_unpin_page(vp->siefp_page);
		if (vp->sint)
			eventfd_ctx_put(vp->sint);
		kfree(vp);
	}
	xa_destroy(&synic->vps);
	kfree(synic);
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_destroy, VMBH_NS);

/**
 * vmbh_synic_set_vp() - set (or replace) one VP's SynIC state
 * @synic: the model
 * @vp_index: the VP, below %VMBH_MAX_VPS
 * @cfg: pages (VMM addresses in the calling task's mm) and eventfds
 *
 * Pins the new pages and takes the eventfds first, so a failure leaves
 * the VP as it was.  Queued messages are retried with the new state.
 * Process context, in the VMM's task.
 *
 * Return: 0, -EINVAL (index, alignment, not an eventfd), -EBADF,
 * -EFAULT (page not mapped), -ENOMEM.
 */
int vmbh_synic_set_vp(struct vmbh_synic *synic, u32 vp_index,
		      const struct vmbh_vp_config *cfg)
{
	struct page *simp = NULL, *siefp = NULL, *old_simp, *old_siefp;
	struct eventfd_ctx *sint = NULL, *old_sint, *resample = NULL;
	struct file *resample_file = NULL;
	struct vmbh_synic_vp *vp;
	int ret;

	if (vp_index >= VMBH_MAX_VPS)
		return -EINVAL;
	ret = vmbh_pin_page(cfg->simp_uaddr, &simp);
	if (ret)
		return ret;
	ret = vmbh_pin_page(cfg->siefp_uaddr, &siefp);
	if (ret)
		goto out_unpin;
	if (cfg->sint_fd >= 0) {
		sint = eventfd_ctx_fdget(cfg->sint_fd);
		if (IS_ERR(sint)) {
			ret = PTR_ERR(sint);
			sint = NULL;
			goto out_unpin;
		}
	}
	if (cfg->resample_fd >= 0) {
		ret = vmbh_eventfd_get(cfg->resample_fd, &resample_file,
				       &resample);
		if (ret)
			goto out_put_sint;
	}

	mutex_lock(&synic->config_lock);
	vp = vmbh_vp_get_or_create(synic, vp_index);
	if (IS_ERR(vp)) {
		ret = PTR_ERR(vp);
		mutex_unlock(&synic->config_lock);
		goto out_put_resample;
	}
	/* Nothing fails from here on: the VP's old state is replaced. */
	vmbh_vp_resample_detach(vp);
	if (resample)
		vmbh_vp_resample_attach(vp, resample_file, resample);
	spin_lock_irq(&vp->lock);
	old_simp = vp->simp_page;
	old_siefp = vp->siefp_page;
	old_sint = vp->sint;
	vp->simp_page = simp;
	vp->siefp_page = siefp;
	vp->sint = sint;
	vmbh_vp_flush(vp);
	spin_unlock_irq(&vp->lock);
	mutex_unlock(&synic->config_lock);

	if (resample_file)
		fput(resample_file);
	vmbh_unpin_page(old_simp);
	vmbh_unpin_page(old_siefp);
	if (old_sint)
		eventfd_ctx_put(old_sint);
	return 0;

out_put_resample:
	if (resample) {
		eventfd_ctx_put(resample);
		fput(resample_file);
	}
out_put_sint:
	if (sint)
		eventfd_ctx_put(sint);
out_unpin:
	vmbh_unpin_page(simp);
	vmbh_unpin_page(siefp);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_set_vp, VMBH_NS);

/**
 * vmbh_synic_vp_exists() - did the VMM describe this VP
 * @synic: the model
 * @vp_index: a guest-supplied VP index
 *
 * Return: true when vmbh_synic_set_vp() succeeded for it once.
 */
bool vmbh_synic_vp_exists(struct vmbh_synic *synic, u32 vp_index)
{
	return xa_load(&synic->vps, vp_index);
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_vp_exists, VMBH_NS);

/**
 * vmbh_synic_post() - send a VMBus message to a VP's SINT 2 slot
 * @synic: the model
 * @vp_index: target VP
 * @msg: the VMBus channel message
 * @len: its bytes, 8 to 240
 *
 * Writes the message at once when the slot is free and nothing is queued
 * before it; else queues it (in order) and asks the guest for an EOM.
 * Any context.
 *
 * Return: 0 (delivered or queued); -ENOENT for an unknown VP; -EINVAL for
 * a bad length; -ENOSPC when %VMBH_SYNIC_QUEUE_MAX messages are queued
 * already; -ENOMEM.
 */
int vmbh_synic_post(struct vmbh_synic *synic, u32 vp_index,
		    const void *msg, u32 len)
{
	struct vmbh_queued_msg *qm;
	struct vmbh_synic_vp *vp;
	unsigned long flags;
	int ret = 0;

	if (len < sizeof(struct vmbh_channel_message_header) ||
	    len > VMBH_HV_MESSAGE_PAYLOAD_SIZE)
		return -EINVAL;
	vp = xa_load(&synic->vps, vp_index);
	if (!vp)
		return -ENOENT;
	qm = kmalloc(sizeof(*qm), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!qm)
		return -ENOMEM;
	memcpy(qm->data, msg, len);
	qm->len = len;

	spin_lock_irqsave(&vp->lock, flags);
	if (list_empty(&vp->queue) && vmbh_vp_try_deliver(vp, msg, len, false)) {
		kfree(qm);
	} else if (vp->nr_queued >= VMBH_SYNIC_QUEUE_MAX) {
		kfree(qm);
		ret = -ENOSPC;
	} else {
		list_add_tail(&qm->node, &vp->queue);
		vp->nr_queued++;
		atomic_inc(&synic->nr_queued);
		/* The slot may have been freed since the first attempt. */
		vmbh_vp_flush(vp);
	}
	spin_unlock_irqrestore(&vp->lock, flags);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_post, VMBH_NS);

/**
 * vmbh_synic_signal_event() - set an event flag and raise the SINT
 * @synic: the model
 * @vp_index: target VP
 * @flag: bit in SINT 2's event flags (the channel relid), 1 to 2047
 *
 * The bit is set atomically in the VP's event flags page; the SINT is
 * raised only when the bit was clear (the guest has not seen the earlier
 * signal yet otherwise).  Any context.
 *
 * Return: true when the SINT was raised.
 */
bool vmbh_synic_signal_event(struct vmbh_synic *synic, u32 vp_index,
			     u32 flag)
{
	struct vmbh_synic_vp *vp;
	unsigned long flags, *bits;
	bool raised = false;

	if (!flag || flag >= VMBH_EVENT_FLAGS_PER_SINT)
		return false;
	vp = xa_load(&synic->vps, vp_index);
	if (!vp)
		return false;
	spin_lock_irqsave(&vp->lock, flags);
	if (vp->siefp_page) {
		bits = page_address(vp->siefp_page) + VMBH_SIEFP_VMBUS_OFFSET;
		if (!test_and_set_bit(flag, bits) && vp->sint) {
			vmbh_eventfd_signal(vp->sint);
			raised = true;
		}
	}
	spin_unlock_irqrestore(&vp->lock, flags);
	return raised;
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_signal_event, VMBH_NS);

/**
 * vmbh_synic_queued() - host->guest messages waiting for a slot
 * @synic: the model
 *
 * Return: the number over all VPs.
 */
u32 vmbh_synic_queued(struct vmbh_synic *synic)
{
	return atomic_read(&synic->nr_queued);
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_queued, VMBH_NS);

/**
 * vmbh_synic_drop_queued() - forget every queued message (bus reset)
 * @synic: the model
 */
void vmbh_synic_drop_queued(struct vmbh_synic *synic)
{
	struct vmbh_synic_vp *vp;
	unsigned long index;

	xa_for_each(&synic->vps, index, vp) {
		spin_lock_irq(&vp->lock);
		vmbh_vp_drop_queue(vp);
		spin_unlock_irq(&vp->lock);
	}
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_drop_queued, VMBH_NS);

/**
 * vmbh_synic_msgs_out() - messages written into message slots so far
 * @synic: the model
 *
 * Return: the count.
 */
u64 vmbh_synic_msgs_out(struct vmbh_synic *synic)
{
	return atomic64_read(&synic->msgs_out);
}
EXPORT_SYMBOL_NS_GPL(vmbh_synic_msgs_out, VMBH_NS);

// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor pages (MNF).  A channel offered with monitor_allocated = 1 is
 * signalled by the guest setting bit monitorid in the child->parent
 * monitor page it gave in INITIATE_CONTACT, with no hypercall
 * (vmbus_setevent()); Hyper-V polls that page.  Here a per-VM kthread
 * does, every monitor_poll_us while such a channel is open, and wakes the
 * channels whose bits it takes.  On by default only where this host is
 * itself a VM; elsewhere guests signal every channel with HvSignalEvent,
 * which exits to KVM.
 *
 * When the VMM gave its KVM VM (VMBH_SET_KVM), an idle poller does not
 * poll: it asks KVM to write-track the page and sleeps, and the guest's
 * next bit is a write KVM emulates and reports (track_write), as a
 * hypercall would have been.  The poller then takes the tracking off and
 * polls again, so a busy guest signals without exits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include "vmbus_host.h"
#ifdef VMBH_KVM_WRITE_TRACK
#include <linux/kvm_host.h>
#include <asm/kvm_page_track.h>
#endif

/*
 * The default, -1, lets the host decide: a host that is itself a virtual
 * machine pays its hypervisor for every exit of our guests, so there the
 * poller is the cheaper way to hear them (bench.rst); on bare metal an
 * exit is cheap and the hypercall has the lower latency.
 */
static int monitor_poll_us = -1;
module_param(monitor_poll_us, int, 0644);
MODULE_PARM_DESC(monitor_poll_us,
		 "Offer channels with monitor pages, polled every this many us (20-10000); 0: no monitor pages, guests signal with hypercalls; -1, the default: 100 on a host that is itself a virtual machine, else 0. Offers follow a change at the guest's next connect, a poller's period at once");

#define VMBH_MONITOR_NESTED_US	100
#define VMBH_MONITOR_MIN_US	20U
#define VMBH_MONITOR_MAX_US	10000U

/* The poller's period in ns for @us, kept within the bounds. */
static u64 vmbh_monitor_ns(unsigned int us)
{
	return (u64)clamp(us, VMBH_MONITOR_MIN_US, VMBH_MONITOR_MAX_US) *
		NSEC_PER_USEC;
}

/* The period for the next connect, 0 for none. */
static unsigned int vmbh_monitor_poll_us(void)
{
	int us = READ_ONCE(monitor_poll_us);

	if (us >= 0)
		return us;
#ifdef CONFIG_X86
	if (boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return VMBH_MONITOR_NESTED_US;
#endif
	return 0;
}

/*
 * The poller's period now: monitor_poll_us where it gives one, so that a
 * running guest's period can be tuned; with 0 or -1 the connect's (the
 * channels offered with monitor ids still need their poller).
 */
static u64 vmbh_monitor_period(const struct vmbh_monitor *mon)
{
	int us = READ_ONCE(monitor_poll_us);

	if (us <= 0)
		return READ_ONCE(mon->period);
	return vmbh_monitor_ns(us);
}

/*
 * Idle: after this many scans in a row found no bit, the poller sleeps
 * until a bit turns up or the host interrupts the guest on a monitored
 * channel (the guest's answer is then due): woken by KVM's write
 * tracking where it has it, else scanning every VMBH_MONITOR_IDLE_NS,
 * which a guest starting on its own then waits for.
 */
#define VMBH_MONITOR_IDLE_SCANS	16
#define VMBH_MONITOR_IDLE_NS	(4 * NSEC_PER_MSEC)

#define VMBH_MONITOR_NO_GFN	U64_MAX

/* trigger_group[g].pending: the u32 at byte 8 + 8 * g of the page. */
#define VMBH_MONITOR_PENDING(page, g) \
	((u32 *)((u8 *)page_address(page) + 8 + 8 * (g)))

/*
 * Take the pending bits and wake their channels; the poller and KVM's
 * write notifier both may.  Return: whether any bit was set.
 */
static bool vmbh_monitor_scan(struct vmbh_monitor *mon)
{
	unsigned long bits, flags;
	bool found = false;
	u32 g, b;

	spin_lock_irqsave(&mon->lock, flags);
	for (g = 0; mon->page && g < VMBH_MONITOR_IDS / 32; g++) {
		u32 *pending = VMBH_MONITOR_PENDING(mon->page, g);

		/* A plain read first: the guest's page stays clean. */
		if (!READ_ONCE(*pending))
			continue;
		bits = xchg(pending, 0);
		found = true;
		for_each_set_bit(b, &bits, 32) {
			struct vmbh_channel *chan = mon->chans[g * 32 + b];

			if (chan) {
				atomic64_inc(&chan->stats.kicks);
				vmbh_chan_wake(chan);
			}
		}
	}
	spin_unlock_irqrestore(&mon->lock, flags);
	return found;
}

#ifdef VMBH_KVM_WRITE_TRACK
/*
 * The VM's KVM side.  @tracked_gfn is the frame we added a write-track
 * count to, changed only under kvm->slots_lock: KVM holds it when it
 * deletes a memslot, and the count goes with the slot
 * (vmbh_monitor_track_remove_region()), so it is never taken twice.
 */
struct vmbh_monitor_kvm {
	struct kvm_page_track_notifier_node node;
	struct kvm *kvm;
	struct vmbh_monitor *mon;
	u64 tracked_gfn;
};

/* KVM emulated a guest write to a write-tracked page; vCPU context. */
static void vmbh_monitor_track_write(gpa_t gpa, const u8 *new, int bytes,
				     struct kvm_page_track_notifier_node *node)
{
	struct vmbh_monitor_kvm *mk = container_of(node, typeof(*mk), node);
	struct vmbh_monitor *mon = mk->mon;

	if (gpa >> VMBH_GPA_PAGE_SHIFT != READ_ONCE(mon->gfn))
		return;
	vmbh_monitor_scan(mon);
	/* The guest is busy again: the poller takes the tracking off. */
	WRITE_ONCE(mon->written, true);
	if (mon->thread)
		wake_up_process(mon->thread);
}

/* A memslot goes, with its write-track counts; kvm->slots_lock held. */
static void vmbh_monitor_track_remove_region(gfn_t gfn, unsigned long nr,
					     struct kvm_page_track_notifier_node *node)
{
	struct vmbh_monitor_kvm *mk = container_of(node, typeof(*mk), node);
	u64 t = mk->tracked_gfn;

	if (t == VMBH_MONITOR_NO_GFN || t < gfn || t - gfn >= nr)
		return;
	WRITE_ONCE(mk->tracked_gfn, VMBH_MONITOR_NO_GFN);
	/* Guest writes no longer exit: an idle poller must look again. */
	if (mk->mon->thread)
		wake_up_process(mk->mon->thread);
}

/* Have KVM report guest writes to the page.  Return: it does now. */
static bool vmbh_monitor_track(struct vmbh_monitor *mon)
{
	struct vmbh_monitor_kvm *mk = READ_ONCE(mon->kvm);
	u64 gfn;

	if (!mk)
		return false;
	mutex_lock(&mk->kvm->slots_lock);
	gfn = READ_ONCE(mon->gfn);
	if (mk->tracked_gfn == VMBH_MONITOR_NO_GFN &&
	    gfn != VMBH_MONITOR_NO_GFN &&
	    !kvm_write_track_add_gfn(mk->kvm, gfn))
		WRITE_ONCE(mk->tracked_gfn, gfn);
	mutex_unlock(&mk->kvm->slots_lock);
	return READ_ONCE(mk->tracked_gfn) != VMBH_MONITOR_NO_GFN;
}

static void vmbh_monitor_untrack(struct vmbh_monitor *mon)
{
	struct vmbh_monitor_kvm *mk = READ_ONCE(mon->kvm);

	if (!mk || READ_ONCE(mk->tracked_gfn) == VMBH_MONITOR_NO_GFN)
		return;
	mutex_lock(&mk->kvm->slots_lock);
	if (mk->tracked_gfn != VMBH_MONITOR_NO_GFN)
		kvm_write_track_remove_gfn(mk->kvm, mk->tracked_gfn);
	WRITE_ONCE(mk->tracked_gfn, VMBH_MONITOR_NO_GFN);
	mutex_unlock(&mk->kvm->slots_lock);
}

static bool vmbh_monitor_tracked(struct vmbh_monitor *mon)
{
	struct vmbh_monitor_kvm *mk = READ_ONCE(mon->kvm);

	return mk && READ_ONCE(mk->tracked_gfn) != VMBH_MONITOR_NO_GFN;
}

/**
 * vmbh_monitor_set_kvm() - VMBH_SET_KVM: the guest's KVM VM
 * @vm: the VM, from its VMM's ioctl
 * @fd: the VMM's KVM VM file descriptor
 *
 * Return: 0; -EBADF, -EINVAL (not a KVM VM of this process), -EBUSY
 * (given before), -ENOMEM.
 */
int vmbh_monitor_set_kvm(struct vmbh_vm *vm, int fd)
{
	struct vmbh_monitor_kvm *mk;
	struct file *file;
	int ret;

	file = fget(fd);
	if (!file)
		return -EBADF;
	ret = -EINVAL;
	if (!file_is_kvm(file))
		goto out_fput;
	ret = -ENOMEM;
	mk = kzalloc(sizeof(*mk), GFP_KERNEL_ACCOUNT);
	if (!mk)
		goto out_fput;
	mk->node.track_write = vmbh_monitor_track_write;
	mk->node.track_remove_region = vmbh_monitor_track_remove_region;
	mk->kvm = file->private_data;
	mk->mon = &vm->monitor;
	mk->tracked_gfn = VMBH_MONITOR_NO_GFN;
	mutex_lock(&vm->lock);
	if (vm->monitor.kvm) {
		ret = -EBUSY;
	} else {
		/* Takes a reference on the VM; -ESRCH from another mm. */
		ret = kvm_page_track_register_notifier(mk->kvm, &mk->node);
		if (!ret)
			WRITE_ONCE(vm->monitor.kvm, mk);
		else if (ret == -ESRCH)
			ret = -EINVAL;
	}
	mutex_unlock(&vm->lock);
	if (ret)
		kfree(mk);
out_fput:
	fput(file);
	return ret;
}

static void vmbh_monitor_put_kvm(struct vmbh_monitor *mon)
{
	if (!mon->kvm)
		return;
	vmbh_monitor_untrack(mon);
	kvm_page_track_unregister_notifier(mon->kvm->kvm, &mon->kvm->node);
	kfree(mon->kvm);
	mon->kvm = NULL;
}
#else
static bool vmbh_monitor_track(struct vmbh_monitor *mon)
{
	return false;
}

static void vmbh_monitor_untrack(struct vmbh_monitor *mon)
{
}

static bool vmbh_monitor_tracked(struct vmbh_monitor *mon)
{
	return false;
}

int vmbh_monitor_set_kvm(struct vmbh_vm *vm, int fd)
{
	return -EOPNOTSUPP;
}

static void vmbh_monitor_put_kvm(struct vmbh_monitor *mon)
{
}
#endif

static int vmbh_monitor_thread(void *data)
{
	struct vmbh_vm *vm = data;
	struct vmbh_monitor *mon = &vm->monitor;
	unsigned int empty = 0;
	ktime_t t;

	for (;;) {
		if (!READ_ONCE(mon->nr_open))
			vmbh_monitor_untrack(mon);
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!READ_ONCE(mon->nr_open)) {
			schedule();
			continue;
		}
		t = vmbh_monitor_period(mon);
		if (empty >= VMBH_MONITOR_IDLE_SCANS) {
			WRITE_ONCE(mon->idle, true);
			/* Pairs with vmbh_monitor_boost(): no boost is missed. */
			smp_mb();
			if (READ_ONCE(mon->written))
				t = 0;
			else if (READ_ONCE(mon->boost))
				t = vmbh_monitor_period(mon);
			else if (vmbh_monitor_tracked(mon))
				t = KTIME_MAX;
			else
				t = VMBH_MONITOR_IDLE_NS;
		}
		if (t == KTIME_MAX)
			schedule();
		else if (t)
			schedule_hrtimeout_range(&t, t / 4, HRTIMER_MODE_REL);
		else
			__set_current_state(TASK_RUNNING);
		if (READ_ONCE(mon->idle) || READ_ONCE(mon->boost)) {
			WRITE_ONCE(mon->idle, false);
			if (xchg(&mon->boost, false))
				empty = 0;
		}
		if (xchg(&mon->written, false))
			empty = 0;
		if (vmbh_monitor_scan(mon))
			empty = 0;
		else if (empty < VMBH_MONITOR_IDLE_SCANS)
			empty++;
		if (empty < VMBH_MONITOR_IDLE_SCANS) {
			vmbh_monitor_untrack(mon);
		} else if (!vmbh_monitor_tracked(mon) &&
			   vmbh_monitor_track(mon)) {
			/* A bit set before KVM write-protected the page. */
			if (vmbh_monitor_scan(mon))
				empty = 0;
		}
	}
	return 0;
}

/**
 * vmbh_monitor_boost() - the host interrupted the guest on a channel
 * @chan: the channel
 *
 * The guest's answer will come through the monitor page: an idle poller
 * goes back to its short period.  Any context.
 */
void vmbh_monitor_boost(struct vmbh_channel *chan)
{
	struct vmbh_monitor *mon = &chan->dev->vm->monitor;

	if (chan->monitor_id < 0 || READ_ONCE(mon->boost))
		return;
	WRITE_ONCE(mon->boost, true);
	/* Pairs with the poller's barrier after it set idle. */
	smp_mb();
	if (READ_ONCE(mon->idle) && mon->thread)
		wake_up_process(mon->thread);
}

/**
 * vmbh_monitor_init() - a new VM's monitor state, unused
 * @vm: the VM
 */
void vmbh_monitor_init(struct vmbh_vm *vm)
{
	spin_lock_init(&vm->monitor.lock);
	vm->monitor.gfn = VMBH_MONITOR_NO_GFN;
}

/**
 * vmbh_monitor_connect() - INITIATE_CONTACT gave monitor pages
 * @vm: the VM, connecting (lock held), in the VMM's post ioctl
 * @gpa: the child->parent monitor page
 *
 * With a poll period (monitor_poll_us, or its default for this host),
 * pins the page and starts the poller, so that
 * channels are offered with monitor ids from now on.  Without, or on any
 * failure, channels are offered without (the guest then uses hypercalls).
 */
void vmbh_monitor_connect(struct vmbh_vm *vm, u64 gpa)
{
	struct vmbh_monitor *mon = &vm->monitor;
	unsigned int us = vmbh_monitor_poll_us();
	struct task_struct *t;
	struct page *page;
	u64 pfn = gpa >> VMBH_GPA_PAGE_SHIFT;

	lockdep_assert_held(&vm->lock);
	if (!us || gpa & (VMBH_GPA_PAGE_SIZE - 1) ||
	    vmbh_pin_pfns(vm, &pfn, 1, FOLL_WRITE | FOLL_LONGTERM, &page))
		return;
	if (!mon->thread) {
		t = vmbh_kthread_create(vmbh_monitor_thread, vm, "vmbh-%s-mon",
					vm->name);
		if (IS_ERR(t)) {
			unpin_user_page(page);
			return;
		}
		get_task_struct(t);
		mon->thread = t;
		wake_up_process(t);
	}
	spin_lock_irq(&mon->lock);
	mon->page = page;
	mon->gfn = pfn;
	WRITE_ONCE(mon->period, vmbh_monitor_ns(us));
	spin_unlock_irq(&mon->lock);
}

/**
 * vmbh_monitor_disconnect() - bus reset: forget the monitor page
 * @vm: the VM (lock held); every channel is closed
 */
void vmbh_monitor_disconnect(struct vmbh_vm *vm)
{
	struct vmbh_monitor *mon = &vm->monitor;
	struct page *page;

	spin_lock_irq(&mon->lock);
	page = mon->page;
	mon->page = NULL;
	WRITE_ONCE(mon->gfn, VMBH_MONITOR_NO_GFN);
	spin_unlock_irq(&mon->lock);
	vmbh_monitor_untrack(mon);
	if (page)
		unpin_user_pages_dirty_lock(&page, 1, true);
}

/**
 * vmbh_monitor_destroy() - the VM goes away
 * @vm: the VM, every channel closed
 */
void vmbh_monitor_destroy(struct vmbh_vm *vm)
{
	struct vmbh_monitor *mon = &vm->monitor;

	vmbh_monitor_disconnect(vm);
	if (mon->thread)
		kthread_stop(mon->thread);
	/* KVM's notifiers may still wake the stopped thread until here. */
	vmbh_monitor_put_kvm(mon);
	if (mon->thread) {
		put_task_struct(mon->thread);
		mon->thread = NULL;
	}
}

/**
 * vmbh_monitor_id() - the monitor id to offer a channel with
 * @vm: the VM (lock held)
 * @relid: the channel's relid
 *
 * Return: an id below %VMBH_MONITOR_IDS, or -1 for an offer without.
 */
int vmbh_monitor_id(struct vmbh_vm *vm, u32 relid)
{
	lockdep_assert_held(&vm->lock);
	if (!vm->monitor.page || !relid || relid > VMBH_MONITOR_IDS)
		return -1;
	return relid - 1;
}

/**
 * vmbh_monitor_open() - an open channel with a monitor id is polled
 * @chan: the channel, open
 */
void vmbh_monitor_open(struct vmbh_channel *chan)
{
	struct vmbh_monitor *mon = &chan->dev->vm->monitor;

	if (chan->monitor_id < 0)
		return;
	spin_lock_irq(&mon->lock);
	mon->chans[chan->monitor_id] = chan;
	WRITE_ONCE(mon->nr_open, mon->nr_open + 1);
	spin_unlock_irq(&mon->lock);
	if (mon->thread)
		wake_up_process(mon->thread);
}

/**
 * vmbh_monitor_close() - stop polling for a channel
 * @chan: the channel, closing; the poller wakes it no more on return
 */
void vmbh_monitor_close(struct vmbh_channel *chan)
{
	struct vmbh_monitor *mon = &chan->dev->vm->monitor;

	if (chan->monitor_id < 0)
		return;
	spin_lock_irq(&mon->lock);
	if (mon->chans[chan->monitor_id] == chan) {
		mon->chans[chan->monitor_id] = NULL;
		WRITE_ONCE(mon->nr_open, mon->nr_open - 1);
	}
	spin_unlock_irq(&mon->lock);
}

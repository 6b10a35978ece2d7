// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor pages (MNF).  A channel offered with monitor_allocated = 1 is
 * signalled by the guest setting bit monitorid in the child->parent
 * monitor page it gave in INITIATE_CONTACT, with no hypercall
 * (vmbus_setevent()); Hyper-V polls that page.  Here a per-VM kthread
 * does, every monitor_poll_us while such a channel is open, and wakes the
 * channels whose bits it takes.  Off by default: guests then signal every
 * channel with HvSignalEvent, which exits to KVM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include "vmbus_host.h"

static unsigned int monitor_poll_us;
module_param(monitor_poll_us, uint, 0644);
MODULE_PARM_DESC(monitor_poll_us,
		 "Offer channels with monitor pages, polled every this many us (20-10000; 0, the default: no monitor pages, guests signal with hypercalls)");

/*
 * Idle: after this many scans in a row found no bit, the poller sleeps
 * VMBH_MONITOR_IDLE_NS between scans until a bit turns up or the host
 * interrupts the guest on a monitored channel (the guest's answer is
 * then due).  A guest starting on its own waits up to that long.
 */
#define VMBH_MONITOR_IDLE_SCANS	16
#define VMBH_MONITOR_IDLE_NS	(4 * NSEC_PER_MSEC)

/* trigger_group[g].pending: the u32 at byte 8 + 8 * g of the page. */
#define VMBH_MONITOR_PENDING(page, g) \
	((u32 *)((u8 *)page_address(page) + 8 + 8 * (g)))

static int vmbh_monitor_thread(void *data)
{
	struct vmbh_vm *vm = data;
	struct vmbh_monitor *mon = &vm->monitor;
	unsigned int empty = 0;
	unsigned long bits;
	bool found;
	ktime_t t;
	u32 g, b;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!READ_ONCE(mon->nr_open)) {
			schedule();
			continue;
		}
		if (empty >= VMBH_MONITOR_IDLE_SCANS) {
			WRITE_ONCE(mon->idle, true);
			/* Pairs with vmbh_monitor_boost(): no boost is missed. */
			smp_mb();
			if (READ_ONCE(mon->boost))
				t = mon->period;
			else
				t = VMBH_MONITOR_IDLE_NS;
		} else {
			t = mon->period;
		}
		schedule_hrtimeout_range(&t, t / 4, HRTIMER_MODE_REL);
		if (READ_ONCE(mon->idle) || READ_ONCE(mon->boost)) {
			WRITE_ONCE(mon->idle, false);
			if (xchg(&mon->boost, false))
				empty = 0;
		}
		found = false;
		spin_lock_irq(&mon->lock);
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
		spin_unlock_irq(&mon->lock);
		if (found)
			empty = 0;
		else if (empty < VMBH_MONITOR_IDLE_SCANS)
			empty++;
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
}

/**
 * vmbh_monitor_connect() - INITIATE_CONTACT gave monitor pages
 * @vm: the VM, connecting (lock held), in the VMM's post ioctl
 * @gpa: the child->parent monitor page
 *
 * With monitor_poll_us set, pins the page and starts the poller, so that
 * channels are offered with monitor ids from now on.  Without, or on any
 * failure, channels are offered without (the guest then uses hypercalls).
 */
void vmbh_monitor_connect(struct vmbh_vm *vm, u64 gpa)
{
	struct vmbh_monitor *mon = &vm->monitor;
	unsigned int us = READ_ONCE(monitor_poll_us);
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
	mon->period = clamp(us, 20U, 10000U) * NSEC_PER_USEC;
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
	spin_unlock_irq(&mon->lock);
	if (page)
		unpin_user_pages_dirty_lock(&page, 1, true);
}

/**
 * vmbh_monitor_destroy() - the VM goes away
 * @vm: the VM, every channel closed
 */
void vmbh_monitor_destroy(struct vmbh_vm *vm)
{
	vmbh_monitor_disconnect(vm);
	if (vm->monitor.thread) {
		kthread_stop(vm->monitor.thread);
		put_task_struct(vm->monitor.thread);
		vm->monitor.thread = NULL;
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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared inside vmbus_host.ko: the VM object behind one open
 * /dev/vmbus-host file, its devices, channels and GPADLs.
 */
#ifndef _VMBH_VMBUS_HOST_H
#define _VMBH_VMBUS_HOST_H

#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <vmbh/channel.h>
#include <vmbh/hypercall.h>
#include "ring_check.h"

/* Per-VM limits (uapi.rst, "Limits"). */
#define VMBH_MAX_DEVICES	256
#define VMBH_MAX_GPADLS		1024
#define VMBH_MAX_GPADLS_BUILDING 64
#define VMBH_MAX_PINNED_PAGES	262144	/* 1 GiB of 4 KiB pages */
/* Queued host->guest messages beyond which HvPostMessage is refused. */
#define VMBH_MSG_BACKLOG	64

/* The memory table, replaced whole under RCU. */
struct vmbh_memtable {
	struct rcu_head rcu;
	u32 nr;
	struct vmbh_mem_region regions[];
};

/* A guest physical address descriptor list. */
struct vmbh_gpadl {
	struct kref ref;		/* the VM's list holds one while linked */
	struct vmbh_vm *vm;
	struct list_head node;		/* in vm->gpadls, under vm->gpadl_lock */
	u32 id;
	u32 relid;			/* owning channel */
	struct vmbh_device *dev;	/* owning device */
	u16 rangecount;
	u32 nr_entries;			/* u64 words: range headers and PFNs */
	u32 received;			/* words received so far */
	u64 *entries;
	bool complete;
	bool linked;			/* findable by id; under gpadl_lock */
	bool reply_torndown;		/* send GPADL_TORNDOWN at release */
	u32 epoch;			/* vm->epoch when created */
	u32 nr_pages;
	struct page **pages;		/* pinned when complete */
	void *vaddr;			/* vmap() of @pages */
};

enum vmbh_chan_flag_bits {
	VMBH_CHAN_F_WAKE,			/* worker has work */
	VMBH_CHAN_F_FAILED,		/* guest broke the ring protocol */
};

/* One queue of a device; exists as long as its device. */
struct vmbh_channel {
	struct vmbh_device *dev;
	u32 queue;
	u32 conn_id;
	struct file *kick_file;
	struct eventfd_ctx *kick;
	void *priv;

	/* Control state, under vm->lock. */
	u32 relid;			/* 0 when not offered */
	int monitor_id;			/* offered with, or -1 */
	bool rescinded;
	bool open;
	struct vmbh_gpadl *ring_gpadl;	/* referenced while open */

	/* Ring state, set at open; @send_lock protects the out ring. */
	spinlock_t send_lock;
	bool can_send;			/* under send_lock */
	u32 target_vp;			/* under send_lock */
	struct vmbh_ring_header *in_hdr;	/* guest -> host */
	u8 *in_data;
	u32 in_size;
	u32 in_read;			/* authoritative read index (worker) */
	struct vmbh_ring_header *out_hdr;	/* host -> guest */
	u8 *out_data;
	u32 out_size;
	u32 out_write;			/* authoritative write index */
	u8 *rxbuf;			/* class max_pkt_size bytes */
	/*
	 * Signal batching while the worker runs ops->handle(): packets the
	 * worker itself writes raise one interrupt at the end, or every
	 * VMBH_CHAN_SIGNAL_BATCH packets (under send_lock).
	 */
	bool batching;
	u32 batched;
	u32 recv_left;			/* packets this handle run may take */

	/* Worker. */
	unsigned long flags;		/* enum vmbh_chan_flag_bits */
	spinlock_t wake_lock;		/* protects @worker against stop */
	struct task_struct *worker;
	wait_queue_entry_t kick_wait;
	wait_queue_head_t *kick_wqh;
	poll_table kick_pt;

	struct {
		atomic64_t kicks, interrupts, in_packets, in_bytes;
		atomic64_t out_packets, out_bytes, ring_full, errors;
	} stats;
};

/* A device the VMM added; its channels live in @chans. */
struct vmbh_device {
	struct vmbh_vm *vm;
	struct list_head node;		/* vm->devices or vm->zombies */
	struct vmbh_class *cls;
	u32 id;
	bool removed;			/* rescinded: waits for relid release */
	bool probed;			/* ops->remove still owed */
	u8 instance[16];
	union vmbh_class_params params;
	void *priv;
	char name[40];
	u32 subchan_wanted;		/* under vm->lock */
	u32 nr_queues;
	struct vmbh_channel chans[];
};

enum vmbh_vm_state {
	VMBH_VM_DISCONNECTED = VMBH_BUS_DISCONNECTED,
	VMBH_VM_CONNECTED = VMBH_BUS_CONNECTED,
	VMBH_VM_OFFERS_SENT = VMBH_BUS_OFFERS_SENT,
};

#define VMBH_MONITOR_IDS	128	/* 4 trigger groups of 32 */

struct vmbh_monitor_kvm;

/* Monitor page polling (monitor.c). */
struct vmbh_monitor {
	spinlock_t lock;		/* @page, @gfn, @chans, @nr_open */
	struct page *page;		/* child->parent page, pinned */
	u64 gfn;			/* its frame, or U64_MAX */
	u64 period;			/* ns */
	unsigned int nr_open;		/* read unlocked by the poller */
	bool idle;			/* the poller sleeps long */
	bool boost;			/* a guest answer is due */
	bool written;			/* KVM saw the guest write the page */
	struct vmbh_channel *chans[VMBH_MONITOR_IDS];
	struct task_struct *thread;	/* under vm->lock */
	struct vmbh_monitor_kvm *kvm;	/* VMBH_SET_KVM, under vm->lock */
};

/* One VM's bus: created by open(), freed by the last reference. */
struct vmbh_vm {
	struct kref ref;		/* the file and every GPADL */
	char name[24];
	struct mm_struct *mm;		/* bound at the first ioctl, mmgrab'ed */
	struct vmbh_synic *synic;
	struct vmbh_memtable __rcu *memtable;	/* updated under @lock */

	/* Protects the control state below and device/channel state. */
	struct mutex lock;
	enum vmbh_vm_state state;
	u32 version;
	u32 target_vp;
	bool dying;
	struct list_head devices;	/* live devices */
	struct list_head zombies;	/* removed, relids not yet released */
	u32 nr_devices;
	u32 next_dev_id;
	struct vmbh_channel *relids[VMBH_MAX_RELID + 1];
	u32 nr_relids;
	u64 msgs_in;
	struct work_struct subchan_work;	/* sends requested subchannels */

	/* Protects the GPADL list and each GPADL's linked/reply state. */
	spinlock_t gpadl_lock;
	struct list_head gpadls;
	u32 nr_gpadls;
	u32 nr_building;
	u32 epoch;			/* bumped by every bus reset */
	atomic_t pinned_pages;

	struct vmbh_monitor monitor;
	struct ratelimit_state rs;	/* guest-triggered messages */
};

#define vmbh_vm_warn(vm, fmt, ...)					\
	do {								\
		struct vmbh_vm *__vm = (vm);				\
									\
		if (__ratelimit(&__vm->rs))				\
			pr_warn("%s: " fmt, __vm->name, ##__VA_ARGS__);	\
	} while (0)

extern const struct file_operations vmbh_fops;

/* monitor.c */
void vmbh_monitor_init(struct vmbh_vm *vm);
void vmbh_monitor_connect(struct vmbh_vm *vm, u64 gpa);
void vmbh_monitor_disconnect(struct vmbh_vm *vm);
void vmbh_monitor_destroy(struct vmbh_vm *vm);
int vmbh_monitor_id(struct vmbh_vm *vm, u32 relid);
void vmbh_monitor_open(struct vmbh_channel *chan);
void vmbh_monitor_close(struct vmbh_channel *chan);
void vmbh_monitor_boost(struct vmbh_channel *chan);
int vmbh_monitor_set_kvm(struct vmbh_vm *vm, int fd);

/* class.c */
struct vmbh_class *vmbh_class_get(u32 id);
void vmbh_class_put(struct vmbh_class *cls);

/* vm.c */
void vmbh_vm_put(struct vmbh_vm *vm);
int vmbh_gpa_to_uaddr(struct vmbh_vm *vm, u64 gpa, u64 len, u64 *uaddr);
__printf(3, 4)
struct task_struct *vmbh_kthread_create(int (*fn)(void *), void *data,
					const char *fmt, ...);

/* control.c */
u16 vmbh_control_post(struct vmbh_vm *vm, u32 conn_id, const void *msg,
		      u32 len);
void vmbh_control_send(struct vmbh_vm *vm, const void *msg, u32 len);
void vmbh_bus_reset(struct vmbh_vm *vm);
void vmbh_offer_channel(struct vmbh_channel *chan);
void vmbh_subchan_work(struct work_struct *work);

/* gpadl.c */
void vmbh_gpadl_header(struct vmbh_vm *vm, const void *msg, u32 len);
void vmbh_gpadl_body(struct vmbh_vm *vm, const void *msg, u32 len);
void vmbh_gpadl_teardown(struct vmbh_vm *vm, const void *msg, u32 len);
struct vmbh_gpadl *vmbh_gpadl_find_get(struct vmbh_vm *vm, u32 id);
void vmbh_gpadl_release_ref(struct vmbh_gpadl *gpadl);
void vmbh_gpadls_drop_relid(struct vmbh_vm *vm, u32 relid);
void vmbh_gpadls_drop_all(struct vmbh_vm *vm);
int vmbh_pin_pfns(struct vmbh_vm *vm, const u64 *pfns, u32 nr,
		  unsigned int gup_flags, struct page **pages);

/* channel.c */
int vmbh_chan_open(struct vmbh_channel *chan,
		   const struct vmbh_msg_open_channel *msg);
void vmbh_chan_close(struct vmbh_channel *chan);
void vmbh_chan_set_target(struct vmbh_channel *chan, u32 vp);
void vmbh_chan_stats(struct vmbh_channel *chan, struct vmbh_channel_stats *st);

/* device.c */
int vmbh_device_add(struct vmbh_vm *vm, struct vmbh_add_device *arg);
int vmbh_device_remove(struct vmbh_vm *vm, u32 dev_id);
struct vmbh_device *vmbh_device_find(struct vmbh_vm *vm, u32 dev_id);
void vmbh_device_destroy(struct vmbh_device *dev);
void vmbh_device_relid_released(struct vmbh_device *dev);

/* test_class.c */
int vmbh_test_class_register(void);
void vmbh_test_class_unregister(void);

#endif /* _VMBH_VMBUS_HOST_H */

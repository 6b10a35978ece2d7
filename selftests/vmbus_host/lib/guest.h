/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace test guest: one /dev/vmbus-host fd whose process plays both
 * the VMM (its memory is guest RAM, its eventfds are the SINT irqfds, their
 * resample fds and the channel kicks) and the guest (it posts control
 * messages and reads replies from its own SynIC pages).
 */
#ifndef _VMBH_TEST_GUEST_H
#define _VMBH_TEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vmbus_host.h>

#include "kvm.h"
#include "mem.h"
#include "proto.h"
#include "ring.h"
#include "synic.h"

#define TG_MAX_VPS		4
#define TG_MAX_OFFERS		256
#define TG_MSGQ_LEN		1024
#define TG_MAX_QUEUES		16
#define TG_GUEST_GPA		0x100000000ull	/* guest RAM starts at 4 GiB */
#define TG_DEFAULT_MEM		(64ul << 20)
#define TG_TIMEOUT_MS		5000
#define TG_QUIET_MS		200		/* "no reply" means none in this */
#define TG_BAD_STATUS		0xFFFFFFFFu	/* the ioctl itself failed */

/* Per-VP SynIC state the "VMM" hands to the module. */
struct tg_vp {
	void *simp;		/* 4 KiB, outside guest RAM, like QEMU's overlay */
	void *siefp;
	int sint_fd;		/* the module signals it: SINT2 on this VP */
	int eom_fd;		/* the test signals it: the guest wrote EOM */
	uint64_t sints;		/* SINT signals consumed */
	uint64_t eoms;		/* EOMs written */
};

struct tg_vm {
	int fd;
	struct tg_mem mem;
	int nr_vps;
	struct tg_vp vp[TG_MAX_VPS];
	uint32_t version;
	uint32_t msg_conn_id;	/* where control messages go after contact */
	uint32_t next_gpadl;
	uint32_t next_conn_id;
	/* control messages taken from the slots, not yet consumed */
	struct tg_hv_msg *q;
	unsigned int q_head, q_len;
	uint64_t msgs_seen;
	/* channel interrupts seen in the SIEFP pages, by relid */
	uint8_t chan_event[TG_SIEFP_BITS];
	uint64_t chan_events;
	/*
	 * Monitor pages given in INITIATE_CONTACT when set (guest RAM, by
	 * tg_monitor_pages()); channels offered with a monitor id are then
	 * signalled through mon[1] as Linux does (vmbus_setevent()).
	 */
	uint8_t *mon[2];
	/* when set, those bits are set by a KVM vCPU (VMBH_SET_KVM tests) */
	struct tg_kvm *kvm;
	/* offers received since the last tg_forget_offers() */
	struct tg_offer offers[TG_MAX_OFFERS];
	int nr_offers;
};

/* A device the "VMM" added: its queues' connection ids and kick fds. */
struct tg_dev {
	uint32_t dev_id;
	uint32_t class_id;
	uint8_t instance[16];
	uint32_t nr_queues;
	struct vmbh_queue q[TG_MAX_QUEUES];
};

/* One open channel of the guest. */
struct tg_chan {
	struct tg_vm *vm;
	uint32_t relid;
	uint32_t conn_id;
	int kick_fd;
	uint32_t target_vp;
	uint32_t gpadl;
	void *ring_mem;
	uint32_t ring_pages;	/* both rings, headers included */
	uint32_t send_pages;	/* guest->host ring, header included */
	struct tg_ring out;	/* guest -> host */
	struct tg_ring in;	/* host -> guest */
	uint64_t kicks;
	int monitor_id;		/* offered with, or -1: kicks are eventfd writes */
	uint8_t *rxbuf;
	uint32_t rxbuf_len;
};

/* ---- VMM side: the fd and its ioctls ---- */

int tg_vm_create(struct tg_vm *vm, int nr_vps, size_t mem_bytes);
void tg_vm_destroy(struct tg_vm *vm);
int tg_vm_set_mem(struct tg_vm *vm);
int tg_vm_set_vp(struct tg_vm *vm, int vp, uint32_t flags);
int tg_ioctl(int fd, unsigned long req, void *arg);

/* HvPostMessage: returns the Hyper-V status, TG_BAD_STATUS if the ioctl failed. */
uint32_t tg_post(struct tg_vm *vm, uint32_t conn_id, uint32_t msg_type,
		 const void *payload, uint32_t size);
/* A VMBus control message to the negotiated connection id. */
uint32_t tg_send(struct tg_vm *vm, const void *msg, uint32_t size);

int tg_dev_add(struct tg_vm *vm, struct tg_dev *dev, uint32_t class_id,
	       uint32_t nr_queues, uint8_t instance_seed);
/* tg_dev_add() with class parameters (WWPN, tap fd and MAC...). */
int tg_dev_add_params(struct tg_vm *vm, struct tg_dev *dev, uint32_t class_id,
		      uint32_t nr_queues, uint8_t instance_seed,
		      const union vmbh_class_params *params);
int tg_dev_remove(struct tg_vm *vm, struct tg_dev *dev);
void tg_dev_close_fds(struct tg_dev *dev);
int tg_reset(struct tg_vm *vm);
int tg_bus_info(struct tg_vm *vm, struct vmbh_bus_info *info);
int tg_chan_stats(struct tg_vm *vm, const struct tg_dev *dev, uint32_t queue,
		  struct vmbh_channel_stats *st);

/* ---- guest side: SynIC ---- */

/*
 * Take every message and event flag the module delivered; wait up to
 * @timeout_ms for the next SINT when nothing new was found. Returns the
 * number of new messages + events.
 */
int tg_pump(struct tg_vm *vm, int timeout_ms);

/*
 * Wait for the next control message of @msgtype (others stay queued) and
 * copy up to @len bytes of it. Returns its payload size or -ETIMEDOUT.
 */
int tg_wait_msg(struct tg_vm *vm, uint32_t msgtype, void *out, uint32_t len,
		int timeout_ms);
/* Same, for a message whose u32 at byte @off equals @val. */
int tg_wait_msg_match(struct tg_vm *vm, uint32_t msgtype, uint32_t off,
		      uint32_t val, void *out, uint32_t len, int timeout_ms);
/* Count queued messages of @msgtype (0: any) after pumping for @ms. */
int tg_count_msgs(struct tg_vm *vm, uint32_t msgtype, int ms);
/* Forget queued messages (offers already recorded are kept). */
void tg_drop_msgs(struct tg_vm *vm);

/* ---- guest side: control protocol ---- */

/*
 * INITIATE_CONTACT for @version (to connection id 4 from 5.0, else 1),
 * wait for VERSION_RESPONSE. Returns version_supported (0/1), or -errno /
 * -EPROTO with *@status the post status when the post failed.
 */
int tg_contact(struct tg_vm *vm, uint32_t version, uint32_t target_vcpu,
	       struct tg_version_response *resp, uint32_t *status);
/* REQUESTOFFERS, gather offers until ALLOFFERS_DELIVERED: count or -errno. */
int tg_request_offers(struct tg_vm *vm);
/* Connect at 5.3 (or @version) and gather offers: 0 or -errno. */
int tg_connect(struct tg_vm *vm, uint32_t version);
const struct tg_offer *tg_find_offer(struct tg_vm *vm, const uint8_t *instance,
				     uint16_t sub_index);
/* Wait for an OFFERCHANNEL of @instance (hot-add); NULL on timeout. */
const struct tg_offer *tg_wait_offer(struct tg_vm *vm, const uint8_t *instance,
				     int timeout_ms);
int tg_unload(struct tg_vm *vm);

/*
 * GPADL over @npages pages at @p: header + bodies, wait for GPADL_CREATED.
 * Returns the creation status or -errno (post failure: -EPROTO).
 */
int tg_gpadl_create(struct tg_vm *vm, uint32_t relid, uint32_t gpadl,
		    void *p, uint32_t npages);
int tg_gpadl_create_desc(struct tg_vm *vm, uint32_t relid, uint32_t gpadl,
			 const struct tg_gpadl_desc *d, uint32_t range_buflen);
/* GPADL_TEARDOWN and wait for GPADL_TORNDOWN: 0 or -errno. */
int tg_gpadl_teardown(struct tg_vm *vm, uint32_t relid, uint32_t gpadl);

/*
 * Allocate rings (@send_pages + @recv_pages, headers included), make the
 * GPADL, init both headers, OPENCHANNEL, wait for the result. Returns the
 * open status (0 = open) or -errno.
 */
int tg_chan_open(struct tg_vm *vm, struct tg_chan *ch,
		 const struct tg_offer *offer, const struct tg_dev *dev,
		 uint32_t send_pages, uint32_t recv_pages, uint32_t target_vp);
/* CLOSECHANNEL, ring GPADL teardown, free: 0 or -errno. */
int tg_chan_close(struct tg_chan *ch);
/* Free the guest side without any message (after rescind/reset). */
void tg_chan_forget(struct tg_chan *ch);

/*
 * Allocate both monitor pages in guest RAM, zeroed; the next
 * INITIATE_CONTACT names them.  0 or -ENOMEM.
 */
int tg_monitor_pages(struct tg_vm *vm);
/* trigger_group[@id / 32].pending of the child->parent page. */
uint32_t *tg_monitor_pending(struct tg_vm *vm, int id);

/* ---- guest side: data path ---- */

void tg_chan_kick(struct tg_chan *ch);
/* In-band packet; kicks when the Linux rule says so. 0 / -EAGAIN / -EIO. */
int tg_chan_send(struct tg_chan *ch, uint16_t type, uint16_t flags,
		 uint64_t tid, const void *payload, uint32_t len);
/* Next host packet (copied into ch->rxbuf): 1, 0 when empty, -errno. */
int tg_chan_recv(struct tg_chan *ch, struct tg_pkt *pkt);
/* Pump until the channel's event bit was seen: 0 or -ETIMEDOUT. */
int tg_chan_wait_event(struct tg_chan *ch, int timeout_ms);
/*
 * Next host packet, waiting for it: 1, 0 on timeout, -errno.  As a guest
 * does, reads first and waits for an interrupt only on an empty ring: an
 * interrupt may be stale (the packet it announced was read already).
 */
int tg_chan_recv_wait(struct tg_chan *ch, struct tg_pkt *pkt, int timeout_ms);
bool tg_chan_take_event(struct tg_chan *ch);

/* Instance GUIDs of test devices: a fixed pattern with @seed in byte 15. */
void tg_instance(uint8_t *guid, uint8_t seed);
/* The VMBus class GUID VMBH_CLASS_TEST offers (from the first offer seen). */

/* /proc/meminfo field in kB, -1 if absent. */
long tg_meminfo_kb(const char *field);
/* Write @text and a newline to @path (sysfs, cgroupfs): 0 or -errno. */
int tg_write_line(const char *path, const char *text);
/* The pid of @ch's worker kthread, 0 if none is found. */
pid_t tg_chan_worker(const struct tg_chan *ch);
/* The pid of the VM's monitor-page poller kthread, 0 if none is found. */
pid_t tg_monitor_poller(void);
/* Context switches (voluntary and not) of task @pid so far, -1 if gone. */
long tg_task_switches(pid_t pid);
/* CLOCK_MONOTONIC in ms. */
int64_t tg_now_ms(void);
/*
 * @ch's worker on CPU 1 and the calling thread on CPU 0, as a guest vCPU
 * and the host's worker run side by side: 0 or -errno.
 */
int tg_chan_pin_apart(const struct tg_chan *ch);

#endif /* _VMBH_TEST_GUEST_H */

/* ---- helpers for the echo device class (VMBH_CLASS_TEST) ---- */

/* Deterministic payload bytes for packet @seq. */
void tg_fill(void *buf, uint32_t len, uint64_t seq);
bool tg_check(const void *buf, uint32_t len, uint64_t seq);
/*
 * Send one in-band packet (completion requested, trans_id @seq, payload
 * tg_fill(@len, @seq)) and wait for its echo: same trans_id, same payload.
 * Returns 0, -ETIMEDOUT, -EBADMSG (wrong content), or a send error.
 */
int tg_echo_one(struct tg_chan *ch, uint64_t seq, uint32_t len,
		int timeout_ms);

/*
 * Like tg_echo_one, but the guest looks at its ring only after a channel
 * interrupt (stale event bits are cleared first): the host finds the ring
 * empty and unmasked when it writes, so it must interrupt.
 */
int tg_echo_one_irq(struct tg_chan *ch, uint64_t seq, uint32_t len,
		    int timeout_ms);

/* VMBus + one echo device + its primary channel open, in one call. */
int tg_echo_setup(struct tg_vm *vm, struct tg_dev *dev, struct tg_chan *ch,
		  uint32_t version, uint8_t seed);

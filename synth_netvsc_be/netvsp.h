/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared inside vmbh_netvsp.ko: one synthetic NIC (a device of class
 * VMBH_CLASS_NET) bound to a tap, and the state of each of its channels.
 */
#ifndef _VMBH_NETVSP_H
#define _VMBH_NETVSP_H

#include <linux/bvec.h>
#include <linux/netdevice.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <vmbh/channel.h>
#include "netvsp_parse.h"

/* GPA-direct ranges one SEND_RNDIS_PKT may carry (netvsc: at most 32). */
#define NETVSP_MAX_RANGES	32
/* Receive sub-allocations per transfer-page packet. */
#define NETVSP_RX_BATCH		64
/* Frames taken from the tap per run of the receive work. */
#define NETVSP_RX_BUDGET	256
/*
 * Pieces of one frame written to the tap: the virtio-net header, the
 * host's copy of the headers, then the rest straight from guest memory: a
 * send-buffer section (at most 3 pages) and GPA ranges, each touching at
 * most 2 pages more than its bytes fill.
 */
#define NETVSP_TX_BVECS		(2 + 3 + 2 * NETVSP_MAX_RANGES + \
				 VMBH_NETVSP_LSO_MAX / PAGE_SIZE + 1)
/* Where the virtio-net header and the header copy sit in the tx page. */
#define NETVSP_TX_VNET_OFF	0
#define NETVSP_TX_HDR_OFF	64
#define NETVSP_TX_HDR_ROOM	(VMBH_NETVSP_TX_HDR_MAX + 4)

/* The bytes of one SEND_RNDIS_PKT: a send-buffer span, then GPA ranges. */
struct netvsp_stream {
	const u8 *sec;
	u32 sec_len;
	u32 nr;
	struct vmbh_gpa_map maps[NETVSP_MAX_RANGES];
	u32 len;
};

/**
 * struct netvsp_stats - counters, read by the tests through debug logs
 * @tx_frames:	frames written to the tap
 * @tx_bytes:	their bytes
 * @tx_errors:	frames refused (malformed, larger than the MTU, tap error)
 * @rx_frames:	frames given to the guest
 * @rx_bytes:	their bytes
 * @rx_dropped:	frames read from the tap and dropped (too large, GSO, no
 *		open channel)
 * @rx_filtered: frames the guest's packet filter did not want
 */
struct netvsp_stats {
	u64 tx_frames;
	u64 tx_bytes;
	u64 tx_errors;
	u64 rx_frames;
	u64 rx_bytes;
	u64 rx_dropped;
	u64 rx_filtered;
};

/* Receive sub-allocations gathered for one transfer-page packet. */
struct netvsp_batch {
	u32 n;
	u32 secs[NETVSP_RX_BATCH];
	u32 lens[NETVSP_RX_BATCH];
};

#define NETVSP_RX_WANTED	0

/*
 * Host->guest packets a channel holds while its ring is full.  Its worker
 * takes a guest request only while none of the packets it queued itself
 * waits (netvsp_handle()), and one request queues at most
 * NETVSP_PENDING_REQUEST of them: the RNDIS control reply and the
 * request's completion, or a SUBCHANNEL request's completion and the
 * indirection table that follows it.  Receive batches and link
 * indications, queued by the primary's worker or the link work at any
 * time, leave that many entries free, so a completion always finds one:
 * the guest waits for each (netvsc's send slots, its INIT, SUBCHANNEL and
 * SWITCH_DATA_PATH requests), and a lost one hangs it.
 */
#define NETVSP_PENDING		4
#define NETVSP_PENDING_REQUEST	2

enum netvsp_pending_kind {
	NETVSP_PENDING_COMPLETION,
	NETVSP_PENDING_XFER,		/* transfer-page packet */
	NETVSP_PENDING_TABLE,		/* SEND_INDIRECTION_TABLE */
};

/* A host->guest packet that found the ring full and waits for room. */
struct netvsp_pending {
	enum netvsp_pending_kind kind;
	u32 channels;		/* TABLE: spread over this many channels */
	u64 trans_id;
	u32 nr_ranges;
	u32 msg_len;
	struct vmbh_xfer_page_range ranges[NETVSP_RX_BATCH];
	struct nvsp_message msg;
};

struct netvsp_dev;

/**
 * struct netvsp_chan - one open channel (queue) of a NIC
 * @nd:		the NIC
 * @chan:	the core's channel
 * @queue:	queue index, 0 for the primary
 * @pending:	packets to retry before taking more work, in order, under
 *		@nd->lock: the channel's worker queues completions and
 *		control replies, the primary's worker and the link work
 *		transfer-page packets (see %NETVSP_PENDING)
 * @nr_pending:	entries used in @pending
 * @stream:	the SEND_RNDIS_PKT being handled, worker only
 * @tx_page:	the virtio-net header and the copy of the frame's headers
 *		the offload fixups work on, worker only
 * @tx_bv:	the frame for the tap, worker only
 */
struct netvsp_chan {
	struct netvsp_dev *nd;
	struct vmbh_channel *chan;
	u32 queue;
	struct netvsp_pending pending[NETVSP_PENDING];
	u32 nr_pending;
	struct netvsp_stream stream;
	struct page *tx_page;
	struct bio_vec tx_bv[NETVSP_TX_BVECS];
};

/**
 * struct netvsp_dev - a synthetic NIC
 * @vdev:	the core's device
 * @tap_file:	the tap fd's file, referenced
 * @sock:	its socket (tun_get_socket()/tap_get_socket())
 * @tap_dev:	the tap's net device, for its carrier; referenced
 * @vnet_hdr_len: bytes of virtio-net header the tap reads and writes,
 *		0 when IFF_VNET_HDR is off (no offloads then)
 * @nb:		netdevice notifier following @tap_dev's carrier
 * @wait:	entry on the tap socket's wait queue: frames arrived
 * @poll_head:	the wait queue @wait is on
 * @primary:	the primary channel, whose worker reads frames from the tap
 *		into the receive buffer (as vhost's worker serves both
 *		directions), so a send's completion and the frames it caused
 *		reach the guest with one interrupt
 * @rx_flags:	%NETVSP_RX_WANTED: frames or room may be there, the
 *		primary's worker should look
 * @rx_batches:	per-queue batches of the receive path, primary worker only
 * @link_work:	tells the guest about carrier changes
 * @buf_sem:	protects @recv, @send and their sizes; read by every data
 *		path, written by the primary's NVSP buffer messages
 * @recv:	receive buffer view, addr NULL until SEND_RECV_BUF
 * @send:	send buffer view, addr NULL until SEND_SEND_BUF
 * @recv_id:	GPADL id of @recv
 * @send_id:	GPADL id of @send
 * @sub_alloc:	bytes per receive sub-allocation (S)
 * @lock:	protects @rxsec, @rndis, @cfg.link_up, @chans, @stats
 * @rxsec:	receive sub-allocation bookkeeping
 * @rndis:	the guest's RNDIS configuration
 * @cfg:	what the host offers (MAC, MTU, version, queues, link)
 * @chans:	open channels by queue, NULL when closed
 * @rx_stalled: the receive work stopped for lack of sub-allocations or
 *		ring room; a completion or ring space restarts it
 * @link_reported: media state last indicated to the guest
 * @nvsp_version: negotiated NVSP version, 0 before INIT
 * @ndis_config: SEND_NDIS_CONFIG seen (NVSP >= 2)
 * @ndis_version: SEND_NDIS_VER seen
 * @stats:	counters
 * @name:	for logs
 */
struct netvsp_dev {
	struct vmbh_device *vdev;
	struct file *tap_file;
	struct socket *sock;
	struct net_device *tap_dev;
	u32 vnet_hdr_len;
	struct notifier_block nb;
	wait_queue_entry_t wait;
	wait_queue_head_t *poll_head;
	struct vmbh_channel *primary;
	unsigned long rx_flags;
	struct netvsp_batch *rx_batches;
	struct delayed_work link_work;

	struct rw_semaphore buf_sem;
	struct vmbh_gpadl_view recv;
	struct vmbh_gpadl_view send;
	u32 recv_id;
	u32 send_id;
	u32 sub_alloc;

	spinlock_t lock;	/* rxsec, rndis, cfg, chans, pending, stats */
	struct vmbh_rxsec rxsec;
	struct vmbh_rndis_state rndis;
	struct vmbh_netvsp_cfg cfg;
	struct netvsp_chan *chans[VMBH_NETVSP_MAX_QUEUES];
	bool rx_stalled;
	bool link_reported;
	struct netvsp_stats stats;

	u32 nvsp_version;
	bool ndis_config;
	bool ndis_version;
	const char *name;
};

/* netvsp_tap.c */
int netvsp_tap_attach(struct netvsp_dev *nd, int fd);
void netvsp_tap_detach(struct netvsp_dev *nd);
int netvsp_tap_send(struct netvsp_dev *nd, struct bio_vec *bv, u32 nr,
		    u32 len);
int netvsp_tap_recv(struct netvsp_dev *nd, struct vmbh_vnet_hdr *vh,
		    u8 *buf, u32 cap, u32 *len);
bool netvsp_tap_carrier(struct netvsp_dev *nd);

/* netvsp_nvsp.c */
bool netvsp_handle(struct vmbh_channel *chan);
void netvsp_buffers_release(struct netvsp_dev *nd);
int netvsp_send_control(struct netvsp_dev *nd, const u8 *msg, u32 len,
			bool reply);

/* netvsp_rx.c */
void netvsp_rx_kick(struct netvsp_dev *nd);
bool netvsp_rx_run(struct netvsp_dev *nd);
void netvsp_link_work(struct work_struct *work);
struct netvsp_pending *netvsp_pending_next(struct netvsp_chan *nc,
					   bool reply);
int netvsp_pending_push(struct netvsp_chan *nc, struct netvsp_pending *p);
int netvsp_flush_pending(struct netvsp_chan *nc);
int netvsp_send_table(struct netvsp_chan *nc, u32 channels);
u32 netvsp_nvsp_msg_size(struct netvsp_dev *nd);

#endif /* _VMBH_NETVSP_H */

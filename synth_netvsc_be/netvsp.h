/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared inside vmbh_netvsp.ko: one synthetic NIC (a device of class
 * VMBH_CLASS_NET) bound to a tap, and the state of each of its channels.
 */
#ifndef _VMBH_NETVSP_H
#define _VMBH_NETVSP_H

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
/* Bounce buffer for one transmitted frame: an LSO frame plus a VLAN tag. */
#define NETVSP_TX_BUF		(VMBH_NETVSP_LSO_MAX + 4)

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

/* A host->guest packet that found the ring full and waits for room. */
struct netvsp_pending {
	bool xfer;		/* transfer-page packet, else completion */
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
 * @pending:	packets to retry before taking more work, in order; only
 *		touched by the channel's worker, or by the receive work
 *		under @nd->lock for transfer-page packets
 * @nr_pending:	entries used in @pending
 * @txbuf:	bounce buffer for one frame, worker only
 * @hdr:	copy of the frame's headers the offload fixups work on
 */
struct netvsp_chan {
	struct netvsp_dev *nd;
	struct vmbh_channel *chan;
	u32 queue;
	struct netvsp_pending pending[4];
	u32 nr_pending;
	u8 *txbuf;
	u8 hdr[VMBH_NETVSP_TX_HDR_MAX + 4];
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
 * @rx_work:	reads frames from the tap into the receive buffer
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
	struct work_struct rx_work;
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
int netvsp_tap_send(struct netvsp_dev *nd, const struct vmbh_vnet_hdr *vh,
		    const u8 *hdr, u32 hdr_len, const u8 *rest, u32 rest_len);
int netvsp_tap_recv(struct netvsp_dev *nd, struct vmbh_vnet_hdr *vh,
		    u8 *buf, u32 cap, u32 *len);
bool netvsp_tap_carrier(struct netvsp_dev *nd);

/* netvsp_nvsp.c */
bool netvsp_handle(struct vmbh_channel *chan);
void netvsp_buffers_release(struct netvsp_dev *nd);
int netvsp_send_control(struct netvsp_dev *nd, const u8 *msg, u32 len);

/* netvsp_rx.c */
void netvsp_rx_work(struct work_struct *work);
void netvsp_link_work(struct work_struct *work);
int netvsp_flush_pending(struct netvsp_chan *nc);
u32 netvsp_nvsp_msg_size(struct netvsp_dev *nd);

#endif /* _VMBH_NETVSP_H */

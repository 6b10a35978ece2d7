/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmbh_storvsp: types shared by the LIO fabric (fabric.c) and the VSTOR
 * protocol on VMBus channels (vsp.c).
 */
#ifndef _VMBH_STORVSP_H
#define _VMBH_STORVSP_H

#include <linux/bitmap.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <target/target_core_base.h>
#include <vmbh/channel.h>

#include "vstor_parse.h"

#define STORVSP_FABRIC_NAME	"storvsp"
/* "naa." and 16 hex digits, the NAA 64-bit port names QEMU and LIO use */
#define STORVSP_WWPN_LEN	20
/* Requests one channel has in the target core at most. */
#define STORVSP_QUEUE_DEPTH	256
/* Guest buffers with offset or length off this go through a bounce copy. */
#define STORVSP_DMA_ALIGN	512
/* Scatterlist entries kept inside each command (a 64 KiB buffer). */
#define STORVSP_INLINE_SGS	17

/**
 * struct storvsp_tport - a target port: /sys/kernel/config/target/storvsp/<wwpn>
 * @wwn:	the target core's object
 * @name:	the WWPN, as in configfs
 * @tpg:	its only TPG, or NULL; under storvsp_mutex
 * @node:	entry in storvsp_tports, under storvsp_mutex
 */
struct storvsp_tport {
	struct se_wwn wwn;
	char name[STORVSP_WWPN_LEN + 1];
	struct storvsp_tpg *tpg;
	struct list_head node;
};

struct storvsp_ctrl;

/**
 * struct storvsp_tpg - a TPG; its LUNs are the guest's LUNs
 * @se_tpg:	the target core's object
 * @tport:	the target port above
 * @tag:	N of its configfs name tpgt_N
 * @luns:	linked LUN numbers, written under storvsp_mutex, read
 *		without it on the I/O path (a stale read only means the
 *		target core answers for a LUN that just went away)
 * @ctrl:	the device serving this TPG to a VM, or NULL; under
 *		storvsp_mutex
 */
struct storvsp_tpg {
	struct se_portal_group se_tpg;
	struct storvsp_tport *tport;
	u16 tag;
	DECLARE_BITMAP(luns, VSTOR_MAX_LUNS);
	struct storvsp_ctrl *ctrl;
};

/**
 * struct storvsp_reply - a completion waiting for room in the ring
 * @node:	entry in storvsp_queue.pending
 * @trans_id:	the guest's transaction id
 * @cmd:	embedded in a storvsp_cmd (else a kmalloc'ed control reply)
 * @len:	payload bytes
 * @pkt:	payload
 */
struct storvsp_reply {
	struct llist_node node;
	u64 trans_id;
	bool cmd;
	u32 len;
	struct vstor_packet pkt;
};

/**
 * struct storvsp_queue - storvsp state of one channel
 * @ctrl:	the controller
 * @chan:	the channel
 * @pending:	replies to send; added from any context, taken by
 *		@reply_work, the channel's worker (after the ring was full)
 *		or its close
 * @reply_work:	sends @pending; queued when the first reply arrives, so
 *		it runs behind the target core's completion work already
 *		queued on the CPU and sends that burst at once
 * @inflight:	commands taken from the ring and not yet freed
 * @throttled:	handle stopped at STORVSP_QUEUE_DEPTH; the next free wakes it
 * @closing:	set by close; commands completing after it drop their reply
 */
struct storvsp_queue {
	struct storvsp_ctrl *ctrl;
	struct vmbh_channel *chan;
	struct llist_head pending;
	struct work_struct reply_work;
	atomic_t inflight;
	atomic_t throttled;
	bool closing;
};

#define STORVSP_RESCAN	0	/* storvsp_ctrl.flags: tell the guest to rescan */

/**
 * struct storvsp_ctrl - one synthetic SCSI controller of a VM
 * @dev:	the VMBus device
 * @tpg:	the TPG it serves, with a configfs dependency held
 * @sess:	the I_T nexus for the VM
 * @state_lock:	protects @st
 * @st:		VSTOR protocol state, driven by the primary channel
 * @ready:	handshake finished; set with release after @version
 * @version:	negotiated VSTOR version, stable once @ready
 * @flags:	STORVSP_RESCAN
 * @idle:	woken when a queue's inflight count drops or a reply queues
 * @rcu:	frees the controller after completions stopped touching it
 * @nr_queues:	entries in @q
 * @q:		per channel state
 */
struct storvsp_ctrl {
	struct vmbh_device *dev;
	struct storvsp_tpg *tpg;
	struct se_session *sess;
	spinlock_t state_lock;	/* protects st */
	struct vmbh_vstor_state st;
	bool ready;
	u16 version;
	unsigned long flags;
	wait_queue_head_t idle;
	struct rcu_head rcu;
	u32 nr_queues;
	struct storvsp_queue q[];
};

/**
 * struct storvsp_cmd - one EXECUTE_SRB in the target core
 * @se_cmd:	the target core's command
 * @q:		the channel it came from and is answered on
 * @map:	the pinned guest buffer, if any
 * @sgl:	scatterlist over @map (points to @inline_sgl when small)
 * @nents:	entries in @sgl
 * @len:	data bytes of the SRB
 * @data_in:	VSTOR_DATA_* of the SRB
 * @bounce:	@sgl is a kernel copy of a guest buffer that is not sector
 *		aligned (block drivers need aligned segments)
 * @responded:	the target core delivered a status (else it was aborted)
 * @reply:	the completion, built at release
 * @sense:	sense buffer for the target core
 * @cdb:	the CDB, zero-padded
 * @inline_sgl:	scatterlist storage for small buffers
 */
struct storvsp_cmd {
	struct se_cmd se_cmd;
	struct storvsp_queue *q;
	struct vmbh_gpa_map map;
	struct scatterlist *sgl;
	unsigned int nents;
	u32 len;
	u8 data_in;
	bool bounce;
	bool responded;
	struct storvsp_reply reply;
	u8 sense[TRANSPORT_SENSE_BUFFER];
	u8 cdb[VSTOR_MAX_CDB_LEN];
	struct scatterlist inline_sgl[STORVSP_INLINE_SGS];
};

/* fabric.c */
int storvsp_fabric_init(void);
void storvsp_fabric_exit(void);
int storvsp_bind(struct storvsp_ctrl *ctrl, const char *wwpn);
void storvsp_unbind(struct storvsp_ctrl *ctrl);
bool storvsp_lun_present(struct storvsp_ctrl *ctrl, u8 lun);
void storvsp_submit(struct storvsp_cmd *cmd, u8 lun, u32 len, u8 data_in);

/* vsp.c */
extern struct vmbh_class storvsp_class;
int storvsp_cmd_cache_init(void);
void storvsp_cmd_cache_exit(void);
void storvsp_cmd_done(struct storvsp_cmd *cmd);
void storvsp_rescan(struct storvsp_ctrl *ctrl);

#endif /* _VMBH_STORVSP_H */

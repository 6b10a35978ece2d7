/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure VSTOR logic: packet parsing and validation, the init state machine,
 * reply building.  No kernel dependencies, so it also builds in userspace.
 */
#ifndef _VMBH_VSTOR_PARSE_H
#define _VMBH_VSTOR_PARSE_H

#include "vstor_proto.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <stdbool.h>
#include <string.h>
#endif

/* Largest SRB data buffer storvsp accepts and advertises (1 MiB). */
#define VMBH_VSTOR_MAX_TRANSFER		(1024u * 1024u)
/* Page size of GPA ranges, independent of the host's PAGE_SIZE. */
#define VMBH_VSTOR_PAGE_SIZE		4096u
#define VMBH_VSTOR_PAGE_SHIFT		12
/* PFNs one SRB may carry: the largest buffer at a non-zero page offset. */
#define VMBH_VSTOR_MAX_PFNS	(VMBH_VSTOR_MAX_TRANSFER / VMBH_VSTOR_PAGE_SIZE + 1)
/* The largest packet a guest may legally send, descriptor included. */
#define VMBH_VSTOR_MAX_PKT_LEN	(VSTOR_VMPKT_DESC_SIZE + 8 + 8 + \
				 8 * VMBH_VSTOR_MAX_PFNS + sizeof(struct vstor_packet))

/**
 * struct vmbh_vstor_pkt - a guest packet as the channel layer delivers it
 * @type:	VMBus packet type
 * @flags:	VMBus packet flags
 * @trans_id:	transaction id
 * @data:	payload (the vstor_packet), already out of guest reach
 * @len:	payload bytes
 * @range_cnt:	GPA ranges (GPA-direct packets), else 0
 * @byte_count:	first range: bytes (the channel layer checked the range)
 * @byte_offset: first range: offset into its first page
 */
struct vmbh_vstor_pkt {
	__u16 type;
	__u16 flags;
	__u64 trans_id;
	const void *data;
	__u32 len;
	__u32 range_cnt;
	__u32 byte_count;
	__u32 byte_offset;
};

/**
 * struct vmbh_vstor_request - one guest packet, parsed and copied
 * @trans_id:	transaction id to echo in the completion
 * @payload_len: bytes of vstor_packet the guest sent (may exceed 64)
 * @pkt:	the vstor_packet, zero-filled past @payload_len
 * @range_cnt:	GPA ranges in the packet (0 for in-band)
 * @byte_offset: first range: offset into its first page
 * @byte_count: first range: its length
 */
struct vmbh_vstor_request {
	__u64 trans_id;
	__u32 payload_len;
	struct vstor_packet pkt;
	__u32 range_cnt;
	__u32 byte_offset;
	__u32 byte_count;
};

int vmbh_vstor_parse_packet(const struct vmbh_vstor_pkt *in,
			    struct vmbh_vstor_request *req);

/**
 * struct vmbh_vstor_io - a validated EXECUTE_SRB, ready for the target
 * @data_len:	bytes to move, 0 for none
 * @data_in:	VSTOR_DATA_IN (device to guest), VSTOR_DATA_OUT or
 *		VSTOR_DATA_NONE
 * @byte_offset: offset of the data in the first page
 * @pfn_cnt:	pages the data spans
 * @cdb_len:	CDB bytes
 */
struct vmbh_vstor_io {
	__u32 data_len;
	__u8 data_in;
	__u32 byte_offset;
	__u32 pfn_cnt;
	__u8 cdb_len;
};

__u8 vmbh_vstor_check_srb(const struct vmbh_vstor_request *req,
			  __u16 version, __u32 max_transfer,
			  struct vmbh_vstor_io *io);

/* Where the init handshake of a channel stands. */
enum vmbh_vstor_stage {
	VMBH_VSTOR_WAIT_BEGIN,
	VMBH_VSTOR_WAIT_VERSION,
	VMBH_VSTOR_WAIT_PROPERTIES,
	VMBH_VSTOR_WAIT_END,
	VMBH_VSTOR_READY,
};

/**
 * struct vmbh_vstor_state - protocol state of one controller
 * @stage:	handshake progress
 * @version:	negotiated version, 0 before QUERY_PROTOCOL_VERSION succeeded
 * @max_subchannels: subchannels the device can offer
 * @subchannels: subchannels granted by CREATE_SUB_CHANNELS, 0 if none
 * @max_transfer: advertised max_transfer_bytes
 */
struct vmbh_vstor_state {
	enum vmbh_vstor_stage stage;
	__u16 version;
	__u16 max_subchannels;
	__u16 subchannels;
	__u32 max_transfer;
};

/* What the caller must do after vmbh_vstor_control() filled the reply. */
enum vmbh_vstor_action {
	VMBH_VSTOR_ACT_REPLY,		/* send the reply */
	VMBH_VSTOR_ACT_EXECUTE,		/* EXECUTE_SRB on a ready channel */
	VMBH_VSTOR_ACT_SUBCHANNELS,	/* offer state->subchannels, then reply */
	VMBH_VSTOR_ACT_RESET,		/* reset, then reply */
};

void vmbh_vstor_state_init(struct vmbh_vstor_state *st, __u16 max_subchannels,
			   __u32 max_transfer);
enum vmbh_vstor_action vmbh_vstor_control(struct vmbh_vstor_state *st,
					  bool primary,
					  const struct vmbh_vstor_request *req,
					  struct vstor_packet *reply);
void vmbh_vstor_subchannels_failed(struct vmbh_vstor_state *st,
				   struct vstor_packet *reply);
__u32 vmbh_vstor_reply_len(__u32 payload_len);
__u32 vmbh_vstor_unsolicited_len(__u16 version);
bool vmbh_vstor_version_supported(__u16 version);

void vmbh_vstor_srb_reply(struct vstor_packet *reply, __u8 srb_status,
			  __u8 scsi_status, __u32 transferred,
			  const __u8 *sense, __u32 sense_len);
__u32 vmbh_vstor_srb_ntstatus(__u8 srb_status);
__u32 vmbh_vstor_inquiry_absent(__u8 *buf, __u32 len);
__u32 vmbh_vstor_report_luns_empty(__u8 *buf, __u32 len);

#endif /* _VMBH_VSTOR_PARSE_H */

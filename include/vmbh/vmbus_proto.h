/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMBus wire layouts: SynIC message slots, control messages, ring buffers
 * and packets.  The same header builds in the kernel and in userspace (the
 * kselftests include it), so it uses only <linux/types.h> and C11.
 *
 * Names follow Linux's include/linux/hyperv.h and the TLFS with a VMBH_ /
 * vmbh_ prefix, so they never clash with the guest-side definitions in the
 * same kernel.  All fields are little endian; x86 is the only host.
 */
#ifndef _VMBH_VMBUS_PROTO_H
#define _VMBH_VMBUS_PROTO_H

#include <vmbh/wire.h>

/* ---- Hyper-V hypercall status codes (TLFS) ---- */

#define VMBH_HV_STATUS_SUCCESS			0
#define VMBH_HV_STATUS_INVALID_HYPERCALL_CODE	2
#define VMBH_HV_STATUS_INVALID_HYPERCALL_INPUT	3
#define VMBH_HV_STATUS_INVALID_ALIGNMENT	4
#define VMBH_HV_STATUS_INVALID_PARAMETER	5
#define VMBH_HV_STATUS_ACCESS_DENIED		6
#define VMBH_HV_STATUS_INSUFFICIENT_MEMORY	11
#define VMBH_HV_STATUS_INVALID_PORT_ID		17
#define VMBH_HV_STATUS_INVALID_CONNECTION_ID	18
#define VMBH_HV_STATUS_INSUFFICIENT_BUFFERS	19

/* ---- SynIC ---- */

#define VMBH_SYNIC_PAGE_SIZE		4096
#define VMBH_SYNIC_SINT_COUNT		16
#define VMBH_VMBUS_MESSAGE_SINT		2

/* HvPostMessage connection ids the host listens on. */
#define VMBH_VMBUS_MESSAGE_CONNECTION_ID	1
#define VMBH_VMBUS_MESSAGE_CONNECTION_ID_4	4
/* Ids 1..4 are the bus's own; channel connection ids start above. */
#define VMBH_FIRST_CHANNEL_CONN_ID		5

/* message_type of a SynIC message and of HvPostMessage input */
#define VMBH_HVMSG_NONE			0x00000000
#define VMBH_HVMSG_VMBUS		0x00000001
#define VMBH_HVMSG_TIMER_EXPIRED	0x80000010

#define VMBH_HV_MESSAGE_PAYLOAD_SIZE	240
#define VMBH_HV_MSG_FLAG_PENDING	0x01	/* message_flags bit 0 */

/**
 * struct vmbh_hv_message - one 256-byte SynIC message slot
 * @message_type:	VMBH_HVMSG_*; 0 means the slot is free
 * @payload_size:	bytes of @payload
 * @message_flags:	VMBH_HV_MSG_FLAG_PENDING: the sender has more queued
 * @reserved:		0
 * @sender:		port id, 0
 * @payload:		the VMBus channel message
 */
struct vmbh_hv_message {
	__u32 message_type;
	__u8 payload_size;
	__u8 message_flags;
	__u16 reserved;
	__u64 sender;
	__u8 payload[VMBH_HV_MESSAGE_PAYLOAD_SIZE];
} __packed;
static_assert(sizeof(struct vmbh_hv_message) == 256, "hv_message");

/* The SIMP page: slot n belongs to SINT n. */
struct vmbh_hv_message_page {
	struct vmbh_hv_message slot[VMBH_SYNIC_SINT_COUNT];
} __packed;
static_assert(sizeof(struct vmbh_hv_message_page) == 4096, "message page");

/* The SIEFP page: 2048 flag bits per SINT, bit n = channel relid n. */
#define VMBH_EVENT_FLAGS_PER_SINT	2048
struct vmbh_hv_event_flags_page {
	__u8 flags[VMBH_SYNIC_SINT_COUNT][VMBH_EVENT_FLAGS_PER_SINT / 8];
} __packed;
static_assert(sizeof(struct vmbh_hv_event_flags_page) == 4096, "event page");

/* Offsets of the VMBus SINT's slot in the two pages. */
#define VMBH_SIMP_VMBUS_OFFSET	(VMBH_VMBUS_MESSAGE_SINT * 256)
#define VMBH_SIEFP_VMBUS_OFFSET	(VMBH_VMBUS_MESSAGE_SINT * 256)

/**
 * struct vmbh_hv_input_post_message - HvPostMessage input (256 bytes)
 * @connection_id:	bits 0-23 id, 24-31 reserved
 * @reserved:		0
 * @message_type:	VMBH_HVMSG_VMBUS
 * @payload_size:	<= 240
 * @payload:		the VMBus channel message
 */
struct vmbh_hv_input_post_message {
	__u32 connection_id;
	__u32 reserved;
	__u32 message_type;
	__u32 payload_size;
	__u8 payload[VMBH_HV_MESSAGE_PAYLOAD_SIZE];
} __packed;
static_assert(sizeof(struct vmbh_hv_input_post_message) == 256, "post input");

/* ---- protocol versions (major << 16 | minor) ---- */

#define VMBH_VERSION_WIN8	0x00020004	/* 2.4 */
#define VMBH_VERSION_WIN8_1	0x00030000	/* 3.0 */
#define VMBH_VERSION_WIN10	0x00040000	/* 4.0 */
#define VMBH_VERSION_WIN10_V4_1	0x00040001	/* 4.1 */
#define VMBH_VERSION_WIN10_V5	0x00050000	/* 5.0 */
#define VMBH_VERSION_WIN10_V5_1	0x00050001	/* 5.1 */
#define VMBH_VERSION_WIN10_V5_2	0x00050002	/* 5.2 */
#define VMBH_VERSION_WIN10_V5_3	0x00050003	/* 5.3 */

/* ---- control messages ---- */

enum vmbh_channel_message_type {
	VMBH_CHANNELMSG_INVALID			= 0,
	VMBH_CHANNELMSG_OFFERCHANNEL		= 1,
	VMBH_CHANNELMSG_RESCIND_CHANNELOFFER	= 2,
	VMBH_CHANNELMSG_REQUESTOFFERS		= 3,
	VMBH_CHANNELMSG_ALLOFFERS_DELIVERED	= 4,
	VMBH_CHANNELMSG_OPENCHANNEL		= 5,
	VMBH_CHANNELMSG_OPENCHANNEL_RESULT	= 6,
	VMBH_CHANNELMSG_CLOSECHANNEL		= 7,
	VMBH_CHANNELMSG_GPADL_HEADER		= 8,
	VMBH_CHANNELMSG_GPADL_BODY		= 9,
	VMBH_CHANNELMSG_GPADL_CREATED		= 10,
	VMBH_CHANNELMSG_GPADL_TEARDOWN		= 11,
	VMBH_CHANNELMSG_GPADL_TORNDOWN		= 12,
	VMBH_CHANNELMSG_RELID_RELEASED		= 13,
	VMBH_CHANNELMSG_INITIATE_CONTACT	= 14,
	VMBH_CHANNELMSG_VERSION_RESPONSE	= 15,
	VMBH_CHANNELMSG_UNLOAD			= 16,
	VMBH_CHANNELMSG_UNLOAD_RESPONSE		= 17,
	VMBH_CHANNELMSG_TL_CONNECT_REQUEST	= 21,
	VMBH_CHANNELMSG_MODIFYCHANNEL		= 22,
	VMBH_CHANNELMSG_TL_CONNECT_RESULT	= 23,
	VMBH_CHANNELMSG_MODIFYCHANNEL_RESPONSE	= 24,
	VMBH_CHANNELMSG_COUNT			= 25,
};

/**
 * struct vmbh_channel_message_header - first 8 bytes of every message
 * @msgtype:	enum vmbh_channel_message_type
 * @padding:	0
 */
struct vmbh_channel_message_header {
	__u32 msgtype;
	__u32 padding;
} __packed;
static_assert(sizeof(struct vmbh_channel_message_header) == 8, "msg header");

/* Relids 1..2047 fit the event flags of one SINT; relid 0 is never used. */
#define VMBH_MAX_RELID		(VMBH_EVENT_FLAGS_PER_SINT - 1)

#define VMBH_OFFER_USER_DEF_SIZE	120

/* OFFERCHANNEL (1), host -> guest */
struct vmbh_msg_offer_channel {
	struct vmbh_channel_message_header header;
	__u8 if_type[16];
	__u8 if_instance[16];
	__u64 reserved1;
	__u64 reserved2;
	__u16 chn_flags;
	__u16 mmio_megabytes;
	__u8 user_def[VMBH_OFFER_USER_DEF_SIZE];
	__u16 sub_channel_index;
	__u16 reserved3;
	__u32 child_relid;
	__u8 monitorid;
	__u8 monitor_allocated;		/* bit 0 */
	__u16 is_dedicated_interrupt;	/* bit 0 */
	__u32 connection_id;
} __packed;
static_assert(sizeof(struct vmbh_msg_offer_channel) == 196, "offer");

/* RESCIND_CHANNELOFFER (2) host -> guest, RELID_RELEASED (13) and
 * CLOSECHANNEL (7) guest -> host: a relid alone.
 */
struct vmbh_msg_relid {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
} __packed;
static_assert(sizeof(struct vmbh_msg_relid) == 12, "relid msg");

/* OPENCHANNEL (5), guest -> host */
#define VMBH_OPEN_USER_DATA_SIZE	120
struct vmbh_msg_open_channel {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 openid;
	__u32 ringbuffer_gpadlhandle;
	__u32 target_vp;
	__u32 downstream_ringbuffer_pageoffset;
	__u8 userdata[VMBH_OPEN_USER_DATA_SIZE];
} __packed;
static_assert(sizeof(struct vmbh_msg_open_channel) == 148, "open");

/* OPENCHANNEL_RESULT (6), host -> guest */
struct vmbh_msg_open_result {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 openid;
	__u32 status;
} __packed;
static_assert(sizeof(struct vmbh_msg_open_result) == 20, "open result");

/**
 * struct vmbh_gpa_range_hdr - start of one GPA range (GPADL, GPA-direct)
 * @byte_count:	bytes described, non-zero
 * @byte_offset: offset into the first page, <= 0xFFF
 *
 * Followed by ceil((byte_offset + byte_count) / 4096) __u64 page numbers.
 */
struct vmbh_gpa_range_hdr {
	__u32 byte_count;
	__u32 byte_offset;
} __packed;
static_assert(sizeof(struct vmbh_gpa_range_hdr) == 8, "gpa range");

#define VMBH_GPA_PAGE_SHIFT	12
#define VMBH_GPA_PAGE_SIZE	4096

/* GPADL_HEADER (8), guest -> host; range descriptors follow */
struct vmbh_msg_gpadl_header {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 gpadl;
	__u16 range_buflen;
	__u16 rangecount;
} __packed;
static_assert(sizeof(struct vmbh_msg_gpadl_header) == 20, "gpadl header");

/* GPADL_BODY (9), guest -> host; __u64 page numbers follow */
struct vmbh_msg_gpadl_body {
	struct vmbh_channel_message_header header;
	__u32 msgnumber;
	__u32 gpadl;
} __packed;
static_assert(sizeof(struct vmbh_msg_gpadl_body) == 16, "gpadl body");

/* GPADL_CREATED (10), host -> guest */
struct vmbh_msg_gpadl_created {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 gpadl;
	__u32 creation_status;
} __packed;
static_assert(sizeof(struct vmbh_msg_gpadl_created) == 20, "gpadl created");

/* GPADL_TEARDOWN (11), guest -> host */
struct vmbh_msg_gpadl_teardown {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 gpadl;
} __packed;
static_assert(sizeof(struct vmbh_msg_gpadl_teardown) == 16, "gpadl teardown");

/* GPADL_TORNDOWN (12), host -> guest */
struct vmbh_msg_gpadl_torndown {
	struct vmbh_channel_message_header header;
	__u32 gpadl;
} __packed;
static_assert(sizeof(struct vmbh_msg_gpadl_torndown) == 12, "gpadl torndown");

/* INITIATE_CONTACT (14), guest -> host */
struct vmbh_msg_initiate_contact {
	struct vmbh_channel_message_header header;
	__u32 vmbus_version_requested;
	__u32 target_vcpu;
	union {
		__u64 interrupt_page;		/* below 5.0 */
		struct {
			__u8 msg_sint;		/* 5.0 and later */
			__u8 msg_vtl;
			__u8 reserved[6];
		} __packed;
	};
	__u64 monitor_page1;
	__u64 monitor_page2;
} __packed;
static_assert(sizeof(struct vmbh_msg_initiate_contact) == 40, "contact");

/* VERSION_RESPONSE (15), host -> guest */
struct vmbh_msg_version_response {
	struct vmbh_channel_message_header header;
	__u8 version_supported;
	__u8 connection_state;
	__u16 padding;
	__u32 msg_conn_id;
} __packed;
static_assert(sizeof(struct vmbh_msg_version_response) == 16, "version resp");

/* MODIFYCHANNEL (22), guest -> host */
struct vmbh_msg_modify_channel {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 target_vp;
} __packed;
static_assert(sizeof(struct vmbh_msg_modify_channel) == 16, "modify");

/* MODIFYCHANNEL_RESPONSE (24), host -> guest */
struct vmbh_msg_modify_channel_response {
	struct vmbh_channel_message_header header;
	__u32 child_relid;
	__u32 status;
} __packed;
static_assert(sizeof(struct vmbh_msg_modify_channel_response) == 16,
	      "modify response");

/* REQUESTOFFERS (3), ALLOFFERS_DELIVERED (4), UNLOAD (16), UNLOAD_RESPONSE
 * (17) are a bare struct vmbh_channel_message_header.
 */

/* Non-zero status of GPADL_CREATED / OPENCHANNEL_RESULT (OpenVMM's). */
#define VMBH_STATUS_UNSUCCESSFUL	0x8000FFFF

/* ---- ring buffers ---- */

/**
 * struct vmbh_ring_header - first 4 KiB page of each ring
 * @write_index:	producer's byte offset in the data area
 * @read_index:		consumer's byte offset in the data area
 * @interrupt_mask:	consumer: non-zero = do not signal me
 * @pending_send_sz:	producer: signal me when this many bytes are free
 * @reserved1:		0
 * @feature_bits:	bit 0 = pending_send_sz supported
 * @reserved2:		0
 */
struct vmbh_ring_header {
	__u32 write_index;
	__u32 read_index;
	__u32 interrupt_mask;
	__u32 pending_send_sz;
	__u32 reserved1[12];
	__u32 feature_bits;
	__u8 reserved2[4028];
} __packed;
static_assert(sizeof(struct vmbh_ring_header) == 4096, "ring header");

#define VMBH_RING_FEAT_PENDING_SEND_SZ	0x1
#define VMBH_RING_HEADER_SIZE		4096

/* Packet types (struct vmbh_packet_desc.type). */
enum vmbh_packet_type {
	VMBH_PACKET_TYPE_INVALID		= 0x0,
	VMBH_PACKET_TYPE_SYNCH			= 0x1,
	VMBH_PACKET_TYPE_ADD_XFER_PAGESET	= 0x2,
	VMBH_PACKET_TYPE_RM_XFER_PAGESET	= 0x3,
	VMBH_PACKET_TYPE_ESTABLISH_GPADL	= 0x4,
	VMBH_PACKET_TYPE_TEARDOWN_GPADL		= 0x5,
	VMBH_PACKET_TYPE_DATA_INBAND		= 0x6,
	VMBH_PACKET_TYPE_DATA_XFER_PAGES	= 0x7,
	VMBH_PACKET_TYPE_DATA_GPADL		= 0x8,
	VMBH_PACKET_TYPE_DATA_GPA_DIRECT	= 0x9,
	VMBH_PACKET_TYPE_CANCEL_REQUEST		= 0xA,
	VMBH_PACKET_TYPE_COMP			= 0xB,
	VMBH_PACKET_TYPE_DATA_ADDITIONAL_PKT	= 0xC,
	VMBH_PACKET_TYPE_ADDITIONAL_DATA	= 0xD,
};

#define VMBH_PACKET_FLAG_COMPLETION_REQUESTED	0x1

/**
 * struct vmbh_packet_desc - start of every ring packet
 * @type:	enum vmbh_packet_type
 * @offset8:	payload offset from the descriptor, in 8-byte units, >= 2
 * @len8:	packet length without trailer, in 8-byte units, >= offset8
 * @flags:	VMBH_PACKET_FLAG_*
 * @trans_id:	transaction id, echoed by the completion
 */
struct vmbh_packet_desc {
	__u16 type;
	__u16 offset8;
	__u16 len8;
	__u16 flags;
	__u64 trans_id;
} __packed;
static_assert(sizeof(struct vmbh_packet_desc) == 16, "packet desc");

/* Each packet is followed by this 8-byte trailer: start offset << 32. */
#define VMBH_PACKET_TRAILER_SIZE	8

/* GPA-direct packet (type 9): descriptor, this, then the ranges. */
struct vmbh_gpa_direct_hdr {
	struct vmbh_packet_desc desc;
	__u32 reserved;
	__u32 range_cnt;
} __packed;
static_assert(sizeof(struct vmbh_gpa_direct_hdr) == 24, "gpa direct");

/* Transfer-page packet (type 7, host -> guest). */
struct vmbh_xfer_page_range {
	__u32 byte_count;
	__u32 byte_offset;
} __packed;
static_assert(sizeof(struct vmbh_xfer_page_range) == 8, "xfer range");

struct vmbh_xfer_page_hdr {
	struct vmbh_packet_desc desc;
	__u16 xfer_pageset_id;
	__u8 sender_owns_set;
	__u8 reserved;
	__u32 range_cnt;
} __packed;
static_assert(sizeof(struct vmbh_xfer_page_hdr) == 24, "xfer hdr");

/* ---- parsed forms (host-side, not on the wire) ---- */

/**
 * struct vmbh_gpa_range - one validated range of a GPA-direct packet
 * @byte_count:	bytes, non-zero
 * @byte_offset: offset into the first page, below 4096
 * @nr_pfns:	ceil((byte_offset + byte_count) / 4096)
 * @pfns:	guest page numbers (4 KiB frames), not yet checked against
 *		guest memory: vmbh_chan_map_range() does that
 */
struct vmbh_gpa_range {
	__u32 byte_count;
	__u32 byte_offset;
	__u32 nr_pfns;
	const __u64 *pfns;
};

#endif /* _VMBH_VMBUS_PROTO_H */

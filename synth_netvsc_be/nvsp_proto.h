/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVSP (network VSP protocol) wire format: the messages a netvsc guest and
 * the host exchange in VMBus packets.  Little-endian, packed, as the guest
 * lays them out (vmbus-protocol.md 6.2).
 */
#ifndef _VMBH_NVSP_PROTO_H
#define _VMBH_NVSP_PROTO_H

#include "netvsp_types.h"

#define NVSP_PROTOCOL_VERSION_1		0x00000002
#define NVSP_PROTOCOL_VERSION_2		0x00030002
#define NVSP_PROTOCOL_VERSION_4		0x00040000
#define NVSP_PROTOCOL_VERSION_5		0x00050000
#define NVSP_PROTOCOL_VERSION_6		0x00060000
#define NVSP_PROTOCOL_VERSION_61	0x00060001

/* Message types (msg_type, offset 0 of every NVSP message). */
#define NVSP_MSG_TYPE_INIT			1
#define NVSP_MSG_TYPE_INIT_COMPLETE		2
#define NVSP_MSG1_TYPE_SEND_NDIS_VER		100
#define NVSP_MSG1_TYPE_SEND_RECV_BUF		101
#define NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE	102
#define NVSP_MSG1_TYPE_REVOKE_RECV_BUF		103
#define NVSP_MSG1_TYPE_SEND_SEND_BUF		104
#define NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE	105
#define NVSP_MSG1_TYPE_REVOKE_SEND_BUF		106
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT		107
#define NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE	108
#define NVSP_MSG2_TYPE_SEND_NDIS_CONFIG		125
#define NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION	128
#define NVSP_MSG4_TYPE_SWITCH_DATA_PATH		129
#define NVSP_MSG5_TYPE_OID_QUERY_EX		131
#define NVSP_MSG5_TYPE_SUBCHANNEL		133
#define NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE	134

/* Status values in completions. */
#define NVSP_STAT_NONE			0
#define NVSP_STAT_SUCCESS		1
#define NVSP_STAT_FAIL			2
#define NVSP_STAT_PROTOCOL_TOO_NEW	3
#define NVSP_STAT_PROTOCOL_TOO_OLD	4
#define NVSP_STAT_INVALID_RNDIS_PKT	5
#define NVSP_STAT_BUSY			6

/* SEND_RNDIS_PKT channel_type */
#define NVSP_RNDIS_CHANNEL_DATA		0
#define NVSP_RNDIS_CHANNEL_CONTROL	1
#define NVSP_SEND_SECTION_NONE		0xFFFFFFFFu

#define NVSP_SUBCHANNEL_ALLOCATE	1
#define NVSP_RECV_BUFFER_ID		0xCAFE
#define NVSP_SEND_BUFFER_ID		0
#define NVSP_INDIRECTION_TABLE_ENTRIES	16
#define NVSP_DATAPATH_SYNTHETIC		0
#define NVSP_DATAPATH_VF		1

/* Size of the NVSP message Linux sends and that the host sends from 6.1. */
#define NVSP_MSG_SIZE_V61	40
/* Size of the NVSP message the host sends below 6.1. */
#define NVSP_MSG_SIZE_V1	28

struct nvsp_msg_header {
	u32 msg_type;
} __packed;
static_assert(sizeof(struct nvsp_msg_header) == 4);

struct nvsp_init {
	u32 min_protocol_ver;
	u32 max_protocol_ver;
} __packed;
static_assert(sizeof(struct nvsp_init) == 8);

struct nvsp_init_complete {
	u32 negotiated_protocol_ver;
	u32 max_mdl_chain_len;
	u32 status;
} __packed;
static_assert(sizeof(struct nvsp_init_complete) == 12);

struct nvsp_send_ndis_version {
	u32 ndis_major_ver;
	u32 ndis_minor_ver;
} __packed;
static_assert(sizeof(struct nvsp_send_ndis_version) == 8);

/* SEND_RECV_BUF and SEND_SEND_BUF */
struct nvsp_send_buffer {
	u32 gpadl_handle;
	u16 id;
} __packed;
static_assert(sizeof(struct nvsp_send_buffer) == 6);

struct nvsp_recv_buffer_section {
	u32 offset;
	u32 sub_alloc_size;
	u32 num_sub_allocs;
	u32 end_offset;
} __packed;
static_assert(sizeof(struct nvsp_recv_buffer_section) == 16);

struct nvsp_send_recv_buf_complete {
	u32 status;
	u32 num_sections;
	struct nvsp_recv_buffer_section section;
} __packed;
static_assert(sizeof(struct nvsp_send_recv_buf_complete) == 24);

/* REVOKE_RECV_BUF and REVOKE_SEND_BUF */
struct nvsp_revoke_buffer {
	u16 id;
} __packed;
static_assert(sizeof(struct nvsp_revoke_buffer) == 2);

struct nvsp_send_send_buf_complete {
	u32 status;
	u32 section_size;
} __packed;
static_assert(sizeof(struct nvsp_send_send_buf_complete) == 8);

struct nvsp_send_rndis_pkt {
	u32 channel_type;
	u32 send_buf_section_index;
	u32 send_buf_section_size;
} __packed;
static_assert(sizeof(struct nvsp_send_rndis_pkt) == 12);

struct nvsp_send_rndis_pkt_complete {
	u32 status;
} __packed;
static_assert(sizeof(struct nvsp_send_rndis_pkt_complete) == 4);

/* Capability bits of SEND_NDIS_CONFIG */
#define NVSP_NDIS_CAP_VMQ		BIT_ULL(0)
#define NVSP_NDIS_CAP_CHIMNEY		BIT_ULL(1)
#define NVSP_NDIS_CAP_SRIOV		BIT_ULL(2)
#define NVSP_NDIS_CAP_IEEE8021Q		BIT_ULL(3)
#define NVSP_NDIS_CAP_CORRELATION_ID	BIT_ULL(4)
#define NVSP_NDIS_CAP_TEAMING		BIT_ULL(5)
#define NVSP_NDIS_CAP_VSUBNETID		BIT_ULL(6)
#define NVSP_NDIS_CAP_RSC		BIT_ULL(7)

struct nvsp_send_ndis_config {
	u32 mtu;
	u32 reserved;
	u64 capability;
} __packed;
static_assert(sizeof(struct nvsp_send_ndis_config) == 16);

struct nvsp_switch_data_path {
	u32 active_datapath;
} __packed;
static_assert(sizeof(struct nvsp_switch_data_path) == 4);

struct nvsp_subchannel_request {
	u32 op;
	u32 num_subchannels;
} __packed;
static_assert(sizeof(struct nvsp_subchannel_request) == 8);

struct nvsp_subchannel_complete {
	u32 status;
	u32 num_subchannels;
} __packed;
static_assert(sizeof(struct nvsp_subchannel_complete) == 8);

/* Followed, at @offset from the start of the NVSP message, by the table. */
struct nvsp_send_indirection_table {
	u32 count;
	u32 offset;
} __packed;
static_assert(sizeof(struct nvsp_send_indirection_table) == 8);

/* The 40-byte message Linux sends: header plus the largest body, padded. */
struct nvsp_message {
	struct nvsp_msg_header hdr;
	union {
		struct nvsp_init init;
		struct nvsp_init_complete init_complete;
		struct nvsp_send_ndis_version ndis_ver;
		struct nvsp_send_ndis_config ndis_config;
		struct nvsp_send_buffer send_buf;
		struct nvsp_send_recv_buf_complete recv_buf_complete;
		struct nvsp_send_send_buf_complete send_buf_complete;
		struct nvsp_revoke_buffer revoke_buf;
		struct nvsp_send_rndis_pkt rndis_pkt;
		struct nvsp_send_rndis_pkt_complete rndis_pkt_complete;
		struct nvsp_switch_data_path data_path;
		struct nvsp_subchannel_request subchannel_req;
		struct nvsp_subchannel_complete subchannel_complete;
		struct nvsp_send_indirection_table indirection_table;
		u8 raw[NVSP_MSG_SIZE_V61 - 4];
	} __packed;
} __packed;
static_assert(sizeof(struct nvsp_message) == NVSP_MSG_SIZE_V61);

/* Host -> guest indirection table message as OpenVMM sends it (6.10). */
struct nvsp_indirection_table_msg {
	struct nvsp_msg_header hdr;
	struct nvsp_send_indirection_table table;
	u32 entries[NVSP_INDIRECTION_TABLE_ENTRIES];
} __packed;
static_assert(sizeof(struct nvsp_indirection_table_msg) == 76);

#endif /* _VMBH_NVSP_PROTO_H */

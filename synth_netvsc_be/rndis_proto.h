/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RNDIS wire format as netvsc carries it inside NVSP SEND_RNDIS_PKT: control
 * messages, data packets with per-packet info, and the NDIS objects of the
 * OIDs a guest needs (vmbus-protocol.md 6.6-6.10).  Little-endian, packed.
 */
#ifndef _VMBH_RNDIS_PROTO_H
#define _VMBH_RNDIS_PROTO_H

#include "netvsp_types.h"

/* Message types */
#define RNDIS_MSG_COMPLETION	0x80000000u
#define RNDIS_MSG_PACKET	0x00000001u
#define RNDIS_MSG_INIT		0x00000002u
#define RNDIS_MSG_INIT_C	(RNDIS_MSG_INIT | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_HALT		0x00000003u
#define RNDIS_MSG_QUERY		0x00000004u
#define RNDIS_MSG_QUERY_C	(RNDIS_MSG_QUERY | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_SET		0x00000005u
#define RNDIS_MSG_SET_C		(RNDIS_MSG_SET | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_RESET		0x00000006u
#define RNDIS_MSG_RESET_C	(RNDIS_MSG_RESET | RNDIS_MSG_COMPLETION)
#define RNDIS_MSG_INDICATE	0x00000007u
#define RNDIS_MSG_KEEPALIVE	0x00000008u
#define RNDIS_MSG_KEEPALIVE_C	(RNDIS_MSG_KEEPALIVE | RNDIS_MSG_COMPLETION)

/* Status codes */
#define RNDIS_STATUS_SUCCESS		0x00000000u
#define RNDIS_STATUS_BUFFER_OVERFLOW	0x80000005u
#define RNDIS_STATUS_FAILURE		0xC0000001u
#define RNDIS_STATUS_NOT_SUPPORTED	0xC00000BBu
#define RNDIS_STATUS_INVALID_LENGTH	0xC0010014u
#define RNDIS_STATUS_INVALID_DATA	0xC0010015u
#define RNDIS_STATUS_INVALID_OID	0xC0010017u
#define RNDIS_STATUS_MEDIA_CONNECT	0x4001000Bu
#define RNDIS_STATUS_MEDIA_DISCONNECT	0x4001000Cu
#define RNDIS_STATUS_LINK_SPEED_CHANGE	0x40010013u

#define RNDIS_MAJOR_VERSION		1
#define RNDIS_MINOR_VERSION		0
#define RNDIS_DF_CONNECTIONLESS		0x00000001u
#define RNDIS_MEDIUM_802_3		0

/* OIDs */
#define OID_GEN_SUPPORTED_LIST			0x00010101u
#define OID_GEN_MAXIMUM_FRAME_SIZE		0x00010106u
#define OID_GEN_LINK_SPEED			0x00010107u
#define OID_GEN_CURRENT_PACKET_FILTER		0x0001010Eu
#define OID_GEN_MAXIMUM_TOTAL_SIZE		0x00010111u
#define OID_GEN_MEDIA_CONNECT_STATUS		0x00010114u
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES	0x00010203u
#define OID_GEN_RECEIVE_SCALE_PARAMETERS	0x00010204u
#define OID_GEN_FRIENDLY_NAME			0x00020216u
#define OID_GEN_RNDIS_CONFIG_PARAMETER		0x0001021Bu
#define OID_802_3_PERMANENT_ADDRESS		0x01010101u
#define OID_802_3_CURRENT_ADDRESS		0x01010102u
#define OID_802_3_MULTICAST_LIST		0x01010103u
#define OID_802_3_MAXIMUM_LIST_SIZE		0x01010104u
#define OID_TCP_OFFLOAD_PARAMETERS		0xFC01020Cu
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES	0xFC01020Du

/* Packet filter bits the host honours */
#define NDIS_PACKET_TYPE_DIRECTED	0x00000001u
#define NDIS_PACKET_TYPE_MULTICAST	0x00000002u
#define NDIS_PACKET_TYPE_ALL_MULTICAST	0x00000004u
#define NDIS_PACKET_TYPE_BROADCAST	0x00000008u
#define NDIS_PACKET_TYPE_PROMISCUOUS	0x00000020u

/* OID_GEN_MEDIA_CONNECT_STATUS values */
#define NDIS_MEDIA_STATE_CONNECTED	0
#define NDIS_MEDIA_STATE_DISCONNECTED	1

struct rndis_msg_header {
	u32 msg_type;
	u32 msg_len;
} __packed;
static_assert(sizeof(struct rndis_msg_header) == 8);

/* Bodies: offsets below are from the start of the body (message + 8). */
struct rndis_initialize_request {
	u32 req_id;
	u32 major_ver;
	u32 minor_ver;
	u32 max_xfer_size;
} __packed;
static_assert(sizeof(struct rndis_initialize_request) == 16);

struct rndis_initialize_complete {
	u32 req_id;
	u32 status;
	u32 major_ver;
	u32 minor_ver;
	u32 dev_flags;
	u32 medium;
	u32 max_pkt_per_msg;
	u32 max_xfer_size;
	u32 pkt_alignment_factor;
	u32 af_list_offset;
	u32 af_list_size;
} __packed;
static_assert(sizeof(struct rndis_initialize_complete) == 44);

/* HALT, RESET (reserved) and KEEPALIVE requests carry one u32. */
struct rndis_request_id {
	u32 req_id;
} __packed;
static_assert(sizeof(struct rndis_request_id) == 4);

/* QUERY and SET requests share the layout; the data follows. */
struct rndis_oid_request {
	u32 req_id;
	u32 oid;
	u32 info_buflen;
	u32 info_buf_offset;
	u32 dev_vc_handle;
} __packed;
static_assert(sizeof(struct rndis_oid_request) == 20);

struct rndis_query_complete {
	u32 req_id;
	u32 status;
	u32 info_buflen;
	u32 info_buf_offset;
} __packed;
static_assert(sizeof(struct rndis_query_complete) == 16);

/* SET_CMPLT and KEEPALIVE_CMPLT */
struct rndis_status_complete {
	u32 req_id;
	u32 status;
} __packed;
static_assert(sizeof(struct rndis_status_complete) == 8);

struct rndis_reset_complete {
	u32 status;
	u32 addressing_reset;
} __packed;
static_assert(sizeof(struct rndis_reset_complete) == 8);

struct rndis_indicate_status {
	u32 status;
	u32 status_buflen;
	u32 status_buf_offset;
} __packed;
static_assert(sizeof(struct rndis_indicate_status) == 12);

struct rndis_packet {
	u32 data_offset;
	u32 data_len;
	u32 oob_data_offset;
	u32 oob_data_len;
	u32 num_oob_data_elements;
	u32 per_pkt_info_offset;
	u32 per_pkt_info_len;
	u32 vc_handle;
	u32 reserved;
} __packed;
static_assert(sizeof(struct rndis_packet) == 36);

/* Per-packet info element; the value is at ppi_offset from its start. */
struct rndis_ppi {
	u32 size;
	u32 type;	/* bits 0-30 type, bit 31 internal */
	u32 ppi_offset;
} __packed;
static_assert(sizeof(struct rndis_ppi) == 12);

#define RNDIS_PPI_INTERNAL		0x80000000u
#define RNDIS_PPI_CHECKSUM		0
#define RNDIS_PPI_LSO			2
#define RNDIS_PPI_VLAN			6
#define RNDIS_PPI_HASH			8

/* Checksum PPI, transmit */
#define NDIS_CSUM_TX_IPV4		BIT(0)
#define NDIS_CSUM_TX_IPV6		BIT(1)
#define NDIS_CSUM_TX_TCP		BIT(2)
#define NDIS_CSUM_TX_UDP		BIT(3)
#define NDIS_CSUM_TX_IP_HEADER		BIT(4)
#define NDIS_CSUM_TX_L4_OFFSET(v)	(((v) >> 16) & 0x3FF)
/* Checksum PPI, receive */
#define NDIS_CSUM_RX_TCP_FAILED		BIT(0)
#define NDIS_CSUM_RX_UDP_FAILED		BIT(1)
#define NDIS_CSUM_RX_IP_FAILED		BIT(2)
#define NDIS_CSUM_RX_TCP_OK		BIT(3)
#define NDIS_CSUM_RX_UDP_OK		BIT(4)
#define NDIS_CSUM_RX_IP_OK		BIT(5)
/* LSOv2 PPI, transmit */
#define NDIS_LSO_MSS(v)			((v) & 0xFFFFF)
#define NDIS_LSO_L4_OFFSET(v)		(((v) >> 20) & 0x3FF)
#define NDIS_LSO_TYPE_V2		BIT(30)
#define NDIS_LSO_IPV6			BIT(31)
/* VLAN PPI */
#define NDIS_VLAN_PRIO(v)		((v) & 0x7)
#define NDIS_VLAN_CFI(v)		(((v) >> 3) & 0x1)
#define NDIS_VLAN_ID(v)			(((v) >> 4) & 0xFFF)

struct ndis_object_header {
	u8 type;
	u8 revision;
	u16 size;
} __packed;
static_assert(sizeof(struct ndis_object_header) == 4);

#define NDIS_OBJECT_TYPE_DEFAULT		0x80
#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES	0x88
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS		0x89
#define NDIS_OBJECT_TYPE_OFFLOAD		0xA7

/* Checksum capability words: 2-bit fields, value 1 = supported */
#define NDIS_CSUM_CAP_IP4OPT		0x001
#define NDIS_CSUM_CAP_TCP4OPT		0x004
#define NDIS_CSUM_CAP_TCP4		0x010
#define NDIS_CSUM_CAP_UDP4		0x040
#define NDIS_CSUM_CAP_IP4		0x100
#define NDIS_CSUM_CAP_IP6EXT		0x001
#define NDIS_CSUM_CAP_TCP6OPT		0x004
#define NDIS_CSUM_CAP_TCP6		0x010
#define NDIS_CSUM_CAP_UDP6		0x040
#define NDIS_OFFLOAD_ENCAP_8023		0x0002
#define NDIS_LSOV2_CAP_IP6EXT		0x001
#define NDIS_LSOV2_CAP_TCP6OPT		0x004

/* struct ndis_offload, revision 3 (NDIS 6.30), natural alignment */
struct ndis_offload {
	struct ndis_object_header header;
	u32 ip4_txenc;
	u32 ip4_txcsum;
	u32 ip4_rxenc;
	u32 ip4_rxcsum;
	u32 ip6_txenc;
	u32 ip6_txcsum;
	u32 ip6_rxenc;
	u32 ip6_rxcsum;
	u32 lsov1[4];
	u32 ipsecv1[7];
	u32 lsov2_ip4_encap;
	u32 lsov2_ip4_maxsz;
	u32 lsov2_ip4_minsg;
	u32 lsov2_ip6_encap;
	u32 lsov2_ip6_maxsz;
	u32 lsov2_ip6_minsg;
	u32 lsov2_ip6_opts;
	u32 flags;
	u32 ipsecv2[8];
	u8 rsc_ip4;
	u8 rsc_ip6;
	u8 rsc_pad[2];
	u32 encap_gre_flags;
	u32 encap_gre_maxhdr;
} __packed;
static_assert(sizeof(struct ndis_offload) == 156);
static_assert(offsetof(struct ndis_offload, lsov2_ip4_encap) == 80);
static_assert(offsetof(struct ndis_offload, rsc_ip4) == 144);

#define NDIS_OFFLOAD_REVISION_1	1
#define NDIS_OFFLOAD_REVISION_2	2
#define NDIS_OFFLOAD_REVISION_3	3
#define NDIS_OFFLOAD_SIZE_6_0	112
#define NDIS_OFFLOAD_SIZE_6_1	144
#define NDIS_OFFLOAD_SIZE_6_30	156

/* struct ndis_offload_params, the data of a TCP_OFFLOAD_PARAMETERS set */
struct ndis_offload_params {
	struct ndis_object_header header;
	u8 ip_v4_csum;
	u8 tcp_ip_v4_csum;
	u8 udp_ip_v4_csum;
	u8 tcp_ip_v6_csum;
	u8 udp_ip_v6_csum;
	u8 lso_v1;
	u8 ip_sec_v1;
	u8 lso_v2_ipv4;
	u8 lso_v2_ipv6;
	u8 tcp_connection_ip_v4;
	u8 tcp_connection_ip_v6;
	u8 pad;
	u32 flags;
	u8 ip_sec_v2;
	u8 ip_sec_v2_ip_v4;
	u8 rsc_ip_v4;
	u8 rsc_ip_v6;
	u8 encapsulated_packet_task_offload;
	u8 encapsulation_types;
	u8 pad2[2];
} __packed;
static_assert(sizeof(struct ndis_offload_params) == 28);
static_assert(offsetof(struct ndis_offload_params, flags) == 16);

#define NDIS_OFFLOAD_PARAMS_SIZE_V4	22	/* what NVSP <= 4 guests send */
#define NDIS_OFFLOAD_PARAMETERS_REVISION_1	1
#define NDIS_OFFLOAD_PARAMS_NO_CHANGE		0
#define NDIS_OFFLOAD_PARAMS_CSUM_DISABLED	1
#define NDIS_OFFLOAD_PARAMS_CSUM_TX		2
#define NDIS_OFFLOAD_PARAMS_CSUM_RX		3
#define NDIS_OFFLOAD_PARAMS_CSUM_TX_RX		4
#define NDIS_OFFLOAD_PARAMS_LSO_DISABLED	1
#define NDIS_OFFLOAD_PARAMS_LSO_ENABLED		2

/* struct ndis_recv_scale_cap: packed, 18 bytes */
struct ndis_recv_scale_cap {
	struct ndis_object_header hdr;
	u32 cap_flag;
	u32 num_int_msg;
	u32 num_recv_que;
	u16 num_indirect_tabent;
} __packed;
static_assert(sizeof(struct ndis_recv_scale_cap) == 18);

#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4	0x00000100u
#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6	0x00000200u
#define NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2	2

/* struct ndis_recv_scale_param: natural alignment, 40 bytes */
struct ndis_recv_scale_param {
	struct ndis_object_header hdr;
	u16 flag;
	u16 base_cpu_number;
	u32 hashinfo;
	u16 indirect_tabsize;
	u16 pad1;
	u32 indirect_taboffset;
	u16 hashkey_size;
	u16 pad2;
	u32 hashkey_offset;
	u32 processor_masks_offset;
	u32 num_processor_masks;
	u32 processor_masks_entry_size;
} __packed;
static_assert(sizeof(struct ndis_recv_scale_param) == 40);

#define NDIS_RSS_PARAM_FLAG_DISABLE_RSS		0x0010
#define NDIS_RSS_HASH_KEY_SIZE			40
#define NDIS_RSS_INDIRECTION_MAX		256
#define NDIS_HASH_FUNC_TOEPLITZ			0x00000001u
#define NDIS_HASH_IPV4				0x00000100u
#define NDIS_HASH_TCP_IPV4			0x00000200u
#define NDIS_HASH_IPV6				0x00000400u
#define NDIS_HASH_TCP_IPV6			0x00001000u

struct rndis_config_parameter_info {
	u32 parameter_name_offset;
	u32 parameter_name_length;
	u32 parameter_type;
	u32 parameter_value_offset;
	u32 parameter_value_length;
} __packed;
static_assert(sizeof(struct rndis_config_parameter_info) == 20);

#define RNDIS_CONFIG_PARAM_TYPE_STRING	2

#endif /* _VMBH_RNDIS_PROTO_H */

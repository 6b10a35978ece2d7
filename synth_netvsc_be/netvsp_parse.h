/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure netvsp logic: NVSP and RNDIS message validation, OID answers, the
 * PPI walker, offload translation to virtio-net headers, RSS hashing and
 * the receive-section allocator.  No kernel services: the same .c files
 * build in userspace for the unit tests in selftests/netvsp/.
 */
#ifndef _VMBH_NETVSP_PARSE_H
#define _VMBH_NETVSP_PARSE_H

#include "nvsp_proto.h"
#include "rndis_proto.h"

/* NDIS config MTU (frame bytes without FCS, with the Ethernet header). */
#define VMBH_NETVSP_MTU_DEFAULT		1514
#define VMBH_NETVSP_MTU_MIN		1514
#define VMBH_NETVSP_MTU_MAX		9216
/* Send-buffer section size the host chooses (what Hyper-V and OpenVMM use). */
#define VMBH_NETVSP_SEND_SECTION	6144
/* Offset of the frame inside a receive sub-allocation; the RNDIS header and
 * PPIs are written before it.
 */
#define VMBH_NETVSP_RX_DATA_OFFSET	96
/* Receive sub-allocations kept for control replies and status indications. */
#define VMBH_NETVSP_RX_CONTROL_RESERVE	16
/* Largest control message a guest may send (RSS parameters with a 256-entry
 * table are 1104 bytes).
 */
#define VMBH_NETVSP_CONTROL_MAX		4096
/* Largest RNDIS control reply the host builds. */
#define VMBH_NETVSP_REPLY_MAX		512
/* Packets the guest may batch in one send section (INITIALIZE_CMPLT). */
#define VMBH_NETVSP_MAX_PKT_PER_MSG	8
/* log2 of the batch alignment (INITIALIZE_CMPLT pkt_alignment_factor). */
#define VMBH_NETVSP_PKT_ALIGN_SHIFT	3
/* Bytes of each transmitted frame copied to the host to read and fix up
 * its headers.
 */
#define VMBH_NETVSP_TX_HDR_MAX		256
/* Largest LSO frame: an IP packet of 64 KiB behind an Ethernet+VLAN header. */
#define VMBH_NETVSP_LSO_MAX		(65535 + 18)
#define VMBH_NETVSP_LSO_MSS_MIN		8
/* The LSOv2 MSS has 20 bits, virtio-net's gso_size 16, and the tap
 * refuses 0xFFFF (GSO_BY_FRAGS); no IP packet has a larger segment.
 */
#define VMBH_NETVSP_LSO_MSS_MAX		0xFFFE
/*
 * LSOv2 maximum offload size advertised: the 64 KiB a Linux guest's TCP
 * stack can use (GSO_LEGACY_MAX_SIZE), what virtio-net gets.  Hyper-V
 * advertises 62780, which costs a Linux sender 4.6 % more frames.
 */
#define VMBH_NETVSP_LSO_MAXSZ		65536
#define VMBH_NETVSP_MAX_QUEUES		64
#define VMBH_NETVSP_MCAST_MAX		32

/* ---- NVSP ---- */

bool vmbh_nvsp_version_ok(u32 version);
int vmbh_nvsp_parse(const void *buf, u32 len, u32 version,
		    struct nvsp_message *msg);
u32 vmbh_nvsp_mtu(u32 ndis_mtu);
int vmbh_nvsp_recv_layout(u64 buf_size, u32 mtu, u32 queues,
			  u32 *sub_alloc_size, u32 *num_sub_allocs);
int vmbh_nvsp_send_span(u32 index, u32 size, u32 section_size,
			u64 buf_size, u64 *offset);
u32 vmbh_nvsp_subchannels_granted(u32 requested, u32 max_queues,
				  u32 num_sub_allocs);

/* ---- RNDIS messages ---- */

int vmbh_rndis_next(const void *buf, u32 avail, u32 *type, u32 *msg_len);

/* PPI values a guest attached to a data packet; bit (1 << type) in present */
struct vmbh_rndis_pkt {
	u32 data_offset;	/* of the frame from the start of the message */
	u32 data_len;
	u32 present;
	u32 csum;
	u32 lso;
	u32 vlan;
	u32 hash;
};

int vmbh_rndis_parse_packet(const void *hdr, u32 hdr_len, u32 msg_len,
			    struct vmbh_rndis_pkt *pkt);

struct vmbh_rndis_ctl {
	u32 type;
	u32 req_id;
	u32 oid;		/* QUERY, SET */
	u32 info_offset;	/* QUERY, SET: from the start of the message */
	u32 info_len;
	u32 major_ver;		/* INIT */
	u32 minor_ver;
};

int vmbh_rndis_parse_control(const void *msg, u32 msg_len,
			     struct vmbh_rndis_ctl *ctl);

/* What the host offers the guest. */
struct vmbh_netvsp_cfg {
	u8 mac[6];
	u32 mtu;		/* NDIS config MTU, Ethernet header included */
	u32 nvsp_version;
	u32 max_queues;
	u32 link_speed;		/* in 100 bit/s */
	bool link_up;
	bool offloads;		/* checksum and LSO offloads (the tap has a
				 * virtio-net header)
				 */
};

struct vmbh_netvsp_rss {
	bool enabled;
	u32 hashinfo;
	u32 entries;
	u8 key[NDIS_RSS_HASH_KEY_SIZE];
	u32 table[NDIS_RSS_INDIRECTION_MAX];
};

/* What the guest configured through RNDIS. */
struct vmbh_rndis_state {
	bool initialized;
	u32 packet_filter;
	bool tx_csum_tcp4, tx_csum_udp4, tx_csum_tcp6, tx_csum_udp6;
	bool rx_csum;
	bool lso4, lso6;
	u32 mcast_count;
	u8 mcast[VMBH_NETVSP_MCAST_MAX][6];
	u8 config_mac[6];
	bool config_mac_set;
	struct vmbh_netvsp_rss rss;
};

u32 vmbh_rndis_query(const struct vmbh_netvsp_cfg *cfg, u32 oid,
		     const u8 *in, u32 in_len, u8 *out, u32 out_cap,
		     u32 *out_len);
u32 vmbh_rndis_set(const struct vmbh_netvsp_cfg *cfg,
		   struct vmbh_rndis_state *st, u32 oid, const u8 *data,
		   u32 len);
int vmbh_rndis_control_reply(const struct vmbh_netvsp_cfg *cfg,
			     struct vmbh_rndis_state *st,
			     const struct vmbh_rndis_ctl *ctl, const u8 *msg,
			     u8 *reply, u32 reply_cap);
u32 vmbh_rndis_build_indicate(u8 *buf, u32 status);
u32 vmbh_rndis_build_rx_header(u8 *buf, u32 frame_len, u32 csum,
			       bool has_hash, u32 hash);
bool vmbh_rndis_rx_wanted(const struct vmbh_netvsp_cfg *cfg,
			  const struct vmbh_rndis_state *st, const u8 *dst);

/* ---- offloads ---- */

/* struct virtio_net_hdr as the tap reads and writes it (native endian). */
struct vmbh_vnet_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
} __packed;
static_assert(sizeof(struct vmbh_vnet_hdr) == 10);

#define VMBH_VNET_F_NEEDS_CSUM		1
#define VMBH_VNET_F_DATA_VALID		2
#define VMBH_VNET_GSO_NONE		0
#define VMBH_VNET_GSO_TCPV4		1
#define VMBH_VNET_GSO_UDP		3
#define VMBH_VNET_GSO_TCPV6		4
#define VMBH_VNET_GSO_ECN		0x80

int vmbh_netvsp_tx_offload(const struct vmbh_rndis_pkt *pkt, u8 *hdr,
			   u32 *hdr_len, u32 hdr_cap, u32 frame_len,
			   struct vmbh_vnet_hdr *vh);
int vmbh_netvsp_rx_csum(const struct vmbh_vnet_hdr *vh, u8 *frame, u32 len,
			u32 *csum_ppi);
u32 vmbh_netvsp_toeplitz(const u8 *key, const u8 *input, u32 len);
bool vmbh_netvsp_rss_hash(const struct vmbh_netvsp_rss *rss, const u8 *frame,
			  u32 len, u32 *hash);
u16 vmbh_netvsp_csum_fold(u32 sum);
u32 vmbh_netvsp_csum_add(u32 sum, const u8 *buf, u32 len);

/* ---- receive sub-allocations ----
 * Each sub-allocation is free or part of one outstanding transfer-page
 * packet; the packet's first sub-allocation is its transaction id and the
 * others hang off it through @next.
 */
#define VMBH_RXSEC_FREE		0xFFFFFFFFu
#define VMBH_RXSEC_MEMBER	0xFFFFFFFEu

struct vmbh_rxsec {
	u32 count;
	u32 nr_free;
	u32 *free;	/* stack of free indices, @count entries */
	u32 *next;	/* chain inside a packet, @count entries */
	u32 *owner;	/* channel of a packet head, MEMBER, or FREE */
};

void vmbh_rxsec_init(struct vmbh_rxsec *rs);
int vmbh_rxsec_get(struct vmbh_rxsec *rs);
void vmbh_rxsec_put(struct vmbh_rxsec *rs, u32 sec);
u64 vmbh_rxsec_commit(struct vmbh_rxsec *rs, const u32 *secs, u32 n,
		      u32 channel);
int vmbh_rxsec_complete(struct vmbh_rxsec *rs, u64 trans_id, u32 channel);
u32 vmbh_rxsec_drop_channel(struct vmbh_rxsec *rs, u32 channel);

#endif /* _VMBH_NETVSP_PARSE_H */

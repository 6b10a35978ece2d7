// SPDX-License-Identifier: GPL-2.0
/*
 * NVSP message validation and the host's buffer-layout decisions.  Pure C:
 * also built into the host-run unit tests (selftests/netvsp/).
 */
#include "netvsp_parse.h"

static const u32 vmbh_nvsp_versions[] = {
	NVSP_PROTOCOL_VERSION_1, NVSP_PROTOCOL_VERSION_2,
	NVSP_PROTOCOL_VERSION_4, NVSP_PROTOCOL_VERSION_5,
	NVSP_PROTOCOL_VERSION_6, NVSP_PROTOCOL_VERSION_61,
};

/**
 * vmbh_nvsp_version_ok() - is an NVSP version one the host speaks
 * @version: the version from the guest's INIT
 *
 * Return: true for the six versions the Linux guest tries.
 */
bool vmbh_nvsp_version_ok(u32 version)
{
	size_t i;

	for (i = 0; i < sizeof(vmbh_nvsp_versions) / sizeof(u32); i++)
		if (vmbh_nvsp_versions[i] == version)
			return true;
	return false;
}

/*
 * Body bytes a guest->host message of @type needs, and the lowest version
 * that defines it; 0 bytes for a type the guest may not send.
 */
static u32 vmbh_nvsp_body_len(u32 type, u32 *min_version)
{
	*min_version = NVSP_PROTOCOL_VERSION_1;
	switch (type) {
	case NVSP_MSG_TYPE_INIT:
		return sizeof(struct nvsp_init);
	case NVSP_MSG1_TYPE_SEND_NDIS_VER:
		return sizeof(struct nvsp_send_ndis_version);
	case NVSP_MSG1_TYPE_SEND_RECV_BUF:
	case NVSP_MSG1_TYPE_SEND_SEND_BUF:
		return sizeof(struct nvsp_send_buffer);
	case NVSP_MSG1_TYPE_REVOKE_RECV_BUF:
	case NVSP_MSG1_TYPE_REVOKE_SEND_BUF:
		return sizeof(struct nvsp_revoke_buffer);
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT:
		return sizeof(struct nvsp_send_rndis_pkt);
	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
		return sizeof(struct nvsp_send_rndis_pkt_complete);
	case NVSP_MSG2_TYPE_SEND_NDIS_CONFIG:
		*min_version = NVSP_PROTOCOL_VERSION_2;
		return sizeof(struct nvsp_send_ndis_config);
	case NVSP_MSG4_TYPE_SWITCH_DATA_PATH:
		*min_version = NVSP_PROTOCOL_VERSION_4;
		return sizeof(struct nvsp_switch_data_path);
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		*min_version = NVSP_PROTOCOL_VERSION_5;
		return sizeof(struct nvsp_subchannel_request);
	default:
		return 0;
	}
}

/**
 * vmbh_nvsp_parse() - copy and validate a guest NVSP message
 * @buf: the packet payload
 * @len: its bytes
 * @version: negotiated NVSP version, 0 before INIT succeeded
 * @msg: filled with the message, zero beyond @len
 *
 * Return: 0; -EINVAL when the message is shorter than its type needs;
 * -EPROTO for a type unknown, not sent by guests, not defined at
 * @version, or other than INIT before INIT.
 */
int vmbh_nvsp_parse(const void *buf, u32 len, u32 version,
		    struct nvsp_message *msg)
{
	u32 body, min_version;

	memset(msg, 0, sizeof(*msg));
	if (len < sizeof(struct nvsp_msg_header))
		return -EINVAL;
	memcpy(msg, buf, len < sizeof(*msg) ? len : sizeof(*msg));
	body = vmbh_nvsp_body_len(msg->hdr.msg_type, &min_version);
	if (!body)
		return -EPROTO;
	if (!version && msg->hdr.msg_type != NVSP_MSG_TYPE_INIT)
		return -EPROTO;
	if (version && version < min_version)
		return -EPROTO;
	if (len < sizeof(struct nvsp_msg_header) + body)
		return -EINVAL;
	return 0;
}

/**
 * vmbh_nvsp_mtu() - the frame size to use for a guest's NDIS config MTU
 * @ndis_mtu: SEND_NDIS_CONFIG mtu (interface MTU + 14)
 *
 * Return: @ndis_mtu when in [1514, 9216], else 1514 (as Hyper-V does).
 */
u32 vmbh_nvsp_mtu(u32 ndis_mtu)
{
	if (ndis_mtu < VMBH_NETVSP_MTU_MIN || ndis_mtu > VMBH_NETVSP_MTU_MAX)
		return VMBH_NETVSP_MTU_DEFAULT;
	return ndis_mtu;
}

/**
 * vmbh_nvsp_recv_layout() - split a receive buffer into sub-allocations
 * @buf_size: bytes of the guest's receive buffer GPADL
 * @mtu: largest frame, Ethernet header included
 * @queues: channels that will share the buffer
 * @sub_alloc_size: out: bytes per sub-allocation (the guest's largest
 *	receive range)
 * @num_sub_allocs: out: how many fit
 *
 * Each sub-allocation holds one RNDIS message: header and PPIs in the
 * first %VMBH_NETVSP_RX_DATA_OFFSET bytes, then a frame of @mtu plus a
 * VLAN tag.  The host answers with this one section.
 *
 * Return: 0, or -EINVAL when the buffer cannot hold the control reserve
 * plus one sub-allocation per queue.
 */
int vmbh_nvsp_recv_layout(u64 buf_size, u32 mtu, u32 queues,
			  u32 *sub_alloc_size, u32 *num_sub_allocs)
{
	u32 size = VMBH_NETVSP_RX_DATA_OFFSET + mtu + 4;
	u64 count;

	size = (size + 63) & ~63u;
	count = buf_size / size;
	if (count < VMBH_NETVSP_RX_CONTROL_RESERVE + (u64)queues)
		return -EINVAL;
	if (count > 0xFFFFFFF0u)
		count = 0xFFFFFFF0u;
	*sub_alloc_size = size;
	*num_sub_allocs = (u32)count;
	return 0;
}

/**
 * vmbh_nvsp_send_span() - locate a SEND_RNDIS_PKT's bytes in the send buffer
 * @index: send_buf_section_index
 * @size: send_buf_section_size
 * @section_size: the host's section size
 * @buf_size: bytes of the send buffer
 * @offset: out: byte offset of the data in the send buffer
 *
 * The span must lie inside its one section: hv_netvsc batches packets
 * into a section only while the batch stays below the section size the
 * host gave in SEND_SEND_BUF_COMPLETE (netvsc_send()), and a larger span
 * would let one message cover the whole buffer.
 *
 * Return: 0; -EINVAL for an empty span, one larger than a section or one
 * outside the buffer.
 */
int vmbh_nvsp_send_span(u32 index, u32 size, u32 section_size, u64 buf_size,
			u64 *offset)
{
	u64 off = (u64)index * section_size;

	if (!size || size > section_size || off >= buf_size ||
	    size > buf_size - off)
		return -EINVAL;
	*offset = off;
	return 0;
}

/**
 * vmbh_nvsp_subchannels_granted() - answer to a SUBCHANNEL allocate request
 * @requested: num_subchannels the guest asked for
 * @max_queues: channels the VMM gave the device
 * @num_sub_allocs: receive sub-allocations the buffer was split into
 *
 * Return: subchannels granted, at most @requested and @max_queues - 1, and
 * only as many as leave each queue some receive sub-allocations.
 */
u32 vmbh_nvsp_subchannels_granted(u32 requested, u32 max_queues,
				  u32 num_sub_allocs)
{
	u32 n = requested;
	u32 per_queue_min = 2 * VMBH_NETVSP_RX_CONTROL_RESERVE;

	if (!max_queues)
		return 0;
	if (n > max_queues - 1)
		n = max_queues - 1;
	while (n && (u64)(n + 1) * per_queue_min + VMBH_NETVSP_RX_CONTROL_RESERVE >
	       num_sub_allocs)
		n--;
	return n;
}

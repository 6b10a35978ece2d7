// SPDX-License-Identifier: GPL-2.0
/*
 * HvPostMessage input validation: from the raw hypercall fields to the
 * Hyper-V status the guest gets back.
 *
 * Builds both in vmbh_hypercall.ko and in userspace: the tier-0 unit
 * tests (selftests/vmbus_host/unit) compile it with -Iinclude
 * -Iinclude/uapi.  Keep it free of kernel-only includes.
 */
#include "post_check.h"

/**
 * vmbh_hv_msg_min_size() - smallest legal size of a guest->host message
 * @msgtype: enum vmbh_channel_message_type
 *
 * Return: bytes including the 8-byte header, or 0 for a type the guest
 * never sends to the host.
 */
__u32 vmbh_hv_msg_min_size(__u32 msgtype)
{
	switch (msgtype) {
	case VMBH_CHANNELMSG_REQUESTOFFERS:
	case VMBH_CHANNELMSG_UNLOAD:
		return sizeof(struct vmbh_channel_message_header);
	case VMBH_CHANNELMSG_OPENCHANNEL:
		return sizeof(struct vmbh_msg_open_channel);
	case VMBH_CHANNELMSG_CLOSECHANNEL:
	case VMBH_CHANNELMSG_RELID_RELEASED:
		return sizeof(struct vmbh_msg_relid);
	case VMBH_CHANNELMSG_GPADL_HEADER:
		return sizeof(struct vmbh_msg_gpadl_header);
	case VMBH_CHANNELMSG_GPADL_BODY:
		return sizeof(struct vmbh_msg_gpadl_body);
	case VMBH_CHANNELMSG_GPADL_TEARDOWN:
		return sizeof(struct vmbh_msg_gpadl_teardown);
	case VMBH_CHANNELMSG_INITIATE_CONTACT:
		return sizeof(struct vmbh_msg_initiate_contact);
	case VMBH_CHANNELMSG_TL_CONNECT_REQUEST:
		return 40;
	case VMBH_CHANNELMSG_MODIFYCHANNEL:
		return sizeof(struct vmbh_msg_modify_channel);
	default:
		return 0;
	}
}

/**
 * vmbh_hv_post_msg_check() - validate the shape of an HvPostMessage
 * @message_type: input +8; VMBus messages are type 1
 * @payload_size: input +12
 * @payload: the payload, %VMBH_HV_MESSAGE_PAYLOAD_SIZE bytes readable
 *
 * The connection id depends on the bus state and is the caller's to
 * check.
 *
 * Return: VMBH_HV_STATUS_SUCCESS, or VMBH_HV_STATUS_INVALID_HYPERCALL_INPUT
 * for a wrong message type, a payload below 8 or above 240 bytes, a
 * VMBus message type the guest may not send, or a payload shorter than
 * that message type.
 */
__u16 vmbh_hv_post_msg_check(__u32 message_type, __u32 payload_size,
			     const void *payload)
{
	const struct vmbh_channel_message_header *hdr = payload;
	__u32 min;

	if (message_type != VMBH_HVMSG_VMBUS)
		return VMBH_HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (payload_size < sizeof(*hdr) ||
	    payload_size > VMBH_HV_MESSAGE_PAYLOAD_SIZE)
		return VMBH_HV_STATUS_INVALID_HYPERCALL_INPUT;
	min = vmbh_hv_msg_min_size(hdr->msgtype);
	if (!min || payload_size < min)
		return VMBH_HV_STATUS_INVALID_HYPERCALL_INPUT;
	return VMBH_HV_STATUS_SUCCESS;
}

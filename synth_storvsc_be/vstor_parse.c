// SPDX-License-Identifier: GPL-2.0
/*
 * VSTOR packet validation and the storvsp init state machine, written
 * without kernel dependencies so the host-run unit tests exercise it too.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

#include "vstor_parse.h"

static __u32 vstor_min(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

/**
 * vmbh_vstor_parse_packet - validate one guest->host packet
 * @in:		the packet, copied out of the ring and checked for VMBus
 *		framing (lengths, GPA range shapes) by the channel layer
 * @req:	out: the parsed request
 *
 * Checks what every storvsp packet must satisfy regardless of state: an
 * in-band or GPA-direct packet (a completion from the guest is invalid:
 * storvsp never asks for one), a completion requested (every storvsc
 * request waits for one) and a whole vstor_packet header.  A packet
 * failing these cannot be answered meaningfully and fails the channel.
 *
 * Return: 0, or -EPROTO when the channel must be failed.
 */
int vmbh_vstor_parse_packet(const struct vmbh_vstor_pkt *in,
			    struct vmbh_vstor_request *req)
{
	memset(req, 0, sizeof(*req));
	if (in->type != VSTOR_VMPKT_DATA_INBAND &&
	    in->type != VSTOR_VMPKT_DATA_GPA_DIRECT)
		return -EPROTO;
	if (in->flags != VSTOR_VMPKT_FLAG_COMPLETION_REQUESTED)
		return -EPROTO;
	if (in->len < VSTOR_PACKET_HDR_SIZE)
		return -EPROTO;
	if (in->type == VSTOR_VMPKT_DATA_GPA_DIRECT) {
		if (in->range_cnt == 0)
			return -EPROTO;
		req->range_cnt = in->range_cnt;
		req->byte_count = in->byte_count;
		req->byte_offset = in->byte_offset;
	}

	req->trans_id = in->trans_id;
	req->payload_len = in->len;
	memcpy(&req->pkt, in->data, vstor_min(in->len, sizeof(req->pkt)));
	return 0;
}

static __u32 vstor_srb_size(__u16 version)
{
	return version >= VSTOR_VERSION_WIN8 ? sizeof(struct vmscsi_request) :
					       VSTOR_SRB_SIZE_PRE_WIN8;
}

/**
 * vmbh_vstor_check_srb - validate an EXECUTE_SRB against the protocol
 * @req:	the parsed packet, operation EXECUTE_SRB
 * @version:	negotiated protocol version
 * @max_transfer: the advertised max_transfer_bytes
 * @io:		out: what to execute when the SRB is valid
 *
 * The buffer is the packet's single GPA range; it must cover the whole
 * data_transfer_length, which must not exceed @max_transfer.  Bytes of
 * the range beyond data_transfer_length are never touched.
 *
 * Return: SRB_STATUS_SUCCESS, or the SRB status to complete the request
 * with (SRB_STATUS_INVALID_REQUEST).
 */
__u8 vmbh_vstor_check_srb(const struct vmbh_vstor_request *req,
			  __u16 version, __u32 max_transfer,
			  struct vmbh_vstor_io *io)
{
	const struct vmscsi_request *srb = &req->pkt.vm_srb;
	__u32 len = srb->data_transfer_length;

	memset(io, 0, sizeof(*io));
	if (req->payload_len < VSTOR_PACKET_HDR_SIZE + vstor_srb_size(version))
		return SRB_STATUS_INVALID_REQUEST;
	if (srb->cdb_length == 0 || srb->cdb_length > VSTOR_MAX_CDB_LEN)
		return SRB_STATUS_INVALID_REQUEST;
	if (srb->data_in > VSTOR_DATA_NONE)
		return SRB_STATUS_INVALID_REQUEST;
	if (req->range_cnt > 1)
		return SRB_STATUS_INVALID_REQUEST;
	if (len > max_transfer)
		return SRB_STATUS_INVALID_REQUEST;

	io->cdb_len = srb->cdb_length;
	if (len == 0) {
		io->data_in = VSTOR_DATA_NONE;
		return SRB_STATUS_SUCCESS;
	}
	if (srb->data_in == VSTOR_DATA_NONE || req->range_cnt != 1 ||
	    req->byte_count < len)
		return SRB_STATUS_INVALID_REQUEST;

	io->data_len = len;
	io->data_in = srb->data_in;
	io->byte_offset = req->byte_offset;
	io->pfn_cnt = (req->byte_offset + len + VMBH_VSTOR_PAGE_SIZE - 1) >>
		      VMBH_VSTOR_PAGE_SHIFT;
	return SRB_STATUS_SUCCESS;
}

/**
 * vmbh_vstor_version_supported - whether storvsp speaks @version
 * @version:	major << 8 | minor from QUERY_PROTOCOL_VERSION
 *
 * Every version a Linux (6.2, 6.0, 5.1) or Windows (down to 2.0) guest
 * proposes.
 *
 * Return: true when supported.
 */
bool vmbh_vstor_version_supported(__u16 version)
{
	switch (version) {
	case VSTOR_VERSION_WIN6:
	case VSTOR_VERSION_WIN7:
	case VSTOR_VERSION_WIN8:
	case VSTOR_VERSION_WIN8_1:
	case VSTOR_VERSION_WIN10:
		return true;
	}
	return false;
}

/**
 * vmbh_vstor_reply_len - payload bytes of the reply to a request
 * @payload_len: payload bytes of the guest's request (at least 12)
 *
 * The reply is as long as the request, up to the 64-byte vstor_packet,
 * as OpenVMM does it: a Linux guest sends 64 bytes and drops any reply
 * shorter than that ("Invalid pkt ... minlen=64", its probe then times
 * out), a Windows guest sends the size of its protocol version and wants
 * exactly that back.
 *
 * Return: bytes of vstor_packet to send.
 */
__u32 vmbh_vstor_reply_len(__u32 payload_len)
{
	return vstor_min(payload_len, sizeof(struct vstor_packet));
}

/**
 * vmbh_vstor_unsolicited_len - payload bytes of a host-initiated packet
 * @version:	negotiated version
 *
 * Return: vstor_packet header plus the version's SRB size.
 */
__u32 vmbh_vstor_unsolicited_len(__u16 version)
{
	return VSTOR_PACKET_HDR_SIZE + vstor_srb_size(version);
}

/**
 * vmbh_vstor_state_init - reset a controller's protocol state
 * @st:		the state
 * @max_subchannels: subchannels the device can offer (queues - 1)
 * @max_transfer: max_transfer_bytes to advertise, a multiple of 4096
 */
void vmbh_vstor_state_init(struct vmbh_vstor_state *st, __u16 max_subchannels,
			   __u32 max_transfer)
{
	memset(st, 0, sizeof(*st));
	st->stage = VMBH_VSTOR_WAIT_BEGIN;
	st->max_subchannels = max_subchannels;
	st->max_transfer = max_transfer;
}

static void vstor_reply_status(struct vstor_packet *reply, __u32 status)
{
	memset(reply, 0, sizeof(*reply));
	reply->operation = VSTOR_OPERATION_COMPLETE_IO;
	reply->status = status;
}

static enum vmbh_vstor_action
vstor_create_subchannels(struct vmbh_vstor_state *st, bool primary,
			 const struct vmbh_vstor_request *req,
			 struct vstor_packet *reply)
{
	__u16 count = req->pkt.sub_channel_count;

	if (!primary) {
		vstor_reply_status(reply, VSTOR_STATUS_INVALID_DEVICE_REQUEST);
		return VMBH_VSTOR_ACT_REPLY;
	}
	if (st->stage != VMBH_VSTOR_WAIT_END && st->stage != VMBH_VSTOR_READY) {
		vstor_reply_status(reply, VSTOR_STATUS_INVALID_DEVICE_STATE);
		return VMBH_VSTOR_ACT_REPLY;
	}
	/* Once per open: the subchannels' relids are fixed after the offer. */
	if (st->version < VSTOR_VERSION_WIN8 || st->subchannels ||
	    count == 0 || count > st->max_subchannels) {
		vstor_reply_status(reply, VSTOR_STATUS_INVALID_PARAMETER);
		return VMBH_VSTOR_ACT_REPLY;
	}
	st->subchannels = count;
	vstor_reply_status(reply, VSTOR_STATUS_SUCCESS);
	return VMBH_VSTOR_ACT_SUBCHANNELS;
}

/**
 * vmbh_vstor_control - advance the protocol with one parsed packet
 * @st:		the controller's state; only the primary channel changes it
 * @primary:	whether the packet came in on the primary channel
 * @req:	the packet
 * @reply:	out: the completion to send (always filled)
 *
 * Enforces BEGIN -> VERSION (repeatable until accepted) -> PROPERTIES ->
 * [CREATE_SUB_CHANNELS] -> END; after END only EXECUTE_SRB, the resets and
 * (primary) CREATE_SUB_CHANNELS.  Anything else gets an error status.
 *
 * Return: the action the caller takes before sending @reply.  For
 * %VMBH_VSTOR_ACT_EXECUTE the caller builds the reply itself.
 */
enum vmbh_vstor_action vmbh_vstor_control(struct vmbh_vstor_state *st,
					  bool primary,
					  const struct vmbh_vstor_request *req,
					  struct vstor_packet *reply)
{
	const struct vstor_packet *pkt = &req->pkt;
	enum vmbh_vstor_stage want;
	__u16 v;

	switch (pkt->operation) {
	case VSTOR_OPERATION_EXECUTE_SRB:
		if (st->stage != VMBH_VSTOR_READY) {
			vstor_reply_status(reply,
					   VSTOR_STATUS_INVALID_DEVICE_STATE);
			reply->vm_srb.srb_status = SRB_STATUS_INVALID_REQUEST;
			return VMBH_VSTOR_ACT_REPLY;
		}
		return VMBH_VSTOR_ACT_EXECUTE;
	case VSTOR_OPERATION_RESET_LUN:
	case VSTOR_OPERATION_RESET_ADAPTER:
	case VSTOR_OPERATION_RESET_BUS:
		if (st->stage != VMBH_VSTOR_READY) {
			vstor_reply_status(reply,
					   VSTOR_STATUS_INVALID_DEVICE_STATE);
			return VMBH_VSTOR_ACT_REPLY;
		}
		vstor_reply_status(reply, VSTOR_STATUS_SUCCESS);
		return VMBH_VSTOR_ACT_RESET;
	case VSTOR_OPERATION_CREATE_SUB_CHANNELS:
		return vstor_create_subchannels(st, primary, req, reply);
	case VSTOR_OPERATION_BEGIN_INITIALIZATION:
		want = VMBH_VSTOR_WAIT_BEGIN;
		break;
	case VSTOR_OPERATION_QUERY_PROTOCOL_VERSION:
		want = VMBH_VSTOR_WAIT_VERSION;
		break;
	case VSTOR_OPERATION_QUERY_PROPERTIES:
		want = VMBH_VSTOR_WAIT_PROPERTIES;
		break;
	case VSTOR_OPERATION_END_INITIALIZATION:
		want = VMBH_VSTOR_WAIT_END;
		break;
	default:
		/* host-only operations, FC on a SCSI controller, garbage */
		vstor_reply_status(reply, VSTOR_STATUS_INVALID_DEVICE_REQUEST);
		return VMBH_VSTOR_ACT_REPLY;
	}

	if (!primary || st->stage != want) {
		vstor_reply_status(reply, VSTOR_STATUS_INVALID_DEVICE_STATE);
		return VMBH_VSTOR_ACT_REPLY;
	}

	vstor_reply_status(reply, VSTOR_STATUS_SUCCESS);
	switch (want) {
	case VMBH_VSTOR_WAIT_BEGIN:
		st->stage = VMBH_VSTOR_WAIT_VERSION;
		break;
	case VMBH_VSTOR_WAIT_VERSION:
		v = pkt->version.major_minor;
		reply->version.major_minor = v;
		if (!vmbh_vstor_version_supported(v)) {
			reply->status = VSTOR_STATUS_REVISION_MISMATCH;
			break;
		}
		st->version = v;
		st->stage = VMBH_VSTOR_WAIT_PROPERTIES;
		break;
	case VMBH_VSTOR_WAIT_PROPERTIES:
		if (st->version >= VSTOR_VERSION_WIN8 && st->max_subchannels) {
			reply->properties.max_channel_cnt = st->max_subchannels;
			reply->properties.flags =
				VSTOR_PROP_SUPPORTS_MULTI_CHANNEL;
		}
		reply->properties.max_transfer_bytes = st->max_transfer;
		st->stage = VMBH_VSTOR_WAIT_END;
		break;
	case VMBH_VSTOR_WAIT_END:
		st->stage = VMBH_VSTOR_READY;
		break;
	case VMBH_VSTOR_READY:
		break;
	}
	return VMBH_VSTOR_ACT_REPLY;
}

/**
 * vmbh_vstor_subchannels_failed - the offer CREATE_SUB_CHANNELS asked for failed
 * @st:		the controller's state, after %VMBH_VSTOR_ACT_SUBCHANNELS
 * @reply:	out: the completion to send instead
 *
 * Forgets the grant, so that the guest's retry is not refused as asked
 * twice, and fails the request.
 */
void vmbh_vstor_subchannels_failed(struct vmbh_vstor_state *st,
				   struct vstor_packet *reply)
{
	st->subchannels = 0;
	vstor_reply_status(reply, VSTOR_STATUS_UNSUCCESSFUL);
}

/**
 * vmbh_vstor_srb_ntstatus - NTSTATUS for a completed SRB
 * @srb_status:	SRB status, flags included
 *
 * Return: the vstor_packet.status that goes with @srb_status.
 */
__u32 vmbh_vstor_srb_ntstatus(__u8 srb_status)
{
	switch (srb_status & 0x3f) {
	case SRB_STATUS_SUCCESS:
		return VSTOR_STATUS_SUCCESS;
	case SRB_STATUS_INVALID_REQUEST:
		return VSTOR_STATUS_INVALID_DEVICE_REQUEST;
	case SRB_STATUS_INVALID_LUN:
		return VSTOR_STATUS_DEVICE_NOT_CONNECTED;
	default:
		return VSTOR_STATUS_IO_DEVICE_ERROR;
	}
}

/**
 * vmbh_vstor_srb_reply - build the completion of an EXECUTE_SRB
 * @reply:	out: the vstor_packet
 * @srb_status:	SRB status code (without flags)
 * @scsi_status: SAM status byte
 * @transferred: data bytes actually moved
 * @sense:	sense data, or NULL
 * @sense_len:	valid bytes at @sense
 *
 * Sense goes back only with CHECK CONDITION, flagged AUTOSENSE_VALID and
 * cut to the 20 bytes the protocol carries.
 */
void vmbh_vstor_srb_reply(struct vstor_packet *reply, __u8 srb_status,
			  __u8 scsi_status, __u32 transferred,
			  const __u8 *sense, __u32 sense_len)
{
	struct vmscsi_request *srb = &reply->vm_srb;

	memset(reply, 0, sizeof(*reply));
	reply->operation = VSTOR_OPERATION_COMPLETE_IO;
	srb->length = sizeof(*srb);
	srb->cdb_length = VSTOR_MAX_CDB_LEN;
	srb->scsi_status = scsi_status;
	srb->data_transfer_length = transferred;
	if (sense && sense_len && scsi_status == 0x02) {
		sense_len = vstor_min(sense_len, VSTOR_SENSE_LEN);
		memcpy(srb->sense_data, sense, sense_len);
		srb->sense_info_length = (__u8)sense_len;
		srb_status |= SRB_STATUS_AUTOSENSE_VALID;
	}
	srb->srb_status = srb_status;
	reply->status = vmbh_vstor_srb_ntstatus(srb_status);
}

/**
 * vmbh_vstor_inquiry_absent - standard INQUIRY data for an absent LUN
 * @buf:	out: the data
 * @len:	room at @buf
 *
 * Peripheral qualifier 3, type 0x1f: "no logical unit here", so the
 * guest's scan goes on to REPORT LUNS instead of stopping at LUN 0.
 *
 * Return: bytes written, at most 36.
 */
__u32 vmbh_vstor_inquiry_absent(__u8 *buf, __u32 len)
{
	__u8 data[36] = {
		[0] = 0x7f,	/* qualifier 3, type 0x1f */
		[2] = 0x06,	/* SPC-4 */
		[3] = 0x02,	/* response data format */
		[4] = sizeof(data) - 5,
	};

	len = vstor_min(len, sizeof(data));
	memcpy(buf, data, len);
	return len;
}

/**
 * vmbh_vstor_report_luns_empty - REPORT LUNS data listing no LUN
 * @buf:	out: the data
 * @len:	room at @buf
 *
 * Return: bytes written, at most 8.
 */
__u32 vmbh_vstor_report_luns_empty(__u8 *buf, __u32 len)
{
	__u8 data[8] = { 0 };

	len = vstor_min(len, sizeof(data));
	memcpy(buf, data, len);
	return len;
}

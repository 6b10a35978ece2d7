/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VSTOR wire format: the packets a Hyper-V storvsc guest and storvsp host
 * exchange over a VMBus channel.  Builds in the kernel and in userspace.
 *
 * Field names follow drivers/scsi/storvsc_drv.c.  VMBus exists only on
 * little-endian machines, so fields are plain fixed-width integers in host
 * order, as in include/linux/hyperv.h.
 */
#ifndef _VMBH_VSTOR_PROTO_H
#define _VMBH_VSTOR_PROTO_H

#include <vmbh/wire.h>

/* Protocol versions: major << 8 | minor. */
#define VSTOR_VERSION_WIN6		0x0200
#define VSTOR_VERSION_WIN7		0x0402
#define VSTOR_VERSION_WIN8		0x0501
#define VSTOR_VERSION_WIN8_1		0x0600
#define VSTOR_VERSION_WIN10		0x0602

enum vstor_operation {
	VSTOR_OPERATION_COMPLETE_IO		= 1,
	VSTOR_OPERATION_REMOVE_DEVICE		= 2,
	VSTOR_OPERATION_EXECUTE_SRB		= 3,
	VSTOR_OPERATION_RESET_LUN		= 4,
	VSTOR_OPERATION_RESET_ADAPTER		= 5,
	VSTOR_OPERATION_RESET_BUS		= 6,
	VSTOR_OPERATION_BEGIN_INITIALIZATION	= 7,
	VSTOR_OPERATION_END_INITIALIZATION	= 8,
	VSTOR_OPERATION_QUERY_PROTOCOL_VERSION	= 9,
	VSTOR_OPERATION_QUERY_PROPERTIES	= 10,
	VSTOR_OPERATION_ENUMERATE_BUS		= 11,
	VSTOR_OPERATION_FCHBA_DATA		= 12,
	VSTOR_OPERATION_CREATE_SUB_CHANNELS	= 13,
};

/* vstor_packet.flags on guest requests */
#define VSTOR_REQUEST_COMPLETION_FLAG	0x1

/* NTSTATUS values carried in vstor_packet.status */
#define VSTOR_STATUS_SUCCESS			0x00000000u
#define VSTOR_STATUS_UNSUCCESSFUL		0xC0000001u
#define VSTOR_STATUS_INVALID_PARAMETER		0xC000000Du
#define VSTOR_STATUS_INVALID_DEVICE_REQUEST	0xC0000010u
#define VSTOR_STATUS_REVISION_MISMATCH		0xC0000059u
#define VSTOR_STATUS_DEVICE_NOT_CONNECTED	0xC000009Du
#define VSTOR_STATUS_INVALID_DEVICE_STATE	0xC0000184u
#define VSTOR_STATUS_IO_DEVICE_ERROR		0xC0000185u

/* vmscsi_request.srb_status: low 6 bits are the code */
#define SRB_STATUS_SUCCESS		0x01
#define SRB_STATUS_ABORTED		0x02
#define SRB_STATUS_ERROR		0x04
#define SRB_STATUS_INVALID_REQUEST	0x06
#define SRB_STATUS_BUS_RESET		0x0E
#define SRB_STATUS_DATA_OVERRUN		0x12
#define SRB_STATUS_INVALID_LUN		0x20
#define SRB_STATUS_INTERNAL_ERROR	0x30
#define SRB_STATUS_QUEUE_FROZEN		0x40
#define SRB_STATUS_AUTOSENSE_VALID	0x80

/* vmscsi_request.data_in */
#define VSTOR_DATA_OUT		0	/* guest memory -> device (write) */
#define VSTOR_DATA_IN		1	/* device -> guest memory (read) */
#define VSTOR_DATA_NONE		2

#define VSTOR_MAX_CDB_LEN	16
#define VSTOR_SENSE_LEN		20

/* vmstorage_channel_properties.flags */
#define VSTOR_PROP_SUPPORTS_MULTI_CHANNEL	0x1

/* SCSI addressing of the SCSI class (path = Linux "channel") */
#define VSTOR_MAX_PATHS		8
#define VSTOR_MAX_TARGETS	2
#define VSTOR_MAX_LUNS		255

/* SRB, 52 bytes from protocol 5.1 on, 36 bytes before. */
struct vmscsi_request {
	__u16 length;
	__u8 srb_status;
	__u8 scsi_status;
	__u8 port_number;
	__u8 path_id;
	__u8 target_id;
	__u8 lun;
	__u8 cdb_length;
	__u8 sense_info_length;
	__u8 data_in;
	__u8 reserved;
	__u32 data_transfer_length;
	union {
		__u8 cdb[VSTOR_MAX_CDB_LEN];
		__u8 sense_data[VSTOR_SENSE_LEN];
	};
	/* added in protocol 5.1 (win8) */
	__u16 reserve;
	__u8 queue_tag;
	__u8 queue_action;
	__u32 srb_flags;
	__u32 time_out_value;
	__u32 queue_sort_key;
} __packed;
static_assert(sizeof(struct vmscsi_request) == 52);

#define VSTOR_SRB_SIZE_PRE_WIN8	36

struct vmstorage_channel_properties {
	__u32 reserved;
	__u16 max_channel_cnt;
	__u16 reserved1;
	__u32 flags;
	__u32 max_transfer_bytes;
	__u64 reserved2;
} __packed;
static_assert(sizeof(struct vmstorage_channel_properties) == 24);

struct vmstorage_protocol_version {
	__u16 major_minor;
	__u16 revision;
} __packed;
static_assert(sizeof(struct vmstorage_protocol_version) == 4);

#define VSTOR_PACKET_HDR_SIZE	12

struct vstor_packet {
	__u32 operation;	/* enum vstor_operation */
	__u32 flags;
	__u32 status;		/* NTSTATUS, host replies */
	union {
		struct vmscsi_request vm_srb;
		struct vmstorage_channel_properties properties;
		struct vmstorage_protocol_version version;
		__u16 sub_channel_count;
		__u8 buffer[52];
	};
} __packed;
static_assert(sizeof(struct vstor_packet) == 64);

/* VMBus packet types and flags storvsp deals with (hyperv.h) */
#define VSTOR_VMPKT_DESC_SIZE		16
#define VSTOR_VMPKT_DATA_INBAND		0x6
#define VSTOR_VMPKT_DATA_GPA_DIRECT	0x9
#define VSTOR_VMPKT_FLAG_COMPLETION_REQUESTED	0x1

/* The guest drops host packets above 80 bytes (STORVSC_MAX_PKT_SIZE). */
#define VSTOR_GUEST_MAX_PKT_SIZE \
	(VSTOR_VMPKT_DESC_SIZE + sizeof(struct vstor_packet))
static_assert(VSTOR_GUEST_MAX_PKT_SIZE == 80);

#endif /* _VMBH_VSTOR_PROTO_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMBus control messages as the Linux guest defines them
 * (include/linux/hyperv.h), written out independently of the host's
 * include/vmbh/vmbus_proto.h so that a wrong offset on the host side shows
 * up as a failing test instead of being shared by both ends.
 */
#ifndef _VMBH_TEST_PROTO_H
#define _VMBH_TEST_PROTO_H

#include <stdint.h>

#define TG_PACKED __attribute__((packed))

enum tg_msgtype {
	TG_MSG_INVALID = 0,
	TG_MSG_OFFERCHANNEL = 1,
	TG_MSG_RESCIND_CHANNELOFFER = 2,
	TG_MSG_REQUESTOFFERS = 3,
	TG_MSG_ALLOFFERS_DELIVERED = 4,
	TG_MSG_OPENCHANNEL = 5,
	TG_MSG_OPENCHANNEL_RESULT = 6,
	TG_MSG_CLOSECHANNEL = 7,
	TG_MSG_GPADL_HEADER = 8,
	TG_MSG_GPADL_BODY = 9,
	TG_MSG_GPADL_CREATED = 10,
	TG_MSG_GPADL_TEARDOWN = 11,
	TG_MSG_GPADL_TORNDOWN = 12,
	TG_MSG_RELID_RELEASED = 13,
	TG_MSG_INITIATE_CONTACT = 14,
	TG_MSG_VERSION_RESPONSE = 15,
	TG_MSG_UNLOAD = 16,
	TG_MSG_UNLOAD_RESPONSE = 17,
	TG_MSG_TL_CONNECT_REQUEST = 21,
	TG_MSG_MODIFYCHANNEL = 22,
	TG_MSG_TL_CONNECT_RESULT = 23,
	TG_MSG_MODIFYCHANNEL_RESPONSE = 24,
	TG_MSG_COUNT = 25,
};

/* Protocol versions (vmbus-protocol.md 3.2). */
#define TG_VERSION_WS2008	0x0000000Du
#define TG_VERSION_WIN7		0x00010001u
#define TG_VERSION_WIN8		0x00020004u
#define TG_VERSION_WIN8_1	0x00030000u
#define TG_VERSION_WIN10	0x00040000u
#define TG_VERSION_WIN10_V4_1	0x00040001u
#define TG_VERSION_WIN10_V5	0x00050000u
#define TG_VERSION_WIN10_V5_1	0x00050001u
#define TG_VERSION_WIN10_V5_2	0x00050002u
#define TG_VERSION_WIN10_V5_3	0x00050003u

#define TG_MESSAGE_CONNECTION_ID	1
#define TG_MESSAGE_CONNECTION_ID_4	4

/* Hyper-V hypercall status codes. */
#define TG_HV_STATUS_SUCCESS			0
#define TG_HV_STATUS_INVALID_HYPERCALL_CODE	2
#define TG_HV_STATUS_INVALID_HYPERCALL_INPUT	3
#define TG_HV_STATUS_INVALID_ALIGNMENT		4
#define TG_HV_STATUS_INVALID_PARAMETER		5
#define TG_HV_STATUS_ACCESS_DENIED		6
#define TG_HV_STATUS_INSUFFICIENT_MEMORY	11
#define TG_HV_STATUS_INVALID_PORT_ID		17
#define TG_HV_STATUS_INVALID_CONNECTION_ID	18
#define TG_HV_STATUS_INSUFFICIENT_BUFFERS	19

struct tg_msg_hdr {
	uint32_t msgtype;
	uint32_t padding;
} TG_PACKED;

struct tg_guid {
	uint8_t b[16];
} TG_PACKED;

struct tg_offer {
	struct tg_msg_hdr hdr;
	struct tg_guid if_type;
	struct tg_guid if_instance;
	uint64_t reserved1;
	uint64_t reserved2;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint8_t user_def[120];
	uint16_t sub_channel_index;
	uint16_t reserved3;
	uint32_t child_relid;
	uint8_t monitorid;
	uint8_t monitor_allocated;
	uint16_t is_dedicated_interrupt;
	uint32_t connection_id;
} TG_PACKED;

struct tg_relid_msg {		/* RESCIND, CLOSECHANNEL, RELID_RELEASED */
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
} TG_PACKED;

struct tg_open {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t ringbuffer_gpadlhandle;
	uint32_t target_vp;
	uint32_t downstream_ringbuffer_pageoffset;
	uint8_t userdata[120];
} TG_PACKED;

struct tg_open_result {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t status;
} TG_PACKED;

struct tg_gpadl_header {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t gpadl;
	uint16_t range_buflen;
	uint16_t rangecount;
	/* range words follow: {u32 byte_count, u32 byte_offset} u64 pfn[] ... */
} TG_PACKED;

struct tg_gpadl_body {
	struct tg_msg_hdr hdr;
	uint32_t msgnumber;
	uint32_t gpadl;
	/* u64 pfn[] */
} TG_PACKED;

struct tg_gpadl_created {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t creation_status;
} TG_PACKED;

struct tg_gpadl_teardown {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t gpadl;
} TG_PACKED;

struct tg_gpadl_torndown {
	struct tg_msg_hdr hdr;
	uint32_t gpadl;
} TG_PACKED;

struct tg_initiate_contact {
	struct tg_msg_hdr hdr;
	uint32_t vmbus_version_requested;
	uint32_t target_vcpu;
	union {
		uint64_t interrupt_page;
		struct {
			uint8_t msg_sint;
			uint8_t msg_vtl;
			uint8_t reserved[6];
		} TG_PACKED;
	} TG_PACKED;
	uint64_t monitor_page1;
	uint64_t monitor_page2;
} TG_PACKED;

struct tg_version_response {
	struct tg_msg_hdr hdr;
	uint8_t version_supported;
	uint8_t connection_state;
	uint16_t padding;
	uint32_t msg_conn_id;
} TG_PACKED;

struct tg_modifychannel {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t target_vp;
} TG_PACKED;

struct tg_modifychannel_response {
	struct tg_msg_hdr hdr;
	uint32_t child_relid;
	uint32_t status;
} TG_PACKED;

struct tg_tl_connect_request {
	struct tg_msg_hdr hdr;
	struct tg_guid guest_endpoint_id;
	struct tg_guid host_service_id;
} TG_PACKED;

_Static_assert(sizeof(struct tg_offer) == 196, "offer");
_Static_assert(sizeof(struct tg_open) == 148, "open");
_Static_assert(sizeof(struct tg_open_result) == 20, "open result");
_Static_assert(sizeof(struct tg_gpadl_header) == 20, "gpadl header");
_Static_assert(sizeof(struct tg_gpadl_body) == 16, "gpadl body");
_Static_assert(sizeof(struct tg_gpadl_created) == 20, "gpadl created");
_Static_assert(sizeof(struct tg_gpadl_teardown) == 16, "gpadl teardown");
_Static_assert(sizeof(struct tg_gpadl_torndown) == 12, "gpadl torndown");
_Static_assert(sizeof(struct tg_initiate_contact) == 40, "initiate contact");
_Static_assert(sizeof(struct tg_version_response) == 16, "version response");
_Static_assert(sizeof(struct tg_modifychannel) == 16, "modifychannel");
_Static_assert(sizeof(struct tg_relid_msg) == 12, "relid msg");

#define TG_GPADL_HEADER_WORDS	((240 - sizeof(struct tg_gpadl_header)) / 8)
#define TG_GPADL_BODY_WORDS	((240 - sizeof(struct tg_gpadl_body)) / 8)

/*
 * A GPADL as the guest describes it: a stream of u64 words, each range one
 * word {byte_count, byte_offset} followed by its PFNs.
 */
struct tg_gpadl_desc {
	uint16_t rangecount;
	uint32_t nwords;
	uint64_t *words;
};

/* One range over @npages PFNs: byte_count = npages * 4096, offset 0. */
int tg_gpadl_desc_simple(struct tg_gpadl_desc *d, const uint64_t *pfns,
			 uint32_t npages);
/* Append a range with explicit byte_count/byte_offset and PFNs. */
int tg_gpadl_desc_add(struct tg_gpadl_desc *d, uint32_t byte_count,
		      uint32_t byte_offset, const uint64_t *pfns,
		      uint32_t npfns);
void tg_gpadl_desc_free(struct tg_gpadl_desc *d);

/*
 * Split @d into GPADL_HEADER + GPADL_BODY messages the way
 * create_gpadl_header() does; calls @post for each (stops at the first
 * non-zero return and returns it). @range_buflen overrides the computed
 * value when non-zero (hostile tests).
 */
int tg_gpadl_msgs(const struct tg_gpadl_desc *d, uint32_t relid,
		  uint32_t gpadl, uint32_t range_buflen,
		  int (*post)(void *ctx, const void *msg, uint32_t len),
		  void *ctx);

#endif /* _VMBH_TEST_PROTO_H */

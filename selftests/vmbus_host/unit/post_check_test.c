// SPDX-License-Identifier: GPL-2.0
/*
 * Tier-0 unit tests of hypercall/post_check.c: HvPostMessage shape checks
 * (message type, payload size bounds, per-type minimum sizes), built in
 * userspace from the module's own source file.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "post_check.h"
#include "proto.h"

static uint16_t check(uint32_t type, uint32_t size, uint32_t msgtype)
{
	uint8_t payload[240] = { 0 };

	memcpy(payload, &msgtype, 4);
	return vmbh_hv_post_msg_check(type, size, payload);
}

/* Sizes of the guest->host messages, from Linux's hyperv.h. */
static const struct { uint32_t type, size; } guest_msgs[] = {
	{ TG_MSG_REQUESTOFFERS, 8 },
	{ TG_MSG_OPENCHANNEL, sizeof(struct tg_open) },
	{ TG_MSG_CLOSECHANNEL, sizeof(struct tg_relid_msg) },
	{ TG_MSG_GPADL_HEADER, sizeof(struct tg_gpadl_header) },
	{ TG_MSG_GPADL_BODY, sizeof(struct tg_gpadl_body) },
	{ TG_MSG_GPADL_TEARDOWN, sizeof(struct tg_gpadl_teardown) },
	{ TG_MSG_RELID_RELEASED, sizeof(struct tg_relid_msg) },
	{ TG_MSG_INITIATE_CONTACT, sizeof(struct tg_initiate_contact) },
	{ TG_MSG_UNLOAD, 8 },
	{ TG_MSG_TL_CONNECT_REQUEST, sizeof(struct tg_tl_connect_request) },
	{ TG_MSG_MODIFYCHANNEL, sizeof(struct tg_modifychannel) },
};

TEST(guest_messages_at_exact_and_max_size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guest_msgs); i++) {
		EXPECT_EQ(TG_HV_STATUS_SUCCESS,
			  check(1, guest_msgs[i].size, guest_msgs[i].type));
		EXPECT_EQ(TG_HV_STATUS_SUCCESS,
			  check(1, 240, guest_msgs[i].type));
		EXPECT_EQ(guest_msgs[i].size,
			  vmbh_hv_msg_min_size(guest_msgs[i].type));
	}
}

TEST(guest_messages_one_byte_short)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guest_msgs); i++) {
		if (guest_msgs[i].size == 8)
			continue;	/* below 8 is the generic check */
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
			  check(1, guest_msgs[i].size - 1, guest_msgs[i].type));
	}
}

TEST(host_messages_and_unknown_types)
{
	static const uint32_t bad[] = { 0, 1, 2, 4, 6, 10, 12, 15, 17, 18, 19,
					20, 23, 24, 25, 29, 0xFFFFFFFF };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
			  check(1, 240, bad[i]));
		EXPECT_EQ(0, vmbh_hv_msg_min_size(bad[i]));
	}
}

TEST(hypercall_message_type_and_size_bounds)
{
	uint32_t sz;

	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, check(0, 8, 3));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, check(2, 8, 3));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT,
		  check(0x80000010, 8, 3));
	for (sz = 0; sz < 8; sz++) {
		EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, check(1, sz, 3));
	}
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, check(1, 241, 3));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, check(1, 0xFFFFFFFF, 3));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * VMBus control protocol against vmbus_host.ko, driven by the userspace
 * test guest: version negotiation, offers, GPADLs, open/close, hot-add,
 * rescind, UNLOAD/reset/reconnect, MODIFYCHANNEL, message slot EOM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guest.h"

static const uint32_t linux_versions[] = {
	TG_VERSION_WIN10_V5_3, TG_VERSION_WIN10_V5_2, TG_VERSION_WIN10_V5_1,
	TG_VERSION_WIN10_V5, TG_VERSION_WIN10_V4_1, TG_VERSION_WIN10,
	TG_VERSION_WIN8_1, TG_VERSION_WIN8,
};

FIXTURE(bus) {
	struct tg_vm vm;
	struct tg_dev dev[2];
};

FIXTURE_SETUP(bus)
{
	ASSERT_EQ(0, tg_vm_create(&self->vm, 2, 0));
	ASSERT_EQ(0, tg_dev_add(&self->vm, &self->dev[0], VMBH_CLASS_TEST, 1, 1));
	ASSERT_EQ(0, tg_dev_add(&self->vm, &self->dev[1], VMBH_CLASS_TEST, 1, 2));
}

FIXTURE_TEARDOWN(bus)
{
	tg_vm_destroy(&self->vm);
	tg_dev_close_fds(&self->dev[0]);
	tg_dev_close_fds(&self->dev[1]);
}

static void check_offer(struct __test_metadata *_metadata,
			const struct tg_offer *o, const struct tg_dev *dev)
{
	ASSERT_NE(NULL, o);
	EXPECT_EQ(0, o->sub_channel_index);
	EXPECT_GE(o->child_relid, 1);
	EXPECT_LE(o->child_relid, 2047);
	EXPECT_EQ(dev->q[0].conn_id, o->connection_id);
	EXPECT_EQ(1, o->is_dedicated_interrupt & 1);
	EXPECT_EQ(0, o->monitor_allocated & 1);
	EXPECT_EQ(0, memcmp(o->if_instance.b, dev->instance, 16));
}

/* Every version Linux 6.12 tries is accepted, on the right connection id. */
TEST_F(bus, negotiate_every_linux_version)
{
	struct tg_version_response r;
	struct vmbh_bus_info info;
	unsigned int i;
	uint32_t st;

	for (i = 0; i < ARRAY_SIZE(linux_versions); i++) {
		uint32_t v = linux_versions[i];

		TH_LOG("version %u.%u", v >> 16, v & 0xffff);
		/* a new connection each time: INITIATE_CONTACT resets */
		ASSERT_EQ(1, tg_contact(&self->vm, v, 0, &r, &st));
		EXPECT_EQ(0, r.connection_state);
		if (v >= TG_VERSION_WIN10_V5) {
			EXPECT_NE(0, r.msg_conn_id);
		}
		ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
		EXPECT_EQ(v, info.version);
		EXPECT_EQ(VMBH_BUS_CONNECTED, info.state);
		EXPECT_EQ(0, info.target_vp);
		ASSERT_EQ(2, tg_request_offers(&self->vm));
		check_offer(_metadata,
			    tg_find_offer(&self->vm, self->dev[0].instance, 0),
			    &self->dev[0]);
		check_offer(_metadata,
			    tg_find_offer(&self->vm, self->dev[1].instance, 0),
			    &self->dev[1]);
		ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
		EXPECT_EQ(VMBH_BUS_OFFERS_SENT, info.state);
		EXPECT_EQ(2, info.nr_channels);
		ASSERT_EQ(0, tg_unload(&self->vm));
	}
}

/* vmbus_connect(): walk down from 5.3, the first answer must accept it. */
TEST_F(bus, linux_connect_loop_gets_highest)
{
	ASSERT_EQ(1, tg_contact(&self->vm, TG_VERSION_WIN10_V5_3, 0, NULL, NULL));
	EXPECT_EQ(TG_VERSION_WIN10_V5_3, self->vm.version);
}

/* Versions a host does not implement are refused, never accepted. */
TEST_F(bus, unsupported_versions_refused)
{
	static const uint32_t bad[] = {
		TG_VERSION_WS2008, TG_VERSION_WIN7, 0x00060000, 0x00050004,
		0x00040002, 0x00020003, 0, 0xFFFFFFFF,
	};
	struct tg_version_response r;
	struct vmbh_bus_info info;
	unsigned int i;
	uint32_t st;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("version 0x%08x", bad[i]);
		ret = tg_contact(&self->vm, bad[i], 0, &r, &st);
		/* either the post fails or a VERSION_RESPONSE says no */
		if (ret == -EPROTO) {
			EXPECT_NE(TG_HV_STATUS_SUCCESS, st);
		} else {
			ASSERT_EQ(0, ret);
		}
		ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
		EXPECT_EQ(VMBH_BUS_DISCONNECTED, info.state);
	}
	/* the fallback Linux would do next still works */
	ASSERT_EQ(1, tg_contact(&self->vm, TG_VERSION_WIN8, 0, NULL, NULL));
}

/* After contact, messages go to msg_conn_id; unknown ids are refused. */
TEST_F(bus, contact_5x_then_unknown_connection_id)
{
	struct tg_msg_hdr h = { .msgtype = TG_MSG_REQUESTOFFERS };

	ASSERT_EQ(1, tg_contact(&self->vm, TG_VERSION_WIN10_V5_2, 0, NULL,
				NULL));
	EXPECT_EQ(TG_HV_STATUS_INVALID_CONNECTION_ID,
		  tg_post(&self->vm, 0x123456, TG_HVMSG_VMBUS, &h, sizeof(h)));
	ASSERT_EQ(2, tg_request_offers(&self->vm));
}

/* Control messages go to the VP named in INITIATE_CONTACT. */
TEST_F(bus, target_vcpu_honoured)
{
	struct vmbh_bus_info info;

	ASSERT_EQ(1, tg_contact(&self->vm, TG_VERSION_WIN10_V5_3, 1, NULL,
				NULL));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(1, info.target_vp);
	ASSERT_EQ(2, tg_request_offers(&self->vm));
	EXPECT_EQ(0, self->vm.vp[0].sints);
	EXPECT_LT(0, self->vm.vp[1].sints);
}

/* Offers, then teardown of everything by UNLOAD; reconnect offers again. */
TEST_F(bus, unload_and_reconnect)
{
	struct vmbh_bus_info info;
	struct tg_chan ch;
	const struct tg_offer *o;
	uint32_t relid;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_NE(NULL, o);
	relid = o->child_relid;
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 100, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(1, info.nr_gpadls);
	EXPECT_EQ(8, info.pinned_pages);

	ASSERT_EQ(0, tg_unload(&self->vm));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(VMBH_BUS_DISCONNECTED, info.state);
	EXPECT_EQ(0, info.nr_gpadls);
	EXPECT_EQ(0, info.pinned_pages);
	tg_chan_forget(&ch);

	/* while disconnected, REQUESTOFFERS gets no offers */
	tg_send(&self->vm, &(struct tg_msg_hdr){
		.msgtype = TG_MSG_REQUESTOFFERS }, 8);
	EXPECT_EQ(0, tg_count_msgs(&self->vm, 0, TG_QUIET_MS));

	ASSERT_EQ(0, tg_connect(&self->vm, TG_VERSION_WIN10_V5_3));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_NE(NULL, o);
	TH_LOG("relid before %u after %u", relid, o->child_relid);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 2, 100, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* INITIATE_CONTACT on a live connection is a reconnect (kexec, kdump). */
TEST_F(bus, contact_while_connected_resets)
{
	struct vmbh_bus_info info;
	struct tg_chan ch;
	const struct tg_offer *o;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	ASSERT_EQ(0, tg_gpadl_create(&self->vm, o->child_relid, 0x77,
				     tg_mem_alloc(&self->vm.mem, 3), 3));
	tg_chan_forget(&ch);
	ASSERT_EQ(1, tg_contact(&self->vm, TG_VERSION_WIN10_V5_3, 0, NULL,
				NULL));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(0, info.nr_gpadls);
	EXPECT_EQ(0, info.pinned_pages);
	ASSERT_EQ(2, tg_request_offers(&self->vm));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 3, 64, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* The VMM's reset ioctl: channels gone, devices offered again. */
TEST_F(bus, reset_ioctl_and_reconnect)
{
	struct vmbh_bus_info info;
	struct tg_chan ch;
	const struct tg_offer *o;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[1].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[1], 4, 4, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 10, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_reset(&self->vm));
	tg_chan_forget(&ch);
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(VMBH_BUS_DISCONNECTED, info.state);
	EXPECT_EQ(0, info.nr_gpadls);
	EXPECT_EQ(0, info.pinned_pages);
	EXPECT_EQ(0, info.queued_msgs);
	ASSERT_EQ(0, tg_connect(&self->vm, TG_VERSION_WIN8));
	o = tg_find_offer(&self->vm, self->dev[1].instance, 0);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[1], 4, 4, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 2, 10, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* GPADLs of many sizes: header only, header + bodies, large. */
TEST_F(bus, gpadl_sizes)
{
	static const uint32_t sizes[] = { 1, 26, 27, 28, 54, 55, 56, 256, 1024 };
	struct vmbh_bus_info info;
	const struct tg_offer *o;
	unsigned int i;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_NE(NULL, o);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = tg_mem_alloc(&self->vm.mem, sizes[i]);

		TH_LOG("%u pages", sizes[i]);
		ASSERT_NE(NULL, p);
		ASSERT_EQ(0, tg_gpadl_create(&self->vm, o->child_relid,
					     100 + i, p, sizes[i]));
		ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
		EXPECT_EQ(1, info.nr_gpadls);
		EXPECT_EQ(sizes[i], info.pinned_pages);
		ASSERT_EQ(0, tg_gpadl_teardown(&self->vm, o->child_relid,
					       100 + i));
		ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
		EXPECT_EQ(0, info.nr_gpadls);
		EXPECT_EQ(0, info.pinned_pages);
		tg_mem_free(&self->vm.mem, p, sizes[i]);
	}
}

/* Several GPADLs alive at once on two channels, torn down out of order. */
TEST_F(bus, gpadl_many_interleaved)
{
	struct vmbh_bus_info info;
	const struct tg_offer *o[2];
	int i;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o[0] = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	o[1] = tg_find_offer(&self->vm, self->dev[1].instance, 0);
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, tg_gpadl_create(&self->vm, o[i & 1]->child_relid,
					     0x1000 + i,
					     tg_mem_alloc(&self->vm.mem, 2), 2));
	}
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(32, info.nr_gpadls);
	EXPECT_EQ(64, info.pinned_pages);
	for (i = 31; i >= 0; i -= 2) {
		ASSERT_EQ(0, tg_gpadl_teardown(&self->vm, o[i & 1]->child_relid,
					       0x1000 + i));
	}
	for (i = 0; i < 32; i += 2) {
		ASSERT_EQ(0, tg_gpadl_teardown(&self->vm, o[i & 1]->child_relid,
					       0x1000 + i));
	}
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(0, info.nr_gpadls);
	EXPECT_EQ(0, info.pinned_pages);
}

/* A GPADL with two ranges and a byte offset is legal protocol. */
TEST_F(bus, gpadl_multi_range)
{
	struct tg_gpadl_desc d = { 0 };
	const struct tg_offer *o;
	uint8_t *p;
	uint64_t pfn[3];

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	p = tg_mem_alloc(&self->vm.mem, 5);
	pfn[0] = tg_mem_pfn(&self->vm.mem, p);
	pfn[1] = tg_mem_pfn(&self->vm.mem, p + 4096);
	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 4096 + 100, 200, pfn, 2));
	pfn[0] = tg_mem_pfn(&self->vm.mem, p + 4 * 4096);
	ASSERT_EQ(0, tg_gpadl_desc_add(&d, 4096, 0, pfn, 1));
	ASSERT_EQ(0, tg_gpadl_create_desc(&self->vm, o->child_relid, 5, &d, 0));
	ASSERT_EQ(0, tg_gpadl_teardown(&self->vm, o->child_relid, 5));
	tg_gpadl_desc_free(&d);
}

/* Open both channels, echo, close, reopen with new rings. */
TEST_F(bus, open_echo_close_reopen)
{
	struct tg_chan ch[2];
	const struct tg_offer *o;
	struct vmbh_channel_stats st;
	int i, r;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 2; i++) {
			o = tg_find_offer(&self->vm, self->dev[i].instance, 0);
			ASSERT_EQ(0, tg_chan_open(&self->vm, &ch[i], o,
						  &self->dev[i], 2 + r, 3, 0));
			ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[i], 0,
						   &st));
			EXPECT_EQ(VMBH_CHAN_OPEN, st.state);
			EXPECT_EQ(o->child_relid, st.relid);
		}
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, tg_echo_one(&ch[i], r * 10 + i, 200 + i,
						 TG_TIMEOUT_MS));
		}
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, tg_chan_close(&ch[i]));
			ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[i], 0,
						   &st));
			EXPECT_EQ(VMBH_CHAN_OFFERED, st.state);
		}
	}
}

/* The ring's host->guest header gets the pending_send_sz feature bit. */
TEST_F(bus, open_sets_host_feature_bit)
{
	struct tg_chan ch;
	const struct tg_offer *o;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	EXPECT_EQ(1, tg_load(&ch.in.hdr->feature_bits) & 1);
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* Channel interrupts go to the VP named in OPENCHANNEL. */
TEST_F(bus, open_target_vp_routes_interrupts)
{
	struct tg_chan ch;
	const struct tg_offer *o;
	uint64_t s0, s1;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 1));
	s0 = self->vm.vp[0].sints;
	s1 = self->vm.vp[1].sints;
	/* read only after the interrupt, so the host must raise one */
	ASSERT_EQ(0, tg_echo_one_irq(&ch, 1, 8, TG_TIMEOUT_MS));
	EXPECT_EQ(s0, self->vm.vp[0].sints);
	EXPECT_LT(s1, self->vm.vp[1].sints);
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* MODIFYCHANNEL: answered at 5.3, interrupts move to the new VP. */
TEST_F(bus, modifychannel_5_3)
{
	struct tg_modifychannel m = { .hdr.msgtype = TG_MSG_MODIFYCHANNEL };
	struct tg_modifychannel_response r;
	struct tg_chan ch;
	const struct tg_offer *o;
	uint64_t s0;

	ASSERT_EQ(0, tg_connect(&self->vm, TG_VERSION_WIN10_V5_3));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	m.child_relid = ch.relid;
	m.target_vp = 1;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->vm, &m, sizeof(m)));
	ASSERT_LE(16, tg_wait_msg(&self->vm, TG_MSG_MODIFYCHANNEL_RESPONSE,
				  &r, sizeof(r), TG_TIMEOUT_MS));
	EXPECT_EQ(ch.relid, r.child_relid);
	EXPECT_EQ(0, r.status);
	tg_pump(&self->vm, 0);
	s0 = self->vm.vp[0].sints;
	ASSERT_EQ(0, tg_echo_one_irq(&ch, 1, 8, TG_TIMEOUT_MS));
	EXPECT_EQ(s0, self->vm.vp[0].sints);
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* Below 5.3 MODIFYCHANNEL gets no answer (4.1 introduced the message). */
TEST_F(bus, modifychannel_4_1_no_reply)
{
	struct tg_modifychannel m = { .hdr.msgtype = TG_MSG_MODIFYCHANNEL };
	struct tg_chan ch;
	const struct tg_offer *o;

	ASSERT_EQ(0, tg_connect(&self->vm, TG_VERSION_WIN10_V4_1));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	m.child_relid = ch.relid;
	m.target_vp = 1;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->vm, &m, sizeof(m)));
	EXPECT_EQ(0, tg_count_msgs(&self->vm, TG_MSG_MODIFYCHANNEL_RESPONSE,
				   TG_QUIET_MS));
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 8, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* Hot-add after connect sends an offer at once; the channel works. */
TEST_F(bus, hot_add_offers)
{
	struct tg_dev dev;
	struct tg_chan ch;
	const struct tg_offer *o;
	struct vmbh_bus_info info;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	ASSERT_EQ(0, tg_dev_add(&self->vm, &dev, VMBH_CLASS_TEST, 1, 3));
	o = tg_wait_offer(&self->vm, dev.instance, TG_TIMEOUT_MS);
	check_offer(_metadata, o, &dev);
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(3, info.nr_channels);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &dev, 4, 4, 0));
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 1000, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
	tg_dev_close_fds(&dev);
}

/* Removing an unopened device: RESCIND, then the relid is released. */
TEST_F(bus, rescind_unopened)
{
	struct tg_relid_msg rel = { .hdr.msgtype = TG_MSG_RELID_RELEASED };
	struct vmbh_bus_info info;
	const struct tg_offer *o;
	uint32_t relid;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	relid = o->child_relid;
	ASSERT_EQ(0, tg_dev_remove(&self->vm, &self->dev[0]));
	ASSERT_LE(12, tg_wait_msg_match(&self->vm, TG_MSG_RESCIND_CHANNELOFFER,
					8, relid, NULL, 0, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(2, info.nr_channels);	/* reserved until released */
	rel.child_relid = relid;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->vm, &rel, sizeof(rel)));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(1, info.nr_channels);
	EXPECT_EQ(ENOENT, -tg_dev_remove(&self->vm, &self->dev[0]));
}

/*
 * Removing an open device: RESCIND; the guest closes (no GPADL teardown,
 * as Linux skips it) and releases the relid; the host then frees the ring
 * GPADL. A GPADL_TEARDOWN sent anyway for a rescinded channel is answered.
 */
TEST_F(bus, rescind_open_channel)
{
	struct tg_relid_msg m = { .hdr.msgtype = TG_MSG_CLOSECHANNEL };
	struct vmbh_bus_info info;
	struct tg_chan ch;
	const struct tg_offer *o;
	void *extra;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	extra = tg_mem_alloc(&self->vm.mem, 2);
	ASSERT_EQ(0, tg_gpadl_create(&self->vm, ch.relid, 0x99, extra, 2));
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 100, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_dev_remove(&self->vm, &self->dev[0]));
	ASSERT_LE(12, tg_wait_msg_match(&self->vm, TG_MSG_RESCIND_CHANNELOFFER,
					8, ch.relid, NULL, 0, TG_TIMEOUT_MS));
	/* a packet sent after the rescind is not answered */
	m.child_relid = ch.relid;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->vm, &m, sizeof(m)));
	ASSERT_EQ(0, tg_gpadl_teardown(&self->vm, ch.relid, 0x99));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(1, info.nr_gpadls);	/* the ring, until RELID_RELEASED */
	m.hdr.msgtype = TG_MSG_RELID_RELEASED;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->vm, &m, sizeof(m)));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(0, info.nr_gpadls);
	EXPECT_EQ(0, info.pinned_pages);
	EXPECT_EQ(1, info.nr_channels);
	tg_chan_forget(&ch);
}

/* A relid is not reused before the guest releases it. */
TEST_F(bus, relid_reserved_until_release)
{
	struct tg_relid_msg rel = { .hdr.msgtype = TG_MSG_RELID_RELEASED };
	const struct tg_offer *o;
	struct tg_dev dev;
	uint32_t relid;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	relid = o->child_relid;
	ASSERT_EQ(0, tg_dev_remove(&self->vm, &self->dev[0]));
	ASSERT_LE(12, tg_wait_msg(&self->vm, TG_MSG_RESCIND_CHANNELOFFER, NULL,
				  0, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_dev_add(&self->vm, &dev, VMBH_CLASS_TEST, 1, 9));
	o = tg_wait_offer(&self->vm, dev.instance, TG_TIMEOUT_MS);
	ASSERT_NE(NULL, o);
	EXPECT_NE(relid, o->child_relid);
	rel.child_relid = relid;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->vm, &rel, sizeof(rel)));
	tg_dev_close_fds(&dev);
}

/*
 * Many messages at once: the host writes one per free slot, sets
 * msg_pending when it finds the slot busy, and continues on EOM.
 */
TEST_F(bus, message_slot_pending_and_eom)
{
	struct tg_dev dev[20];
	struct tg_hv_msg *slot;
	int i, n;

	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	/* hold the slot: nothing is taken until the test pumps */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, tg_dev_add(&self->vm, &dev[i], VMBH_CLASS_TEST, 1,
					20 + i));
	}
	slot = (void *)((uint8_t *)self->vm.vp[0].simp + 2 * 256);
	usleep(100 * 1000);
	ASSERT_EQ(TG_HVMSG_VMBUS, slot->type);
	EXPECT_EQ(TG_MSG_OFFERCHANNEL, ((struct tg_msg_hdr *)slot->payload)->msgtype);
	EXPECT_EQ(TG_HV_MSG_PENDING, slot->flags & TG_HV_MSG_PENDING);
	EXPECT_GE(slot->payload_size, sizeof(struct tg_offer));
	for (i = 0, n = 0; i < 20; i++)
		n += !!tg_wait_offer(&self->vm, dev[i].instance, TG_TIMEOUT_MS);
	EXPECT_EQ(20, n);
	EXPECT_LE(1, self->vm.vp[0].eoms);
	for (i = 0; i < 20; i++)
		tg_dev_close_fds(&dev[i]);
}

/* A disabled SIMP queues messages; enabling it delivers them. */
TEST_F(bus, simp_disabled_then_enabled)
{
	struct vmbh_bus_info info;

	ASSERT_EQ(0, tg_vm_set_vp(&self->vm, 0, VMBH_VCPU_SIEFP_ENABLED));
	ASSERT_EQ(TG_HV_STATUS_SUCCESS,
		  tg_post(&self->vm, TG_MESSAGE_CONNECTION_ID_4, TG_HVMSG_VMBUS,
			  &(struct tg_initiate_contact){
				  .hdr.msgtype = TG_MSG_INITIATE_CONTACT,
				  .vmbus_version_requested = TG_VERSION_WIN10_V5_3,
				  .msg_sint = 2 }, 40));
	EXPECT_EQ(0, tg_count_msgs(&self->vm, 0, TG_QUIET_MS));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(1, info.queued_msgs);
	ASSERT_EQ(0, tg_vm_set_vp(&self->vm, 0, VMBH_VCPU_FLAGS));
	ASSERT_LE(16, tg_wait_msg(&self->vm, TG_MSG_VERSION_RESPONSE, NULL, 0,
				  TG_TIMEOUT_MS));
}

/* Closing the fd with open channels and GPADLs releases the pins. */
TEST_F(bus, close_fd_with_open_channels)
{
	struct tg_chan ch[2];
	const struct tg_offer *o;
	struct tg_dev dev[2];
	struct tg_vm vm2;
	int i;

	ASSERT_EQ(0, tg_vm_create(&vm2, 1, 0));
	ASSERT_EQ(0, tg_dev_add(&vm2, &dev[0], VMBH_CLASS_TEST, 1, 1));
	ASSERT_EQ(0, tg_dev_add(&vm2, &dev[1], VMBH_CLASS_TEST, 1, 2));
	ASSERT_EQ(0, tg_connect(&vm2, 0));
	for (i = 0; i < 2; i++) {
		o = tg_find_offer(&vm2, dev[i].instance, 0);
		ASSERT_EQ(0, tg_chan_open(&vm2, &ch[i], o, &dev[i], 4, 4, 0));
		ASSERT_EQ(0, tg_chan_send(&ch[i], TG_PKT_DATA_INBAND, 1, 1,
					  "x", 1));
	}
	tg_vm_destroy(&vm2);
	tg_dev_close_fds(&dev[0]);
	tg_dev_close_fds(&dev[1]);
	/* the first VM is untouched */
	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	EXPECT_EQ(2, self->vm.nr_offers);
}

#define MONITOR_PARAM "/sys/module/vmbus_host/parameters/monitor_poll_us"

static int monitor_param(unsigned int us)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", us);
	return tg_write_line(MONITOR_PARAM, v);
}

/*
 * With monitor_poll_us set and monitor pages in INITIATE_CONTACT, offers
 * carry monitor ids and the guest signals only through the child->parent
 * page, as Linux does (no kick eventfd is written): every echo still
 * comes back and the host takes the bits it saw.  A guest that sets
 * every bit of every group, and one that reconnects without monitor
 * pages, get along as well.
 */
TEST_F(bus, monitor_pages_signal)
{
	struct vmbh_channel_stats st;
	const struct tg_offer *o;
	struct tg_chan ch;
	int i, g;

	ASSERT_EQ(0, monitor_param(100));
	ASSERT_EQ(0, tg_monitor_pages(&self->vm));
	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(1, o->monitor_allocated & 1);
	EXPECT_EQ(o->child_relid - 1, o->monitorid);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	ASSERT_EQ(o->monitorid, ch.monitor_id);
	/* the module may not see the next change until the next contact */
	EXPECT_EQ(0, monitor_param(0));

	for (i = 0; i < 500; i++)
		ASSERT_EQ(0, tg_echo_one(&ch, i, 64 + i % 1000, TG_TIMEOUT_MS));
	EXPECT_LT(0, ch.kicks);
	/* the host took every bit the guest set */
	EXPECT_EQ(0, __atomic_load_n(tg_monitor_pending(&self->vm,
							ch.monitor_id),
				     __ATOMIC_RELAXED));
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[0], 0, &st));
	EXPECT_LT(0, st.kicks);
	EXPECT_GE(ch.kicks, st.kicks);

	/* every bit of every group, ids that no channel has */
	for (g = 0; g < 4; g++)
		__atomic_store_n(tg_monitor_pending(&self->vm, g * 32), ~0u,
				 __ATOMIC_SEQ_CST);
	usleep(50 * 1000);
	for (g = 0; g < 4; g++)
		EXPECT_EQ(0, __atomic_load_n(tg_monitor_pending(&self->vm,
								g * 32),
					     __ATOMIC_RELAXED));
	ASSERT_EQ(0, tg_echo_one(&ch, 1000, 100, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));

	/* monitor_poll_us is 0 now: a reconnect offers no monitor ids */
	ASSERT_EQ(0, tg_unload(&self->vm));
	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(0, o->monitor_allocated & 1);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	EXPECT_EQ(-1, ch.monitor_id);
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 100, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/*
 * Connect with monitor pages polled every 100 us (monitor_poll_us is 0
 * again afterwards: the connect's period holds), open @dev's channel on
 * them and echo once.  Return: the poller's pid.
 */
static pid_t monitor_chan_open(struct __test_metadata *_metadata,
			       struct tg_vm *vm, struct tg_dev *dev,
			       struct tg_chan *ch)
{
	const struct tg_offer *o;
	pid_t mon;

	ASSERT_EQ(0, monitor_param(100));
	ASSERT_EQ(0, tg_monitor_pages(vm));
	ASSERT_EQ(0, tg_connect(vm, 0));
	EXPECT_EQ(0, monitor_param(0));
	o = tg_find_offer(vm, dev->instance, 0);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tg_chan_open(vm, ch, o, dev, 4, 4, 0));
	ASSERT_LE(0, ch->monitor_id);
	ASSERT_EQ(0, tg_echo_one(ch, 0, 64, TG_TIMEOUT_MS));
	mon = tg_monitor_poller();
	ASSERT_LT(0, mon);
	return mon;
}

/*
 * The poller's context switches while a busy guest sets a bit every
 * 100 us for @ms, in an id no channel has (so the poller never idles).
 */
static long monitor_busy_switches(struct tg_vm *vm, pid_t mon, int ms)
{
	uint32_t *pending = tg_monitor_pending(vm, 127);
	long sw = tg_task_switches(mon);
	int64_t end = tg_now_ms() + ms;

	while (tg_now_ms() < end) {
		__atomic_or_fetch(pending, 1u << 31, __ATOMIC_SEQ_CST);
		usleep(100);
	}
	return tg_task_switches(mon) - sw;
}

/*
 * A running poller follows monitor_poll_us at once: a longer period
 * means fewer wakeups while the guest is busy.  0 (and -1) keep the
 * period of the connect: the open channels still need polling.
 */
TEST_F(bus, monitor_period_follows_param)
{
	long n100, n2000, n0;
	struct tg_chan ch;
	pid_t mon;

	mon = monitor_chan_open(_metadata, &self->vm, &self->dev[0], &ch);
	n100 = monitor_busy_switches(&self->vm, mon, 300);
	ASSERT_EQ(0, monitor_param(2000));
	usleep(10 * 1000);
	n2000 = monitor_busy_switches(&self->vm, mon, 300);
	ASSERT_EQ(0, monitor_param(0));
	usleep(10 * 1000);
	n0 = monitor_busy_switches(&self->vm, mon, 300);
	TH_LOG("poller switches in 300 ms: %ld at 100 us, %ld at 2000 us, %ld at 0",
	       n100, n2000, n0);
	/* 150 periods of 2 ms, with room for a late timer or a boost */
	EXPECT_GE(200, n2000);
	EXPECT_LT(4 * n2000, n100);
	EXPECT_LT(4 * n2000, n0);
	/* the guest's echo is still answered */
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 64, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/* The CPU flags of /proc/cpuinfo include @flag. */
static bool cpu_has_flag(const char *flag)
{
	char line[8192], want[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");
	size_t n;

	if (!f)
		return false;
	snprintf(want, sizeof(want), " %s ", flag);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[n - 1] = ' ';
		found = strstr(line, want);
		break;
	}
	fclose(f);
	return found;
}

/*
 * monitor_poll_us = -1, the default: monitor pages where this host is a
 * virtual machine itself (its CPU has the hypervisor flag), none on bare
 * metal.  The test VM is a VM, so ids are expected there.
 */
TEST_F(bus, monitor_pages_default_follows_host)
{
	bool nested = cpu_has_flag("hypervisor");
	const struct tg_offer *o;
	struct tg_chan ch;

	ASSERT_EQ(0, tg_write_line(MONITOR_PARAM, "-1"));
	ASSERT_EQ(0, tg_monitor_pages(&self->vm));
	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	o = tg_find_offer(&self->vm, self->dev[0].instance, 0);
	ASSERT_NE(NULL, o);
	TH_LOG("hypervisor flag %d, monitor_allocated %d", nested,
	       o->monitor_allocated & 1);
	EXPECT_EQ(nested, o->monitor_allocated & 1);
	ASSERT_EQ(0, tg_chan_open(&self->vm, &ch, o, &self->dev[0], 4, 4, 0));
	EXPECT_EQ(nested ? (int)o->child_relid - 1 : -1, ch.monitor_id);
	ASSERT_EQ(0, tg_echo_one(&ch, 1, 100, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
}

/*
 * With the VMM's KVM VM (VMBH_SET_KVM), an idle poller stops scanning:
 * KVM write-tracks the monitor page, and the guest's next bit, set by a
 * KVM vCPU, is what wakes it.  Without, the idle poller scans on a
 * timer.  The tracking survives the VMM replacing the memslot, the KVM
 * fds may close first, and what is not a KVM VM is refused.
 */
TEST_F(bus, monitor_kvm_write_tracking)
{
	struct vmbh_set_kvm sk = { .size = sizeof(sk) };
	struct tg_chan ch;
	struct tg_kvm k;
	pid_t mon;
	long sw;
	int i;

	ASSERT_EQ(0, tg_kvm_create(&k, &self->vm.mem))
		TH_LOG("a KVM VM (is kvm_amd or kvm_intel loaded?)");
	sk.vm_fd = -1;
	EXPECT_EQ(-EBADF, tg_ioctl(self->vm.fd, VMBH_SET_KVM, &sk));
	sk.vm_fd = k.kvm_fd;
	EXPECT_EQ(-EINVAL, tg_ioctl(self->vm.fd, VMBH_SET_KVM, &sk));
	sk.vm_fd = self->vm.fd;
	EXPECT_EQ(-EINVAL, tg_ioctl(self->vm.fd, VMBH_SET_KVM, &sk));
	sk.vm_fd = k.vm_fd;
	sk.flags = 1;
	EXPECT_EQ(-EINVAL, tg_ioctl(self->vm.fd, VMBH_SET_KVM, &sk));
	sk.flags = 0;

	mon = monitor_chan_open(_metadata, &self->vm, &self->dev[0], &ch);

	/* no KVM VM: the idle poller wakes every few ms */
	usleep(100 * 1000);
	sw = tg_task_switches(mon);
	usleep(200 * 1000);
	EXPECT_LE(10, tg_task_switches(mon) - sw);

	ASSERT_EQ(0, tg_ioctl(self->vm.fd, VMBH_SET_KVM, &sk));
	EXPECT_EQ(-EBUSY, tg_ioctl(self->vm.fd, VMBH_SET_KVM, &sk));
	self->vm.kvm = &k;
	for (i = 1; i <= 10; i++) {
		/* idle: the page is tracked and the poller sleeps... */
		usleep(100 * 1000);
		sw = tg_task_switches(mon);
		usleep(200 * 1000);
		EXPECT_GE(2, tg_task_switches(mon) - sw)
			TH_LOG("idle round %d", i);
		/* (a new memslot has no tracking: the poller must add it) */
		if (i == 5)
			ASSERT_EQ(0, tg_kvm_reslot(&k));
		/* ...until the vCPU sets the channel's bit */
		ASSERT_EQ(0, tg_echo_one(&ch, i, 64, TG_TIMEOUT_MS));
	}
	/* busy: polled again, as without KVM */
	for (i = 0; i < 300; i++)
		ASSERT_EQ(0, tg_echo_one(&ch, 100 + i, 64, TG_TIMEOUT_MS));
	EXPECT_EQ(0, k.errors);
	EXPECT_LE(10, k.runs);
	EXPECT_EQ(0, __atomic_load_n(tg_monitor_pending(&self->vm,
							ch.monitor_id),
				     __ATOMIC_RELAXED));
	self->vm.kvm = NULL;
	/* the module's reference keeps the KVM VM until its own fd closes */
	tg_kvm_destroy(&k);
	ASSERT_EQ(0, tg_chan_close(&ch));
}

TEST_HARNESS_MAIN

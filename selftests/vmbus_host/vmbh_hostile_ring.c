// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest, ring and packet level (vmbus-protocol.md 7.3): corrupt
 * indices, descriptors, GPA-direct headers, flow-control fields and
 * signalling; a malformed ring fails the channel (stats say FAILED), the
 * guest can close and reopen it, and a second VM is untouched.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

static struct vmbh_channel_stats a_stats(hostile_data *self)
{
	struct vmbh_channel_stats st;

	memset(&st, 0xff, sizeof(st));
	tg_chan_stats(&self->a, &self->da[0], 0, &st);
	return st;
}

/* Wait until a's channel is FAILED, then close and reopen it. */
static void expect_failed_then_reopen(struct __test_metadata *_metadata,
				      hostile_data *self)
{
	struct vmbh_channel_stats st;
	const struct tg_offer *o;
	int i;

	for (i = 0; i < 200; i++) {
		st = a_stats(self);
		if (st.state == VMBH_CHAN_FAILED)
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(VMBH_CHAN_FAILED, st.state);
	EXPECT_LE(1, st.errors);
	/* a failed channel takes and sends nothing */
	EXPECT_EQ(0, tg_chan_recv(&self->ca, &(struct tg_pkt){ 0 }));
	ASSERT_EQ(0, tg_chan_close(&self->ca));
	o = tg_find_offer(&self->a, self->da[0].instance, 0);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca, o, &self->da[0], 4, 4, 0));
	hostile_after(_metadata, self, true);
}

/* Write raw packet bytes (a trailer follows) and kick. */
static void raw_send(hostile_data *self, const void *bytes,
		     uint32_t len)
{
	struct iovec iov = { (void *)bytes, len };
	bool sig;

	if (tg_ring_write(&self->ca.out, &iov, 1, &sig) == 0)
		tg_chan_kick(&self->ca);
}

static void send_desc(hostile_data *self, uint16_t type,
		      uint16_t offset8, uint16_t len8, uint16_t flags,
		      uint32_t bytes)
{
	uint8_t buf[256] = { 0 };
	struct tg_pkt_desc *d = (void *)buf;

	d->type = type;
	d->offset8 = offset8;
	d->len8 = len8;
	d->flags = flags;
	d->trans_id = 77;
	raw_send(self, buf, bytes);
}

TEST_F(hostile, ring_out_write_index_past_ring)
{
	tg_store(&self->ca.out.hdr->write_index, self->ca.out.dsize);
	tg_chan_kick(&self->ca);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_out_write_index_unaligned)
{
	tg_store(&self->ca.out.hdr->write_index, 20);
	tg_chan_kick(&self->ca);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_in_read_index_past_ring)
{
	tg_store(&self->ca.in.hdr->read_index, 0xFFFFFFF0);
	tg_chan_send(&self->ca, TG_PKT_DATA_INBAND, 1, 1, "abcdefgh", 8);
	tg_chan_kick(&self->ca);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_in_read_index_unaligned)
{
	tg_store(&self->ca.in.hdr->read_index, 4);
	tg_chan_send(&self->ca, TG_PKT_DATA_INBAND, 1, 1, "abcdefgh", 8);
	tg_chan_kick(&self->ca);
	expect_failed_then_reopen(_metadata, self);
}

/* The guest scribbles the index the host owns: the host's copy wins. */
TEST_F(hostile, ring_host_owned_indices_scribbled)
{
	ASSERT_EQ(0, tg_echo_one(&self->ca, 1, 100, TG_TIMEOUT_MS));
	/* host's consumer index */
	tg_store(&self->ca.out.hdr->read_index, 0x1238);
	/* the guest's own signal rule now sees a non-empty ring: kick */
	tg_chan_kick(&self->ca);
	ASSERT_EQ(0, tg_echo_one(&self->ca, 2, 100, TG_TIMEOUT_MS));
	tg_chan_kick(&self->ca);
	ASSERT_EQ(0, tg_echo_one(&self->ca, 3, 200, TG_TIMEOUT_MS));
	hostile_after(_metadata, self, true);
}

TEST_F(hostile, ring_packet_bad_types)
{
	static const uint16_t types[] = {
		0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x7, 0x8, 0xA, 0xC, 0xD, 0xE,
		0xFFFF,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		TH_LOG("type %#x", types[i]);
		send_desc(self, types[i], 2, 3, 0, 24);
		expect_failed_then_reopen(_metadata, self);
	}
}

TEST_F(hostile, ring_packet_bad_flags)
{
	send_desc(self, TG_PKT_DATA_INBAND, 2, 3, 0x2, 24);
	expect_failed_then_reopen(_metadata, self);
	send_desc(self, TG_PKT_DATA_INBAND, 2, 3, 0x8001, 24);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_packet_offset8_too_small)
{
	send_desc(self, TG_PKT_DATA_INBAND, 0, 3, 0, 24);
	expect_failed_then_reopen(_metadata, self);
	send_desc(self, TG_PKT_DATA_INBAND, 1, 3, 0, 24);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_packet_len8_below_offset8)
{
	send_desc(self, TG_PKT_DATA_INBAND, 3, 2, 0, 24);
	expect_failed_then_reopen(_metadata, self);
	send_desc(self, TG_PKT_DATA_INBAND, 2, 0, 0, 24);
	expect_failed_then_reopen(_metadata, self);
}

/* len8 says more than the ring holds: the packet runs past the data. */
TEST_F(hostile, ring_packet_len8_past_data)
{
	send_desc(self, TG_PKT_DATA_INBAND, 2, 40, 0, 24);
	expect_failed_then_reopen(_metadata, self);
	send_desc(self, TG_PKT_DATA_INBAND, 2, 0xFFFF, 0, 24);
	expect_failed_then_reopen(_metadata, self);
}

/* Fewer bytes published than a descriptor. */
TEST_F(hostile, ring_write_index_inside_descriptor)
{
	tg_store(&self->ca.out.hdr->write_index, 8);
	tg_chan_kick(&self->ca);
	expect_failed_then_reopen(_metadata, self);
}

/* A packet larger than the class accepts, though it fits the ring. */
TEST_F(hostile, ring_packet_past_class_max)
{
	uint8_t big[12000] = { 0 };
	struct tg_chan ch;
	const struct tg_offer *o;
	struct vmbh_channel_stats st;
	int i;

	/* a channel with 16 KiB rings */
	o = tg_find_offer(&self->a, self->da[1].instance, 0);
	ASSERT_EQ(0, tg_chan_open(&self->a, &ch, o, &self->da[1], 5, 2, 0));
	ASSERT_EQ(0, tg_chan_send(&ch, TG_PKT_DATA_INBAND, 0, 1, big,
				  sizeof(big)));
	tg_chan_kick(&ch);
	for (i = 0; i < 200; i++) {
		tg_chan_stats(&self->a, &self->da[1], 0, &st);
		if (st.state == VMBH_CHAN_FAILED)
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(VMBH_CHAN_FAILED, st.state);
	ASSERT_EQ(0, tg_chan_close(&ch));
	hostile_after(_metadata, self, true);
}

static void send_gpa_direct(hostile_data *self, uint16_t offset8,
			    uint32_t range_cnt, uint32_t byte_count,
			    uint32_t byte_offset, uint32_t npfn,
			    uint32_t len8)
{
	uint8_t buf[512] = { 0 };
	struct tg_pkt_desc *d = (void *)buf;
	uint32_t *w = (uint32_t *)(buf + 16);
	uint64_t *pfn = (uint64_t *)(buf + 32);
	uint32_t i;

	d->type = TG_PKT_DATA_GPA_DIRECT;
	d->offset8 = offset8;
	d->len8 = len8;
	d->flags = 1;
	d->trans_id = 5;
	w[1] = range_cnt;
	w[2] = byte_count;
	w[3] = byte_offset;
	for (i = 0; i < npfn; i++)
		pfn[i] = tg_mem_pfn(&self->a.mem, self->a.mem.base) + i;
	raw_send(self, buf, len8 * 8);
}

TEST_F(hostile, ring_gpa_direct_header_too_short)
{
	/* offset8 2: no room for reserved/range_cnt */
	send_gpa_direct(self, 2, 1, 4096, 0, 1, 6);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_gpa_direct_zero_ranges)
{
	send_gpa_direct(self, 5, 0, 4096, 0, 1, 6);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_gpa_direct_ranges_past_payload)
{
	/* 3 pages claimed, offset8 leaves room for 1 PFN */
	send_gpa_direct(self, 5, 1, 3 * 4096, 0, 3, 8);
	expect_failed_then_reopen(_metadata, self);
	/* range_cnt 1000 */
	send_gpa_direct(self, 5, 1000, 4096, 0, 1, 6);
	expect_failed_then_reopen(_metadata, self);
}

TEST_F(hostile, ring_gpa_direct_bad_range)
{
	send_gpa_direct(self, 5, 1, 0, 0, 1, 6);	/* byte_count 0 */
	expect_failed_then_reopen(_metadata, self);
	send_gpa_direct(self, 5, 1, 100, 4096, 1, 6);	/* offset >= 4096 */
	expect_failed_then_reopen(_metadata, self);
	send_gpa_direct(self, 5, 1, 0xFFFFFFFF, 0xFFF, 1, 6);	/* overflow */
	expect_failed_then_reopen(_metadata, self);
}

/* A guest that keeps its inbound ring masked gets no interrupts. */
TEST_F(hostile, ring_interrupt_mask_held)
{
	struct vmbh_channel_stats s0, s1;
	struct tg_pkt pkt;
	int i, got = 0;

	s0 = a_stats(self);
	tg_ring_mask(&self->ca.in);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, tg_chan_send(&self->ca, TG_PKT_DATA_INBAND, 1, i,
					  "12345678", 8));
	}
	tg_chan_kick(&self->ca);
	for (i = 0; i < 200 && got < 10; i++) {
		while (tg_chan_recv(&self->ca, &pkt) == 1)
			got++;
		usleep(5000);
	}
	EXPECT_EQ(10, got);
	s1 = a_stats(self);
	EXPECT_EQ(s0.interrupts, s1.interrupts);
	tg_ring_unmask(&self->ca.in);
	hostile_after(_metadata, self, true);
}

/* pending_send_sz larger than the ring ("never") and not 8-aligned. */
TEST_F(hostile, ring_pending_send_sz_garbage)
{
	tg_ring_set_pending_send(&self->ca.out, 0xFFFFFFFF);
	ASSERT_EQ(0, tg_echo_one(&self->ca, 1, 64, TG_TIMEOUT_MS));
	tg_ring_set_pending_send(&self->ca.out, 13);
	ASSERT_EQ(0, tg_echo_one(&self->ca, 2, 64, TG_TIMEOUT_MS));
	tg_ring_set_pending_send(&self->ca.out, 0);
	hostile_after(_metadata, self, true);
}

/*
 * A guest that sends and never reads: the host fills the inbound ring,
 * asks for space with pending_send_sz, and holds the rest; nothing is lost
 * once the guest reads.
 */
TEST_F(hostile, ring_guest_never_reads)
{
	struct vmbh_channel_stats st;
	struct tg_pkt pkt;
	uint64_t sent = 0, got = 0;
	int idle = 0;

	while (idle < 50) {
		if (tg_chan_send(&self->ca, TG_PKT_DATA_INBAND, 1, sent, "x", 1)) {
			idle++;
			usleep(2000);
			continue;
		}
		sent++;
		idle = 0;
	}
	st = a_stats(self);
	TH_LOG("sent %llu before both rings were full; ring_full %llu",
	       (unsigned long long)sent, (unsigned long long)st.ring_full);
	EXPECT_LE(1, st.ring_full);
	EXPECT_NE(0, tg_load(&self->ca.in.hdr->pending_send_sz));
	EXPECT_EQ(VMBH_CHAN_OPEN, st.state);
	for (idle = 0; got < sent && idle < 500; ) {
		if (tg_chan_recv(&self->ca, &pkt) == 1) {
			ASSERT_EQ(got, pkt.desc.trans_id);
			got++;
			idle = 0;
		} else {
			tg_chan_wait_event(&self->ca, 10);
			idle++;
		}
	}
	EXPECT_EQ(sent, got);
	hostile_after(_metadata, self, true);
}

/* Data without a signal is found on the next signal; duplicate ids echo. */
TEST_F(hostile, ring_data_without_signal_and_duplicate_ids)
{
	bool sig;
	uint8_t buf[16];
	struct tg_pkt pkt;
	int i, got = 0;

	tg_fill(buf, 16, 9);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, tg_ring_send(&self->ca.out, TG_PKT_DATA_INBAND, 1,
					  9, buf, 16, &sig));
	}
	usleep(100 * 1000);
	EXPECT_EQ(0, tg_chan_recv(&self->ca, &pkt));
	tg_chan_kick(&self->ca);
	for (i = 0; i < 100 && got < 3; i++) {
		if (tg_chan_recv(&self->ca, &pkt) == 1) {
			EXPECT_EQ(9, pkt.desc.trans_id);
			got++;
		} else {
			tg_chan_wait_event(&self->ca, 50);
		}
	}
	EXPECT_EQ(3, got);
	hostile_after(_metadata, self, true);
}

/* Both shared with the main thread, d also with the host: tg_load/store. */
struct flipper {
	struct tg_pkt_desc *d;
	int stop;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;

	while (!tg_load(&f->stop)) {
		tg_store(&f->d->len8, 3);
		tg_store(&f->d->len8, 0xFFFF);
		tg_store(&f->d->offset8, 0);
		tg_store(&f->d->offset8, 2);
	}
	return NULL;
}

/* Descriptor fields change while the host reads them (copy once). */
TEST_F(hostile, ring_descriptor_races)
{
	struct flipper f = { .stop = 0 };
	struct vmbh_channel_stats st;
	pthread_t t;
	int i;

	f.d = (void *)(self->ca.out.data +
		       tg_load(&self->ca.out.hdr->write_index));
	ASSERT_EQ(0, pthread_create(&t, NULL, flip, &f));
	for (i = 0; i < 2000; i++) {
		tg_chan_kick(&self->ca);
		if (i % 100 == 0) {
			send_desc(self, TG_PKT_DATA_INBAND, 2, 3, 0, 24);
			tg_store(&self->ca.out.hdr->write_index, 0);
		}
	}
	tg_store(&f.stop, 1);
	pthread_join(t, NULL);
	st = a_stats(self);
	TH_LOG("state %u errors %llu in %llu", st.state,
	       (unsigned long long)st.errors,
	       (unsigned long long)st.in_packets);
	ASSERT_EQ(0, tg_chan_close(&self->ca));
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca,
				  tg_find_offer(&self->a, self->da[0].instance, 0),
				  &self->da[0], 4, 4, 0));
	hostile_after(_metadata, self, true);
}

/* Shared with the main thread, r's header also with the host. */
struct feeder {
	struct tg_chan *ch;
	int stop;
};

/*
 * Keep the guest->host ring from ever being empty: write_index stays one
 * packet behind the host's read_index, over a data area filled with
 * 24-byte completion packets (the test class takes and drops them).
 */
static void *feed(void *arg)
{
	struct feeder *f = arg;
	struct tg_ring *r = &f->ch->out;
	uint32_t size = r->dsize, rd;

	while (!tg_load(&f->stop)) {
		rd = tg_load(&r->hdr->read_index);
		tg_store(&r->hdr->write_index, (rd + size - 24) % size);
		/* a host that saw the ring empty for a moment is told */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!tg_load(&r->hdr->interrupt_mask))
			tg_chan_kick(f->ch);
	}
	return NULL;
}

/*
 * A ring that is never empty must not keep the channel's worker from
 * stopping: CLOSECHANNEL waits for it with the VM's lock held, which
 * would block every other message and ioctl of the VM.
 */
TEST_F(hostile, ring_never_empty_close)
{
	struct tg_pkt_desc d = { .type = TG_PKT_COMP, .offset8 = 2,
				 .len8 = 2, .trans_id = 5 };
	struct tg_ring *r = &self->ca.out;
	struct feeder f = { .ch = &self->ca };
	struct vmbh_channel_stats st;
	struct timespec t0, t1;
	uint32_t off;
	pthread_t t;
	double secs;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: the guest must outrun the worker");
	/*
	 * A 255-page ring (10,000 packets a lap) and the worker on a CPU of
	 * its own, so the feeder stays ahead of it even when it is
	 * descheduled for a while.
	 */
	ASSERT_EQ(0, tg_chan_close(&self->ca));
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca,
				  tg_find_offer(&self->a, self->da[0].instance, 0),
				  &self->da[0], 256, 4, 0));
	ASSERT_EQ(0, tg_chan_pin_apart(&self->ca));
	ASSERT_EQ(0, r->dsize % 24);
	for (off = 0; off < r->dsize; off += 24) {
		memcpy(r->data + off, &d, sizeof(d));
		memset(r->data + off + sizeof(d), 0, TG_RING_TRAILER);
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, feed, &f));
	usleep(300 * 1000);
	st = a_stats(self);
	/* the host has gone round the ring */
	EXPECT_LT(r->dsize / 24, st.in_packets);
	EXPECT_EQ(0, st.errors);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(0, tg_chan_close(&self->ca));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tg_store(&f.stop, 1);
	pthread_join(t, NULL);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	TH_LOG("close after %llu packets took %.3f s",
	       (unsigned long long)st.in_packets, secs);
	EXPECT_GT(2.0, secs);
	ASSERT_EQ(0, tg_chan_open(&self->a, &self->ca,
				  tg_find_offer(&self->a, self->da[0].instance, 0),
				  &self->da[0], 4, 4, 0));
	hostile_after(_metadata, self, true);
}

/* All ring pages the same guest page: legal GPADL, nonsense ring. */
TEST_F(hostile, ring_all_pages_aliased)
{
	struct tg_gpadl_desc d;
	struct tg_open o = { .hdr.msgtype = TG_MSG_OPENCHANNEL };
	uint64_t pfn[4];
	uint8_t *p = tg_mem_alloc(&self->a.mem, 1);
	struct tg_ring r;
	uint64_t one = 1;

	tg_ring_init(&r, p, 8192);
	pfn[0] = tg_mem_pfn(&self->a.mem, p);
	pfn[1] = pfn[0];
	pfn[2] = pfn[0];
	pfn[3] = pfn[0];
	ASSERT_EQ(0, tg_gpadl_desc_simple(&d, pfn, 4));
	ASSERT_EQ(0, tg_gpadl_create_desc(&self->a, self->relid1, 0xF0, &d, 0));
	o.child_relid = self->relid1;
	o.openid = self->relid1;
	o.ringbuffer_gpadlhandle = 0xF0;
	o.downstream_ringbuffer_pageoffset = 2;
	ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&self->a, &o, sizeof(o)));
	tg_wait_msg(&self->a, TG_MSG_OPENCHANNEL_RESULT, NULL, 0, TG_TIMEOUT_MS);
	memset(p + 64, 0x41, 64);	/* garbage in the shared header */
	if (write(self->da[1].q[0].kick_fd, &one, 8) != 8)
		TH_LOG("kick failed");
	usleep(100 * 1000);
	tg_gpadl_desc_free(&d);
	hostile_after(_metadata, self, true);
}

TEST_HARNESS_MAIN

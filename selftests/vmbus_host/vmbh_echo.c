// SPDX-License-Identifier: GPL-2.0
/*
 * Data path through the echo class: every payload size, and 10^6 packets of
 * mixed sizes on several channels at once with content checked, with the
 * module's counters matching what the guest saw; how many interrupts one
 * echo and a burst answered in one handle run cost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guest.h"

#define NCHAN	4

FIXTURE(echo) {
	struct tg_vm vm;
	struct tg_dev dev[NCHAN];
	struct tg_chan ch[NCHAN];
};

/*
 * The fixture's type for helpers taking self (checkpatch reads
 * "FIXTURE_DATA(echo) *self" as a multiplication).
 */
#define echo_data FIXTURE_DATA(echo)

FIXTURE_SETUP(echo)
{
	const struct tg_offer *o;
	int i;

	ASSERT_EQ(0, tg_vm_create(&self->vm, 2, 0));
	for (i = 0; i < NCHAN; i++) {
		ASSERT_EQ(0, tg_dev_add(&self->vm, &self->dev[i],
					VMBH_CLASS_TEST, 1, i + 1));
	}
	ASSERT_EQ(0, tg_connect(&self->vm, 0));
	for (i = 0; i < NCHAN; i++) {
		o = tg_find_offer(&self->vm, self->dev[i].instance, 0);
		ASSERT_NE(NULL, o);
		/* 64 KiB rings, interrupts spread over both VPs */
		ASSERT_EQ(0, tg_chan_open(&self->vm, &self->ch[i], o,
					  &self->dev[i], 16, 16, i & 1));
	}
}

FIXTURE_TEARDOWN(echo)
{
	int i;

	tg_vm_destroy(&self->vm);
	for (i = 0; i < NCHAN; i++)
		tg_dev_close_fds(&self->dev[i]);
}

TEST_F(echo, every_payload_size)
{
	uint32_t len;

	for (len = 0; len <= 4000; len += (len < 64 ? 1 : 61)) {
		ASSERT_EQ(0, tg_echo_one(&self->ch[0], len, len, TG_TIMEOUT_MS)) {
			TH_LOG("payload %u", len);
		}
	}
}

TEST_F(echo, completion_and_plain_packets)
{
	struct tg_pkt pkt;
	uint8_t buf[64];

	/* without COMPLETION_REQUESTED the echo still comes back */
	tg_fill(buf, 64, 77);
	ASSERT_EQ(0, tg_chan_send(&self->ch[1], TG_PKT_DATA_INBAND, 0, 77, buf,
				  64));
	ASSERT_EQ(1, tg_chan_recv_wait(&self->ch[1], &pkt, TG_TIMEOUT_MS));
	EXPECT_EQ(77, pkt.desc.trans_id);
	EXPECT_TRUE(tg_check(pkt.payload, 64, 77));
}

static uint32_t mixed_len(uint64_t seq)
{
	static const uint32_t sizes[] = { 0, 1, 7, 8, 9, 64, 100, 255, 512,
					  1000, 1500, 2048, 3000, 4000 };

	return sizes[(seq * 2654435761u >> 7) % (ARRAY_SIZE(sizes))];
}

/*
 * @total packets over all channels, each channel keeping its ring busy;
 * returns the number of content mismatches (0 expected).
 */
static uint64_t pump_echo(struct __test_metadata *_metadata,
			  echo_data *self, uint64_t total,
			  double *secs)
{
	uint64_t sent[NCHAN] = { 0 }, got[NCHAN] = { 0 }, per = total / NCHAN;
	uint64_t bad = 0, done = 0;
	uint8_t buf[4096];
	struct timespec t0, t1;
	struct tg_pkt pkt;
	int i, stall = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < NCHAN * per && stall < 5000) {
		int progress = 0;

		for (i = 0; i < NCHAN; i++) {
			struct tg_chan *ch = &self->ch[i];

			/* keep at most 64 packets in flight per channel */
			while (sent[i] < per && sent[i] - got[i] < 64) {
				uint64_t seq = (uint64_t)i << 40 | sent[i];
				uint32_t len = mixed_len(seq);

				tg_fill(buf, len, seq);
				if (tg_chan_send(ch, TG_PKT_DATA_INBAND,
						 TG_PKT_FLAG_COMPLETION_REQUESTED,
						 seq, buf, len))
					break;
				sent[i]++;
				progress++;
			}
			while (tg_chan_recv(ch, &pkt) == 1) {
				uint64_t seq = (uint64_t)i << 40 | got[i];
				uint32_t len = mixed_len(seq);

				if (pkt.desc.trans_id != seq ||
				    pkt.payload_len != ((len + 7) & ~7u) ||
				    !tg_check(pkt.payload, len, seq))
					bad++;
				got[i]++;
				done++;
				progress++;
			}
		}
		if (progress) {
			stall = 0;
		} else {
			stall++;
			tg_pump(&self->vm, 1);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_EQ(NCHAN * per, done);
	for (i = 0; i < NCHAN; i++)
		TH_LOG("chan %d: sent %llu got %llu", i,
		       (unsigned long long)sent[i], (unsigned long long)got[i]);
	return bad;
}

/* about 75 s at the 13k packets/s a TCG VM manages */
TEST_F_TIMEOUT(echo, million_mixed_packets_four_channels, 1200)
{
	struct vmbh_channel_stats st[NCHAN];
	const char *env = getenv("VMBH_ECHO_PACKETS");
	uint64_t total = env ? strtoull(env, NULL, 0) : 1000000;
	uint64_t in = 0, out = 0;
	double secs;
	int i;

	ASSERT_EQ(0, pump_echo(_metadata, self, total, &secs));
	TH_LOG("%llu packets in %.1f s: %.0f packets/s",
	       (unsigned long long)total, secs, total / secs);
	for (i = 0; i < NCHAN; i++) {
		ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[i], 0, &st[i]));
		EXPECT_EQ(VMBH_CHAN_OPEN, st[i].state);
		EXPECT_EQ(0, st[i].errors);
		EXPECT_EQ(total / NCHAN, st[i].in_packets);
		EXPECT_EQ(total / NCHAN, st[i].out_packets);
		in += st[i].in_packets;
		out += st[i].out_packets;
		/* never more signals than packets */
		EXPECT_LE(st[i].interrupts, st[i].out_packets);
		TH_LOG("chan %d: %llu kicks, %llu interrupts", i,
		       (unsigned long long)st[i].kicks,
		       (unsigned long long)st[i].interrupts);
	}
	TH_LOG("module: in %llu out %llu", (unsigned long long)in,
	       (unsigned long long)out);
	for (i = 0; i < NCHAN; i++) {
		ASSERT_EQ(0, tg_chan_close(&self->ch[i]));
	}
}

/* Signalling follows the ring rules: no interrupt while the guest masks. */
TEST_F(echo, interrupts_only_when_unmasked_and_empty)
{
	struct vmbh_channel_stats s0, s1;
	int i;

	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[2], 0, &s0));
	for (i = 0; i < 100; i++) {
		/*
		 * read only after the interrupt: the ring is always empty
		 * and unmasked when the host writes, so each write signals
		 */
		ASSERT_EQ(0, tg_echo_one_irq(&self->ch[2], i, 32, TG_TIMEOUT_MS));
	}
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[2], 0, &s1));
	/* one at a time: each echo found the ring empty */
	EXPECT_EQ(100, s1.out_packets - s0.out_packets);
	EXPECT_EQ(100, s1.interrupts - s0.interrupts);
	/* descriptor + payload, as the uapi counts in_bytes */
	EXPECT_EQ(100 * (16 + 32), s1.in_bytes - s0.in_bytes);
}

/*
 * A burst of echo requests written before one kick: the worker finds them
 * all in one handle run, so its echoes share the batch's interrupts (one
 * per 32 packets, VMBH_CHAN_SIGNAL_BATCH in channel.c, and one when handle
 * returns).
 */
#define BURST		96
#define BURST_LEN	32
#define BURST_SIGNAL	32
/* An echo of the burst in the ring: descriptor and payload, no trailer. */
#define BURST_WORDS	((TG_PKT_DESC_SIZE + BURST_LEN) / 8)
#define BURST_BYTES	(BURST * (BURST_WORDS * 8 + TG_RING_TRAILER))

/* Write @n echo requests (trans_id @first...) without kicking, then kick. */
static int burst_write(struct tg_chan *ch, uint64_t first, int n)
{
	uint8_t buf[BURST_LEN];
	bool sig;
	int i, ret;

	for (i = 0; i < n; i++) {
		tg_fill(buf, BURST_LEN, first + i);
		ret = tg_ring_send(&ch->out, TG_PKT_DATA_INBAND,
				   TG_PKT_FLAG_COMPLETION_REQUESTED, first + i,
				   buf, BURST_LEN, &sig);
		if (ret)
			return ret;
	}
	tg_chan_kick(ch);
	return 0;
}

/*
 * tg_chan_recv() for the burst's echoes, copying word by word: glibc's
 * vector memcpy and memcmp are slow under TCG, and the reader is to be as
 * fast as it can.  Returns 1 with the packet in @w, 0 when the ring is
 * empty, -EIO for a packet that is not an echo of the burst's size.
 */
static int burst_take(struct tg_chan *ch, uint64_t *w)
{
	struct tg_ring *r = &ch->in;
	uint32_t wr = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	const struct tg_pkt_desc *d = (const void *)w;
	uint32_t avail, off = r->priv_read;
	int i;

	if (wr == off)
		return 0;
	avail = wr > off ? wr - off : r->dsize - off + wr;
	if (avail < BURST_WORDS * 8 + TG_RING_TRAILER)
		return -EIO;
	/* every index is 8-aligned: no word wraps */
	for (i = 0; i < BURST_WORDS; i++)
		w[i] = *(const uint64_t *)(r->data + (off + i * 8) % r->dsize);
	if (d->len8 != BURST_WORDS || d->offset8 != TG_PKT_DESC_SIZE / 8)
		return -EIO;
	/* hand the space back at once (hv_pkt_iter_close) */
	r->priv_read = (off + BURST_WORDS * 8 + TG_RING_TRAILER) % r->dsize;
	if (tg_ring_close(r))
		tg_chan_kick(ch);
	return 1;
}

static bool burst_echo_ok(const uint64_t *w, uint64_t seq)
{
	const struct tg_pkt_desc *d = (const void *)w;

	return d->type == TG_PKT_DATA_INBAND &&
	       d->flags == TG_PKT_FLAG_COMPLETION_REQUESTED &&
	       d->trans_id == seq && tg_check(d + 1, BURST_LEN, seq);
}

/*
 * The guest reads as fast as it can, handing back each echo's space at
 * once and clearing the event bit as its ISR would, so the host may find
 * the ring empty: one interrupt per packet written into an empty ring
 * would cost up to 96.  Batched, the burst costs at most one interrupt
 * per 32 packets plus the end of the batch, and at least one, since the
 * guest is not masked.  Under TCG the worker usually writes the whole
 * burst before the reader empties the ring even once (the log says how
 * often it did); there a per-packet rule would meet the bound too.
 */
TEST_F(echo, burst_in_one_run_interrupts_once_per_32)
{
	struct tg_chan *ch = &self->ch[3];
	void *siefp = self->vm.vp[ch->target_vp].siefp;
	uint64_t got = 0, bad = 0, seen = 0, emptied = 0, irqs;
	uint64_t echo[BURST][BURST_WORDS];
	struct vmbh_channel_stats s0, s1;
	unsigned long spins;
	int64_t end;
	int i, ret;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: the reader must race the worker");
	ASSERT_EQ(0, tg_chan_pin_apart(ch));
	memset(echo, 0, sizeof(echo));
	/* the reader's code and pages warm, as in a running guest */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, tg_echo_one(ch, 1000 + i, BURST_LEN, TG_TIMEOUT_MS));
	tg_chan_take_event(ch);
	ASSERT_EQ(0, tg_load(&ch->in.hdr->interrupt_mask));
	ASSERT_EQ(0, tg_ring_bytes_to_read(&ch->in));
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[3], 0, &s0));

	ASSERT_EQ(0, burst_write(ch, 0, BURST));
	end = tg_now_ms() + TG_TIMEOUT_MS;
	for (spins = 0; got < BURST; spins++) {
		if (!(spins & 1023) && tg_now_ms() > end)
			break;
		ret = burst_take(ch, echo[got]);
		ASSERT_LE(0, ret);
		if (ret && ++got < BURST && !tg_ring_bytes_to_read(&ch->in))
			emptied++;
		/* the ISR's test-and-clear, without a system call */
		if (tg_siefp_test_clear(siefp, TG_VMBUS_SINT, ch->relid))
			seen++;
	}
	ASSERT_EQ(BURST, got);
	for (got = 0; got < BURST; got++)
		bad += !burst_echo_ok(echo[got], got);
	EXPECT_EQ(0, bad);

	/* the batch's last interrupt may follow its last packet */
	while (!tg_chan_wait_event(ch, TG_QUIET_MS))
		seen++;
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[3], 0, &s1));
	if (tg_chan_take_event(ch))
		seen++;
	irqs = s1.interrupts - s0.interrupts;
	TH_LOG("%d echoes: %llu interrupts, %llu seen; the reader emptied the ring %llu times",
	       BURST, (unsigned long long)irqs, (unsigned long long)seen,
	       (unsigned long long)emptied);
	/* one kick, one handle run */
	EXPECT_EQ(1, s1.kicks - s0.kicks);
	EXPECT_EQ(BURST, s1.in_packets - s0.in_packets);
	EXPECT_EQ(BURST, s1.out_packets - s0.out_packets);
	EXPECT_EQ(0, s1.ring_full - s0.ring_full);
	EXPECT_EQ(0, s1.errors - s0.errors);
	EXPECT_LE(1, irqs);
	EXPECT_GE(BURST / BURST_SIGNAL + 1, irqs);
	/* each interrupt counted set the event bit the guest then cleared */
	EXPECT_EQ(irqs, seen);
}

/*
 * The same burst with the guest's inbound ring masked and read only once
 * the host has written every echo: the ring is never empty at the batch's
 * signal points, yet none of them interrupts.
 */
TEST_F(echo, masked_burst_no_interrupt)
{
	struct tg_chan *ch = &self->ch[3];
	struct vmbh_channel_stats s0, s1;
	uint64_t w[BURST_WORDS];
	uint64_t got = 0, bad = 0;
	int64_t end;

	tg_chan_take_event(ch);
	ASSERT_EQ(0, tg_ring_bytes_to_read(&ch->in));
	tg_ring_mask(&ch->in);
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[3], 0, &s0));

	ASSERT_EQ(0, burst_write(ch, 0, BURST));
	end = tg_now_ms() + TG_TIMEOUT_MS;
	while (tg_ring_bytes_to_read(&ch->in) < BURST_BYTES && tg_now_ms() < end)
		usleep(1000);
	ASSERT_EQ(BURST_BYTES, tg_ring_bytes_to_read(&ch->in));
	/* let the handle run end: its last signal point is when it returns */
	usleep(TG_QUIET_MS * 1000);
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[3], 0, &s1));
	EXPECT_EQ(1, s1.kicks - s0.kicks);
	EXPECT_EQ(BURST, s1.out_packets - s0.out_packets);
	EXPECT_EQ(0, s1.interrupts - s0.interrupts);
	EXPECT_FALSE(tg_chan_take_event(ch));

	while (burst_take(ch, w) == 1)
		bad += !burst_echo_ok(w, got++);
	EXPECT_EQ(BURST, got);
	EXPECT_EQ(0, bad);
	/* hv_end_read: nothing came meanwhile */
	EXPECT_EQ(0, tg_ring_unmask(&ch->in));
	ASSERT_EQ(0, tg_chan_stats(&self->vm, &self->dev[3], 0, &s1));
	EXPECT_EQ(0, s1.interrupts - s0.interrupts);
}

/*
 * A packet the backend writes from another context inside the worker's
 * batch (here a work item the worker waits for, as storvsp's replies
 * come from the target core's completions), after the worker's own
 * echoes and into a ring the guest has not read: the batch's interrupt
 * is still owed at its end.  Before 882c190 that write forgot the batch,
 * and the guest, waiting with three echoes in its ring, never heard of
 * them.  Each round: three echoes and a DEFER packet in one kick; the
 * guest waits for an interrupt whenever it finds its ring empty.
 */
TEST_F(echo, other_context_write_keeps_batch_interrupt)
{
	struct tg_chan *ch = &self->ch[0];
	uint8_t buf[64];
	struct tg_pkt pkt;
	int round, i, got, ret;
	uint64_t seq;
	bool sig;

	for (round = 0; round < 200; round++) {
		tg_chan_take_event(ch);
		for (i = 0; i < 4; i++) {
			seq = round * 4 + i;
			tg_fill(buf, sizeof(buf), seq);
			if (i == 3)
				memcpy(buf, "DEFER", 5);
			ASSERT_EQ(0, tg_ring_send(&ch->out, TG_PKT_DATA_INBAND,
						  TG_PKT_FLAG_COMPLETION_REQUESTED,
						  seq, buf, sizeof(buf), &sig));
		}
		tg_chan_kick(ch);
		for (got = 0; got < 4;) {
			ret = tg_chan_recv(ch, &pkt);
			ASSERT_LE(0, ret);
			if (ret) {
				ASSERT_EQ(round * 4 + got, pkt.desc.trans_id);
				got++;
				continue;
			}
			if (!tg_chan_wait_event(ch, TG_TIMEOUT_MS))
				continue;
			ASSERT_EQ(0, tg_ring_bytes_to_read(&ch->in))
				TH_LOG("round %d: echoes in the ring, no interrupt",
				       round);
			ASSERT_EQ(4, got) TH_LOG("round %d: no echo", round);
		}
	}
}

TEST_HARNESS_MAIN

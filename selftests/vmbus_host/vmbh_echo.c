// SPDX-License-Identifier: GPL-2.0
/*
 * Data path through the echo class: every payload size, and 10^6 packets of
 * mixed sizes on several channels at once with content checked, with the
 * module's counters matching what the guest saw.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	ASSERT_EQ(0, tg_chan_wait_event(&self->ch[1], TG_TIMEOUT_MS));
	ASSERT_EQ(1, tg_chan_recv(&self->ch[1], &pkt));
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

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * storvsp functional kselftests: the VSTOR handshake at every version, SCSI
 * commands through the target core, data integrity on ramdisk and iblock
 * backstores, subchannels, LUN hot-add/remove, teardown under I/O.
 * Needs vmbh_hypercall, vmbus_host, vmbh_storvsp and target_core_mod
 * loaded (run.sh does it in the test VM).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lio.h"
#include "sv.h"

#define RD_MIB		64
#define BLK		512
#define MAX_XFER	(1024u * 1024u)	/* what storvsp advertises */

static uint64_t target_id(void)
{
	return 0x5001405000000000ull | (uint64_t)getpid();
}

static void fill(void *p, uint32_t len, uint64_t seed)
{
	uint64_t *w = p;
	uint32_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = seed * 0x9E3779B97F4A7C15ull + i;
}

/* storvsc's handshake for every version a Linux or Windows guest offers */
FIXTURE(hs) {
	char wwpn[32];
	struct lio_bs bs;
	struct sv s;
};

FIXTURE_SETUP(hs)
{
	ASSERT_EQ(0, lio_ramdisk(&self->bs, 1, 4));
	ASSERT_EQ(0, lio_target(target_id(), self->wwpn, sizeof(self->wwpn)));
	ASSERT_EQ(0, lio_lun_add(self->wwpn, 0, &self->bs));
	ASSERT_EQ(0, sv_start(&self->s, self->wwpn, 4));
}

FIXTURE_TEARDOWN(hs)
{
	sv_stop(&self->s);
	lio_target_del(self->wwpn);
	lio_bs_del(&self->bs);
}

static void handshake_at(struct __test_metadata *_metadata, struct sv *s,
			 uint16_t v)
{
	struct sv_srb r = { .len = 36 };

	ASSERT_EQ(0, sv_init(s, v));
	ASSERT_EQ(MAX_XFER, s->props.max_transfer_bytes);
	if (v >= VSTOR_VERSION_WIN8) {
		EXPECT_EQ(3, s->props.max_channel_cnt);
		EXPECT_EQ(VSTOR_PROP_SUPPORTS_MULTI_CHANNEL, s->props.flags);
	} else {
		EXPECT_EQ(0, s->props.max_channel_cnt);
		EXPECT_EQ(0, s->props.flags);
	}
	if (v < VSTOR_VERSION_WIN8) {
		/* the 36-byte SRB of these versions, answered in kind */
		struct vstor_packet p = {
			.operation = VSTOR_OPERATION_EXECUTE_SRB,
			.flags = VSTOR_REQUEST_COMPLETION_FLAG,
		};
		const struct vstor_packet *rep;
		struct tg_pkt pkt;

		p.vm_srb.length = 36;
		p.vm_srb.cdb_length = 6;	/* TEST UNIT READY */
		p.vm_srb.data_in = VSTOR_DATA_NONE;
		ASSERT_EQ(0, tg_chan_send(&s->ch[0], TG_PKT_DATA_INBAND, 1, 77,
					  &p, 48));
		ASSERT_EQ(1, tg_chan_recv_wait(&s->ch[0], &pkt, TG_TIMEOUT_MS));
		EXPECT_EQ(77, pkt.desc.trans_id);
		EXPECT_EQ(48, pkt.payload_len);
		rep = pkt.payload;
		EXPECT_EQ(SRB_STATUS_SUCCESS, rep->vm_srb.srb_status);
	}
	/* and the controller works at that version */
	r.buf = sv_alloc(s, 4096);
	ASSERT_NE(NULL, r.buf);
	sv_cdb_inquiry(&r, false, 0, 36);
	ASSERT_EQ(0, sv_srb_sync(s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(36, r.reply.vm_srb.data_transfer_length);
	EXPECT_EQ(0, ((uint8_t *)r.buf)[0]);	/* disk, connected */
}

TEST_F(hs, win10)  { handshake_at(_metadata, &self->s, VSTOR_VERSION_WIN10); }
TEST_F(hs, win8_1) { handshake_at(_metadata, &self->s, VSTOR_VERSION_WIN8_1); }
TEST_F(hs, win8)   { handshake_at(_metadata, &self->s, VSTOR_VERSION_WIN8); }
TEST_F(hs, win7)   { handshake_at(_metadata, &self->s, VSTOR_VERSION_WIN7); }
TEST_F(hs, win6)   { handshake_at(_metadata, &self->s, VSTOR_VERSION_WIN6); }

TEST_F(hs, linux_fallback_order)
{
	struct vstor_packet r;
	struct tg_chan *ch = &self->s.ch[0];

	/* what storvsc does against a host that refuses 6.2 */
	ASSERT_EQ(0, sv_op(ch, VSTOR_OPERATION_BEGIN_INITIALIZATION, 0, &r));
	ASSERT_EQ(0, r.status);
	ASSERT_EQ(0, sv_op(ch, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION, 0x0700,
			   &r));
	EXPECT_EQ(VSTOR_STATUS_REVISION_MISMATCH, r.status);
	EXPECT_EQ(VSTOR_OPERATION_COMPLETE_IO, r.operation);
	ASSERT_EQ(0, sv_op(ch, VSTOR_OPERATION_QUERY_PROTOCOL_VERSION,
			   VSTOR_VERSION_WIN10, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(VSTOR_VERSION_WIN10, r.version.major_minor);
}

TEST_F(hs, reopen_restarts_handshake)
{
	struct vstor_packet r;
	const struct tg_offer *o;

	ASSERT_EQ(0, sv_init(&self->s, VSTOR_VERSION_WIN10));
	ASSERT_EQ(0, tg_chan_close(&self->s.ch[0]));
	o = tg_find_offer(&self->s.vm, self->s.dev.instance, 0);
	ASSERT_NE(NULL, o);
	ASSERT_EQ(0, tg_chan_open(&self->s.vm, &self->s.ch[0], o,
				  &self->s.dev, SV_RING_PAGES, SV_RING_PAGES,
				  0));
	/* an SRB before the new handshake is refused */
	ASSERT_EQ(0, sv_op(&self->s.ch[0], VSTOR_OPERATION_END_INITIALIZATION,
			   0, &r));
	EXPECT_EQ(VSTOR_STATUS_INVALID_DEVICE_STATE, r.status);
	ASSERT_EQ(0, sv_init(&self->s, VSTOR_VERSION_WIN8_1));
}

/* A ready controller on a ramdisk LUN 0. */
FIXTURE(rd) {
	char wwpn[32];
	struct lio_bs bs;
	struct sv s;
};

FIXTURE_SETUP(rd)
{
	ASSERT_EQ(0, lio_ramdisk(&self->bs, 2, RD_MIB));
	ASSERT_EQ(0, lio_target(target_id(), self->wwpn, sizeof(self->wwpn)));
	ASSERT_EQ(0, lio_lun_add(self->wwpn, 0, &self->bs));
	ASSERT_EQ(0, sv_start(&self->s, self->wwpn, 5));
	ASSERT_EQ(0, sv_init(&self->s, VSTOR_VERSION_WIN10));
}

FIXTURE_TEARDOWN(rd)
{
	sv_stop(&self->s);
	lio_target_del(self->wwpn);
	lio_bs_del(&self->bs);
}

static void inquiry(struct __test_metadata *_metadata, struct sv *s,
		    bool evpd, uint8_t page, uint8_t *out, uint32_t *got)
{
	struct sv_srb r = { .len = 255 };

	r.buf = sv_alloc(s, 4096);
	ASSERT_NE(NULL, r.buf);
	sv_cdb_inquiry(&r, evpd, page, 255);
	ASSERT_EQ(0, sv_srb_sync(s, 0, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	ASSERT_EQ(0, r.reply.vm_srb.scsi_status);
	ASSERT_EQ(VSTOR_OPERATION_COMPLETE_IO, r.reply.operation);
	ASSERT_EQ(0, r.reply.status);
	*got = r.reply.vm_srb.data_transfer_length;
	ASSERT_LE(*got, 255);
	memcpy(out, r.buf, 255);
	sv_free(s, r.buf, 4096);
}

TEST_F(rd, inquiry_standard)
{
	uint8_t d[255];
	uint32_t n;

	inquiry(_metadata, &self->s, false, 0, d, &n);
	EXPECT_GE(n, 36);
	EXPECT_EQ(0, d[0]);			/* direct access, connected */
	EXPECT_EQ(0, memcmp(d + 8, "LIO-ORG ", 8));
	EXPECT_EQ(n, d[4] + 5u);
}

TEST_F(rd, inquiry_vpd)
{
	static const uint8_t want[] = { 0x00, 0x80, 0x83, 0xb0 };
	uint8_t d[255];
	uint32_t n, i, j;
	bool found;

	inquiry(_metadata, &self->s, true, 0x00, d, &n);
	ASSERT_GE(n, 4);
	EXPECT_EQ(0x00, d[1]);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		found = false;
		for (j = 4; j < n && j < 4u + d[3]; j++)
			found |= d[j] == want[i];
		EXPECT_TRUE(found) TH_LOG("VPD page %#x not listed", want[i]);
	}
	for (i = 1; i < ARRAY_SIZE(want); i++) {
		inquiry(_metadata, &self->s, true, want[i], d, &n);
		EXPECT_GE(n, 4);
		EXPECT_EQ(want[i], d[1]);
	}
	/* 0x83 carries the NAA designator of the LUN */
	inquiry(_metadata, &self->s, true, 0x83, d, &n);
	EXPECT_GT((d[2] << 8 | d[3]), 0);
	/* 0xb0: MAXIMUM TRANSFER LENGTH within what storvsp advertises */
	inquiry(_metadata, &self->s, true, 0xb0, d, &n);
	EXPECT_LE((uint32_t)(d[8] << 24 | d[9] << 16 | d[10] << 8 | d[11]) * BLK,
		  MAX_XFER);
}

TEST_F(rd, read_capacity16)
{
	struct sv_srb r = { .len = 32, .cdb_len = 16 };
	uint8_t *d;
	uint64_t last = 0;
	int i;

	r.buf = sv_alloc(&self->s, 4096);
	d = r.buf;
	ASSERT_NE(NULL, d);
	r.cdb[0] = 0x9e;
	r.cdb[1] = 0x10;
	r.cdb[13] = 32;
	r.data_in = VSTOR_DATA_IN;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(32, r.reply.vm_srb.data_transfer_length);
	for (i = 0; i < 8; i++)
		last = last << 8 | d[i];
	EXPECT_EQ((RD_MIB << 20) / BLK - 1, last);
	EXPECT_EQ(BLK, d[8] << 24 | d[9] << 16 | d[10] << 8 | d[11]);
}

static int wait_enumerate(struct sv *s)
{
	struct vstor_packet rep;
	uint64_t tid;
	uint16_t type;

	if (sv_recv(&s->ch[0], &tid, &rep, &type, TG_TIMEOUT_MS) != 1)
		return -ETIMEDOUT;
	if (tid != 0 || type != TG_PKT_DATA_INBAND ||
	    rep.operation != VSTOR_OPERATION_ENUMERATE_BUS)
		return -EBADMSG;
	return 0;
}

TEST_F(rd, report_luns_and_tur)
{
	struct sv_srb r = { .len = 4096, .cdb_len = 12 };
	struct lio_bs bs2;
	uint8_t *d;

	ASSERT_EQ(0, lio_ramdisk(&bs2, 3, 1));
	ASSERT_EQ(0, lio_lun_add(self->wwpn, 7, &bs2));
	ASSERT_EQ(0, wait_enumerate(&self->s));
	r.buf = sv_alloc(&self->s, 4096);
	d = r.buf;
	r.cdb[0] = 0xa0;
	r.cdb[8] = 0x10;	/* allocation length 4096 */
	r.data_in = VSTOR_DATA_IN;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(16, d[3]);	/* two LUNs, in no particular order */
	EXPECT_EQ(7, d[9] + d[17]);
	EXPECT_EQ(0, d[9] * d[17]);
	EXPECT_EQ(24, r.reply.vm_srb.data_transfer_length);

	memset(&r, 0, sizeof(r));
	r.cdb_len = 6;
	r.data_in = VSTOR_DATA_NONE;
	r.lun = 7;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(0, r.reply.vm_srb.scsi_status);
	lio_lun_del(self->wwpn, 7);
	lio_bs_del(&bs2);
}

TEST_F(rd, absent_luns_and_targets)
{
	struct sv_srb r = { .len = 36 };
	uint8_t *d;

	r.buf = sv_alloc(&self->s, 4096);
	d = r.buf;
	/* standard INQUIRY of an empty LUN: qualifier 3, so scans go on */
	sv_cdb_inquiry(&r, false, 0, 36);
	r.lun = 3;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(0x7f, d[0]);
	/* other targets and paths too */
	r.lun = 0;
	r.target = 1;
	d[0] = 0;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(0x7f, d[0]);
	r.target = 0;
	r.path = 5;
	d[0] = 0;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(0x7f, d[0]);
	/* anything else to an empty LUN is INVALID_LUN: the guest drops it */
	memset(&r, 0, sizeof(r));
	r.cdb_len = 6;
	r.data_in = VSTOR_DATA_NONE;
	r.lun = 3;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_INVALID_LUN, r.reply.vm_srb.srb_status & 0x3f);
}

TEST_F(rd, check_condition_sense)
{
	struct sv_srb r = { .len = 4096 };

	/* READ beyond the end: ILLEGAL REQUEST, LBA out of range */
	r.buf = sv_alloc(&self->s, 4096);
	sv_cdb_rw(&r, false, (RD_MIB << 20) / BLK, 8, false);
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID,
		  r.reply.vm_srb.srb_status);
	EXPECT_EQ(0x02, r.reply.vm_srb.scsi_status);
	EXPECT_NE(0, r.reply.status);
	ASSERT_GE(r.reply.vm_srb.sense_info_length, 14);
	EXPECT_EQ(0x70, r.reply.vm_srb.sense_data[0] & 0x7f);
	EXPECT_EQ(0x05, r.reply.vm_srb.sense_data[2] & 0x0f);
	EXPECT_EQ(0x21, r.reply.vm_srb.sense_data[12]);
	EXPECT_EQ(0, r.reply.vm_srb.data_transfer_length);
}

TEST_F(rd, residual)
{
	struct sv_srb r = { .len = 4096 };

	/* INQUIRY allocation 36 into a 4096-byte buffer: 36 transferred */
	r.buf = sv_alloc(&self->s, 4096);
	sv_cdb_inquiry(&r, false, 0, 36);
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(36, r.reply.vm_srb.data_transfer_length);
}

static void wrv(struct __test_metadata *_metadata, struct sv *s, int q,
		uint64_t lba, uint32_t len, uint32_t misalign, uint64_t seed)
{
	struct sv_srb w = { .len = len }, r = { .len = len };
	uint8_t *wb, *rb;

	wb = sv_alloc(s, len + 4096);
	rb = sv_alloc(s, len + 4096);
	ASSERT_NE(NULL, wb);
	ASSERT_NE(NULL, rb);
	fill(wb + misalign, len, seed);
	memset(rb + misalign, 0xa5, len);
	w.buf = wb + misalign;
	r.buf = rb + misalign;
	sv_cdb_rw(&w, true, lba, len / BLK, false);
	sv_cdb_rw(&r, false, lba, len / BLK, false);
	ASSERT_EQ(0, sv_srb_sync(s, q, &w));
	ASSERT_EQ(SRB_STATUS_SUCCESS, w.reply.vm_srb.srb_status) {
		TH_LOG("write %u at %llu: sense key %#x asc %#x", len,
		       (unsigned long long)lba, w.reply.vm_srb.sense_data[2],
		       w.reply.vm_srb.sense_data[12]);
	}
	EXPECT_EQ(len, w.reply.vm_srb.data_transfer_length);
	ASSERT_EQ(0, sv_srb_sync(s, q, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(len, r.reply.vm_srb.data_transfer_length);
	ASSERT_EQ(0, memcmp(wb + misalign, rb + misalign, len)) {
		TH_LOG("data mismatch, %u bytes at lba %llu", len,
		       (unsigned long long)lba);
	}
	sv_free(s, wb, len + 4096);
	sv_free(s, rb, len + 4096);
}

TEST_F(rd, write_read_verify_sizes)
{
	uint32_t len;
	uint64_t lba = 0;

	for (len = BLK; len <= (1u << 20); len *= 2) {
		wrv(_metadata, &self->s, 0, lba, len, 0, len);
		/* the same through a buffer not aligned to a page */
		wrv(_metadata, &self->s, 0, lba + 4096, len, 512 + 8, len + 1);
		lba += len / BLK;
	}
}

TEST_F(rd, flush_and_fua)
{
	struct sv_srb r = { .cdb_len = 10, .data_in = VSTOR_DATA_NONE };
	struct sv_srb w = { .len = 4096 };

	r.cdb[0] = 0x35;	/* SYNCHRONIZE CACHE(10) */
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(0, r.reply.vm_srb.scsi_status);

	/* the target core takes FUA only from a device with a write cache */
	ASSERT_EQ(0, lio_bs_attr(&self->bs, "emulate_write_cache", "1"));
	w.buf = sv_alloc(&self->s, 4096);
	fill(w.buf, 4096, 99);
	sv_cdb_rw(&w, true, 100, 8, true);
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &w));
	EXPECT_EQ(SRB_STATUS_SUCCESS, w.reply.vm_srb.srb_status);
	EXPECT_EQ(4096, w.reply.vm_srb.data_transfer_length);
}

struct mq {
	struct sv *s;
	int nq;
	uint8_t *buf[SV_MAX_Q][16], *chk[SV_MAX_Q][16];
	uint32_t ios[SV_MAX_Q];
	int bad;
};

/* Queue 16 writes (or reads into the check buffers) on every queue. */
static void mq_submit(struct mq *m, uint32_t round, bool write)
{
	uint32_t i;
	int q;

	for (q = 0; q < m->nq; q++)
		for (i = 0; i < 16; i++) {
			struct sv_srb r = { .len = 8192 };
			uint64_t lba = ((uint64_t)q << 14) +
				       (i + round * 16) * 16;

			r.buf = write ? m->buf[q][i] : m->chk[q][i];
			if (write)
				fill(r.buf, 8192, lba);
			else
				memset(r.buf, 0, 8192);
			sv_cdb_rw(&r, write, lba, 16, false);
			if (sv_srb_send(&m->s->ch[q], i + 1, &r))
				m->bad++;
		}
}

/* Take replies from all queues until 16 per queue came or it stalls. */
static void mq_reap(struct mq *m)
{
	uint32_t got = 0, want = 16u * m->nq;
	const struct vstor_packet *v;
	struct tg_pkt pkt;
	int q, idle = 0, progress;

	while (got < want && idle < 100) {
		progress = 0;
		for (q = 0; q < m->nq; q++) {
			while (tg_chan_recv(&m->s->ch[q], &pkt) == 1) {
				v = pkt.payload;
				progress++;
				got++;
				if (pkt.desc.trans_id < 1 ||
				    pkt.desc.trans_id > 16 ||
				    v->vm_srb.srb_status != SRB_STATUS_SUCCESS)
					m->bad++;
				else
					m->ios[q]++;
			}
		}
		if (!progress) {
			idle++;
			tg_pump(&m->s->vm, 100);
		}
	}
	if (got != want)
		m->bad++;
}

/*
 * 16 writes, then 16 reads, in flight on each of the queues at once (the
 * test guest is single threaded; the host runs one worker per queue);
 * every byte is compared.
 */
static void multiqueue_io(struct mq *m, uint32_t rounds)
{
	uint32_t round, i;
	int q;

	for (q = 0; q < m->nq; q++)
		for (i = 0; i < 16; i++) {
			m->buf[q][i] = sv_alloc(m->s, 8192);
			m->chk[q][i] = sv_alloc(m->s, 8192);
			if (!m->buf[q][i] || !m->chk[q][i]) {
				m->bad++;
				return;
			}
		}
	for (round = 0; round < rounds; round++) {
		mq_submit(m, round, true);
		mq_reap(m);
		mq_submit(m, round, false);
		mq_reap(m);
		for (q = 0; q < m->nq; q++)
			for (i = 0; i < 16; i++)
				if (memcmp(m->buf[q][i], m->chk[q][i], 8192))
					m->bad++;
	}
}

TEST_F(rd, four_subchannels_concurrent)
{
	static struct mq m;
	struct vmbh_channel_stats st;
	int q;

	ASSERT_EQ(0, sv_subchannels(&self->s, 4));
	m.s = &self->s;
	m.nq = 5;
	multiqueue_io(&m, 8);
	ASSERT_EQ(0, m.bad);
	for (q = 0; q < 5; q++) {
		EXPECT_EQ(256, m.ios[q]) TH_LOG("queue %d", q);
		/* each queue carried its own I/O */
		ASSERT_EQ(0, sv_stats(&self->s, q, &st));
		EXPECT_GE(st.in_packets, 256);
		EXPECT_GE(st.out_packets, 256);
	}
}

TEST_F(rd, subchannel_request_limits)
{
	struct vstor_packet r;

	ASSERT_EQ(0, sv_op(&self->s.ch[0], VSTOR_OPERATION_CREATE_SUB_CHANNELS,
			   5, &r));
	EXPECT_EQ(VSTOR_STATUS_INVALID_PARAMETER, r.status);
	ASSERT_EQ(0, sv_subchannels(&self->s, 2));
	/* once per open */
	ASSERT_EQ(0, sv_op(&self->s.ch[0], VSTOR_OPERATION_CREATE_SUB_CHANNELS,
			   2, &r));
	EXPECT_EQ(VSTOR_STATUS_INVALID_PARAMETER, r.status);
	/* only on the primary */
	ASSERT_EQ(0, sv_op(&self->s.ch[1], VSTOR_OPERATION_CREATE_SUB_CHANNELS,
			   1, &r));
	EXPECT_NE(0, r.status);
}

TEST_F(rd, lun_hot_add_remove)
{
	struct sv_srb r = { .len = 36 };
	struct lio_bs bs2;

	r.buf = sv_alloc(&self->s, 4096);
	ASSERT_EQ(0, lio_ramdisk(&bs2, 4, 1));
	ASSERT_EQ(0, lio_lun_add(self->wwpn, 2, &bs2));
	ASSERT_EQ(0, wait_enumerate(&self->s));
	sv_cdb_inquiry(&r, false, 0, 36);
	r.lun = 2;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(0, ((uint8_t *)r.buf)[0]);

	ASSERT_EQ(0, lio_lun_del(self->wwpn, 2));
	ASSERT_EQ(0, wait_enumerate(&self->s));
	/* storvsc's rescan: TEST UNIT READY on the known LUN */
	memset(&r, 0, sizeof(r));
	r.cdb_len = 6;
	r.data_in = VSTOR_DATA_NONE;
	r.lun = 2;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_INVALID_LUN, r.reply.vm_srb.srb_status & 0x3f);
	lio_bs_del(&bs2);
}

TEST_F(rd, tpg_busy_while_served)
{
	char path[256], dev[64];

	/* the VM holds the TPG: rmdir fails until the device goes */
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1", self->wwpn);
	ASSERT_EQ(0, lio_lun_del(self->wwpn, 0));
	EXPECT_NE(0, rmdir(path));
	EXPECT_EQ(EBUSY, errno);
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1/device",
		 self->wwpn);
	ASSERT_EQ(0, lio_read(path, dev, sizeof(dev)));
	EXPECT_NE(0, dev[0]);
	ASSERT_EQ(0, tg_dev_remove(&self->s.vm, &self->s.dev));
	ASSERT_EQ(0, lio_read(path, dev, sizeof(dev)));
	EXPECT_EQ(0, dev[0]);
	snprintf(path, sizeof(path), LIO_FABRIC "/%s/tpgt_1", self->wwpn);
	EXPECT_EQ(0, rmdir(path));
}

/* Queue up to @n 64 KiB writes/reads on queue 0; returns how many went. */
static int queue_io(struct sv *s, uint8_t *buf, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct sv_srb r = { .len = 65536, .buf = buf + i * 65536 };

		sv_cdb_rw(&r, i & 1, i * 128, 128, false);
		if (sv_srb_send(&s->ch[0], i + 1, &r))
			break;
	}
	return i;
}

TEST_F(rd, close_channel_with_io_in_flight)
{
	const struct tg_offer *o;
	uint8_t *buf;
	int i;

	buf = sv_alloc(&self->s, 64 * 65536);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 5; i++) {
		ASSERT_GT(queue_io(&self->s, buf, 64), 0);
		/* CLOSECHANNEL returns once every command is answered */
		ASSERT_EQ(0, tg_chan_close(&self->s.ch[0]));
		o = tg_find_offer(&self->s.vm, self->s.dev.instance, 0);
		ASSERT_NE(NULL, o);
		ASSERT_EQ(0, tg_chan_open(&self->s.vm, &self->s.ch[0], o,
					  &self->s.dev, SV_RING_PAGES,
					  SV_RING_PAGES, 0));
		ASSERT_EQ(0, sv_init(&self->s, VSTOR_VERSION_WIN10));
		wrv(_metadata, &self->s, 0, 0, 4096, 0, i);
	}
}

TEST_F(rd, lun_removed_under_io)
{
	struct sv_srb r = { .cdb_len = 6, .data_in = VSTOR_DATA_NONE };
	struct vstor_packet rep;
	uint8_t *buf;
	uint64_t tid;
	int n, got = 0, enumerate = 0;

	buf = sv_alloc(&self->s, 64 * 65536);
	ASSERT_NE(NULL, buf);
	n = queue_io(&self->s, buf, 48);
	ASSERT_GT(n, 0);
	ASSERT_EQ(0, lio_lun_del(self->wwpn, 0));
	/* every command is answered, one way or the other */
	while (got < n &&
	       sv_recv(&self->s.ch[0], &tid, &rep, NULL, TG_TIMEOUT_MS) == 1) {
		if (tid == 0) {
			enumerate++;
			continue;
		}
		got++;
	}
	EXPECT_EQ(n, got);
	/* and the LUN is gone for new commands */
	ASSERT_EQ(0, sv_srb_send(&self->s.ch[0], 999, &r));
	while (sv_recv(&self->s.ch[0], &tid, &rep, NULL, TG_TIMEOUT_MS) == 1 &&
	       tid == 0)
		enumerate++;
	EXPECT_EQ(999, tid);
	EXPECT_EQ(SRB_STATUS_INVALID_LUN, rep.vm_srb.srb_status & 0x3f);
	EXPECT_EQ(1, enumerate);
}

TEST_F(rd, close_with_io_in_flight)
{
	struct vmbh_bus_info bi;
	uint8_t *buf;
	uint32_t i;
	int ret;

	buf = sv_alloc(&self->s, 64 * 65536);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 64; i++) {
		struct sv_srb r = { .len = 65536, .buf = buf + i * 65536 };

		sv_cdb_rw(&r, i & 1, i * 128, 128, false);
		ret = sv_srb_send(&self->s.ch[0], i + 1, &r);
		if (ret == -EAGAIN)
			break;
		ASSERT_EQ(0, ret);
	}
	/* close the whole VM with those in the target core */
	ASSERT_EQ(0, tg_bus_info(&self->s.vm, &bi));
	sv_stop(&self->s);
	/* a new VM on the same target works: nothing is left bound */
	ASSERT_EQ(0, sv_start(&self->s, self->wwpn, 1));
	ASSERT_EQ(0, sv_init(&self->s, VSTOR_VERSION_WIN10));
	wrv(_metadata, &self->s, 0, 0, 4096, 0, 1);
}

/* A ready controller on iblock over brd's /dev/ram0 (run.sh loads brd). */
FIXTURE(ib) {
	char wwpn[32];
	struct lio_bs bs;
	struct sv s;
	uint32_t mtl;		/* VPD 0xb0 MAXIMUM TRANSFER LENGTH, bytes */
};

FIXTURE_SETUP(ib)
{
	struct sv_srb r = { .len = 64 };
	uint8_t *d;

	ASSERT_EQ(0, lio_iblock(&self->bs, 6, "/dev/ram0"));
	ASSERT_EQ(0, lio_target(target_id(), self->wwpn, sizeof(self->wwpn)));
	ASSERT_EQ(0, lio_lun_add(self->wwpn, 0, &self->bs));
	ASSERT_EQ(0, sv_start(&self->s, self->wwpn, 2));
	ASSERT_EQ(0, sv_init(&self->s, VSTOR_VERSION_WIN10));
	r.buf = sv_alloc(&self->s, 4096);
	d = r.buf;
	sv_cdb_inquiry(&r, true, 0xb0, 64);
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	self->mtl = (uint32_t)(d[8] << 24 | d[9] << 16 | d[10] << 8 | d[11]) *
		    BLK;
	if (!self->mtl || self->mtl > MAX_XFER)
		self->mtl = MAX_XFER;
	sv_free(&self->s, r.buf, 4096);
}

FIXTURE_TEARDOWN(ib)
{
	sv_stop(&self->s);
	lio_target_del(self->wwpn);
	lio_bs_del(&self->bs);
}

/* Write, read back and compare @len bytes, in pieces of at most @mtl. */
static void wrv_split(struct __test_metadata *_metadata, struct sv *s,
		      uint64_t lba, uint32_t len, uint32_t mtl)
{
	uint32_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < mtl ? len - off : mtl;
		wrv(_metadata, s, 0, lba + off / BLK, n, 0, lba + off);
	}
}

TEST_F(ib, write_read_verify_sizes)
{
	uint64_t lba = 0;
	uint32_t len;

	TH_LOG("iblock max transfer %u bytes", self->mtl);
	for (len = BLK; len <= (1u << 20); len *= 2) {
		wrv_split(_metadata, &self->s, lba, len, self->mtl);
		lba += len / BLK;
	}
	/* an unaligned guest buffer too */
	wrv(_metadata, &self->s, 0, 8192, 65536, 520, 7);
}

TEST_F(ib, flush)
{
	struct sv_srb r = { .cdb_len = 16, .data_in = VSTOR_DATA_NONE };

	r.cdb[0] = 0x91;	/* SYNCHRONIZE CACHE(16) */
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	EXPECT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	EXPECT_EQ(0, r.reply.vm_srb.scsi_status);
}

TEST_F(ib, write_same)
{
	struct sv_srb w = { .len = BLK, .cdb_len = 16 };
	struct sv_srb r = { .len = 16 * BLK };
	uint8_t *pat, *back;
	int i;

	pat = sv_alloc(&self->s, 4096);
	back = sv_alloc(&self->s, 16 * BLK);
	fill(pat, BLK, 1234);
	w.buf = pat;
	w.cdb[0] = 0x93;	/* WRITE SAME(16), 16 blocks at LBA 4096 */
	w.cdb[8] = 0x10;
	w.cdb[13] = 16;
	w.data_in = VSTOR_DATA_OUT;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &w));
	ASSERT_EQ(SRB_STATUS_SUCCESS, w.reply.vm_srb.srb_status);
	r.buf = back;
	sv_cdb_rw(&r, false, 4096, 16, false);
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &r));
	ASSERT_EQ(SRB_STATUS_SUCCESS, r.reply.vm_srb.srb_status);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0, memcmp(back + i * BLK, pat, BLK));
}

TEST_F(ib, unmap_as_the_backstore_allows)
{
	struct sv_srb v = { .len = 64 }, u = { .len = 24, .cdb_len = 10 };
	uint8_t *d, *p;
	uint32_t max_unmap;

	v.buf = sv_alloc(&self->s, 4096);
	d = v.buf;
	sv_cdb_inquiry(&v, true, 0xb0, 64);
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &v));
	max_unmap = d[20] << 24 | d[21] << 16 | d[22] << 8 | d[23];

	u.buf = sv_alloc(&self->s, 4096);
	p = u.buf;
	p[1] = 22;		/* UNMAP data length */
	p[3] = 16;		/* block descriptor data length */
	p[15] = 8;		/* LBA 0, 8 blocks */
	u.cdb[0] = 0x42;
	u.cdb[8] = 24;
	u.data_in = VSTOR_DATA_OUT;
	ASSERT_EQ(0, sv_srb_sync(&self->s, 0, &u));
	TH_LOG("max unmap LBA count %u: srb %#x sense key %#x", max_unmap,
	       u.reply.vm_srb.srb_status, u.reply.vm_srb.sense_data[2]);
	if (max_unmap) {
		EXPECT_EQ(SRB_STATUS_SUCCESS, u.reply.vm_srb.srb_status);
	} else {
		/* no discard below: the target core refuses, with sense */
		EXPECT_EQ(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID,
			  u.reply.vm_srb.srb_status);
		EXPECT_EQ(0x05, u.reply.vm_srb.sense_data[2] & 0xf);
	}
}

TEST(fileio_write_read_verify)
{
	static const char img[] = "/tmp/storvsp-fileio.img";
	struct lio_bs bs;
	char wwpn[32];
	struct sv s;
	uint32_t len;

	ASSERT_EQ(0, lio_fileio(&bs, 7, img, 16));
	ASSERT_EQ(0, lio_target(target_id(), wwpn, sizeof(wwpn)));
	ASSERT_EQ(0, lio_lun_add(wwpn, 0, &bs));
	ASSERT_EQ(0, sv_start(&s, wwpn, 1));
	ASSERT_EQ(0, sv_init(&s, VSTOR_VERSION_WIN10));
	for (len = BLK; len <= (1u << 20); len *= 4)
		wrv(_metadata, &s, 0, len / BLK, len, 0, len);
	sv_stop(&s);
	lio_target_del(wwpn);
	lio_bs_del(&bs);
	unlink(img);
}

TEST(add_device_errors)
{
	struct tg_dev dev, dev2;
	struct tg_vm vm;
	char wwpn[32];

	ASSERT_EQ(0, tg_vm_create(&vm, 1, 0));
	EXPECT_EQ(-ENOENT, sv_dev_add(&vm, &dev, "naa.50014050deadbeef", 1, 1));
	EXPECT_EQ(-EINVAL, sv_dev_add(&vm, &dev, "iqn.2003-01.org.x", 1, 1));
	EXPECT_EQ(-EINVAL, sv_dev_add(&vm, &dev, "", 1, 1));
	ASSERT_EQ(0, lio_target(target_id(), wwpn, sizeof(wwpn)));
	ASSERT_EQ(0, sv_dev_add(&vm, &dev, wwpn, 1, 1));
	/* one VM device per TPG */
	EXPECT_EQ(-EBUSY, sv_dev_add(&vm, &dev2, wwpn, 1, 2));
	tg_vm_destroy(&vm);
	tg_dev_close_fds(&dev);
	lio_target_del(wwpn);
}

TEST_HARNESS_MAIN

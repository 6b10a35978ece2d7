// SPDX-License-Identifier: GPL-2.0
/*
 * storvsp benchmark (not a test): 4 KiB random reads from a LUN backed by
 * iblock over /dev/nullb0, at queue depth 1 and 32, on 1 and 4 queues,
 * driven by the userspace guest.  Prints IOPS per phase.
 *
 *   storvsp_bench [seconds per phase]     (null_blk must be loaded)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lio.h"
#include "sv.h"

#define QD_MAX	32

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* @nq queues, @qd requests in flight on each, for @secs: IOPS or -1. */
static double run(struct sv *s, int nq, int qd, double secs,
		  uint8_t *bufs[][QD_MAX], uint64_t blocks)
{
	uint64_t done = 0, tid, seed = 88172645463325252ull;
	double t0 = now(), end = t0 + secs;
	struct vstor_packet rep;
	struct tg_pkt pkt;
	int q, i;

	for (q = 0; q < nq; q++)
		for (i = 0; i < qd; i++) {
			struct sv_srb r = { .len = 4096, .buf = bufs[q][i] };

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			sv_cdb_rw(&r, false, (seed % blocks) & ~7ull, 8, false);
			if (sv_srb_send(&s->ch[q], i + 1, &r))
				return -1;
		}
	while (now() < end) {
		int progress = 0;

		for (q = 0; q < nq; q++) {
			while (tg_chan_recv(&s->ch[q], &pkt) == 1) {
				struct sv_srb r = { .len = 4096 };
				const struct vstor_packet *v = pkt.payload;

				tid = pkt.desc.trans_id;
				if (tid < 1 || tid > (uint64_t)qd ||
				    v->vm_srb.srb_status != SRB_STATUS_SUCCESS)
					return -1;
				done++;
				progress++;
				r.buf = bufs[q][tid - 1];
				seed ^= seed << 13;
				seed ^= seed >> 7;
				seed ^= seed << 17;
				sv_cdb_rw(&r, false, (seed % blocks) & ~7ull, 8,
					  false);
				if (sv_srb_send(&s->ch[q], tid, &r))
					return -1;
			}
		}
		if (!progress)
			tg_pump(&s->vm, 10);
	}
	/* drain what is still in flight */
	for (q = 0; q < nq; q++)
		for (i = 0; i < qd; i++)
			if (sv_recv(&s->ch[q], &tid, &rep, NULL, 5000) != 1)
				return -1;
	return done / (now() - t0);
}

int main(int argc, char **argv)
{
	static const int qds[] = { 1, 32 }, nqs[] = { 1, 4 };
	double secs = argc > 1 ? atof(argv[1]) : 5;
	uint8_t *bufs[SV_MAX_Q][QD_MAX];
	char wwpn[32];
	struct lio_bs bs;
	struct sv s;
	int a, b, q, i, ret;

	ret = lio_iblock(&bs, 9, "/dev/nullb0");
	if (!ret)
		ret = lio_target(0x5001405f00000000ull | getpid(), wwpn,
				 sizeof(wwpn));
	if (!ret)
		ret = lio_lun_add(wwpn, 0, &bs);
	if (!ret)
		ret = sv_start(&s, wwpn, 4);
	if (!ret && sv_init(&s, VSTOR_VERSION_WIN10))
		ret = -EPROTO;
	if (!ret)
		ret = sv_subchannels(&s, 3);
	if (ret) {
		fprintf(stderr, "storvsp_bench: setup failed: %s\n",
			strerror(-ret));
		return 1;
	}
	for (q = 0; q < 4; q++)
		for (i = 0; i < QD_MAX; i++)
			bufs[q][i] = sv_alloc(&s, 4096);

	printf("# storvsp 4 KiB random read, iblock on null_blk, %.0f s/phase\n",
	       secs);
	for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++) {
			double iops = run(&s, nqs[a], qds[b], secs, bufs,
					  (1ull << 30) / 512);

			printf("queues %d qd %2d (per queue): %8.0f IOPS\n",
			       nqs[a], qds[b], iops);
			if (iops < 0)
				ret = 1;
		}
	sv_stop(&s);
	lio_target_del(wwpn);
	lio_bs_del(&bs);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of vmbh_netvsp.ko with the userspace netvsc guest (not a
 * test): packets per second guest -> tap at 64 and 1514 bytes (one frame
 * per send, and 8 batched per send section), tap -> guest at the same
 * sizes, and LSOv2 throughput of 64 KiB TCP frames from GPA pages.  The
 * tap is up on no bridge: the kernel drops what the guest sends after the
 * module wrote it.  Run inside the test VM with the modules loaded:
 *	netvsp_bench [seconds per phase]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "nv.h"

#define WINDOW		32	/* sends in flight */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Completions of our sends; receive packets are completed and dropped. */
static int take(struct nv *n, uint64_t *done)
{
	struct tg_pkt pkt;
	uint8_t comp[8] = { 108, 0, 0, 0, 1, 0, 0, 0 };
	int ret, got = 0;

	while ((ret = tg_chan_recv(&n->ch, &pkt)) == 1) {
		got++;
		if (pkt.desc.type == TG_PKT_COMP) {
			(*done)++;
		} else if (pkt.desc.type == TG_PKT_DATA_XFER_PAGES) {
			uint32_t rc;

			memcpy(&rc, pkt.buf + 20, 4);
			done[1] += rc;
			while (tg_chan_send(&n->ch, TG_PKT_COMP, 0,
					    pkt.desc.trans_id, comp, 8) == -EAGAIN)
				tg_pump(&n->vm, 1);
		}
	}
	return ret < 0 ? ret : got;
}

/* Guest -> tap: @per_sec frames of @flen bytes in each send section. */
static double bench_tx(struct nv *n, uint32_t flen, uint32_t per_sec,
		       double secs)
{
	uint8_t f[1600];
	uint64_t sent = 0, done[2] = { 0 };
	uint32_t s, i, off;
	double t0, t;

	nv_udp_frame(f, nv_peer_mac, nv_guest_mac, flen - 42, 1);
	for (s = 0; s < WINDOW; s++) {
		uint8_t *sec = n->send_buf + s * NV_SECTION;

		for (off = 0, i = 0; i < per_sec; i++) {
			uint32_t ml = nv_packet(sec + off, f, flen, NULL, NULL, 0);

			if (ml % 8 && i + 1 < per_sec) {
				ml += 8 - ml % 8;
				memcpy(sec + off + 4, &ml, 4);
			}
			off += ml;
		}
	}
	t0 = now_s();
	do {
		while (sent - done[0] < WINDOW) {
			struct nvsp_message m = {
				.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT };

			m.rndis_pkt.send_buf_section_index = sent % WINDOW;
			m.rndis_pkt.send_buf_section_size = off;
			if (tg_chan_send(&n->ch, TG_PKT_DATA_INBAND,
					 TG_PKT_FLAG_COMPLETION_REQUESTED,
					 sent + 1, &m, sizeof(m)))
				break;
			sent++;
		}
		if (take(n, done) <= 0)
			tg_pump(&n->vm, 1);
		t = now_s();
	} while (t - t0 < secs);
	while (done[0] < sent && take(n, done) >= 0 && now_s() - t < 2)
		tg_pump(&n->vm, 1);
	return done[0] * per_sec / (now_s() - t0);
}

struct writer {
	int s;
	uint32_t flen;
	bool stop;		/* __atomic */
	uint64_t sent;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	uint8_t f[1600];

	nv_udp_frame(f, nv_guest_mac, nv_peer_mac, w->flen - 42, 2);
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED))
		if (send(w->s, f, w->flen, 0) == (ssize_t)w->flen)
			w->sent++;
	return NULL;
}

/* Tap -> guest: frames the guest received per second. */
static double bench_rx(struct nv *n, uint32_t flen, double secs,
		       double *offered)
{
	struct writer w = { .s = n->peer, .flen = flen };
	uint64_t done[2] = { 0 };
	pthread_t th;
	double t0;

	if (pthread_create(&th, NULL, writer_thread, &w))
		return 0;
	t0 = now_s();
	while (now_s() - t0 < secs)
		if (take(n, done) <= 0)
			tg_pump(&n->vm, 1);
	__atomic_store_n(&w.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	*offered = w.sent / secs;
	return done[1] / (now_s() - t0);
}

/* LSOv2 64 KiB TCP frames from GPA pages, WINDOW / 4 in flight. */
static double bench_lso(struct nv *n, double secs)
{
	uint32_t type = RNDIS_PPI_LSO, v = 1448 | 34u << 20 | NDIS_LSO_TYPE_V2;
	uint32_t plen = 62780 - 54, flen, hl, win = WINDOW / 4;
	uint8_t *mem = tg_mem_alloc(&n->vm.mem, 17 * win);
	static uint8_t p[65536];
	uint64_t sent = 0, done[2] = { 0 };
	struct nv_range r[2];
	double t0;
	uint32_t s;

	if (!mem)
		return 0;
	memset(p, 0x5a, plen);
	for (s = 0; s < win; s++) {
		uint8_t *b = mem + s * 17 * 4096;

		flen = nv_ip_tcp(b + 256, nv_peer_mac, NV_GUEST_IP, NV_PEER_IP,
				 1, 2, 1, 1, 0x18, 1000, p, plen);
		hl = nv_packet(b, NULL, flen, &type, &v, 1) - flen;
	}
	t0 = now_s();
	while (now_s() - t0 < secs) {
		while (sent - done[0] < win) {
			uint8_t *b = mem + (sent % win) * 17 * 4096;

			r[0].p = b;
			r[0].len = hl;
			r[1].p = b + 256;
			r[1].len = flen;
			if (nv_send_gpa(n, 0, sent + 1, NVSP_RNDIS_CHANNEL_DATA,
					NVSP_SEND_SECTION_NONE, 0, r, 2))
				break;
			sent++;
		}
		if (take(n, done) <= 0)
			tg_pump(&n->vm, 1);
	}
	return done[0] * (double)plen * 8 / (now_s() - t0) / 1e9;
}

static void tap_stats(const char *tap, const char *what, long *v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", tap,
		 what);
	f = fopen(path, "r");
	*v = -1;
	if (f) {
		if (fscanf(f, "%ld", v) != 1)
			*v = -1;
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3, offered, r;
	struct nv n = { .tap = -1, .peer = -1 };
	long rx0, rx1;
	int ret;

	ret = nv_bringup(&n, NVSP_PROTOCOL_VERSION_61, true, 1);
	if (!ret)
		ret = nv_set_filter(&n, 0x0d);
	if (ret) {
		fprintf(stderr, "bring-up failed: %d\n", ret);
		return 1;
	}
	tap_stats(n.tapname, "rx_packets", &rx0);
	printf("tx   64 B, 1 per send:    %10.0f pkt/s\n",
	       bench_tx(&n, 60, 1, secs));
	printf("tx 1514 B, 1 per send:    %10.0f pkt/s\n",
	       bench_tx(&n, 1514, 1, secs));
	printf("tx   64 B, 8 per section: %10.0f pkt/s\n",
	       bench_tx(&n, 60, 8, secs));
	tap_stats(n.tapname, "rx_packets", &rx1);
	printf("  (tap counted %ld frames from the guest)\n", rx1 - rx0);
	r = bench_rx(&n, 60, secs, &offered);
	printf("rx   64 B:                %10.0f pkt/s (offered %.0f/s)\n", r,
	       offered);
	r = bench_rx(&n, 1514, secs, &offered);
	printf("rx 1514 B:                %10.0f pkt/s (offered %.0f/s)\n", r,
	       offered);
	printf("LSO 62726 B payload:      %10.3f Gbit/s\n", bench_lso(&n, secs));
	nv_teardown(&n);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Echo benchmark (not a test): packets per second through one echo channel
 * and the signals each packet costs (SINT irqfd signals to the guest, kicks
 * to the host) at batch sizes 1, 8 and 64.
 *
 *   bench_echo [packets per batch size] [payload bytes]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kselftest.h"
#include "guest.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const int batches[] = { 1, 8, 64 };
	uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
	uint32_t len = argc > 2 ? strtoul(argv[2], NULL, 0) : 64;
	struct vmbh_channel_stats s0, s1;
	const struct tg_offer *o;
	uint8_t buf[4096];
	struct tg_vm vm;
	struct tg_dev dev;
	struct tg_chan ch;
	unsigned int b;
	int ret;

	if (len > sizeof(buf))
		len = sizeof(buf);
	ret = tg_vm_create(&vm, 1, 0);
	if (!ret)
		ret = tg_dev_add(&vm, &dev, VMBH_CLASS_TEST, 1, 1);
	if (!ret)
		ret = tg_connect(&vm, 0);
	o = ret ? NULL : tg_find_offer(&vm, dev.instance, 0);
	if (!o || tg_chan_open(&vm, &ch, o, &dev, 64, 64, 0)) {
		fprintf(stderr, "bench_echo: setup failed (%d)\n", ret);
		return 1;
	}
	tg_fill(buf, len, 1);
	printf("# echo, one channel, 256 KiB rings, %u-byte payloads, ", len);
	printf("%llu packets per batch size\n", (unsigned long long)count);
	printf("%-6s %12s %14s %14s\n", "batch", "packets/s", "sints/packet",
	       "kicks/packet");
	for (b = 0; b < ARRAY_SIZE(batches); b++) {
		uint64_t sent = 0, got = 0, sints0 = vm.vp[0].sints;
		uint64_t kicks0 = ch.kicks;
		struct tg_pkt pkt;
		double t0;

		tg_chan_stats(&vm, &dev, 0, &s0);
		t0 = now();
		while (got < count) {
			int n = 0;

			while (n < batches[b] && sent < count &&
			       !tg_chan_send(&ch, TG_PKT_DATA_INBAND,
					     TG_PKT_FLAG_COMPLETION_REQUESTED,
					     sent, buf, len)) {
				sent++;
				n++;
			}
			while (got < sent) {
				if (tg_chan_recv(&ch, &pkt) == 1) {
					got++;
					continue;
				}
				if (tg_chan_wait_event(&ch, 5000)) {
					fprintf(stderr, "bench_echo: stalled at %llu\n",
						(unsigned long long)got);
					return 1;
				}
			}
		}
		t0 = now() - t0;
		tg_pump(&vm, 0);
		tg_chan_stats(&vm, &dev, 0, &s1);
		printf("%-6d %12.0f %14.3f %14.3f\n", batches[b], count / t0,
		       (double)(vm.vp[0].sints - sints0) / count,
		       (double)(ch.kicks - kicks0) / count);
		printf("#   module: %llu interrupts, %llu kicks seen, %llu ring-full\n",
		       (unsigned long long)(s1.interrupts - s0.interrupts),
		       (unsigned long long)(s1.kicks - s0.kicks),
		       (unsigned long long)(s1.ring_full - s0.ring_full));
	}
	tg_chan_close(&ch);
	tg_vm_destroy(&vm);
	return 0;
}

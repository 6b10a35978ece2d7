// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle under load: 1000 open/close cycles with traffic in flight,
 * hot-add/remove, resets and fd closes mid-traffic; nothing may leak
 * (module counters, pinned/locked pages, slab and vmalloc in /proc/meminfo);
 * channel workers live in the VMM's cgroups.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <mntent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "guest.h"

/* No shared state; a fixture only to give the long tests their timeouts. */
FIXTURE(lc) {
	int unused;
};

FIXTURE_SETUP(lc)
{
}

FIXTURE_TEARDOWN(lc)
{
}

struct snap {
	long sunreclaim, vmalloc;
};

static void snap(struct snap *s)
{
	/* let RCU and deferred frees run first */
	usleep(300 * 1000);
	s->sunreclaim = tg_meminfo_kb("SUnreclaim");
	s->vmalloc = tg_meminfo_kb("VmallocUsed");
}

static long proc_status_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Growth allowed for per-cpu caches and the like, not per-cycle leaks. */
#define SLAB_SLACK_KB	4096
#define VMALLOC_SLACK_KB 1024

static void no_growth(struct __test_metadata *_metadata, const struct snap *a,
		      const struct snap *b, int cycles)
{
	TH_LOG("%d cycles: SUnreclaim %+ld kB, VmallocUsed %+ld kB", cycles,
	       b->sunreclaim - a->sunreclaim, b->vmalloc - a->vmalloc);
	EXPECT_LT(b->sunreclaim - a->sunreclaim, SLAB_SLACK_KB);
	EXPECT_LT(b->vmalloc - a->vmalloc, VMALLOC_SLACK_KB);
}

static void bus_clean(struct __test_metadata *_metadata, struct tg_vm *vm,
		      uint32_t gpadls, const char *after, int cycle)
{
	struct vmbh_bus_info info;

	ASSERT_EQ(0, tg_bus_info(vm, &info));
	if (info.nr_gpadls != gpadls || info.queued_msgs)
		TH_LOG("after %s, cycle %d: %u GPADLs, %u pages, %u queued",
		       after, cycle, info.nr_gpadls, info.pinned_pages,
		       info.queued_msgs);
	EXPECT_EQ(gpadls, info.nr_gpadls);
	if (!gpadls) {
		EXPECT_EQ(0, info.pinned_pages);
	}
	EXPECT_EQ(0, info.queued_msgs);
}

/* Put up to @n packets in flight; read back only some of the echoes. */
static void traffic(struct tg_chan *ch, int n, uint64_t seq)
{
	uint8_t buf[2048];
	struct tg_pkt pkt;
	int i;

	for (i = 0; i < n; i++) {
		uint32_t len = (seq + i) * 37 % 2000;

		tg_fill(buf, len, seq + i);
		if (tg_chan_send(ch, TG_PKT_DATA_INBAND,
				 TG_PKT_FLAG_COMPLETION_REQUESTED, seq + i, buf,
				 len))
			break;
		if (i & 1)
			tg_chan_recv(ch, &pkt);
	}
}

TEST_F_TIMEOUT(lc, open_close_under_traffic_1000, 900)
{
	const char *env = getenv("VMBH_CYCLES");
	int cycles = env ? atoi(env) : 1000;
	struct tg_vm vm;
	struct tg_dev dev[2];
	struct tg_chan ch[2];
	const struct tg_offer *o[2];
	struct snap s0, s1;
	int c, i;

	ASSERT_EQ(0, tg_vm_create(&vm, 2, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, tg_dev_add(&vm, &dev[i], VMBH_CLASS_TEST, 1, i + 1));
	}
	ASSERT_EQ(0, tg_connect(&vm, 0));
	for (i = 0; i < 2; i++) {
		o[i] = tg_find_offer(&vm, dev[i].instance, 0);
		ASSERT_NE(NULL, o[i]);
	}
	for (c = -20; c < cycles; c++) {
		if (c == 0)
			snap(&s0);
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, tg_chan_open(&vm, &ch[i], o[i], &dev[i],
						  2 + ((c + 20) & 3),
						  2 + (c + 20) % 5, i)) {
				TH_LOG("cycle %d chan %d", c, i);
			}
			traffic(&ch[i], 1 + c % 40, (uint64_t)c << 8);
		}
		/* close with echoes still in the rings, and maybe unprocessed */
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, tg_chan_close(&ch[i])) {
				TH_LOG("cycle %d chan %d", c, i);
			}
		}
		tg_drop_msgs(&vm);
	}
	bus_clean(_metadata, &vm, 0, "the last cycle", -1);
	snap(&s1);
	no_growth(_metadata, &s0, &s1, cycles);
	tg_vm_destroy(&vm);
	tg_dev_close_fds(&dev[0]);
	tg_dev_close_fds(&dev[1]);
}

TEST_F_TIMEOUT(lc, fd_close_under_traffic, 600)
{
	struct snap s0, s1;
	int c, i;

	for (c = -5; c < 100; c++) {
		struct tg_vm vm;
		struct tg_dev dev[2];
		struct tg_chan ch[2];

		if (c == 0)
			snap(&s0);
		ASSERT_EQ(0, tg_vm_create(&vm, 1, 8 << 20));
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, tg_echo_setup(&vm, &dev[i], &ch[i], 0, i + 1));
			traffic(&ch[i], 50, c);
		}
		/* GPADLs that are not rings, too */
		ASSERT_EQ(0, tg_gpadl_create(&vm, ch[0].relid, 0x5000,
					     tg_mem_alloc(&vm.mem, 64), 64));
		tg_vm_destroy(&vm);
		for (i = 0; i < 2; i++)
			tg_dev_close_fds(&dev[i]);
	}
	snap(&s1);
	no_growth(_metadata, &s0, &s1, 100);
}

TEST_F_TIMEOUT(lc, hot_add_remove_cycles, 600)
{
	struct tg_relid_msg m = { .hdr.msgtype = TG_MSG_CLOSECHANNEL };
	struct vmbh_bus_info info;
	struct tg_vm vm;
	struct snap s0, s1;
	int c;

	ASSERT_EQ(0, tg_vm_create(&vm, 1, 0));
	ASSERT_EQ(0, tg_connect(&vm, 0));
	for (c = -5; c < 200; c++) {
		struct tg_dev dev;
		struct tg_chan ch;

		if (c == 0)
			snap(&s0);
		ASSERT_EQ(0, tg_echo_setup(&vm, &dev, &ch, 0, (uint8_t)c));
		traffic(&ch, 20, c);
		ASSERT_EQ(0, tg_dev_remove(&vm, &dev));
		ASSERT_LE(12, tg_wait_msg_match(&vm, TG_MSG_RESCIND_CHANNELOFFER,
						8, ch.relid, NULL, 0,
						TG_TIMEOUT_MS));
		m.hdr.msgtype = TG_MSG_CLOSECHANNEL;
		m.child_relid = ch.relid;
		ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&vm, &m, sizeof(m)));
		m.hdr.msgtype = TG_MSG_RELID_RELEASED;
		ASSERT_EQ(TG_HV_STATUS_SUCCESS, tg_send(&vm, &m, sizeof(m)));
		tg_chan_forget(&ch);
		tg_dev_close_fds(&dev);
		tg_drop_msgs(&vm);
	}
	ASSERT_EQ(0, tg_bus_info(&vm, &info));
	EXPECT_EQ(0, info.nr_channels);
	bus_clean(_metadata, &vm, 0, "the last cycle", -1);
	snap(&s1);
	no_growth(_metadata, &s0, &s1, 200);
	tg_vm_destroy(&vm);
}

TEST_F_TIMEOUT(lc, reset_and_unload_under_traffic, 600)
{
	struct tg_vm vm;
	struct tg_dev dev[2];
	struct tg_chan ch[2];
	const struct tg_offer *o;
	struct snap s0, s1;
	int c, i, k;

	ASSERT_EQ(0, tg_vm_create(&vm, 2, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, tg_dev_add(&vm, &dev[i], VMBH_CLASS_TEST, 1, i + 1));
	}
	for (c = -5; c < 100; c++) {
		if (c == 0)
			snap(&s0);
		ASSERT_EQ(0, tg_connect(&vm, (c + 6) & 1 ? TG_VERSION_WIN8_1 :
					TG_VERSION_WIN10_V5_3));
		for (i = 0; i < 2; i++) {
			o = tg_find_offer(&vm, dev[i].instance, 0);
			ASSERT_NE(NULL, o);
			ASSERT_EQ(0, tg_chan_open(&vm, &ch[i], o, &dev[i], 4, 4,
						  i));
			traffic(&ch[i], 30, c);
		}
		k = c + 6;	/* warm-up cycles are negative: keep k >= 0 */
		if (k % 3 == 0) {
			ASSERT_EQ(0, tg_reset(&vm));
		} else if (k % 3 == 1) {
			ASSERT_EQ(0, tg_unload(&vm));
		} else {
			/* kexec: a new contact without unload */
			vm.version = 0;
		}
		bus_clean(_metadata, &vm, k % 3 == 2 ? 2 : 0,
			  k % 3 == 0 ? "VMBH_RESET" : k % 3 == 1 ?
			  "UNLOAD_RESPONSE" : "kexec-style contact", c);
		for (i = 0; i < 2; i++)
			tg_chan_forget(&ch[i]);
		tg_drop_msgs(&vm);
	}
	ASSERT_EQ(0, tg_reset(&vm));
	bus_clean(_metadata, &vm, 0, "the last cycle", -1);
	snap(&s1);
	no_growth(_metadata, &s0, &s1, 100);
	tg_vm_destroy(&vm);
	tg_dev_close_fds(&dev[0]);
	tg_dev_close_fds(&dev[1]);
}

static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* GPADL pins are charged to the VMM's locked memory and its limit. */
TEST_F(lc, pinned_pages_charged_to_memlock)
{
	struct rlimit rl = { 256 * 4096, 256 * 4096 };	/* 1 MiB */
	struct tg_vm vm;
	struct tg_dev dev;
	struct tg_chan ch;
	long lck0, lck1;
	void *p;

	ASSERT_EQ(0, drop_cap_ipc_lock());
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, tg_vm_create(&vm, 1, 0));
	ASSERT_EQ(0, tg_echo_setup(&vm, &dev, &ch, 0, 1));
	lck0 = proc_status_kb("VmLck");
	p = tg_mem_alloc(&vm.mem, 128);
	ASSERT_EQ(0, tg_gpadl_create(&vm, ch.relid, 0x100, p, 128));
	lck1 = proc_status_kb("VmLck");
	EXPECT_EQ(128 * 4, lck1 - lck0);
	/* 128 + 8 ring pages are pinned: another 128 passes the limit */
	EXPECT_NE(0, tg_gpadl_create(&vm, ch.relid, 0x101,
				     tg_mem_alloc(&vm.mem, 128), 128));
	ASSERT_EQ(0, tg_gpadl_teardown(&vm, ch.relid, 0x100));
	EXPECT_EQ(lck0, proc_status_kb("VmLck"));
	ASSERT_EQ(0, tg_chan_close(&ch));
	tg_vm_destroy(&vm);
	EXPECT_EQ(0, proc_status_kb("VmLck"));
	tg_dev_close_fds(&dev);
}

/* Where cgroup2 is mounted; mounts it on /tmp/vmbh-cgroup2 if nowhere. */
static int cg2_root(char *out, size_t len)
{
	const char *dir = "/tmp/vmbh-cgroup2";
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "r");

	while (f && (m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(out, len, "%s", m->mnt_dir);
			endmntent(f);
			return 0;
		}
	}
	if (f)
		endmntent(f);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	if (mount("cgroup2", dir, "cgroup2", 0, NULL))
		return -errno;
	snprintf(out, len, "%s", dir);
	return 0;
}

/* The cgroup2 path ("0::" line) of @pid (0: this process), "" if none. */
static void cg2_of(pid_t pid, char *out, size_t len)
{
	char path[64], line[512];
	FILE *f;

	out[0] = 0;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, len, "%s", line + 3);
		}
	}
	fclose(f);
}

/*
 * Write @what to cgroup directory @dir's @file ("cgroup.procs": move this
 * process; "cgroup.threads": this thread; "cgroup.type"): 0 or -errno.
 */
static int cg2_write(const char *dir, const char *file, const char *what)
{
	char path[PATH_MAX * 2 + 32];	/* the longest @dir and a file */

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return tg_write_line(path, what);
}

/* usage_usec of cgroup directory @dir's cpu.stat, -1 if unreadable. */
static long long cg2_usage_usec(const char *dir)
{
	char path[PATH_MAX], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu.stat", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "usage_usec %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct opener {
	const char *vcpu_cg;
	struct tg_vm vm;
	struct tg_dev dev;
	struct tg_chan ch;
	int ret;
};

/* A "vCPU thread" in a threaded cgroup of its own opens the channel. */
static void *open_from_thread(void *arg)
{
	struct opener *o = arg;

	o->ret = cg2_write(o->vcpu_cg, "cgroup.threads", "0");
	if (!o->ret)
		o->ret = tg_vm_create(&o->vm, 1, 0);
	if (!o->ret) {
		o->ret = tg_echo_setup(&o->vm, &o->dev, &o->ch, 0, 1);
		if (o->ret)
			o->ret = o->ret < 0 ? o->ret : -EPROTO;
	}
	return NULL;
}

/*
 * A channel's worker joins the cgroups of the VMM process's main thread,
 * as vhost's workers end up in the cgroups of the thread that set their
 * owner.  OPENCHANNEL comes from a vCPU thread, which libvirt puts in a
 * threaded cgroup of its own (cpuset-pinned); the worker must land in the
 * process's cgroup instead.  Its CPU time is charged there after the VMM
 * has moved on to another cgroup, and the cgroup can be removed once the
 * VM is gone.
 */
TEST_F(lc, worker_in_vmm_cgroup)
{
	char root[PATH_MAX], orig[PATH_MAX], cg[PATH_MAX + 64];
	char vcpu[PATH_MAX + 128], origdir[PATH_MAX * 2];
	char name[64], want[80], got[PATH_MAX];
	struct opener o = { .vcpu_cg = vcpu };
	long long use0, use1;
	pthread_t t;
	pid_t worker;
	int i, ret;

	ASSERT_EQ(0, cg2_root(root, sizeof(root)));
	cg2_of(0, orig, sizeof(orig));
	ASSERT_NE(0, orig[0]) {
		TH_LOG("no cgroup2 line in /proc/self/cgroup");
	}
	snprintf(name, sizeof(name), "vmbh-worker-%d", getpid());
	snprintf(cg, sizeof(cg), "%s/%s", root, name);
	snprintf(vcpu, sizeof(vcpu), "%s/vcpu0", cg);
	snprintf(want, sizeof(want), "/%s", name);
	snprintf(origdir, sizeof(origdir), "%s%s", root,
		 strcmp(orig, "/") ? orig : "");
	ASSERT_EQ(0, mkdir(cg, 0755));
	ASSERT_EQ(0, mkdir(vcpu, 0755));
	ASSERT_EQ(0, cg2_write(vcpu, "cgroup.type", "threaded"));
	ASSERT_EQ(0, cg2_write(cg, "cgroup.procs", "0"));
	ASSERT_EQ(0, pthread_create(&t, NULL, open_from_thread, &o));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, o.ret);

	worker = tg_chan_worker(&o.ch);
	ASSERT_NE(0, worker);
	cg2_of(worker, got, sizeof(got));
	EXPECT_STREQ(want, got);

	/* the VMM leaves; the worker stays where it was put */
	ASSERT_EQ(0, cg2_write(origdir, "cgroup.procs", "0"));
	use0 = cg2_usage_usec(cg);
	ASSERT_LE(0, use0);
	for (i = 0; i < 300; i++)
		ASSERT_EQ(0, tg_echo_one(&o.ch, i, 2000, TG_TIMEOUT_MS));
	use1 = cg2_usage_usec(cg);
	EXPECT_LT(use0, use1) {
		TH_LOG("worker's 300 echoes charged nothing to %s", cg);
	}

	ASSERT_EQ(0, tg_chan_close(&o.ch));
	tg_vm_destroy(&o.vm);
	tg_dev_close_fds(&o.dev);
	EXPECT_EQ(0, rmdir(vcpu));
	/* the stopped worker has left: the cgroup can go (reaping is async) */
	for (i = 0; i < 100; i++) {
		ret = rmdir(cg) ? -errno : 0;
		if (ret != -EBUSY)
			break;
		usleep(20 * 1000);
	}
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN

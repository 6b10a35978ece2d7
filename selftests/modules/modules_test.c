// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifecycle of vmbus-host: the four modules load only in dependency
 * order, /dev/vmbus-host lives exactly as long as vmbus_host.ko, a module
 * in use cannot go, and unloading leaves nothing behind.
 *
 * Run as root in the test VM with VMBH_TOP naming the checkout whose
 * modules were built.  Every test starts and ends with none of them loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"

static const char *const mods[][2] = {
	{ "vmbh_hypercall", "hypercall/vmbh_hypercall.ko" },
	{ "vmbus_host", "vmbus_host/vmbus_host.ko" },
	{ "vmbh_storvsp", "synth_storvsc_be/vmbh_storvsp.ko" },
	{ "vmbh_netvsp", "synth_netvsc_be/vmbh_netvsp.ko" },
};

#define NR_MODS ((int)ARRAY_SIZE(mods))

static int load(int i)
{
	char path[PATH_MAX];
	const char *top = getenv("VMBH_TOP");
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", mods[i][1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(int i)
{
	return syscall(SYS_delete_module, mods[i][0], O_NONBLOCK) ? -errno : 0;
}

static int loaded(int i)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s", mods[i][0]);
	return access(path, F_OK) == 0;
}

static void unload_all(void)
{
	for (int i = NR_MODS - 1; i >= 0; i--)
		if (loaded(i))
			unload(i);
}

static int read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return 0;
}

FIXTURE(mods) {
	int dummy;
};

FIXTURE_SETUP(mods)
{
	int i;

	unload_all();
	/* Braces: TH_LOG() after an ASSERT is a statement of its own. */
	for (i = 0; i < NR_MODS; i++) {
		ASSERT_FALSE(loaded(i)) TH_LOG("%s still loaded", mods[i][0]);
	}
	ASSERT_NE(0, access("/dev/vmbus-host", F_OK));
}

FIXTURE_TEARDOWN(mods)
{
	unload_all();
}

TEST_F(mods, backends_need_core)
{
	/* Unresolved VMBUS_HOST symbols: the kernel refuses with ENOENT. */
	EXPECT_EQ(-ENOENT, load(1));
	EXPECT_EQ(-ENOENT, load(2));
	EXPECT_EQ(-ENOENT, load(3));
	ASSERT_EQ(0, load(0));
	EXPECT_EQ(-ENOENT, load(2));
	EXPECT_EQ(-ENOENT, load(3));
	for (int i = 1; i < NR_MODS; i++)
		EXPECT_FALSE(loaded(i));
	EXPECT_NE(0, access("/dev/vmbus-host", F_OK));
}

TEST_F(mods, load_in_order_and_devnode)
{
	char path[PATH_MAX], buf[64];
	struct stat st;
	int i;

	for (i = 0; i < NR_MODS; i++) {
		ASSERT_EQ(0, load(i)) TH_LOG("loading %s", mods[i][0]);
		snprintf(path, sizeof(path), "/sys/module/%s/initstate", mods[i][0]);
		ASSERT_EQ(0, read_str(path, buf, sizeof(buf)));
		EXPECT_STREQ("live", buf);
	}
	ASSERT_EQ(0, stat("/dev/vmbus-host", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 0777);
	ASSERT_EQ(0, read_str("/sys/class/misc/vmbus-host/dev", buf, sizeof(buf)));
	EXPECT_NE(0, buf[0]);
	/* The dependency chain is visible as holders. */
	EXPECT_EQ(0, access("/sys/module/vmbh_hypercall/holders/vmbus_host", F_OK));
	EXPECT_EQ(0, access("/sys/module/vmbus_host/holders/vmbh_storvsp", F_OK));
	EXPECT_EQ(0, access("/sys/module/vmbus_host/holders/vmbh_netvsp", F_OK));
	/* A second load of a live module is refused. */
	EXPECT_EQ(-EEXIST, load(1));
}

TEST_F(mods, in_use_cannot_unload)
{
	int fd;

	for (int i = 0; i < NR_MODS; i++)
		ASSERT_EQ(0, load(i));
	EXPECT_EQ(-EWOULDBLOCK, unload(0));
	EXPECT_EQ(-EWOULDBLOCK, unload(1));
	EXPECT_EQ(0, unload(3));
	EXPECT_EQ(0, unload(2));

	/* An open VM pins vmbus_host.ko. */
	fd = open("/dev/vmbus-host", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, unload(1));
	EXPECT_TRUE(loaded(1));
	close(fd);
	EXPECT_EQ(0, unload(1));
	EXPECT_EQ(0, unload(0));
}

TEST_F(mods, unload_leaves_nothing)
{
	int i;

	for (i = 0; i < NR_MODS; i++)
		ASSERT_EQ(0, load(i));
	for (i = NR_MODS - 1; i >= 0; i--) {
		ASSERT_EQ(0, unload(i)) TH_LOG("unloading %s", mods[i][0]);
		EXPECT_FALSE(loaded(i));
	}
	EXPECT_NE(0, access("/dev/vmbus-host", F_OK));
	EXPECT_NE(0, access("/sys/class/misc/vmbus-host", F_OK));
}

TEST_F(mods, reload_cycles)
{
	int fd, i, round;

	/* Repeated load, use and unload: a leak or a stale registration fails here. */
	for (round = 0; round < 20; round++) {
		for (i = 0; i < NR_MODS; i++) {
			ASSERT_EQ(0, load(i)) TH_LOG("round %d, %s", round, mods[i][0]);
		}
		fd = open("/dev/vmbus-host", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		close(fd);
		for (i = NR_MODS - 1; i >= 0; i--) {
			ASSERT_EQ(0, unload(i)) TH_LOG("round %d, %s", round, mods[i][0]);
		}
	}
}

TEST_HARNESS_MAIN

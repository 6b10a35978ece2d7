// SPDX-License-Identifier: GPL-2.0
/*
 * Negative tests of every /dev/vmbus-host ioctl: sizes, flags, reserved
 * fields, bad pointers and fds, limits, the bound mm; each followed by a
 * check that the VM still works.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "guest.h"

FIXTURE(vmfd) {
	struct tg_vm vm;
	int pipefd[2];
	uint8_t big[4096];	/* an argument followed by room to grow */
};

FIXTURE_SETUP(vmfd)
{
	ASSERT_EQ(0, tg_vm_create(&self->vm, 1, 0));
	ASSERT_EQ(0, pipe(self->pipefd));
	memset(self->big, 0, sizeof(self->big));
}

FIXTURE_TEARDOWN(vmfd)
{
	close(self->pipefd[0]);
	close(self->pipefd[1]);
	tg_vm_destroy(&self->vm);
}

/* The VM still negotiates and echoes after whatever the test did. */
static void vm_still_works(struct __test_metadata *_metadata, struct tg_vm *vm)
{
	struct tg_dev dev;
	struct tg_chan ch;

	/* forget replies to what the test posted */
	tg_count_msgs(vm, 0, 50);
	tg_drop_msgs(vm);
	vm->version = 0;	/* connect again, whatever the test did */
	ASSERT_EQ(0, tg_echo_setup(vm, &dev, &ch, 0, 0xEE));
	ASSERT_EQ(0, tg_echo_one(&ch, 42, 300, TG_TIMEOUT_MS));
	ASSERT_EQ(0, tg_chan_close(&ch));
	tg_dev_close_fds(&dev);
}

#define IOC(req, arg)	tg_ioctl(self->vm.fd, (req), (arg))

/* ---- size and extension rules, for every ioctl ---- */

struct ioc_case {
	const char *name;
	unsigned long req;
	size_t size;
	void (*fill)(struct tg_vm *vm, void *arg);
};

static struct vmbh_mem_region g_region;
static struct vmbh_queue g_queue;

static void fill_mem(struct tg_vm *vm, void *arg)
{
	struct vmbh_set_mem_table *t = arg;

	g_region.gpa = vm->mem.gpa;
	g_region.size = vm->mem.size;
	g_region.uaddr = (uintptr_t)vm->mem.base;
	t->nr_regions = 1;
	t->regions = (uintptr_t)&g_region;
}

static void fill_vcpu(struct tg_vm *vm, void *arg)
{
	struct vmbh_set_vcpu *v = arg;

	v->flags = VMBH_VCPU_FLAGS;
	v->sint_fd = vm->vp[0].sint_fd;
	v->resample_fd = vm->vp[0].eom_fd;
	v->simp_uaddr = (uintptr_t)vm->vp[0].simp;
	v->siefp_uaddr = (uintptr_t)vm->vp[0].siefp;
}

static void fill_post(struct tg_vm *vm, void *arg)
{
	struct vmbh_post_msg *m = arg;
	struct tg_initiate_contact c = {
		.hdr.msgtype = TG_MSG_INITIATE_CONTACT,
		.vmbus_version_requested = TG_VERSION_WIN8,
	};

	m->connection_id = TG_MESSAGE_CONNECTION_ID;
	m->message_type = TG_HVMSG_VMBUS;
	m->payload_size = sizeof(c);
	memcpy(m->payload, &c, sizeof(c));
}

static void fill_add(struct tg_vm *vm, void *arg)
{
	struct vmbh_add_device *a = arg;
	static uint8_t seed = 100;

	a->class_id = VMBH_CLASS_TEST;
	a->nr_queues = 1;
	tg_instance(a->instance, seed++);
	g_queue.conn_id = vm->next_conn_id++;
	g_queue.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->queues = (uintptr_t)&g_queue;
}

static void fill_remove(struct tg_vm *vm, void *arg)
{
	struct vmbh_remove_device *r = arg;
	static uint8_t seed = 150;
	struct tg_dev dev;

	if (tg_dev_add(vm, &dev, VMBH_CLASS_TEST, 1, seed++))
		abort();
	r->dev_id = dev.dev_id;
}

static void fill_stats(struct tg_vm *vm, void *arg)
{
	struct vmbh_channel_stats *s = arg;
	static uint8_t seed = 200;
	struct tg_dev dev;

	if (tg_dev_add(vm, &dev, VMBH_CLASS_TEST, 1, seed++))
		abort();
	s->dev_id = dev.dev_id;
}

/* One KVM VM of this process, handed to every VM that takes one. */
static void fill_kvm(struct tg_vm *vm, void *arg)
{
	struct vmbh_set_kvm *k = arg;
	static int vm_fd = -1;
	int fd;

	if (vm_fd < 0) {
		fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			abort();
		vm_fd = ioctl(fd, KVM_CREATE_VM, 0);
		if (vm_fd < 0)
			abort();
		close(fd);
	}
	k->vm_fd = vm_fd;
}

static const struct ioc_case ioc_cases[] = {
	{ "SET_MEM_TABLE", VMBH_SET_MEM_TABLE, sizeof(struct vmbh_set_mem_table), fill_mem },
	{ "SET_VCPU", VMBH_SET_VCPU, sizeof(struct vmbh_set_vcpu), fill_vcpu },
	{ "POST_MSG", VMBH_POST_MSG, sizeof(struct vmbh_post_msg), fill_post },
	{ "ADD_DEVICE", VMBH_ADD_DEVICE, sizeof(struct vmbh_add_device), fill_add },
	{ "REMOVE_DEVICE", VMBH_REMOVE_DEVICE, sizeof(struct vmbh_remove_device), fill_remove },
	{ "RESET", VMBH_RESET, sizeof(struct vmbh_reset), NULL },
	{ "GET_BUS_INFO", VMBH_GET_BUS_INFO, sizeof(struct vmbh_bus_info), NULL },
	{ "GET_CHANNEL_STATS", VMBH_GET_CHANNEL_STATS,
	  sizeof(struct vmbh_channel_stats), fill_stats },
	{ "SET_KVM", VMBH_SET_KVM, sizeof(struct vmbh_set_kvm), fill_kvm },
};

static int run_case(struct tg_vm *vm, const struct ioc_case *c, uint8_t *buf,
		    uint32_t size, uint32_t flags, size_t poke_off,
		    uint8_t poke)
{
	memset(buf, 0, 4096);
	if (c->fill)
		c->fill(vm, buf);
	memcpy(buf, &size, 4);
	if (c->req != VMBH_SET_VCPU)	/* its flags are VMBH_VCPU_* */
		memcpy(buf + 4, &flags, 4);
	if (poke_off)
		buf[poke_off] = poke;
	return tg_ioctl(vm->fd, c->req, buf);
}

TEST_F(vmfd, every_ioctl_accepts_exact_size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		TH_LOG("%s", ioc_cases[i].name);
		EXPECT_EQ(0, run_case(&self->vm, &ioc_cases[i], self->big,
				      ioc_cases[i].size, 0, 0, 0));
	}
}

TEST_F(vmfd, every_ioctl_rejects_small_size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		TH_LOG("%s", ioc_cases[i].name);
		EXPECT_EQ(-EINVAL, run_case(&self->vm, &ioc_cases[i], self->big,
					    0, 0, 0, 0));
		EXPECT_EQ(-EINVAL, run_case(&self->vm, &ioc_cases[i], self->big,
					    4, 0, 0, 0));
		EXPECT_EQ(-EINVAL, run_case(&self->vm, &ioc_cases[i], self->big,
					    ioc_cases[i].size - 1, 0, 0, 0));
	}
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, every_ioctl_accepts_larger_zeroed_size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		TH_LOG("%s", ioc_cases[i].name);
		EXPECT_EQ(0, run_case(&self->vm, &ioc_cases[i], self->big,
				      ioc_cases[i].size + 64, 0, 0, 0));
	}
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, every_ioctl_rejects_nonzero_tail)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		TH_LOG("%s", ioc_cases[i].name);
		EXPECT_EQ(-E2BIG, run_case(&self->vm, &ioc_cases[i], self->big,
					   ioc_cases[i].size + 64, 0,
					   ioc_cases[i].size + 3, 0x5a));
	}
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, every_ioctl_rejects_unknown_flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		if (ioc_cases[i].req == VMBH_SET_VCPU)
			continue;	/* its flags: set_vcpu_negative */
		TH_LOG("%s", ioc_cases[i].name);
		EXPECT_EQ(-EINVAL, run_case(&self->vm, &ioc_cases[i], self->big,
					    ioc_cases[i].size, 1, 0, 0));
		EXPECT_EQ(-EINVAL, run_case(&self->vm, &ioc_cases[i], self->big,
					    ioc_cases[i].size, 0x80000000u, 0, 0));
	}
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, every_ioctl_rejects_bad_pointer)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ioc_cases); i++) {
		TH_LOG("%s", ioc_cases[i].name);
		EXPECT_EQ(-EFAULT, IOC(ioc_cases[i].req, NULL));
		EXPECT_EQ(-EFAULT, IOC(ioc_cases[i].req, (void *)8));
	}
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, unknown_ioctls)
{
	EXPECT_EQ(-ENOTTY, IOC(_IO(VMBH_IOCTL_MAGIC, 0x00), self->big));
	EXPECT_EQ(-ENOTTY, IOC(_IO(VMBH_IOCTL_MAGIC, 0x0a), self->big));
	EXPECT_EQ(-ENOTTY, IOC(_IO(VMBH_IOCTL_MAGIC, 0xff), self->big));
	EXPECT_EQ(-ENOTTY, IOC(_IO(0xAE, 0x01), self->big));
	EXPECT_EQ(-ENOTTY,
		  IOC(_IOWR(VMBH_IOCTL_MAGIC, 0x03, struct vmbh_post_msg),
		      self->big));
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, ioctl_on_wrong_fd)
{
	struct vmbh_reset r = { .size = sizeof(r) };
	int fd = open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, tg_ioctl(fd, VMBH_RESET, &r));
	close(fd);
	EXPECT_EQ(-EBADF, tg_ioctl(fd, VMBH_RESET, &r));
	EXPECT_EQ(-EBADF, tg_ioctl(-1, VMBH_RESET, &r));
}

/*
 * VMBH_SET_KVM takes only a KVM VM of the VMM's own process: one a child
 * created (fetched with pidfd_getfd()) is refused, the parent's taken.
 */
TEST_F(vmfd, set_kvm_other_process)
{
	struct vmbh_set_kvm k = { .size = sizeof(k) };
	int up[2], down[2], pidfd, st, cfd = -1;
	pid_t pid;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int kfd = open("/dev/kvm", O_RDWR);
		int vfd = kfd < 0 ? -1 : ioctl(kfd, KVM_CREATE_VM, 0);
		char c;

		if (write(up[1], &vfd, sizeof(vfd)) != sizeof(vfd))
			_exit(1);
		_exit(read(down[0], &c, 1) < 0);
	}
	ASSERT_EQ(sizeof(cfd), read(up[0], &cfd, sizeof(cfd)));
	ASSERT_LE(0, cfd) TH_LOG("the child's KVM_CREATE_VM");
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	ASSERT_LE(0, pidfd);
	k.vm_fd = syscall(SYS_pidfd_getfd, pidfd, cfd, 0);
	ASSERT_LE(0, k.vm_fd);
	EXPECT_EQ(-EINVAL, IOC(VMBH_SET_KVM, &k));
	close(k.vm_fd);
	close(pidfd);
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	fill_kvm(&self->vm, &k);
	EXPECT_EQ(0, IOC(VMBH_SET_KVM, &k));
	EXPECT_EQ(-EBUSY, IOC(VMBH_SET_KVM, &k));
	vm_still_works(_metadata, &self->vm);
}

/* The mm is bound at the first ioctl; a forked child may not use the fd. */
TEST_F(vmfd, other_mm_is_refused)
{
	struct vmbh_bus_info info;
	int fd, st;
	pid_t pid;

	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vmbh_bus_info ci = { .size = sizeof(ci) };

		_exit(tg_ioctl(self->vm.fd, VMBH_GET_BUS_INFO, &ci) == -EPERM ?
		      0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));

	/* a fresh fd opened by the child is its own */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vmbh_bus_info ci = { .size = sizeof(ci) };

		fd = open("/dev/vmbus-host", O_RDWR);
		_exit(fd >= 0 && !tg_ioctl(fd, VMBH_GET_BUS_INFO, &ci) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	vm_still_works(_metadata, &self->vm);
}

/* ---- VMBH_SET_MEM_TABLE ---- */

static int set_regions(struct tg_vm *vm, const struct vmbh_mem_region *r,
		       uint32_t n)
{
	struct vmbh_set_mem_table t = {
		.size = sizeof(t),
		.nr_regions = n,
		.regions = (uintptr_t)r,
	};

	return tg_ioctl(vm->fd, VMBH_SET_MEM_TABLE, &t);
}

TEST_F(vmfd, mem_table_bad_regions)
{
	uint64_t ua = (uintptr_t)self->vm.mem.base, gpa = self->vm.mem.gpa;
	uint64_t sz = self->vm.mem.size;
	struct vmbh_mem_region r[2];
	struct vmbh_set_mem_table t = { .size = sizeof(t) };

	/* unaligned gpa, size, uaddr */
	r[0] = (struct vmbh_mem_region){ gpa + 1, sz, ua };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 1));
	r[0] = (struct vmbh_mem_region){ gpa, sz - 1, ua };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 1));
	r[0] = (struct vmbh_mem_region){ gpa, sz, ua + 8 };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 1));
	/* empty region */
	r[0] = (struct vmbh_mem_region){ gpa, 0, ua };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 1));
	/* wrap in gpa and in uaddr */
	r[0] = (struct vmbh_mem_region){ 0xFFFFFFFFFFFFF000ull, 0x2000, ua };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 1));
	r[0] = (struct vmbh_mem_region){ gpa, 0x2000, 0xFFFFFFFFFFFFF000ull };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 1));
	/* overlap, in either order */
	r[0] = (struct vmbh_mem_region){ gpa, sz, ua };
	r[1] = (struct vmbh_mem_region){ gpa + sz - 4096, 8192, ua };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 2));
	r[1] = (struct vmbh_mem_region){ gpa - 4096, 8192, ua };
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 2));
	r[1] = r[0];
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, 2));
	/* too many, bad array pointer */
	EXPECT_EQ(-EINVAL, set_regions(&self->vm, r, VMBH_MAX_MEM_REGIONS + 1));
	EXPECT_EQ(-EFAULT, set_regions(&self->vm, (void *)8, 1));
	t.nr_regions = 1;
	t.reserved = 1;
	t.regions = (uintptr_t)r;
	EXPECT_EQ(-EINVAL, IOC(VMBH_SET_MEM_TABLE, &t));
	/* the good table still in force */
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, mem_table_limits_and_replace)
{
	struct vmbh_mem_region *r = calloc(VMBH_MAX_MEM_REGIONS, sizeof(*r));
	uint32_t i;

	ASSERT_NE(NULL, r);
	/* 512 one-page regions with gaps: allowed */
	for (i = 0; i < VMBH_MAX_MEM_REGIONS; i++)
		r[i] = (struct vmbh_mem_region){
			0x10000000ull + i * 0x2000ull, 4096,
			(uintptr_t)self->vm.mem.base + (i % 16) * 4096 };
	EXPECT_EQ(0, set_regions(&self->vm, r, VMBH_MAX_MEM_REGIONS));
	/* empty table allowed */
	EXPECT_EQ(0, set_regions(&self->vm, r, 0));
	free(r);
	ASSERT_EQ(0, tg_vm_set_mem(&self->vm));
	vm_still_works(_metadata, &self->vm);
}

/* ---- VMBH_SET_VCPU ---- */

static int set_vcpu(struct tg_vm *vm, uint32_t flags, uint32_t vp,
		    int sint_fd, int eom_fd, uint64_t simp, uint64_t siefp,
		    uint32_t reserved)
{
	struct vmbh_set_vcpu v = {
		.size = sizeof(v),
		.flags = flags,
		.vp_index = vp,
		.sint_fd = sint_fd,
		.resample_fd = eom_fd,
		.reserved = reserved,
		.simp_uaddr = simp,
		.siefp_uaddr = siefp,
	};

	return tg_ioctl(vm->fd, VMBH_SET_VCPU, &v);
}

TEST_F(vmfd, set_vcpu_negative)
{
	struct tg_vp *p = &self->vm.vp[0];
	uint64_t simp = (uintptr_t)p->simp, siefp = (uintptr_t)p->siefp;
	void *unmapped;
	int ret;

	unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	munmap(unmapped, 4096);

	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, VMBH_MAX_VPS,
				    p->sint_fd, p->eom_fd, simp, siefp, 0));
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0xFFFFFFFF,
				    p->sint_fd, p->eom_fd, simp, siefp, 0));
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, 0x4, 0,
				    p->sint_fd, p->eom_fd, simp, siefp, 0));
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    p->sint_fd, p->eom_fd, simp, siefp, 1));
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    p->sint_fd, p->eom_fd, simp + 8, siefp, 0));
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    p->sint_fd, p->eom_fd, simp, siefp + 16, 0));
	/* fds that are not eventfds, and fds that do not exist */
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    self->pipefd[0], p->eom_fd, simp, siefp, 0));
	EXPECT_EQ(-EINVAL, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    p->sint_fd, self->pipefd[1], simp, siefp, 0));
	EXPECT_EQ(-EBADF, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				   9999, p->eom_fd, simp, siefp, 0));
	EXPECT_EQ(-EBADF, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				   p->sint_fd, -5, simp, siefp, 0));
	/* pages that are not mapped */
	EXPECT_EQ(-EFAULT, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    p->sint_fd, p->eom_fd,
				    (uintptr_t)unmapped, siefp, 0));
	EXPECT_EQ(-EFAULT, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
				    p->sint_fd, p->eom_fd, simp,
				    (uintptr_t)unmapped, 0));
	/* not a user address at all: GUP says -EINVAL or -EFAULT */
	ret = set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0, p->sint_fd, p->eom_fd,
		       0xFFFFFFFFFFFFF000ull, siefp, 0);
	EXPECT_TRUE(ret == -EFAULT || ret == -EINVAL);
	/* a VP with both pages disabled and no fds (-1) is allowed */
	EXPECT_EQ(0, set_vcpu(&self->vm, 0, 1, -1, -1, 0, 0, 0));
	/* the failed calls did not replace VP 0's good state */
	vm_still_works(_metadata, &self->vm);
}

/* The SIMP page given is pinned, not copied: unmapping it is harmless. */
TEST_F(vmfd, set_vcpu_page_unmapped_later)
{
	void *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct tg_version_response r;

	ASSERT_NE(MAP_FAILED, pg);
	ASSERT_EQ(0, set_vcpu(&self->vm, VMBH_VCPU_FLAGS, 0,
			      self->vm.vp[0].sint_fd, self->vm.vp[0].eom_fd,
			      (uintptr_t)pg, (uintptr_t)pg + 4096, 0));
	munmap(pg, 8192);
	EXPECT_EQ(TG_HV_STATUS_SUCCESS,
		  tg_post(&self->vm, TG_MESSAGE_CONNECTION_ID, TG_HVMSG_VMBUS,
			  &(struct tg_initiate_contact){
				  .hdr.msgtype = TG_MSG_INITIATE_CONTACT,
				  .vmbus_version_requested = TG_VERSION_WIN8 },
			  40));
	ASSERT_EQ(0, tg_vm_set_vp(&self->vm, 0, VMBH_VCPU_FLAGS));
	/* the reply lands either in the old pinned page or in the new one */
	tg_contact(&self->vm, TG_VERSION_WIN8, 0, &r, NULL);
	vm_still_works(_metadata, &self->vm);
}

/* ---- VMBH_POST_MSG ---- */

TEST_F(vmfd, post_msg_negative)
{
	struct vmbh_post_msg m = { .size = sizeof(m) };

	m.connection_id = 1;
	m.message_type = 1;
	m.payload_size = 8;
	m.flags = 2;
	EXPECT_EQ(-EINVAL, IOC(VMBH_POST_MSG, &m));
	m.flags = 0;
	/* hypercall-level errors are statuses, not errnos */
	m.payload_size = 241;
	EXPECT_EQ(0, IOC(VMBH_POST_MSG, &m));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, m.result);
	m.payload_size = 0xFFFFFFFF;
	EXPECT_EQ(0, IOC(VMBH_POST_MSG, &m));
	EXPECT_EQ(TG_HV_STATUS_INVALID_HYPERCALL_INPUT, m.result);
	vm_still_works(_metadata, &self->vm);
}

/* ---- VMBH_ADD_DEVICE / VMBH_REMOVE_DEVICE ---- */

static int add_dev(struct tg_vm *vm, uint32_t class_id, uint32_t nr,
		   const uint8_t *inst, struct vmbh_queue *q, uint32_t flags,
		   uint32_t reserved, uint8_t param0, uint32_t *dev_id)
{
	struct vmbh_add_device a = {
		.size = sizeof(a),
		.flags = flags,
		.class_id = class_id,
		.nr_queues = nr,
		.queues = (uintptr_t)q,
		.reserved = reserved,
	};
	int ret;

	memcpy(a.instance, inst, 16);
	a.params.raw[0] = param0;
	ret = tg_ioctl(vm->fd, VMBH_ADD_DEVICE, &a);
	if (dev_id)
		*dev_id = a.dev_id;
	return ret;
}

TEST_F(vmfd, add_device_negative)
{
	struct vmbh_queue q[VMBH_MAX_QUEUES + 1];
	uint8_t inst[16], inst2[16];
	uint32_t i, id;
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	tg_instance(inst, 50);
	tg_instance(inst2, 51);
	for (i = 0; i <= VMBH_MAX_QUEUES; i++)
		q[i] = (struct vmbh_queue){ 0x1000 + i, efd };

	EXPECT_EQ(-ENODEV, add_dev(&self->vm, 0, 1, inst, q, 0, 0, 0, NULL));
	EXPECT_EQ(-ENODEV, add_dev(&self->vm, 99, 1, inst, q, 0, 0, 0, NULL));
	/* storvsp/netvsp are not loaded by run.sh */
	EXPECT_EQ(-ENODEV, add_dev(&self->vm, VMBH_CLASS_SCSI, 1, inst, q, 0,
				   0, 0, NULL));
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 0, inst, q, 0,
				   0, 0, NULL));
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST,
				   VMBH_MAX_QUEUES + 1, inst, q, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 1,
				   0, 0, NULL));
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0,
				   1, 0, NULL));
	/* the echo class takes all-zero parameters */
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0,
				   0, 1, NULL));
	EXPECT_EQ(-EFAULT, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst,
				   (void *)8, 0, 0, 0, NULL));
	/* connection ids: 5..0xFFFFFF, unique */
	q[0].conn_id = 4;
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0,
				   0, 0, NULL));
	q[0].conn_id = 0x1000000;
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0,
				   0, 0, NULL));
	q[0].conn_id = 0x2000;
	q[1].conn_id = 0x2000;
	EXPECT_EQ(-EEXIST, add_dev(&self->vm, VMBH_CLASS_TEST, 2, inst, q, 0,
				   0, 0, NULL));
	q[1].conn_id = 0x2001;
	/* kick fds */
	q[0].kick_fd = self->pipefd[0];
	EXPECT_EQ(-EINVAL, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0,
				   0, 0, NULL));
	q[0].kick_fd = 9999;
	EXPECT_EQ(-EBADF, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0,
				  0, 0, NULL));
	q[0].kick_fd = efd;
	/* a good one, then duplicates of its instance and its conn id */
	ASSERT_EQ(0, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q, 0, 0, 0,
			     &id));
	EXPECT_EQ(-EEXIST, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, q + 5,
				   0, 0, 0, NULL));
	EXPECT_EQ(-EEXIST, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst2, q, 0,
				   0, 0, NULL));
	/* a failed add left nothing behind: its conn ids are free */
	ASSERT_EQ(0, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst2, q + 1, 0,
			     0, 0, NULL));
	close(efd);
	vm_still_works(_metadata, &self->vm);
}

TEST_F(vmfd, add_device_limit)
{
	struct vmbh_queue q;
	uint8_t inst[16];
	int efd = eventfd(0, EFD_CLOEXEC);
	uint32_t i;

	ASSERT_LE(0, efd);
	for (i = 0; i < 256; i++) {
		tg_instance(inst, 0);
		inst[13] = i;
		q = (struct vmbh_queue){ 0x4000 + i, efd };
		ASSERT_EQ(0, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, &q,
				     0, 0, 0, NULL));
	}
	tg_instance(inst, 1);
	inst[13] = 0xff;
	q = (struct vmbh_queue){ 0x5000, efd };
	EXPECT_EQ(-ENOSPC, add_dev(&self->vm, VMBH_CLASS_TEST, 1, inst, &q,
				   0, 0, 0, NULL));
	close(efd);
}

TEST_F(vmfd, remove_device_negative)
{
	struct vmbh_remove_device r = { .size = sizeof(r), .dev_id = 12345 };
	struct tg_dev dev;

	EXPECT_EQ(-ENOENT, IOC(VMBH_REMOVE_DEVICE, &r));
	ASSERT_EQ(0, tg_dev_add(&self->vm, &dev, VMBH_CLASS_TEST, 1, 60));
	r.dev_id = dev.dev_id;
	r.reserved = 1;
	EXPECT_EQ(-EINVAL, IOC(VMBH_REMOVE_DEVICE, &r));
	r.reserved = 0;
	EXPECT_EQ(0, IOC(VMBH_REMOVE_DEVICE, &r));
	EXPECT_EQ(-ENOENT, IOC(VMBH_REMOVE_DEVICE, &r));
	tg_dev_close_fds(&dev);
	vm_still_works(_metadata, &self->vm);
}

/* ---- VMBH_GET_CHANNEL_STATS, VMBH_RESET, VMBH_GET_BUS_INFO ---- */

TEST_F(vmfd, channel_stats_negative)
{
	struct vmbh_channel_stats s;
	struct tg_dev dev;

	ASSERT_EQ(0, tg_dev_add(&self->vm, &dev, VMBH_CLASS_TEST, 2, 61));
	EXPECT_EQ(0, tg_chan_stats(&self->vm, &dev, 1, &s));
	EXPECT_EQ(VMBH_CHAN_UNOFFERED, s.state);
	EXPECT_EQ(-EINVAL, tg_chan_stats(&self->vm, &dev, 2, &s));
	EXPECT_EQ(-EINVAL, tg_chan_stats(&self->vm, &dev, 0xFFFFFFFF, &s));
	dev.dev_id += 1000;
	EXPECT_EQ(-ENOENT, tg_chan_stats(&self->vm, &dev, 0, &s));
	dev.dev_id -= 1000;
	tg_dev_close_fds(&dev);
}

TEST_F(vmfd, reset_and_bus_info_fresh_fd)
{
	struct vmbh_bus_info info;

	/* a reset of a never-connected bus is fine, and idempotent */
	EXPECT_EQ(0, tg_reset(&self->vm));
	EXPECT_EQ(0, tg_reset(&self->vm));
	ASSERT_EQ(0, tg_bus_info(&self->vm, &info));
	EXPECT_EQ(VMBH_BUS_DISCONNECTED, info.state);
	EXPECT_EQ(0, info.version);
	EXPECT_EQ(0, info.nr_channels);
	EXPECT_EQ(0, info.reserved);
	vm_still_works(_metadata, &self->vm);
}

/* Ioctls on an fd without a memory table or vCPUs fail cleanly. */
TEST(bare_fd)
{
	int fd = open("/dev/vmbus-host", O_RDWR);
	struct vmbh_post_msg m = { .size = sizeof(m) };
	struct tg_initiate_contact c = {
		.hdr.msgtype = TG_MSG_INITIATE_CONTACT,
		.vmbus_version_requested = TG_VERSION_WIN8,
	};

	ASSERT_LE(0, fd);
	m.connection_id = 1;
	m.message_type = 1;
	m.payload_size = sizeof(c);
	memcpy(m.payload, &c, sizeof(c));
	/* no VP to answer to: the reply waits, nothing crashes */
	EXPECT_EQ(0, tg_ioctl(fd, VMBH_POST_MSG, &m));
	close(fd);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * VMM side of the test guest: /dev/vmbus-host, the memory table, the vCPUs'
 * SynIC pages and eventfds, devices, and the observability ioctls.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

int tg_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

int tg_vm_set_mem(struct tg_vm *vm)
{
	struct vmbh_mem_region r = {
		.gpa = vm->mem.gpa,
		.size = vm->mem.size,
		.uaddr = (uintptr_t)vm->mem.base,
	};
	struct vmbh_set_mem_table t = {
		.size = sizeof(t),
		.nr_regions = 1,
		.regions = (uintptr_t)&r,
	};

	return tg_ioctl(vm->fd, VMBH_SET_MEM_TABLE, &t);
}

int tg_vm_set_vp(struct tg_vm *vm, int vp, uint32_t flags)
{
	struct vmbh_set_vcpu v = {
		.size = sizeof(v),
		.flags = flags,
		.vp_index = vp,
		.sint_fd = vm->vp[vp].sint_fd,
		.resample_fd = vm->vp[vp].eom_fd,
	};

	/* a VMM passes no address for a page the guest disabled */
	if (flags & VMBH_VCPU_SIMP_ENABLED)
		v.simp_uaddr = (uintptr_t)vm->vp[vp].simp;
	if (flags & VMBH_VCPU_SIEFP_ENABLED)
		v.siefp_uaddr = (uintptr_t)vm->vp[vp].siefp;

	return tg_ioctl(vm->fd, VMBH_SET_VCPU, &v);
}

int tg_vm_create(struct tg_vm *vm, int nr_vps, size_t mem_bytes)
{
	int i, ret;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	for (i = 0; i < TG_MAX_VPS; i++) {
		vm->vp[i].sint_fd = -1;
		vm->vp[i].eom_fd = -1;
	}
	vm->nr_vps = nr_vps;
	vm->msg_conn_id = TG_MESSAGE_CONNECTION_ID;
	vm->next_gpadl = 0xE1E10;	/* where Linux starts */
	vm->next_conn_id = 0x100;
	vm->q = calloc(TG_MSGQ_LEN, sizeof(*vm->q));
	if (!vm->q)
		return -ENOMEM;

	ret = tg_mem_init(&vm->mem, TG_GUEST_GPA, mem_bytes ?: TG_DEFAULT_MEM);
	if (ret)
		goto fail;
	for (i = 0; i < nr_vps; i++) {
		struct tg_vp *p = &vm->vp[i];

		p->simp = mmap(NULL, 2 * TG_PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p->simp == MAP_FAILED) {
			p->simp = NULL;
			ret = -errno;
			goto fail;
		}
		p->siefp = (uint8_t *)p->simp + TG_PAGE_SIZE;
		p->sint_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		p->eom_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (p->sint_fd < 0 || p->eom_fd < 0) {
			ret = -errno;
			goto fail;
		}
	}

	vm->fd = open("/dev/vmbus-host", O_RDWR | O_CLOEXEC);
	if (vm->fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = tg_vm_set_mem(vm);
	if (ret)
		goto fail;
	for (i = 0; i < nr_vps; i++) {
		ret = tg_vm_set_vp(vm, i, VMBH_VCPU_FLAGS);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	tg_vm_destroy(vm);
	return ret;
}

void tg_vm_destroy(struct tg_vm *vm)
{
	int i;

	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	for (i = 0; i < TG_MAX_VPS; i++) {
		struct tg_vp *p = &vm->vp[i];

		if (p->simp)
			munmap(p->simp, 2 * TG_PAGE_SIZE);
		p->simp = NULL;
		p->siefp = NULL;
		if (p->sint_fd >= 0)
			close(p->sint_fd);
		if (p->eom_fd >= 0)
			close(p->eom_fd);
		p->sint_fd = -1;
		p->eom_fd = -1;
	}
	tg_mem_destroy(&vm->mem);
	free(vm->q);
	vm->q = NULL;
}

uint32_t tg_post(struct tg_vm *vm, uint32_t conn_id, uint32_t msg_type,
		 const void *payload, uint32_t size)
{
	struct vmbh_post_msg m = {
		.size = sizeof(m),
		.connection_id = conn_id,
		.message_type = msg_type,
		.payload_size = size,
	};

	memcpy(m.payload, payload,
	       size < sizeof(m.payload) ? size : sizeof(m.payload));
	if (tg_ioctl(vm->fd, VMBH_POST_MSG, &m))
		return TG_BAD_STATUS;
	return m.result;
}

uint32_t tg_send(struct tg_vm *vm, const void *msg, uint32_t size)
{
	return tg_post(vm, vm->msg_conn_id, TG_HVMSG_VMBUS, msg, size);
}

void tg_instance(uint8_t *guid, uint8_t seed)
{
	static const uint8_t base[16] = {
		0x5e, 0x57, 0xb0, 0x7b, 0x4f, 0x1e, 0x4a, 0x44,
		0x9c, 0x31, 0x7a, 0x11, 0xe5, 0x70, 0x00, 0x00,
	};

	memcpy(guid, base, 16);
	guid[14] = getpid() & 0xff;
	guid[15] = seed;
}

int tg_dev_add(struct tg_vm *vm, struct tg_dev *dev, uint32_t class_id,
	       uint32_t nr_queues, uint8_t instance_seed)
{
	return tg_dev_add_params(vm, dev, class_id, nr_queues, instance_seed,
				 NULL);
}

int tg_dev_add_params(struct tg_vm *vm, struct tg_dev *dev, uint32_t class_id,
		      uint32_t nr_queues, uint8_t instance_seed,
		      const union vmbh_class_params *params)
{
	struct vmbh_add_device a = {
		.size = sizeof(a),
		.class_id = class_id,
		.nr_queues = nr_queues,
	};
	uint32_t i;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->class_id = class_id;
	dev->nr_queues = nr_queues;
	tg_instance(dev->instance, instance_seed);
	for (i = 0; i < nr_queues && i < TG_MAX_QUEUES; i++) {
		dev->q[i].conn_id = vm->next_conn_id++;
		dev->q[i].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->q[i].kick_fd < 0)
			return -errno;
	}
	memcpy(a.instance, dev->instance, 16);
	a.queues = (uintptr_t)dev->q;
	if (params)
		a.params = *params;
	ret = tg_ioctl(vm->fd, VMBH_ADD_DEVICE, &a);
	if (ret) {
		tg_dev_close_fds(dev);
		return ret;
	}
	dev->dev_id = a.dev_id;
	return 0;
}

void tg_dev_close_fds(struct tg_dev *dev)
{
	uint32_t i;

	for (i = 0; i < dev->nr_queues && i < TG_MAX_QUEUES; i++) {
		if (dev->q[i].kick_fd >= 0)
			close(dev->q[i].kick_fd);
		dev->q[i].kick_fd = -1;
	}
}

int tg_dev_remove(struct tg_vm *vm, struct tg_dev *dev)
{
	struct vmbh_remove_device r = {
		.size = sizeof(r),
		.dev_id = dev->dev_id,
	};

	return tg_ioctl(vm->fd, VMBH_REMOVE_DEVICE, &r);
}

int tg_reset(struct tg_vm *vm)
{
	struct vmbh_reset r = { .size = sizeof(r) };
	int ret = tg_ioctl(vm->fd, VMBH_RESET, &r);

	if (!ret) {
		tg_drop_msgs(vm);
		vm->nr_offers = 0;
		vm->msg_conn_id = TG_MESSAGE_CONNECTION_ID;
		vm->version = 0;
	}
	return ret;
}

int tg_bus_info(struct tg_vm *vm, struct vmbh_bus_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return tg_ioctl(vm->fd, VMBH_GET_BUS_INFO, info);
}

int tg_chan_stats(struct tg_vm *vm, const struct tg_dev *dev, uint32_t queue,
		  struct vmbh_channel_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->dev_id = dev->dev_id;
	st->queue = queue;
	return tg_ioctl(vm->fd, VMBH_GET_CHANNEL_STATS, st);
}

long tg_meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* The pid of our VM's kthread "vmbh-<vm name>-<suffix>", or 0. */
static pid_t tg_kthread(const char *suffix)
{
	char want[32], comm[32], path[300];
	struct dirent *de;
	pid_t pid = 0;
	DIR *d;
	FILE *f;

	/* the VM is named after our pid */
	snprintf(want, sizeof(want), "vmbh-vm%d-%s", getpid(), suffix);
	want[15] = 0;	/* TASK_COMM_LEN - 1 */
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			if (!strcmp(comm, want))
				pid = atoi(de->d_name);
		}
		fclose(f);
	}
	closedir(d);
	return pid;
}

pid_t tg_chan_worker(const struct tg_chan *ch)
{
	char relid[16];

	snprintf(relid, sizeof(relid), "%u", ch->relid);
	return tg_kthread(relid);
}

pid_t tg_monitor_poller(void)
{
	return tg_kthread("mon");
}

long tg_task_switches(pid_t pid)
{
	char path[64], line[128];
	long n = 0, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
			n += v;
	fclose(f);
	return n;
}

int tg_chan_pin_apart(const struct tg_chan *ch)
{
	pid_t worker = tg_chan_worker(ch);
	cpu_set_t set;

	if (!worker)
		return -ESRCH;
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	if (sched_setaffinity(worker, sizeof(set), &set))
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

int tg_write_line(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%s\n", text) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

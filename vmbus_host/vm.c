// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: one per open /dev/vmbus-host file, its ioctls, the
 * guest memory table, and the teardown when the file is released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "vmbus_host.h"

/*
 * Copy in an extensible ioctl argument.  Its leading __u32 size must cover
 * the struct's first published version, up to and including @last
 * (anything smaller is -EINVAL);
 * copy_struct_from_user() zero-fills what an older caller lacks and refuses
 * (-E2BIG) non-zero bytes a newer caller sets past what this kernel knows.
 */
static int vmbh_get_arg(void *karg, size_t ksize, size_t minsize,
			void __user *uarg, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)uarg))
		return -EFAULT;
	if (*usize < minsize)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, uarg, *usize);
}

#define VMBH_GET_ARG(arg, last, uarg, usize)				\
	vmbh_get_arg(&(arg), sizeof(arg), offsetofend(typeof(arg), last),	\
		     uarg, usize)

static int vmbh_open(struct inode *inode, struct file *file)
{
	struct vmbh_vm *vm;
	int ret;

	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	snprintf(vm->name, sizeof(vm->name), "vm%d", task_tgid_nr(current));
	vm->synic = vmbh_synic_create(vm->name);
	if (IS_ERR(vm->synic)) {
		ret = PTR_ERR(vm->synic);
		goto out_free_vm;
	}
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->devices);
	INIT_LIST_HEAD(&vm->zombies);
	INIT_WORK(&vm->subchan_work, vmbh_subchan_work);
	spin_lock_init(&vm->gpadl_lock);
	INIT_LIST_HEAD(&vm->gpadls);
	vmbh_monitor_init(vm);
	ratelimit_state_init(&vm->rs, 5 * HZ, 10);
	vm->next_dev_id = 1;
	file->private_data = vm;
	return 0;

out_free_vm:
	kvfree(vm);
	return ret;
}

static void vmbh_vm_free(struct kref *ref)
{
	struct vmbh_vm *vm = container_of(ref, struct vmbh_vm, ref);

	vmbh_synic_destroy(vm->synic);
	kfree(rcu_dereference_protected(vm->memtable, true));
	if (vm->mm)
		mmdrop(vm->mm);
	kvfree(vm);
}

void vmbh_vm_put(struct vmbh_vm *vm)
{
	kref_put(&vm->ref, vmbh_vm_free);
}

static int vmbh_release(struct inode *inode, struct file *file)
{
	struct vmbh_vm *vm = file->private_data;
	struct vmbh_device *dev, *tmp;

	mutex_lock(&vm->lock);
	vm->dying = true;
	list_for_each_entry_safe(dev, tmp, &vm->devices, node)
		vmbh_device_destroy(dev);
	list_for_each_entry_safe(dev, tmp, &vm->zombies, node)
		vmbh_device_destroy(dev);
	vmbh_gpadls_drop_all(vm);
	vmbh_monitor_destroy(vm);
	mutex_unlock(&vm->lock);
	cancel_work_sync(&vm->subchan_work);
	vmbh_vm_put(vm);
	return 0;
}

/**
 * vmbh_kthread_create() - a kernel thread that works for the calling VMM
 * @fn: the thread function
 * @data: its argument
 * @fmt: printf format of the thread's name
 *
 * From the VMM's post ioctl only: guest messages arrive there, from a
 * vCPU thread that may sit in a cgroup of its own.  The thread is put
 * where the VMM's main thread is, as vhost's workers land with the
 * thread that set their owner, so its CPU time and the memory it
 * allocates are charged to the VM, not pinned beside one vCPU.
 *
 * Return: the thread, not yet woken, or an ERR_PTR().
 */
struct task_struct *vmbh_kthread_create(int (*fn)(void *), void *data,
					const char *fmt, ...)
{
	struct task_struct *t;
	char name[32];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	t = kthread_create(fn, data, "%s", name);
	if (IS_ERR(t))
		return t;
	ret = cgroup_attach_task_all(current->group_leader, t);
	if (ret) {
		kthread_stop(t);
		return ERR_PTR(ret);
	}
	return t;
}

/*
 * Bind the VM to the caller's mm at the first ioctl; later ioctls must
 * come from the same address space, as guest memory is reached through it.
 */
static int vmbh_vm_check_owner(struct vmbh_vm *vm)
{
	int ret = 0;

	if (!current->mm)
		return -EPERM;
	mutex_lock(&vm->lock);
	if (!vm->mm) {
		mmgrab(current->mm);
		vm->mm = current->mm;
	} else if (vm->mm != current->mm) {
		ret = -EPERM;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/**
 * vmbh_gpa_to_uaddr() - translate a guest physical range to a VMM address
 * @vm: the VM
 * @gpa: guest physical address
 * @len: bytes, non-zero; the range must lie inside one region
 * @uaddr: out: the VMM address of @gpa
 *
 * Any context (RCU).
 *
 * Return: 0 or -EFAULT when the range is not guest memory.
 */
int vmbh_gpa_to_uaddr(struct vmbh_vm *vm, u64 gpa, u64 len, u64 *uaddr)
{
	struct vmbh_memtable *mt;
	int ret = -EFAULT;
	u32 i;

	if (!len || gpa + len < gpa)
		return -EFAULT;
	rcu_read_lock();
	mt = rcu_dereference(vm->memtable);
	for (i = 0; mt && i < mt->nr; i++) {
		const struct vmbh_mem_region *r = &mt->regions[i];

		if (gpa >= r->gpa && gpa + len <= r->gpa + r->size) {
			*uaddr = r->uaddr + (gpa - r->gpa);
			ret = 0;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

static long vmbh_ioctl_set_mem_table(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_memtable *mt, *old;
	struct vmbh_set_mem_table arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, regions, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved || arg.nr_regions > VMBH_MAX_MEM_REGIONS)
		return -EINVAL;
	mt = kzalloc(struct_size(mt, regions, arg.nr_regions),
		     GFP_KERNEL_ACCOUNT);
	if (!mt)
		return -ENOMEM;
	mt->nr = arg.nr_regions;
	if (copy_from_user(mt->regions, u64_to_user_ptr(arg.regions),
			   array_size(arg.nr_regions, sizeof(mt->regions[0])))) {
		ret = -EFAULT;
		goto out_free;
	}
	ret = vmbh_mem_table_check(mt->regions, mt->nr);
	if (ret)
		goto out_free;
	mutex_lock(&vm->lock);
	old = rcu_replace_pointer(vm->memtable, mt, lockdep_is_held(&vm->lock));
	mutex_unlock(&vm->lock);
	/* Workers may be translating through the old table. */
	synchronize_rcu();
	kfree(old);
	return 0;

out_free:
	kfree(mt);
	return ret;
}

static long vmbh_ioctl_set_vcpu(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_set_vcpu arg;
	struct vmbh_vp_config cfg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, siefp_uaddr, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags & ~VMBH_VCPU_FLAGS || arg.reserved ||
	    arg.vp_index >= VMBH_MAX_VPS)
		return -EINVAL;
	if ((!(arg.flags & VMBH_VCPU_SIMP_ENABLED) && arg.simp_uaddr) ||
	    (!(arg.flags & VMBH_VCPU_SIEFP_ENABLED) && arg.siefp_uaddr))
		return -EINVAL;
	if ((arg.flags & VMBH_VCPU_SIMP_ENABLED && !arg.simp_uaddr) ||
	    (arg.flags & VMBH_VCPU_SIEFP_ENABLED && !arg.siefp_uaddr))
		return -EINVAL;
	if (arg.sint_fd < -1 || arg.resample_fd < -1)
		return -EBADF;
	cfg.simp_uaddr = arg.simp_uaddr;
	cfg.siefp_uaddr = arg.siefp_uaddr;
	cfg.sint_fd = arg.sint_fd;
	cfg.resample_fd = arg.resample_fd;
	return vmbh_synic_set_vp(vm->synic, arg.vp_index, &cfg);
}

static long vmbh_ioctl_post_msg(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_post_msg arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, payload, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	arg.result = vmbh_hv_post_msg_status(arg.message_type,
					     arg.payload_size, arg.payload);
	if (arg.result == VMBH_HV_STATUS_SUCCESS)
		arg.result = vmbh_control_post(vm, arg.connection_id & 0xFFFFFF,
					       arg.payload, arg.payload_size);
	if (put_user(arg.result, (u32 __user *)(uarg +
			offsetof(struct vmbh_post_msg, result))))
		return -EFAULT;
	return 0;
}

static long vmbh_ioctl_add_device(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_add_device arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, params, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	ret = vmbh_device_add(vm, &arg);
	if (ret)
		return ret;
	if (put_user(arg.dev_id, (u32 __user *)(uarg +
			offsetof(struct vmbh_add_device, dev_id)))) {
		vmbh_device_remove(vm, arg.dev_id);
		return -EFAULT;
	}
	return 0;
}

static long vmbh_ioctl_remove_device(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_remove_device arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, reserved, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	return vmbh_device_remove(vm, arg.dev_id);
}

static long vmbh_ioctl_reset(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_reset arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, flags, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	mutex_lock(&vm->lock);
	vmbh_bus_reset(vm);
	mutex_unlock(&vm->lock);
	return 0;
}

static long vmbh_ioctl_bus_info(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_bus_info arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, msgs_out, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	mutex_lock(&vm->lock);
	arg.state = vm->state;
	arg.version = vm->state == VMBH_VM_DISCONNECTED ? 0 : vm->version;
	arg.target_vp = vm->target_vp;
	arg.nr_channels = vm->nr_relids;
	arg.msgs_in = vm->msgs_in;
	spin_lock(&vm->gpadl_lock);
	arg.nr_gpadls = vm->nr_gpadls;
	spin_unlock(&vm->gpadl_lock);
	mutex_unlock(&vm->lock);
	arg.pinned_pages = atomic_read(&vm->pinned_pages);
	arg.queued_msgs = vmbh_synic_queued(vm->synic);
	arg.msgs_out = vmbh_synic_msgs_out(vm->synic);
	if (copy_to_user(uarg, &arg, min_t(u32, usize, sizeof(arg))))
		return -EFAULT;
	return 0;
}

static long vmbh_ioctl_channel_stats(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_channel_stats arg;
	struct vmbh_device *dev;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, errors, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	mutex_lock(&vm->lock);
	dev = vmbh_device_find(vm, arg.dev_id);
	if (!dev)
		ret = -ENOENT;
	else if (arg.queue >= dev->nr_queues)
		ret = -EINVAL;
	else
		vmbh_chan_stats(&dev->chans[arg.queue], &arg);
	mutex_unlock(&vm->lock);
	if (ret)
		return ret;
	if (copy_to_user(uarg, &arg, min_t(u32, usize, sizeof(arg))))
		return -EFAULT;
	return 0;
}

static long vmbh_ioctl_set_kvm(struct vmbh_vm *vm, void __user *uarg)
{
	struct vmbh_set_kvm arg;
	u32 usize;
	int ret;

	ret = VMBH_GET_ARG(arg, reserved, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	return vmbh_monitor_set_kvm(vm, arg.vm_fd);
}

static long vmbh_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmbh_vm *vm = file->private_data;
	void __user *uarg = (void __user *)arg;
	int ret;

	ret = vmbh_vm_check_owner(vm);
	if (ret)
		return ret;
	switch (cmd) {
	case VMBH_SET_MEM_TABLE:
		return vmbh_ioctl_set_mem_table(vm, uarg);
	case VMBH_SET_VCPU:
		return vmbh_ioctl_set_vcpu(vm, uarg);
	case VMBH_POST_MSG:
		return vmbh_ioctl_post_msg(vm, uarg);
	case VMBH_ADD_DEVICE:
		return vmbh_ioctl_add_device(vm, uarg);
	case VMBH_REMOVE_DEVICE:
		return vmbh_ioctl_remove_device(vm, uarg);
	case VMBH_RESET:
		return vmbh_ioctl_reset(vm, uarg);
	case VMBH_GET_BUS_INFO:
		return vmbh_ioctl_bus_info(vm, uarg);
	case VMBH_GET_CHANNEL_STATS:
		return vmbh_ioctl_channel_stats(vm, uarg);
	case VMBH_SET_KVM:
		return vmbh_ioctl_set_kvm(vm, uarg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations vmbh_fops = {
	.owner		= THIS_MODULE,
	.open		= vmbh_open,
	.release	= vmbh_release,
	.unlocked_ioctl	= vmbh_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Devices: added by the VMM with a class, an instance GUID and one
 * connection id + kick eventfd per queue; removed by rescinding them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "vmbus_host.h"

/* ---- accessors ---- */

void *vmbh_dev_priv(const struct vmbh_device *dev)
{
	return dev->priv;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_priv, VMBH_NS);

void vmbh_dev_set_priv(struct vmbh_device *dev, void *priv)
{
	dev->priv = priv;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_set_priv, VMBH_NS);

const union vmbh_class_params *vmbh_dev_params(const struct vmbh_device *dev)
{
	return &dev->params;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_params, VMBH_NS);

const u8 *vmbh_dev_instance(const struct vmbh_device *dev)
{
	return dev->instance;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_instance, VMBH_NS);

u32 vmbh_dev_nr_queues(const struct vmbh_device *dev)
{
	return dev->nr_queues;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_nr_queues, VMBH_NS);

u32 vmbh_dev_id(const struct vmbh_device *dev)
{
	return dev->id;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_id, VMBH_NS);

const char *vmbh_dev_name(const struct vmbh_device *dev)
{
	return dev->name;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_name, VMBH_NS);

struct vmbh_channel *vmbh_dev_channel(struct vmbh_device *dev, u32 queue)
{
	return queue < dev->nr_queues ? &dev->chans[queue] : NULL;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_channel, VMBH_NS);

u32 vmbh_dev_version(const struct vmbh_device *dev)
{
	return READ_ONCE(dev->vm->version);
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_version, VMBH_NS);

int vmbh_dev_offer_subchannels(struct vmbh_device *dev, u32 count)
{
	u32 n = min(count, dev->nr_queues - 1);

	if (READ_ONCE(dev->removed))
		return -ENODEV;
	/* Only the primary's worker writes it while the device is open. */
	if (n > READ_ONCE(dev->subchan_wanted))
		WRITE_ONCE(dev->subchan_wanted, n);
	schedule_work(&dev->vm->subchan_work);
	return n;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_offer_subchannels, VMBH_NS);

/* ---- lifetime ---- */

/**
 * vmbh_device_find() - a live device by id
 * @vm: the VM
 * @dev_id: from VMBH_ADD_DEVICE
 *
 * Return: the device or NULL.
 */
struct vmbh_device *vmbh_device_find(struct vmbh_vm *vm, u32 dev_id)
{
	struct vmbh_device *dev;

	lockdep_assert_held(&vm->lock);
	list_for_each_entry(dev, &vm->devices, node)
		if (dev->id == dev_id)
			return dev;
	return NULL;
}

static void vmbh_device_put_kicks(struct vmbh_device *dev)
{
	u32 q;

	for (q = 0; q < dev->nr_queues; q++) {
		struct vmbh_channel *chan = &dev->chans[q];

		if (chan->kick)
			eventfd_ctx_put(chan->kick);
		if (chan->kick_file)
			fput(chan->kick_file);
		chan->kick = NULL;
		chan->kick_file = NULL;
	}
}

static void vmbh_device_free(struct vmbh_device *dev)
{
	vmbh_device_put_kicks(dev);
	vmbh_class_put(dev->cls);
	kvfree(dev);
}

/* Close every open channel, last queue first. */
static void vmbh_device_close_all(struct vmbh_device *dev)
{
	u32 q;

	for (q = dev->nr_queues; q-- > 0;)
		if (dev->chans[q].open)
			vmbh_chan_close(&dev->chans[q]);
}

/**
 * vmbh_device_destroy() - free a device without telling the guest
 * @dev: a live or removed device
 *
 * For fd release and bus reset: channels close, the backend lets go.
 */
void vmbh_device_destroy(struct vmbh_device *dev)
{
	struct vmbh_vm *vm = dev->vm;
	u32 q;

	lockdep_assert_held(&vm->lock);
	vmbh_device_close_all(dev);
	if (dev->probed)
		dev->cls->ops->remove(dev);
	for (q = 0; q < dev->nr_queues; q++) {
		struct vmbh_channel *chan = &dev->chans[q];

		if (chan->relid && vm->relids[chan->relid] == chan) {
			vm->relids[chan->relid] = NULL;
			vm->nr_relids--;
		}
	}
	list_del(&dev->node);
	if (!dev->removed)
		vm->nr_devices--;
	vmbh_device_free(dev);
}

/**
 * vmbh_device_relid_released() - a removed device lost one more relid
 * @dev: a removed device
 *
 * Frees it when the guest released every relid it had.
 */
void vmbh_device_relid_released(struct vmbh_device *dev)
{
	u32 q;

	lockdep_assert_held(&dev->vm->lock);
	for (q = 0; q < dev->nr_queues; q++)
		if (dev->chans[q].relid)
			return;
	list_del(&dev->node);
	vmbh_device_free(dev);
}

static int vmbh_device_get_queues(struct vmbh_device *dev,
				  const struct vmbh_add_device *arg)
{
	struct vmbh_queue __user *uq = u64_to_user_ptr(arg->queues);
	struct vmbh_queue q;
	u32 i, j;

	for (i = 0; i < dev->nr_queues; i++) {
		struct vmbh_channel *chan = &dev->chans[i];

		if (copy_from_user(&q, &uq[i], sizeof(q)))
			return -EFAULT;
		if (q.conn_id < VMBH_FIRST_CHANNEL_CONN_ID ||
		    q.conn_id > VMBH_MAX_CONN_ID)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (dev->chans[j].conn_id == q.conn_id)
				return -EEXIST;
		chan->conn_id = q.conn_id;
		chan->kick_file = fget(q.kick_fd);
		if (!chan->kick_file)
			return -EBADF;
		chan->kick = eventfd_ctx_fileget(chan->kick_file);
		if (IS_ERR(chan->kick)) {
			int ret = PTR_ERR(chan->kick);

			chan->kick = NULL;
			return ret;
		}
	}
	return 0;
}

/* Instance and connection ids must be unique among live devices. */
static int vmbh_device_check_unique(struct vmbh_vm *vm,
				    struct vmbh_device *new)
{
	struct vmbh_device *dev;
	u32 i, j;

	lockdep_assert_held(&vm->lock);
	list_for_each_entry(dev, &vm->devices, node) {
		if (!memcmp(dev->instance, new->instance, sizeof(new->instance)))
			return -EEXIST;
		for (i = 0; i < dev->nr_queues; i++)
			for (j = 0; j < new->nr_queues; j++)
				if (dev->chans[i].conn_id == new->chans[j].conn_id)
					return -EEXIST;
	}
	return 0;
}

/**
 * vmbh_device_add() - VMBH_ADD_DEVICE
 * @vm: the VM
 * @arg: the ioctl argument; dev_id is filled in
 *
 * Return: 0 or a negative errno (uapi.rst).
 */
int vmbh_device_add(struct vmbh_vm *vm, struct vmbh_add_device *arg)
{
	struct vmbh_device *dev;
	struct vmbh_class *cls;
	u32 q;
	int ret;

	if (!arg->nr_queues || arg->nr_queues > VMBH_MAX_QUEUES)
		return -EINVAL;
	cls = vmbh_class_get(arg->class_id);
	if (!cls)
		return -ENODEV;
	if (!cls->ops || cls->max_pkt_size < 64) {
		ret = -ENODEV;
		goto out_put_class;
	}
	dev = kvzalloc(struct_size(dev, chans, arg->nr_queues),
		       GFP_KERNEL_ACCOUNT);
	if (!dev) {
		ret = -ENOMEM;
		goto out_put_class;
	}
	dev->nr_queues = arg->nr_queues;
	dev->vm = vm;
	dev->cls = cls;
	INIT_LIST_HEAD(&dev->node);
	memcpy(dev->instance, arg->instance, sizeof(dev->instance));
	dev->params = arg->params;
	for (q = 0; q < dev->nr_queues; q++) {
		struct vmbh_channel *chan = &dev->chans[q];

		chan->dev = dev;
		chan->queue = q;
		chan->monitor_id = -1;
		spin_lock_init(&chan->send_lock);
		spin_lock_init(&chan->wake_lock);
	}
	ret = vmbh_device_get_queues(dev, arg);
	if (ret)
		goto out_free;

	mutex_lock(&vm->lock);
	ret = vmbh_device_check_unique(vm, dev);
	if (!ret && vm->nr_devices >= VMBH_MAX_DEVICES)
		ret = -ENOSPC;
	if (ret)
		goto out_unlock;
	dev->id = vm->next_dev_id++;
	snprintf(dev->name, sizeof(dev->name), "%s:%s%u", vm->name, cls->name,
		 dev->id);
	ret = cls->ops->probe(dev);
	if (ret)
		goto out_unlock;
	dev->probed = true;
	list_add_tail(&dev->node, &vm->devices);
	vm->nr_devices++;
	if (vm->state == VMBH_VM_OFFERS_SENT)
		vmbh_offer_channel(&dev->chans[0]);
	arg->dev_id = dev->id;
	mutex_unlock(&vm->lock);
	return 0;

out_unlock:
	mutex_unlock(&vm->lock);
out_free:
	vmbh_device_put_kicks(dev);
	kvfree(dev);
out_put_class:
	vmbh_class_put(cls);
	return ret;
}

/**
 * vmbh_device_remove() - VMBH_REMOVE_DEVICE: rescind a device
 * @vm: the VM
 * @dev_id: the device
 *
 * The backend completes what the guest has outstanding, channels close,
 * subchannels are rescinded before the primary.  The device then waits
 * for the guest's RELID_RELEASED messages.
 *
 * Return: 0 or -ENOENT.
 */
int vmbh_device_remove(struct vmbh_vm *vm, u32 dev_id)
{
	struct vmbh_msg_relid msg = {
		.header.msgtype = VMBH_CHANNELMSG_RESCIND_CHANNELOFFER,
	};
	struct vmbh_device *dev;
	bool offered = false;
	u32 q;

	mutex_lock(&vm->lock);
	dev = vmbh_device_find(vm, dev_id);
	if (!dev) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	WRITE_ONCE(dev->removed, true);
	if (dev->cls->ops->rescind)
		dev->cls->ops->rescind(dev);
	vmbh_device_close_all(dev);
	for (q = dev->nr_queues; q-- > 0;) {
		struct vmbh_channel *chan = &dev->chans[q];

		if (!chan->relid)
			continue;
		chan->rescinded = true;
		offered = true;
		msg.child_relid = chan->relid;
		vmbh_control_send(vm, &msg, sizeof(msg));
	}
	dev->cls->ops->remove(dev);
	dev->probed = false;
	vm->nr_devices--;
	list_del(&dev->node);
	vmbh_device_put_kicks(dev);
	if (offered)
		list_add_tail(&dev->node, &vm->zombies);
	else
		vmbh_device_free(dev);
	mutex_unlock(&vm->lock);
	return 0;
}

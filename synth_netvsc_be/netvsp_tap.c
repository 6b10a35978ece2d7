// SPDX-License-Identifier: GPL-2.0
/*
 * The NIC's tap side: resolve the VMM's tap (or macvtap) fd to its socket
 * and net device, write guest frames to it and read frames for the guest,
 * as drivers/vhost/net.c does, and follow the tap's carrier.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/if_tap.h>
#include <linux/if_tun.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/uio.h>
#include "netvsp.h"

static int netvsp_tap_wake(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct netvsp_dev *nd = container_of(wait, struct netvsp_dev, wait);

	if (key && !(key_to_poll(key) & EPOLLIN))
		return 0;
	netvsp_rx_kick(nd);
	return 0;
}

struct netvsp_poll_table {
	poll_table pt;
	struct netvsp_dev *nd;
};

static void netvsp_tap_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct netvsp_poll_table *t = container_of(pt, struct netvsp_poll_table,
						   pt);

	t->nd->poll_head = wqh;
	add_wait_queue(wqh, &t->nd->wait);
}

/*
 * The tap's flags (IFF_VNET_HDR) and name are only reachable through its
 * ioctls, which write to user memory: borrow a page of the VMM's address
 * space, as the add-device ioctl runs in the VMM's task.
 */
static int netvsp_tap_query(struct file *file, struct ifreq *ifr, int *hdr_sz)
{
	unsigned long uaddr;
	long ret;

	if (!file->f_op->unlocked_ioctl)
		return -EINVAL;
	uaddr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(uaddr))
		return (int)uaddr;
	ret = file->f_op->unlocked_ioctl(file, TUNGETIFF, uaddr);
	if (!ret && copy_from_user(ifr, (void __user *)uaddr, sizeof(*ifr)))
		ret = -EFAULT;
	if (!ret)
		ret = file->f_op->unlocked_ioctl(file, TUNGETVNETHDRSZ,
						 uaddr + sizeof(*ifr));
	if (!ret && copy_from_user(hdr_sz,
				   (void __user *)(uaddr + sizeof(*ifr)),
				   sizeof(*hdr_sz)))
		ret = -EFAULT;
	vm_munmap(uaddr, PAGE_SIZE);
	return ret;
}

static int netvsp_netdev_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netvsp_dev *nd = container_of(nb, struct netvsp_dev, nb);
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (dev != READ_ONCE(nd->tap_dev))
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_UNREGISTER:
		/* Let the tap go: the NIC stays, with its link down. */
		spin_lock_bh(&nd->lock);
		WRITE_ONCE(nd->tap_dev, NULL);
		spin_unlock_bh(&nd->lock);
		dev_put(dev);
		fallthrough;
	case NETDEV_CHANGE:
	case NETDEV_UP:
	case NETDEV_DOWN:
		mod_delayed_work(system_unbound_wq, &nd->link_work, 0);
		break;
	}
	return NOTIFY_DONE;
}

/**
 * netvsp_tap_carrier() - is the tap's link up
 * @nd: the NIC
 *
 * Return: true when the tap exists, is up and has carrier.
 */
bool netvsp_tap_carrier(struct netvsp_dev *nd)
{
	struct net_device *dev;
	bool up = false;

	rcu_read_lock();
	dev = READ_ONCE(nd->tap_dev);
	if (dev)
		up = netif_running(dev) && netif_carrier_ok(dev);
	rcu_read_unlock();
	return up;
}

/**
 * netvsp_tap_attach() - take the VMM's tap fd
 * @nd: the NIC
 * @fd: tap or macvtap fd in the current (VMM) task
 *
 * Return: 0; -EBADF for an fd that is no tap; -EINVAL for a virtio-net
 * header size the module does not speak; -ENODEV when the tap has no
 * device.
 */
int netvsp_tap_attach(struct netvsp_dev *nd, int fd)
{
	struct netvsp_poll_table t = { .nd = nd };
	struct ifreq ifr;
	struct socket *sock;
	struct net_device *dev;
	int hdr_sz = 0, ret;

	nd->tap_file = fget(fd);
	if (!nd->tap_file)
		return -EBADF;
	sock = tun_get_socket(nd->tap_file);
	if (IS_ERR(sock))
		sock = tap_get_socket(nd->tap_file);
	if (IS_ERR(sock)) {
		ret = -EBADF;
		goto out_put_file;
	}
	nd->sock = sock;
	ret = netvsp_tap_query(nd->tap_file, &ifr, &hdr_sz);
	if (ret)
		goto out_put_file;
	if (ifr.ifr_flags & IFF_VNET_HDR) {
		if (hdr_sz < (int)sizeof(struct vmbh_vnet_hdr) || hdr_sz > 64) {
			ret = -EINVAL;
			goto out_put_file;
		}
		nd->vnet_hdr_len = hdr_sz;
	}
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	dev = dev_get_by_name(current->nsproxy->net_ns, ifr.ifr_name);
	if (!dev) {
		ret = -ENODEV;
		goto out_put_file;
	}
	WRITE_ONCE(nd->tap_dev, dev);

	nd->nb.notifier_call = netvsp_netdev_event;
	ret = register_netdevice_notifier(&nd->nb);
	if (ret)
		goto out_put_dev;

	init_waitqueue_func_entry(&nd->wait, netvsp_tap_wake);
	init_poll_funcptr(&t.pt, netvsp_tap_queue_proc);
	vfs_poll(nd->tap_file, &t.pt);
	if (!nd->poll_head) {
		ret = -EBADF;
		goto out_unregister;
	}
	return 0;

out_unregister:
	unregister_netdevice_notifier(&nd->nb);
out_put_dev:
	dev = READ_ONCE(nd->tap_dev);
	WRITE_ONCE(nd->tap_dev, NULL);
	dev_put(dev);
out_put_file:
	fput(nd->tap_file);
	nd->tap_file = NULL;
	return ret;
}

/**
 * netvsp_tap_detach() - release the tap; no frame moves after this
 * @nd: an attached NIC
 */
void netvsp_tap_detach(struct netvsp_dev *nd)
{
	struct net_device *dev;

	remove_wait_queue(nd->poll_head, &nd->wait);
	unregister_netdevice_notifier(&nd->nb);
	cancel_delayed_work_sync(&nd->link_work);
	/* The notifier is gone, so nobody else clears tap_dev any more. */
	dev = READ_ONCE(nd->tap_dev);
	WRITE_ONCE(nd->tap_dev, NULL);
	if (dev)
		dev_put(dev);
	fput(nd->tap_file);
}

/**
 * netvsp_tap_send() - write one frame to the tap
 * @nd: the NIC
 * @bv: the virtio-net header (when the tap has one), then the frame
 * @nr: entries in @bv
 * @len: bytes in @bv
 *
 * The tap copies the bytes into its skb, so guest memory in @bv is read
 * once, here.
 *
 * Return: 0 or a negative errno from the tap.
 */
int netvsp_tap_send(struct netvsp_dev *nd, struct bio_vec *bv, u32 nr, u32 len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	int ret;

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
	ret = nd->sock->ops->sendmsg(nd->sock, &msg, len);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}

/**
 * netvsp_tap_recv() - read one frame from the tap
 * @nd: the NIC
 * @vh: out: its virtio-net header (zero when the tap has none)
 * @buf: where the frame goes (the guest's receive buffer)
 * @cap: bytes at @buf
 * @len: out: the frame's bytes
 *
 * Return: 0; -EAGAIN when no frame is queued; -EMSGSIZE when the frame
 * was larger than @cap (it is consumed and dropped); another errno.
 */
int netvsp_tap_recv(struct netvsp_dev *nd, struct vmbh_vnet_hdr *vh,
		    u8 *buf, u32 cap, u32 *len)
{
	u8 vbuf[64] = { 0 };
	struct kvec iov[2];
	struct msghdr msg = { 0 };
	u32 n = 0, total = cap;
	int ret;

	if (nd->vnet_hdr_len) {
		iov[n].iov_base = vbuf;
		iov[n++].iov_len = nd->vnet_hdr_len;
		total += nd->vnet_hdr_len;
	}
	iov[n].iov_base = buf;
	iov[n++].iov_len = cap;
	iov_iter_kvec(&msg.msg_iter, ITER_DEST, iov, n, total);
	ret = nd->sock->ops->recvmsg(nd->sock, &msg, total,
				     MSG_DONTWAIT | MSG_TRUNC);
	if (ret < 0)
		return ret;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (ret < nd->vnet_hdr_len)
		return -EIO;
	memcpy(vh, vbuf, sizeof(*vh));
	*len = ret - nd->vnet_hdr_len;
	return 0;
}

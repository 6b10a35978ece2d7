// SPDX-License-Identifier: GPL-2.0
/*
 * vmbh_netvsp: Synthetic network (netvsp) backend for vmbus-host.
 * Registers the VMBH_CLASS_NET device class: each device is a synthetic
 * NIC whose frames go to and come from the tap the VMM hands over.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <uapi/linux/vmbus_host.h>
#include "netvsp.h"

/* Link speed reported to the guest, in 100 bit/s: 10 Gbit/s. */
#define NETVSP_LINK_SPEED	100000000
/* Largest guest->host packet: descriptor, 32 GPA ranges of a 64 KiB LSO
 * frame (at most 17 pages each way) and the NVSP message.
 */
#define NETVSP_MAX_PKT_SIZE	4096

static int netvsp_probe(struct vmbh_device *vdev)
{
	const struct vmbh_net_params *p = &vmbh_dev_params(vdev)->net;
	struct netvsp_dev *nd;
	u32 mtu = p->mtu ? p->mtu : ETH_DATA_LEN;
	int ret;

	if (p->reserved || mtu < 576 || mtu > 9000 ||
	    !is_valid_ether_addr(p->mac))
		return -EINVAL;
	nd = kvzalloc(sizeof(*nd), GFP_KERNEL);
	if (!nd)
		return -ENOMEM;
	nd->vdev = vdev;
	nd->name = vmbh_dev_name(vdev);
	init_rwsem(&nd->buf_sem);
	spin_lock_init(&nd->lock);
	nd->primary = vmbh_dev_channel(vdev, 0);
	nd->rx_batches = kvcalloc(VMBH_NETVSP_MAX_QUEUES,
				  sizeof(*nd->rx_batches), GFP_KERNEL);
	if (!nd->rx_batches) {
		kvfree(nd);
		return -ENOMEM;
	}
	INIT_DELAYED_WORK(&nd->link_work, netvsp_link_work);
	memcpy(nd->cfg.mac, p->mac, ETH_ALEN);
	nd->cfg.mtu = mtu + ETH_HLEN;
	nd->cfg.max_queues = min_t(u32, vmbh_dev_nr_queues(vdev),
				   VMBH_NETVSP_MAX_QUEUES);
	nd->cfg.link_speed = NETVSP_LINK_SPEED;

	ret = netvsp_tap_attach(nd, p->tap_fd);
	if (ret) {
		kvfree(nd->rx_batches);
		kvfree(nd);
		return ret;
	}
	nd->cfg.offloads = nd->vnet_hdr_len != 0;
	nd->cfg.link_up = netvsp_tap_carrier(nd);
	vmbh_dev_set_priv(vdev, nd);
	return 0;
}

static void netvsp_remove(struct vmbh_device *vdev)
{
	struct netvsp_dev *nd = vmbh_dev_priv(vdev);

	netvsp_tap_detach(nd);
	netvsp_buffers_release(nd);
	pr_debug("%s: tx %llu frames %llu bytes %llu errors, rx %llu frames %llu bytes %llu dropped %llu filtered\n",
		 nd->name, nd->stats.tx_frames, nd->stats.tx_bytes,
		 nd->stats.tx_errors, nd->stats.rx_frames, nd->stats.rx_bytes,
		 nd->stats.rx_dropped, nd->stats.rx_filtered);
	kvfree(nd->rx_batches);
	kvfree(nd);
}

static int netvsp_open(struct vmbh_channel *chan, const u8 *userdata)
{
	struct netvsp_dev *nd = vmbh_dev_priv(vmbh_chan_device(chan));
	u32 queue = vmbh_chan_queue(chan);
	struct netvsp_chan *nc;

	if (queue >= VMBH_NETVSP_MAX_QUEUES)
		return -EINVAL;
	nc = kvzalloc(sizeof(*nc), GFP_KERNEL);
	if (!nc)
		return -ENOMEM;
	/* Zeroed: virtio-net header bytes past the fields stay 0. */
	nc->tx_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!nc->tx_page) {
		kvfree(nc);
		return -ENOMEM;
	}
	nc->nd = nd;
	nc->chan = chan;
	nc->queue = queue;
	if (!queue) {
		/* A new primary open starts the protocol over. */
		nd->nvsp_version = 0;
		nd->ndis_config = false;
		nd->ndis_version = false;
	}
	spin_lock_bh(&nd->lock);
	if (!queue) {
		memset(&nd->rndis, 0, sizeof(nd->rndis));
		nd->cfg.nvsp_version = 0;
		nd->rx_stalled = false;
	}
	nd->chans[queue] = nc;
	spin_unlock_bh(&nd->lock);
	vmbh_chan_set_priv(chan, nc);
	return 0;
}

static void netvsp_close(struct vmbh_channel *chan)
{
	struct netvsp_chan *nc = vmbh_chan_priv(chan);
	struct netvsp_dev *nd = nc->nd;
	bool kick = false;

	spin_lock_bh(&nd->lock);
	nd->chans[nc->queue] = NULL;
	/*
	 * The packets still queued, and those written to the ring the
	 * guest closed (it will not complete them), give back their
	 * receive sub-allocations; receive that waited for them resumes.
	 * The primary's go with the receive buffer below.
	 */
	if (nc->queue && nd->rxsec.count &&
	    vmbh_rxsec_drop_channel(&nd->rxsec, nc->queue) && nd->rx_stalled) {
		nd->rx_stalled = false;
		kick = true;
	}
	/*
	 * The RNDIS device goes with the primary: the link work, which
	 * retries an indication it could not send, then stops.
	 */
	if (!nc->queue)
		memset(&nd->rndis, 0, sizeof(nd->rndis));
	spin_unlock_bh(&nd->lock);
	/* The primary's worker, which reads the tap, has stopped. */
	if (!nc->queue)
		netvsp_buffers_release(nd);
	else if (kick)
		netvsp_rx_kick(nd);
	vmbh_chan_set_priv(chan, NULL);
	__free_page(nc->tx_page);
	kvfree(nc);
}

static const struct vmbh_class_ops netvsp_ops = {
	.probe	= netvsp_probe,
	.remove	= netvsp_remove,
	.open	= netvsp_open,
	.close	= netvsp_close,
	.handle	= netvsp_handle,
};

static struct vmbh_class netvsp_class = {
	.id	= VMBH_CLASS_NET,
	.name	= "netvsp",
	.owner	= THIS_MODULE,
	.ops	= &netvsp_ops,
	/* f8615163-df3e-46c5-913f-f2d2f965ed0e */
	.if_type = { 0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
		     0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e },
	.max_pkt_size = NETVSP_MAX_PKT_SIZE,
};

static int __init netvsp_init(void)
{
	return vmbh_register_class(&netvsp_class);
}

static void __exit netvsp_exit(void)
{
	vmbh_unregister_class(&netvsp_class);
}

module_init(netvsp_init);
module_exit(netvsp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmbus-host developers");
MODULE_DESCRIPTION("Synthetic network (netvsp) backend for vmbus-host");
MODULE_SOFTDEP("pre: tun tap");
VMBH_IMPORT();

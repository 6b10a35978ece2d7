// SPDX-License-Identifier: GPL-2.0
/*
 * VMBH_CLASS_TEST: a ring echo that makes the core's ring path testable
 * without a real backend.  Every in-band packet goes back as an in-band
 * packet with the same transaction id, flags and payload.  An in-band
 * packet on the primary whose payload starts with "SUBCHANS" and a u32
 * count also asks the core to offer that many subchannels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "vmbus_host.h"

#define VMBH_TEST_MAX_PKT	4096

/* Payload of a subchannel request: magic, then the count wanted. */
#define VMBH_TEST_SUBCHAN_MAGIC	"SUBCHANS"
struct vmbh_test_subchan_req {
	char magic[8];
	__le32 count;
} __packed;

/* An echo that found the host->guest ring full, sent again later. */
struct vmbh_test_chan {
	bool pending;
	bool completion;
	u64 trans_id;
	u32 len;
	u8 data[VMBH_TEST_MAX_PKT];
};

static int vmbh_test_probe(struct vmbh_device *dev)
{
	const union vmbh_class_params *p = vmbh_dev_params(dev);

	return memchr_inv(p, 0, sizeof(*p)) ? -EINVAL : 0;
}

static void vmbh_test_remove(struct vmbh_device *dev)
{
}

static int vmbh_test_open(struct vmbh_channel *chan, const u8 *userdata)
{
	struct vmbh_test_chan *tc = kzalloc(sizeof(*tc), GFP_KERNEL_ACCOUNT);

	if (!tc)
		return -ENOMEM;
	vmbh_chan_set_priv(chan, tc);
	return 0;
}

static void vmbh_test_close(struct vmbh_channel *chan)
{
	kfree(vmbh_chan_priv(chan));
	vmbh_chan_set_priv(chan, NULL);
}

/* Send the stashed echo; true when it still does not fit. */
static bool vmbh_test_flush(struct vmbh_channel *chan, struct vmbh_test_chan *tc)
{
	if (!tc->pending)
		return false;
	if (vmbh_chan_send_inband(chan, tc->trans_id, tc->completion, tc->data,
				  tc->len) == -EAGAIN)
		return true;
	tc->pending = false;
	return false;
}

static void vmbh_test_maybe_subchan(struct vmbh_channel *chan,
				    const struct vmbh_packet *pkt)
{
	const struct vmbh_test_subchan_req *req = pkt->data;

	if (vmbh_chan_queue(chan) || pkt->len < sizeof(*req) ||
	    memcmp(req->magic, VMBH_TEST_SUBCHAN_MAGIC, sizeof(req->magic)))
		return;
	vmbh_dev_offer_subchannels(vmbh_chan_device(chan),
				   le32_to_cpu(req->count));
}

static bool vmbh_test_handle(struct vmbh_channel *chan)
{
	struct vmbh_test_chan *tc = vmbh_chan_priv(chan);
	struct vmbh_packet pkt;

	if (vmbh_test_flush(chan, tc))
		return true;
	while (!vmbh_chan_recv(chan, &pkt)) {
		if (pkt.type != VMBH_PACKET_TYPE_DATA_INBAND)
			continue;
		tc->trans_id = pkt.trans_id;
		tc->completion = pkt.flags & VMBH_PACKET_FLAG_COMPLETION_REQUESTED;
		tc->len = pkt.len;
		memcpy(tc->data, pkt.data, pkt.len);
		tc->pending = true;
		vmbh_test_maybe_subchan(chan, &pkt);
		if (vmbh_test_flush(chan, tc))
			return true;
	}
	return false;
}

static const struct vmbh_class_ops vmbh_test_ops = {
	.probe	= vmbh_test_probe,
	.remove	= vmbh_test_remove,
	.open	= vmbh_test_open,
	.close	= vmbh_test_close,
	.handle	= vmbh_test_handle,
};

/* A GUID of our own (random), so no guest driver binds to the device. */
static struct vmbh_class vmbh_test_class = {
	.id		= VMBH_CLASS_TEST,
	.name		= "test",
	.owner		= THIS_MODULE,
	.ops		= &vmbh_test_ops,
	.if_type	= { 0x5a, 0x0b, 0x7c, 0x3e, 0x41, 0x9d, 0x4c, 0x4e,
			    0x8f, 0x0e, 0x6a, 0x51, 0x2e, 0x77, 0x10, 0xb7 },
	.max_pkt_size	= VMBH_TEST_MAX_PKT,
};

int vmbh_test_class_register(void)
{
	return vmbh_register_class(&vmbh_test_class);
}

void vmbh_test_class_unregister(void)
{
	vmbh_unregister_class(&vmbh_test_class);
}

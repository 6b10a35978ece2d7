// SPDX-License-Identifier: GPL-2.0
/*
 * VMBH_CLASS_TEST: a ring echo that makes the core's ring path testable
 * without a real backend.  Every in-band packet goes back as an in-band
 * packet with the same transaction id, flags and payload.  An in-band
 * packet on the primary whose payload starts with "SUBCHANS" and a u32
 * count also asks the core to offer that many subchannels.  A GPA-direct
 * packet is answered in-band with the same transaction id: a status
 * (0 or -errno of mapping its first range), a length, then that many
 * bytes read from guest memory through the range (at most 1024), so the
 * pinning path of vmbh_chan_map_range() is testable too.  An in-band
 * packet whose payload starts with "DEFER" is echoed from a work item
 * while the worker waits for it, as storvsp's replies come from the
 * target core's completions: a write from another context inside the
 * worker's batch, at a point a test can choose.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/workqueue.h>
#include "vmbus_host.h"

#define VMBH_TEST_MAX_PKT	4096

/* Payload of a subchannel request: magic, then the count wanted. */
#define VMBH_TEST_SUBCHAN_MAGIC	"SUBCHANS"
struct vmbh_test_subchan_req {
	char magic[8];
	__le32 count;
} __packed;

/* Bytes of a GPA-direct packet's first range read back to the guest. */
#define VMBH_TEST_GPA_READ	1024

/* Header of the reply to a GPA-direct packet. */
struct vmbh_test_gpa_reply {
	__le32 status;
	__le32 len;
} __packed;

/* Payload prefix of an echo sent from a work item. */
#define VMBH_TEST_DEFER_MAGIC	"DEFER"

/* An echo that found the host->guest ring full, sent again later. */
struct vmbh_test_chan {
	struct vmbh_channel *chan;
	struct work_struct defer_work;	/* sends the echo in @data */
	int defer_ret;
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

static void vmbh_test_defer_work(struct work_struct *work)
{
	struct vmbh_test_chan *tc = container_of(work, typeof(*tc),
						 defer_work);

	tc->defer_ret = vmbh_chan_send_inband(tc->chan, tc->trans_id,
					      tc->completion, tc->data,
					      tc->len);
}

/*
 * Echo from a work item, the worker waiting (its batch still open).
 * Return: true when handled so (else the worker echoes it itself).
 */
static bool vmbh_test_defer(struct vmbh_test_chan *tc)
{
	if (tc->len < sizeof(VMBH_TEST_DEFER_MAGIC) - 1 ||
	    memcmp(tc->data, VMBH_TEST_DEFER_MAGIC,
		   sizeof(VMBH_TEST_DEFER_MAGIC) - 1))
		return false;
	queue_work(system_unbound_wq, &tc->defer_work);
	flush_work(&tc->defer_work);
	/* A full ring: the worker keeps the echo and sends it later. */
	return tc->defer_ret != -EAGAIN;
}

static int vmbh_test_open(struct vmbh_channel *chan, const u8 *userdata)
{
	struct vmbh_test_chan *tc = kzalloc(sizeof(*tc), GFP_KERNEL_ACCOUNT);

	if (!tc)
		return -ENOMEM;
	tc->chan = chan;
	INIT_WORK(&tc->defer_work, vmbh_test_defer_work);
	vmbh_chan_set_priv(chan, tc);
	return 0;
}

static void vmbh_test_close(struct vmbh_channel *chan)
{
	struct vmbh_test_chan *tc = vmbh_chan_priv(chan);

	cancel_work_sync(&tc->defer_work);
	kfree(tc);
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

/* Read the first range of a GPA-direct packet into the echo buffer. */
static void vmbh_test_gpa_read(struct vmbh_channel *chan,
			       struct vmbh_test_chan *tc,
			       const struct vmbh_packet *pkt)
{
	struct vmbh_test_gpa_reply *reply = (void *)tc->data;
	struct vmbh_gpa_range range;
	struct vmbh_gpa_map map;
	u32 pos = 0, len = 0;
	int ret;

	vmbh_pkt_next_range(pkt, &pos, &range);
	ret = vmbh_chan_map_range(chan, &range,
				  min_t(u32, range.byte_count, VMBH_TEST_GPA_READ),
				  false, &map);
	if (!ret) {
		len = map.len;
		ret = vmbh_gpa_map_copy_from(&map, 0, reply + 1, len);
		vmbh_gpa_unmap(&map);
	}
	reply->status = cpu_to_le32(ret);
	reply->len = cpu_to_le32(ret ? 0 : len);
	tc->len = sizeof(*reply) + (ret ? 0 : len);
}

static bool vmbh_test_handle(struct vmbh_channel *chan)
{
	struct vmbh_test_chan *tc = vmbh_chan_priv(chan);
	struct vmbh_packet pkt;

	if (vmbh_test_flush(chan, tc))
		return true;
	while (!vmbh_chan_recv(chan, &pkt)) {
		tc->trans_id = pkt.trans_id;
		tc->completion = pkt.flags & VMBH_PACKET_FLAG_COMPLETION_REQUESTED;
		if (pkt.type == VMBH_PACKET_TYPE_DATA_INBAND) {
			tc->len = pkt.len;
			memcpy(tc->data, pkt.data, pkt.len);
			vmbh_test_maybe_subchan(chan, &pkt);
			if (vmbh_test_defer(tc))
				continue;
		} else if (pkt.type == VMBH_PACKET_TYPE_DATA_GPA_DIRECT) {
			vmbh_test_gpa_read(chan, tc, &pkt);
		} else {
			continue;
		}
		tc->pending = true;
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

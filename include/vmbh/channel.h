/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API of vmbus_host.ko for backends (storvsp, netvsp, the echo test
 * class).  Symbols live in the VMBUS_HOST namespace.
 *
 * Model: a VMM adds a *device* of a class (VMBH_ADD_DEVICE); the device
 * has nr_queues *channels*: queue 0 is the primary, offered with the bus,
 * queues 1..n-1 are subchannels the backend offers when the guest asks
 * for them.  Each channel that the guest opens gets a worker thread,
 * woken by the channel's kick eventfd (the guest's HvSignalEvent), by
 * vmbh_chan_wake(), and when the guest frees space the host waited for.
 * The worker calls &vmbh_class_ops.handle; the worker has the VMM's mm,
 * so guest memory can be pinned there.
 *
 * Contexts: probe runs in the VMM's ioctl; open/close/rescind/remove run
 * in process context with the VM's control lock held, and must not wait
 * for the channel's worker (the core stops it before close) nor call
 * back into control functions other than the vmbh_dev_* / vmbh_chan_*
 * accessors.  Sends may come from any context that can take a spinlock.
 */
#ifndef _VMBH_CHANNEL_H
#define _VMBH_CHANNEL_H

#include <linux/list.h>
#include <linux/types.h>
#include <vmbh/compat.h>
#include <vmbh/vmbus_proto.h>
#include <uapi/linux/vmbus_host.h>

struct vmbh_device;
struct vmbh_channel;
struct scatterlist;
struct page;

/**
 * struct vmbh_class_ops - what a backend does for its devices
 * @probe:	a VMM adds a device (VMBH_ADD_DEVICE, in the VMM's task: fds in
 *		the class parameters can be resolved here).  Validate the
 *		parameters, allocate per-device state (vmbh_dev_set_priv()).
 *		An error fails the ioctl with that errno.  Required.
 * @remove:	the device is going away; every channel is closed and no
 *		callback runs any more.  Free per-device state.  Required.
 * @open:	the guest opened a channel: its rings are mapped, its worker
 *		not yet running.  @userdata is OPENCHANNEL's 120 bytes.
 *		Non-zero fails the open (the guest sees a non-zero status).
 *		Required.
 * @close:	the channel closes (guest CLOSECHANNEL, rescind, unload,
 *		reset or fd release); its worker has stopped and will not run
 *		again for this open.  Release what the channel holds
 *		(in-flight I/O must be finished or cancelled before return,
 *		GPADL views put).  Sends fail from now on.  Required.
 * @rescind:	the device will be rescinded (VMM removal).  Called before
 *		the RESCIND message is sent and before any @close; complete
 *		what the guest has outstanding.  Optional.
 * @handle:	run by the channel's worker.  Take packets with
 *		vmbh_chan_recv() until it returns -EAGAIN (ring empty), then
 *		return false.  Return true to stop early with packets left
 *		(the backend is out of resources): the core leaves the ring's
 *		interrupt mask set and the backend calls vmbh_chan_wake()
 *		when it can go on.  Required.
 */
struct vmbh_class_ops {
	int (*probe)(struct vmbh_device *dev);
	void (*remove)(struct vmbh_device *dev);
	int (*open)(struct vmbh_channel *chan, const u8 *userdata);
	void (*close)(struct vmbh_channel *chan);
	void (*rescind)(struct vmbh_device *dev);
	bool (*handle)(struct vmbh_channel *chan);
};

/**
 * struct vmbh_class - a device class served by a backend module
 * @id:		one of enum vmbh_class_id from the uapi
 * @name:	short name for logs and stats
 * @owner:	the backend module, pinned while a device of the class exists
 * @node:	entry in the core's class list, owned by the core
 * @ops:	callbacks; required to add devices of the class
 * @if_type:	the class GUID the guest matches its driver on, wire order
 *		(e.g. storvsc ba6163d9-04a1-4d29-b605-72e2ffb1dc7f)
 * @max_pkt_size: largest guest->host packet the class accepts, descriptor
 *		and GPA ranges included (at least 64); a larger one fails the
 *		channel
 */
struct vmbh_class {
	u32 id;
	const char *name;
	struct module *owner;
	struct list_head node;
	const struct vmbh_class_ops *ops;
	u8 if_type[16];
	u32 max_pkt_size;
};

/**
 * vmbh_register_class() - make a device class available to VMMs
 * @cls: the class, owned by the caller until vmbh_unregister_class()
 *
 * Return: 0, -EINVAL for a class without a name or id, or -EEXIST when a
 * class with the same id is registered already.
 */
int vmbh_register_class(struct vmbh_class *cls);
/**
 * vmbh_unregister_class() - withdraw a device class
 * @cls: a class given to vmbh_register_class()
 */
void vmbh_unregister_class(struct vmbh_class *cls);

/* ---- devices ---- */

/**
 * vmbh_dev_priv() - the backend's per-device pointer
 * @dev: a device of the backend's class
 *
 * Return: what vmbh_dev_set_priv() stored, NULL before.
 */
void *vmbh_dev_priv(const struct vmbh_device *dev);
/**
 * vmbh_dev_set_priv() - store the backend's per-device pointer
 * @dev: a device of the backend's class
 * @priv: anything; the core never dereferences it
 */
void vmbh_dev_set_priv(struct vmbh_device *dev, void *priv);
/**
 * vmbh_dev_params() - the class parameters the VMM passed
 * @dev: a device
 *
 * Return: the copy the core keeps for the device's lifetime.  Fds in it
 * are numbers in the VMM's table: resolve them in &vmbh_class_ops.probe.
 */
const union vmbh_class_params *vmbh_dev_params(const struct vmbh_device *dev);
/**
 * vmbh_dev_instance() - instance GUID of a device
 * @dev: a device
 *
 * Return: 16 bytes, wire order.
 */
const u8 *vmbh_dev_instance(const struct vmbh_device *dev);
/**
 * vmbh_dev_nr_queues() - channels the VMM gave the device
 * @dev: a device
 *
 * Return: 1 (primary only) to %VMBH_MAX_QUEUES; the guest may use fewer.
 */
u32 vmbh_dev_nr_queues(const struct vmbh_device *dev);
/**
 * vmbh_dev_id() - the device id the VMM sees (VMBH_ADD_DEVICE dev_id)
 * @dev: a device
 *
 * Return: the id.
 */
u32 vmbh_dev_id(const struct vmbh_device *dev);
/**
 * vmbh_dev_name() - "vm<pid>:<class><id>" for log messages
 * @dev: a device
 *
 * Return: a string that lives as long as the device.
 */
const char *vmbh_dev_name(const struct vmbh_device *dev);
/**
 * vmbh_dev_channel() - a channel of a device by queue index
 * @dev: a device
 * @queue: 0 (primary) to vmbh_dev_nr_queues() - 1
 *
 * Return: the channel (it exists for the device's lifetime, open or not),
 * or NULL for an index out of range.
 */
struct vmbh_channel *vmbh_dev_channel(struct vmbh_device *dev, u32 queue);
/**
 * vmbh_dev_version() - VMBus protocol version the guest negotiated
 * @dev: a device
 *
 * Return: major << 16 | minor (VMBH_VERSION_*), 0 while disconnected.
 */
u32 vmbh_dev_version(const struct vmbh_device *dev);
/**
 * vmbh_dev_offer_subchannels() - offer subchannels to the guest
 * @dev: a device whose primary channel is open
 * @count: subchannels wanted; capped at vmbh_dev_nr_queues() - 1
 *
 * Offers queues 1..@count that are not offered yet.  The offers are sent
 * asynchronously (after this returns), so the backend can first send its
 * reply to the guest's request on the primary ring, as the guest expects.
 * Safe from the worker.
 *
 * Return: the number of subchannels the device will have (<= @count), or
 * -ENODEV when the device is going away.
 */
int vmbh_dev_offer_subchannels(struct vmbh_device *dev, u32 count);

/* ---- channels ---- */

/**
 * vmbh_chan_priv() - the backend's per-channel pointer
 * @chan: a channel
 *
 * Return: what vmbh_chan_set_priv() stored, NULL before.
 */
void *vmbh_chan_priv(const struct vmbh_channel *chan);
/**
 * vmbh_chan_set_priv() - store the backend's per-channel pointer
 * @chan: a channel
 * @priv: anything; the core never dereferences it
 */
void vmbh_chan_set_priv(struct vmbh_channel *chan, void *priv);
/**
 * vmbh_chan_device() - the device a channel belongs to
 * @chan: a channel
 *
 * Return: the device.
 */
struct vmbh_device *vmbh_chan_device(const struct vmbh_channel *chan);
/**
 * vmbh_chan_queue() - queue index of a channel
 * @chan: a channel
 *
 * Return: 0 for the primary, 1.. for subchannels (the offer's
 * sub_channel_index).
 */
u32 vmbh_chan_queue(const struct vmbh_channel *chan);
/**
 * vmbh_chan_relid() - the channel's child relid, for log messages
 * @chan: a channel
 *
 * Return: 1..2047 while offered, 0 otherwise.
 */
u32 vmbh_chan_relid(const struct vmbh_channel *chan);
/**
 * vmbh_chan_target_vp() - VP the channel's interrupts go to
 * @chan: an open channel
 *
 * Return: OPENCHANNEL's target_vp, or MODIFYCHANNEL's since.
 */
u32 vmbh_chan_target_vp(const struct vmbh_channel *chan);
/**
 * vmbh_chan_wake() - run the channel's &vmbh_class_ops.handle soon
 * @chan: a channel
 *
 * From any context.  Nothing happens while the channel is not open.
 */
void vmbh_chan_wake(struct vmbh_channel *chan);
/**
 * vmbh_chan_fail() - the guest broke the channel's protocol
 * @chan: a channel
 * @why: short reason for the (ratelimited) log line
 *
 * The channel stops: no more packets are taken or sent and handle is not
 * called again until the guest closes and reopens it.  From any context.
 */
void vmbh_chan_fail(struct vmbh_channel *chan, const char *why);

/**
 * struct vmbh_packet - one guest->host packet, copied out and validated
 * @type:	VMBH_PACKET_TYPE_DATA_INBAND, _DATA_GPA_DIRECT or _COMP
 * @flags:	VMBH_PACKET_FLAG_COMPLETION_REQUESTED or 0
 * @trans_id:	the guest's transaction id (opaque)
 * @data:	the payload (from offset8 * 8 to len8 * 8)
 * @len:	payload bytes (a multiple of 8: the guest pads)
 * @range_cnt:	GPA-direct: number of ranges (>= 1), else 0
 * @ranges:	GPA-direct: the range array, read with vmbh_pkt_next_range()
 * @ranges_len:	bytes the @range_cnt ranges take at @ranges (what the
 *		guest put between them and the payload is not included)
 *
 * Points into the channel's receive buffer: valid until the next
 * vmbh_chan_recv() on the channel or the end of &vmbh_class_ops.handle.
 */
struct vmbh_packet {
	u16 type;
	u16 flags;
	u64 trans_id;
	const void *data;
	u32 len;
	u32 range_cnt;
	const void *ranges;
	u32 ranges_len;
};

/**
 * vmbh_chan_recv() - take the next packet from the guest->host ring
 * @chan: an open channel, from its worker (&vmbh_class_ops.handle)
 * @pkt: filled with the packet
 *
 * The packet is copied out of the ring into the channel's buffer, then
 * validated there: type data-inband, GPA-direct or completion; flags only
 * COMPLETION_REQUESTED; offset8/len8 consistent and inside the ring and
 * &vmbh_class.max_pkt_size; GPA-direct ranges well formed (byte_count
 * non-zero, byte_offset < 4096, enough page numbers, all before the
 * payload).  The ring space is released at once (the guest may reuse it).
 *
 * Return: 0 with @pkt filled; -EAGAIN when the ring is empty, or when
 * this handle call has taken its share of packets (the worker calls
 * handle again after checking whether it must stop); -EIO when the ring
 * or packet is malformed (the channel has been failed, see
 * vmbh_chan_fail()); -ENODEV when the channel is not open.
 */
int vmbh_chan_recv(struct vmbh_channel *chan, struct vmbh_packet *pkt);
/**
 * vmbh_pkt_next_range() - iterate the ranges of a GPA-direct packet
 * @pkt: a packet from vmbh_chan_recv()
 * @pos: cursor, set to 0 before the first call
 * @range: filled with the next range
 *
 * The ranges were validated by vmbh_chan_recv(); this cannot fail.
 *
 * Return: true with @range filled, false after the last range.
 */
bool vmbh_pkt_next_range(const struct vmbh_packet *pkt, u32 *pos,
			 struct vmbh_gpa_range *range);

/**
 * vmbh_chan_send_inband() - write a data-inband packet (type 6)
 * @chan: an open channel
 * @trans_id: transaction id (0 for unsolicited messages)
 * @completion_requested: set VMBH_PACKET_FLAG_COMPLETION_REQUESTED
 * @data: payload
 * @len: payload bytes; padded with zeros to 8
 *
 * Signals the guest when the signalling rules want it (the ring went from
 * empty to non-empty and the guest has not masked interrupts).  From any
 * context that may take a spinlock.
 *
 * Return: 0; -EAGAIN when the ring has no room now (the core asked the
 * guest to signal when it has: handle runs again then); -EMSGSIZE when
 * the packet can never fit the ring; -ENODEV when the channel is not open
 * or failed.
 */
int vmbh_chan_send_inband(struct vmbh_channel *chan, u64 trans_id,
			  bool completion_requested, const void *data, u32 len);
/**
 * vmbh_chan_send_completion() - write a completion packet (type 0xB)
 * @chan: an open channel
 * @trans_id: the guest's transaction id being completed
 * @data: payload
 * @len: payload bytes
 *
 * As vmbh_chan_send_inband().
 *
 * Return: as vmbh_chan_send_inband().
 */
int vmbh_chan_send_completion(struct vmbh_channel *chan, u64 trans_id,
			      const void *data, u32 len);
/**
 * vmbh_chan_send_xfer_pages() - write a transfer-page packet (type 7)
 * @chan: an open channel
 * @pageset_id: the transfer page set (netvsc: 0xCAFE, its receive buffer)
 * @trans_id: host-chosen id the guest's completion will carry
 * @ranges: {byte_count, byte_offset} ranges into the page set
 * @nr_ranges: entries in @ranges, at least 1
 * @data: payload after the ranges (the NVSP message)
 * @len: payload bytes
 *
 * The packet asks for a completion.  As vmbh_chan_send_inband().
 *
 * Return: as vmbh_chan_send_inband(); -EINVAL for no ranges.
 */
int vmbh_chan_send_xfer_pages(struct vmbh_channel *chan, u16 pageset_id,
			      u64 trans_id,
			      const struct vmbh_xfer_page_range *ranges,
			      u32 nr_ranges, const void *data, u32 len);
/**
 * vmbh_chan_send_space() - bytes a send could use now
 * @chan: an open channel
 *
 * Return: the largest packet (descriptor, headers and payload, padded to
 * 8) that fits the host->guest ring now; 0 when it is full or not open.
 */
u32 vmbh_chan_send_space(struct vmbh_channel *chan);

/**
 * struct vmbh_gpa_map - guest pages pinned for one I/O
 * @pages:	pinned pages, one per 4 KiB guest frame of the range
 * @nr_pages:	entries in @pages
 * @offset:	offset of the data in @pages[0]
 * @len:	bytes of data
 * @writable:	pinned for the host to write (device-to-guest I/O)
 */
struct vmbh_gpa_map {
	struct page **pages;
	u32 nr_pages;
	u32 offset;
	u32 len;
	bool writable;
};

/**
 * vmbh_chan_map_range() - pin the guest pages of a GPA-direct range
 * @chan: the channel the range came from, from its worker
 * @range: a range from vmbh_pkt_next_range()
 * @len: bytes of the range to map from its start, 1 to byte_count (the
 *	 I/O's length: never more than the guest described)
 * @writable: the host will write the pages (data to the guest)
 * @map: filled; release with vmbh_gpa_unmap()
 *
 * Every page number is translated through the VM's memory table; a page
 * outside guest memory fails the map.  The pin is meant to be short
 * lived: unmap when the I/O completes.
 *
 * Return: 0; -EFAULT for a page outside guest memory; -EINVAL for a bad
 * @len; -ENOMEM.
 */
int vmbh_chan_map_range(struct vmbh_channel *chan,
			const struct vmbh_gpa_range *range, u32 len,
			bool writable, struct vmbh_gpa_map *map);
/**
 * vmbh_gpa_unmap() - unpin the pages of a vmbh_chan_map_range() map
 * @map: the map; writable maps mark their pages dirty
 *
 * Process context: marking a page dirty takes its lock and may sleep.
 */
void vmbh_gpa_unmap(struct vmbh_gpa_map *map);
/**
 * vmbh_gpa_map_sg() - describe a map as a scatterlist
 * @map: a map
 * @sgl: an initialised table of @nents entries (sg_init_table())
 * @nents: at least @map->nr_pages
 *
 * Return: entries used (the last one is marked end), or -EINVAL when
 * @nents is too small.
 */
int vmbh_gpa_map_sg(const struct vmbh_gpa_map *map, struct scatterlist *sgl,
		    unsigned int nents);
/**
 * vmbh_gpa_map_copy_to() - copy into the guest pages of a writable map
 * @map: a writable map
 * @offset: byte offset into the mapped data
 * @src: source
 * @len: bytes; @offset + @len must not exceed @map->len
 *
 * Return: 0 or -EINVAL.
 */
int vmbh_gpa_map_copy_to(const struct vmbh_gpa_map *map, u32 offset,
			 const void *src, u32 len);
/**
 * vmbh_gpa_map_copy_from() - copy out of the guest pages of a map
 * @map: a map
 * @offset: byte offset into the mapped data
 * @dst: destination
 * @len: bytes; @offset + @len must not exceed @map->len
 *
 * Return: 0 or -EINVAL.
 */
int vmbh_gpa_map_copy_from(const struct vmbh_gpa_map *map, u32 offset,
			   void *dst, u32 len);

/**
 * struct vmbh_gpadl_view - a GPADL mapped for a backend
 * @addr:	kernel mapping of the GPADL's bytes (byte_offset applied)
 * @size:	bytes
 * @gpadl:	the core's GPADL object, referenced until vmbh_gpadl_put()
 */
struct vmbh_gpadl_view {
	void *addr;
	u32 size;
	void *gpadl;
};

/**
 * vmbh_dev_gpadl_get() - map a GPADL the guest established on the device
 * @dev: a device
 * @gpadl_id: the id the guest chose (e.g. netvsc's receive buffer)
 * @view: filled with a kernel mapping of the whole GPADL
 *
 * The GPADL must be complete and belong to one of the device's channels.
 * Its pages are already pinned; the first get maps them with vmap().
 * While a view is held the guest's GPADL_TEARDOWN is answered only after
 * vmbh_gpadl_put().  The guest can write the memory at any time: copy
 * what you validate.
 *
 * Return: 0; -ENOENT for an unknown or incomplete id; -ENOMEM.
 */
int vmbh_dev_gpadl_get(struct vmbh_device *dev, u32 gpadl_id,
		       struct vmbh_gpadl_view *view);
/**
 * vmbh_gpadl_put() - drop a view from vmbh_dev_gpadl_get()
 * @view: the view; cleared
 *
 * Process context.
 */
void vmbh_gpadl_put(struct vmbh_gpadl_view *view);

#endif /* _VMBH_CHANNEL_H */

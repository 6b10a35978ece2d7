/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/vmbus-host: a host-side Hyper-V VMBus backend for KVM.
 * One open file is one VM's bus; see Documentation/uapi.rst.
 */
#ifndef _UAPI_LINUX_VMBUS_HOST_H
#define _UAPI_LINUX_VMBUS_HOST_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VMBH_IOCTL_MAGIC	0xB7

/* Device classes a backend module registers and a VMM adds devices of. */
enum vmbh_class_id {
	VMBH_CLASS_TEST = 1,	/* ring echo, in vmbus_host.ko */
	VMBH_CLASS_SCSI = 2,	/* storvsp, vmbh_storvsp.ko */
	VMBH_CLASS_NET = 3,	/* netvsp, vmbh_netvsp.ko */
};

/*
 * Every argument struct starts with __u32 size, set by the caller to
 * sizeof() of the struct it was compiled with.  The kernel accepts any
 * size from the first published one up: bytes it does not know must be
 * zero (else -E2BIG), a size below the first version is -EINVAL.  Every
 * "flags" field must be zero or a combination of the flags defined for
 * it (else -EINVAL); "reserved" fields must be zero.
 */

/* Limits the kernel enforces on the arguments below. */
#define VMBH_MAX_MEM_REGIONS	512
#define VMBH_MAX_VPS		1024
#define VMBH_MAX_MSG_PAYLOAD	240
#define VMBH_MAX_QUEUES		64
#define VMBH_MAX_CONN_ID	0xFFFFFF

/**
 * struct vmbh_mem_region - one range of guest physical memory
 * @gpa:	guest physical address, 4 KiB aligned
 * @size:	bytes, a non-zero multiple of 4 KiB
 * @uaddr:	where the range is mapped in the VMM, 4 KiB aligned
 */
struct vmbh_mem_region {
	__u64 gpa;
	__u64 size;
	__u64 uaddr;
};

/**
 * struct vmbh_set_mem_table - VMBH_SET_MEM_TABLE argument
 * @size:	sizeof(struct vmbh_set_mem_table)
 * @flags:	0
 * @nr_regions:	entries in @regions, 0 to %VMBH_MAX_MEM_REGIONS
 * @reserved:	0
 * @regions:	user pointer to an array of struct vmbh_mem_region
 *
 * Replaces the whole table.  Regions may come in any order but must not
 * overlap in guest physical space, and no gpa + size or uaddr + size may
 * wrap.  Guest memory already pinned (GPADLs) stays pinned: the new table
 * only affects translations made after the call.
 */
struct vmbh_set_mem_table {
	__u32 size;
	__u32 flags;
	__u32 nr_regions;
	__u32 reserved;
	__u64 regions;
};

#define VMBH_VCPU_SIMP_ENABLED	(1U << 0)	/* @simp_uaddr is valid */
#define VMBH_VCPU_SIEFP_ENABLED	(1U << 1)	/* @siefp_uaddr is valid */
#define VMBH_VCPU_FLAGS		(VMBH_VCPU_SIMP_ENABLED | VMBH_VCPU_SIEFP_ENABLED)

/**
 * struct vmbh_set_vcpu - VMBH_SET_VCPU argument
 * @size:	sizeof(struct vmbh_set_vcpu)
 * @flags:	VMBH_VCPU_*: which of the two SynIC pages the guest enabled
 * @vp_index:	Hyper-V VP index, below %VMBH_MAX_VPS
 * @sint_fd:	eventfd the kernel signals to raise the VMBus SINT (2) on
 *		this VP (a KVM irqfd routed with KVM_IRQ_ROUTING_HV_SINT), or -1
 * @resample_fd: eventfd signalled when the guest acknowledged the SINT
 *		(EOM/EOI: the irqfd's resample fd), or -1
 * @reserved:	0
 * @simp_uaddr:	VMM address of the VP's 4 KiB SynIC message page, 4 KiB aligned
 * @siefp_uaddr: VMM address of the VP's 4 KiB SynIC event flags page
 *
 * Called on every SynIC MSR change, reset and migration load; each call
 * replaces the VP's previous state.  Messages that could not be delivered
 * stay queued for the VP until its message page is enabled again.
 */
struct vmbh_set_vcpu {
	__u32 size;
	__u32 flags;
	__u32 vp_index;
	__s32 sint_fd;
	__s32 resample_fd;
	__u32 reserved;
	__u64 simp_uaddr;
	__u64 siefp_uaddr;
};

/**
 * struct vmbh_post_msg - VMBH_POST_MSG argument: one HvPostMessage
 * @size:	sizeof(struct vmbh_post_msg)
 * @flags:	0
 * @connection_id: hypercall input +0 (bits 24-31 are ignored)
 * @message_type: hypercall input +8
 * @payload_size: hypercall input +12, bytes of @payload used
 * @result:	out: the Hyper-V status code (HV_STATUS_*, vmbus_proto.h)
 *		the hypercall returns; the ioctl itself returns 0 whenever
 *		it produced a status
 * @payload:	the VMBus channel message
 *
 * The message is validated at once and processed before the ioctl
 * returns; replies are delivered to the guest's message page as the
 * SynIC protocol allows (they may still be queued on return).
 */
struct vmbh_post_msg {
	__u32 size;
	__u32 flags;
	__u32 connection_id;
	__u32 message_type;
	__u32 payload_size;
	__u32 result;
	__u8 payload[VMBH_MAX_MSG_PAYLOAD];
};

/**
 * struct vmbh_queue - one channel of a device
 * @conn_id:	the connection id the guest signals the channel with
 *		(HvSignalEvent), 5 to %VMBH_MAX_CONN_ID, unique in the VM
 * @kick_fd:	eventfd signalled for that id (KVM_HYPERV_EVENTFD)
 */
struct vmbh_queue {
	__u32 conn_id;
	__s32 kick_fd;
};

/**
 * struct vmbh_scsi_params - class parameters of VMBH_CLASS_SCSI
 * @wwpn:	NUL-terminated name of the LIO target port (e.g. "naa.5001...")
 *		the controller serves
 */
struct vmbh_scsi_params {
	char wwpn[64];
};

/**
 * struct vmbh_net_params - class parameters of VMBH_CLASS_NET
 * @tap_fd:	a tap or macvtap fd (IFF_VNET_HDR not required)
 * @mtu:	0 for the default 1500, else 576 to 9000
 * @mac:	the NIC's permanent MAC address
 * @reserved:	0
 */
struct vmbh_net_params {
	__s32 tap_fd;
	__u32 mtu;
	__u8 mac[6];
	__u16 reserved;
};

/**
 * union vmbh_class_params - per-class device parameters
 * @scsi:	VMBH_CLASS_SCSI
 * @net:	VMBH_CLASS_NET
 * @raw:	fixes the size; VMBH_CLASS_TEST takes all zero
 */
union vmbh_class_params {
	struct vmbh_scsi_params scsi;
	struct vmbh_net_params net;
	__u8 raw[128];
};

/**
 * struct vmbh_add_device - VMBH_ADD_DEVICE argument
 * @size:	sizeof(struct vmbh_add_device)
 * @flags:	0
 * @class_id:	enum vmbh_class_id; its backend module must be loaded
 * @nr_queues:	channels of the device, 1 (primary only) to %VMBH_MAX_QUEUES;
 *		queue 0 is the primary, 1..n-1 the subchannels the backend
 *		may offer when the guest asks for them
 * @instance:	instance GUID in wire order (first three fields little
 *		endian), unique in the VM
 * @queues:	user pointer to an array of @nr_queues struct vmbh_queue
 * @dev_id:	out: the device's id for VMBH_REMOVE_DEVICE / stats
 * @reserved:	0
 * @params:	class parameters
 *
 * If the guest is connected the primary channel is offered at once
 * (hot-add), else with the next REQUESTOFFERS.
 */
struct vmbh_add_device {
	__u32 size;
	__u32 flags;
	__u32 class_id;
	__u32 nr_queues;
	__u8 instance[16];
	__u64 queues;
	__u32 dev_id;
	__u32 reserved;
	union vmbh_class_params params;
};

/**
 * struct vmbh_remove_device - VMBH_REMOVE_DEVICE argument
 * @size:	sizeof(struct vmbh_remove_device)
 * @flags:	0
 * @dev_id:	from VMBH_ADD_DEVICE
 * @reserved:	0
 *
 * Stops the device's channels and rescinds its offers (subchannels
 * first).  The device disappears from the VM at once; its relids and
 * GPADLs stay reserved until the guest releases them.
 */
struct vmbh_remove_device {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 reserved;
};

/**
 * struct vmbh_reset - VMBH_RESET argument
 * @size:	sizeof(struct vmbh_reset)
 * @flags:	0
 *
 * Guest reset: closes every channel, drops every GPADL and queued
 * message, and returns the bus to "disconnected".  Devices stay and are
 * offered again after the next INITIATE_CONTACT and REQUESTOFFERS.
 */
struct vmbh_reset {
	__u32 size;
	__u32 flags;
};

/* enum values of struct vmbh_bus_info.state */
enum vmbh_bus_state {
	VMBH_BUS_DISCONNECTED = 0,
	VMBH_BUS_CONNECTED = 1,		/* VERSION_RESPONSE accepted sent */
	VMBH_BUS_OFFERS_SENT = 2,	/* REQUESTOFFERS answered */
};

/**
 * struct vmbh_bus_info - VMBH_GET_BUS_INFO argument
 * @size:	sizeof(struct vmbh_bus_info)
 * @flags:	0
 * @state:	out: enum vmbh_bus_state
 * @version:	out: negotiated protocol version (major << 16 | minor), 0
 * @target_vp:	out: VP index control messages go to
 * @nr_channels: out: channels with a relid (offered or awaiting release)
 * @nr_gpadls:	out: GPADLs, complete or being built
 * @pinned_pages: out: guest pages pinned for GPADLs
 * @queued_msgs: out: host->guest messages waiting for a free slot
 * @reserved:	0
 * @msgs_in:	out: HvPostMessage calls that returned HV_STATUS_SUCCESS
 * @msgs_out:	out: messages written into a message page
 */
struct vmbh_bus_info {
	__u32 size;
	__u32 flags;
	__u32 state;
	__u32 version;
	__u32 target_vp;
	__u32 nr_channels;
	__u32 nr_gpadls;
	__u32 pinned_pages;
	__u32 queued_msgs;
	__u32 reserved;
	__u64 msgs_in;
	__u64 msgs_out;
};

/* enum values of struct vmbh_channel_stats.state */
enum vmbh_channel_state {
	VMBH_CHAN_UNOFFERED = 0,
	VMBH_CHAN_OFFERED = 1,
	VMBH_CHAN_OPEN = 2,
	VMBH_CHAN_FAILED = 3,	/* guest broke the ring protocol */
};

/**
 * struct vmbh_channel_stats - VMBH_GET_CHANNEL_STATS argument
 * @size:	sizeof(struct vmbh_channel_stats)
 * @flags:	0
 * @dev_id:	in: from VMBH_ADD_DEVICE
 * @queue:	in: queue index, below the device's nr_queues
 * @state:	out: enum vmbh_channel_state
 * @relid:	out: child relid, 0 while unoffered
 * @kicks:	out: wakeups of the channel's worker by its kick eventfd
 * @interrupts:	out: host->guest channel interrupts raised
 * @in_packets:	out: packets taken from the guest->host ring
 * @in_bytes:	out: their bytes (descriptors included)
 * @out_packets: out: packets written into the host->guest ring
 * @out_bytes:	out: their bytes
 * @ring_full:	out: sends that found the host->guest ring full
 * @errors:	out: malformed packets (each fails the channel)
 */
struct vmbh_channel_stats {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 queue;
	__u32 state;
	__u32 relid;
	__u64 kicks;
	__u64 interrupts;
	__u64 in_packets;
	__u64 in_bytes;
	__u64 out_packets;
	__u64 out_bytes;
	__u64 ring_full;
	__u64 errors;
};

/**
 * struct vmbh_set_kvm - VMBH_SET_KVM argument
 * @size:	sizeof(struct vmbh_set_kvm)
 * @flags:	0
 * @vm_fd:	the guest's KVM VM file descriptor (from KVM_CREATE_VM) in
 *		the calling process
 * @reserved:	0
 *
 * Optional, once per VM.  With it, an idle VM's monitor-page poller
 * stops polling: KVM write-tracks the page and reports the guest's next
 * write.  The file holds a reference on the KVM VM until it is closed.
 */
struct vmbh_set_kvm {
	__u32 size;
	__u32 flags;
	__s32 vm_fd;
	__u32 reserved;
};

/*
 * The ioctls take a pointer to their struct; the size travels inside it,
 * as in iommufd.  Status: 0 or a negative errno (see uapi.rst).
 */
#define VMBH_SET_MEM_TABLE	_IO(VMBH_IOCTL_MAGIC, 0x01)
#define VMBH_SET_VCPU		_IO(VMBH_IOCTL_MAGIC, 0x02)
#define VMBH_POST_MSG		_IO(VMBH_IOCTL_MAGIC, 0x03)
#define VMBH_ADD_DEVICE		_IO(VMBH_IOCTL_MAGIC, 0x04)
#define VMBH_REMOVE_DEVICE	_IO(VMBH_IOCTL_MAGIC, 0x05)
#define VMBH_RESET		_IO(VMBH_IOCTL_MAGIC, 0x06)
#define VMBH_GET_BUS_INFO	_IO(VMBH_IOCTL_MAGIC, 0x07)
#define VMBH_GET_CHANNEL_STATS	_IO(VMBH_IOCTL_MAGIC, 0x08)
#define VMBH_SET_KVM		_IO(VMBH_IOCTL_MAGIC, 0x09)

#endif /* _UAPI_LINUX_VMBUS_HOST_H */

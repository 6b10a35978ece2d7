// SPDX-License-Identifier: GPL-2.0
/*
 * The VMBus control protocol (vmbus-protocol.md section 3): version
 * negotiation, offers, open/close, rescind and release, unload, modify.
 * Every guest message is handled synchronously in the VMM's post ioctl.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include "vmbus_host.h"

/**
 * vmbh_control_send() - post a host->guest control message
 * @vm: the VM
 * @msg: the message, header first
 * @len: its bytes
 *
 * Goes to the VP the guest named in INITIATE_CONTACT.  Any context.
 */
void vmbh_control_send(struct vmbh_vm *vm, const void *msg, u32 len)
{
	const struct vmbh_channel_message_header *hdr = msg;
	int ret;

	if (READ_ONCE(vm->dying))
		return;
	ret = vmbh_synic_post(vm->synic, READ_ONCE(vm->target_vp), msg, len);
	if (ret)
		vmbh_vm_warn(vm, "cannot send message %u: %d\n", hdr->msgtype,
			     ret);
}

static bool vmbh_version_supported(u32 version)
{
	switch (version) {
	case VMBH_VERSION_WIN8:
	case VMBH_VERSION_WIN8_1:
	case VMBH_VERSION_WIN10:
	case VMBH_VERSION_WIN10_V4_1:
	case VMBH_VERSION_WIN10_V5:
	case VMBH_VERSION_WIN10_V5_1:
	case VMBH_VERSION_WIN10_V5_2:
	case VMBH_VERSION_WIN10_V5_3:
		return true;
	default:
		return false;
	}
}

/**
 * vmbh_bus_reset() - drop everything the guest set up
 * @vm: the VM
 *
 * Closes every channel, forgets relids, GPADLs and queued messages, frees
 * removed devices, and returns to "disconnected".  Devices stay.
 */
void vmbh_bus_reset(struct vmbh_vm *vm)
{
	struct vmbh_device *dev, *tmp;
	u32 q;

	lockdep_assert_held(&vm->lock);
	list_for_each_entry(dev, &vm->devices, node) {
		for (q = 0; q < dev->nr_queues; q++) {
			struct vmbh_channel *chan = &dev->chans[q];

			if (chan->open)
				vmbh_chan_close(chan);
			if (chan->relid)
				vm->relids[chan->relid] = NULL;
			chan->relid = 0;
			chan->rescinded = false;
		}
		dev->subchan_wanted = 0;
	}
	list_for_each_entry_safe(dev, tmp, &vm->zombies, node)
		vmbh_device_destroy(dev);
	memset(vm->relids, 0, sizeof(vm->relids));
	vm->nr_relids = 0;
	vmbh_gpadls_drop_all(vm);
	vmbh_synic_drop_queued(vm->synic);
	vmbh_monitor_disconnect(vm);
	vm->state = VMBH_VM_DISCONNECTED;
	vm->version = 0;
}

/**
 * vmbh_offer_channel() - give a channel a relid and offer it
 * @chan: a channel of a live device, not offered yet
 */
void vmbh_offer_channel(struct vmbh_channel *chan)
{
	struct vmbh_device *dev = chan->dev;
	struct vmbh_vm *vm = dev->vm;
	struct vmbh_msg_offer_channel offer = {};
	u32 relid;

	lockdep_assert_held(&vm->lock);
	if (chan->relid)
		return;
	for (relid = 1; relid <= VMBH_MAX_RELID; relid++)
		if (!vm->relids[relid])
			break;
	if (relid > VMBH_MAX_RELID) {
		vmbh_vm_warn(vm, "%s: no free relid\n", dev->name);
		return;
	}
	chan->relid = relid;
	chan->rescinded = false;
	vm->relids[relid] = chan;
	vm->nr_relids++;

	offer.header.msgtype = VMBH_CHANNELMSG_OFFERCHANNEL;
	memcpy(offer.if_type, dev->cls->if_type, sizeof(offer.if_type));
	memcpy(offer.if_instance, dev->instance, sizeof(offer.if_instance));
	offer.sub_channel_index = chan->queue;
	offer.child_relid = relid;
	chan->monitor_id = vmbh_monitor_id(vm, relid);
	offer.monitorid = chan->monitor_id < 0 ? 0xFF : chan->monitor_id;
	offer.monitor_allocated = chan->monitor_id >= 0;
	offer.is_dedicated_interrupt = 1;
	offer.connection_id = chan->conn_id;
	vmbh_control_send(vm, &offer, sizeof(offer));
}

/* Offer the subchannels backends asked for (vmbh_dev_offer_subchannels). */
void vmbh_subchan_work(struct work_struct *work)
{
	struct vmbh_vm *vm = container_of(work, struct vmbh_vm, subchan_work);
	struct vmbh_device *dev;
	u32 q, wanted;

	mutex_lock(&vm->lock);
	if (vm->dying || vm->state != VMBH_VM_OFFERS_SENT)
		goto out_unlock;
	list_for_each_entry(dev, &vm->devices, node) {
		if (!dev->chans[0].open)
			continue;
		wanted = min(READ_ONCE(dev->subchan_wanted), dev->nr_queues - 1);
		for (q = 1; q <= wanted; q++)
			vmbh_offer_channel(&dev->chans[q]);
	}
out_unlock:
	mutex_unlock(&vm->lock);
}

static void vmbh_send_header_only(struct vmbh_vm *vm, u32 msgtype)
{
	struct vmbh_channel_message_header hdr = { .msgtype = msgtype };

	vmbh_control_send(vm, &hdr, sizeof(hdr));
}

static u16 vmbh_initiate_contact(struct vmbh_vm *vm, u32 conn_id,
				 const struct vmbh_msg_initiate_contact *m)
{
	struct vmbh_msg_version_response resp = {};
	u32 version = m->vmbus_version_requested;
	bool ok;

	lockdep_assert_held(&vm->lock);
	if (version >= VMBH_VERSION_WIN10_V5 &&
	    conn_id != VMBH_VMBUS_MESSAGE_CONNECTION_ID_4)
		return VMBH_HV_STATUS_INVALID_CONNECTION_ID;
	if (!vmbh_synic_vp_exists(vm->synic, m->target_vcpu)) {
		vmbh_vm_warn(vm, "INITIATE_CONTACT to unknown VP %u\n",
			     m->target_vcpu);
		return VMBH_HV_STATUS_INVALID_PARAMETER;
	}
	/* Any INITIATE_CONTACT is a reconnect (kexec, kdump, firmware). */
	vmbh_bus_reset(vm);
	ok = vmbh_version_supported(version);
	if (ok && version >= VMBH_VERSION_WIN10_V5 &&
	    (m->msg_sint != VMBH_VMBUS_MESSAGE_SINT || m->msg_vtl))
		ok = false;
	if (!m->monitor_page1 != !m->monitor_page2)
		ok = false;
	WRITE_ONCE(vm->target_vp, m->target_vcpu);
	if (ok) {
		vm->state = VMBH_VM_CONNECTED;
		vm->version = version;
		if (m->monitor_page2)
			vmbh_monitor_connect(vm, m->monitor_page2);
	}
	resp.header.msgtype = VMBH_CHANNELMSG_VERSION_RESPONSE;
	resp.version_supported = ok;
	if (ok && version >= VMBH_VERSION_WIN10_V5)
		resp.msg_conn_id = VMBH_VMBUS_MESSAGE_CONNECTION_ID;
	vmbh_control_send(vm, &resp, sizeof(resp));
	return VMBH_HV_STATUS_SUCCESS;
}

static void vmbh_request_offers(struct vmbh_vm *vm)
{
	struct vmbh_device *dev;

	lockdep_assert_held(&vm->lock);
	if (vm->state != VMBH_VM_CONNECTED) {
		vmbh_vm_warn(vm, "repeated REQUESTOFFERS ignored\n");
		return;
	}
	vm->state = VMBH_VM_OFFERS_SENT;
	list_for_each_entry(dev, &vm->devices, node)
		vmbh_offer_channel(&dev->chans[0]);
	vmbh_send_header_only(vm, VMBH_CHANNELMSG_ALLOFFERS_DELIVERED);
}

static struct vmbh_channel *vmbh_relid_chan(struct vmbh_vm *vm, u32 relid)
{
	lockdep_assert_held(&vm->lock);
	if (!relid || relid > VMBH_MAX_RELID)
		return NULL;
	return vm->relids[relid];
}

static void vmbh_open_channel(struct vmbh_vm *vm,
			      const struct vmbh_msg_open_channel *m)
{
	struct vmbh_channel *chan = vmbh_relid_chan(vm, m->child_relid);
	struct vmbh_msg_open_result res = {
		.header.msgtype = VMBH_CHANNELMSG_OPENCHANNEL_RESULT,
		.child_relid = m->child_relid,
		.openid = m->openid,
		.status = VMBH_STATUS_UNSUCCESSFUL,
	};

	if (!chan) {
		vmbh_vm_warn(vm, "OPENCHANNEL of unknown relid %u\n",
			     m->child_relid);
		return;
	}
	if (chan->rescinded) {
		vmbh_vm_warn(vm, "OPENCHANNEL of rescinded relid %u\n",
			     m->child_relid);
		return;
	}
	if (chan->open)
		vmbh_vm_warn(vm, "relid %u opened twice\n", m->child_relid);
	else if (!vmbh_chan_open(chan, m))
		res.status = 0;
	vmbh_control_send(vm, &res, sizeof(res));
	/* Data the guest queued before the result is seen now. */
	if (!res.status)
		vmbh_chan_wake(chan);
}

static void vmbh_close_channel(struct vmbh_vm *vm, const struct vmbh_msg_relid *m)
{
	struct vmbh_channel *chan = vmbh_relid_chan(vm, m->child_relid);

	if (!chan || !chan->open) {
		vmbh_vm_warn(vm, "CLOSECHANNEL of relid %u not open\n",
			     m->child_relid);
		return;
	}
	vmbh_chan_close(chan);
}

static void vmbh_relid_released(struct vmbh_vm *vm,
				const struct vmbh_msg_relid *m)
{
	struct vmbh_channel *chan = vmbh_relid_chan(vm, m->child_relid);

	if (!chan || chan->open) {
		vmbh_vm_warn(vm, "RELID_RELEASED of relid %u in use\n",
			     m->child_relid);
		return;
	}
	vm->relids[chan->relid] = NULL;
	vm->nr_relids--;
	vmbh_gpadls_drop_relid(vm, chan->relid);
	chan->relid = 0;
	chan->rescinded = false;
	if (chan->dev->removed)
		vmbh_device_relid_released(chan->dev);
}

static void vmbh_modify_channel(struct vmbh_vm *vm,
				const struct vmbh_msg_modify_channel *m)
{
	struct vmbh_channel *chan = vmbh_relid_chan(vm, m->child_relid);
	struct vmbh_msg_modify_channel_response resp = {
		.header.msgtype = VMBH_CHANNELMSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = m->child_relid,
		.status = VMBH_STATUS_UNSUCCESSFUL,
	};

	if (vm->version < VMBH_VERSION_WIN10_V4_1) {
		vmbh_vm_warn(vm, "MODIFYCHANNEL below protocol 4.1\n");
		return;
	}
	if (chan && chan->open && vmbh_synic_vp_exists(vm->synic, m->target_vp)) {
		vmbh_chan_set_target(chan, m->target_vp);
		resp.status = 0;
	} else {
		vmbh_vm_warn(vm, "MODIFYCHANNEL relid %u to VP %u refused\n",
			     m->child_relid, m->target_vp);
	}
	if (vm->version >= VMBH_VERSION_WIN10_V5_3)
		vmbh_control_send(vm, &resp, sizeof(resp));
}

/**
 * vmbh_control_post() - handle one guest HvPostMessage
 * @vm: the VM
 * @conn_id: connection id, 24 bits
 * @msg: the payload, already checked by vmbh_hv_post_msg_check()
 * @len: payload bytes
 *
 * Return: the Hyper-V status for the hypercall.
 */
u16 vmbh_control_post(struct vmbh_vm *vm, u32 conn_id, const void *msg,
		      u32 len)
{
	const struct vmbh_channel_message_header *hdr = msg;
	u16 status = VMBH_HV_STATUS_SUCCESS;

	if (conn_id != VMBH_VMBUS_MESSAGE_CONNECTION_ID &&
	    conn_id != VMBH_VMBUS_MESSAGE_CONNECTION_ID_4)
		return VMBH_HV_STATUS_INVALID_CONNECTION_ID;
	/*
	 * A guest that does not drain its slot must not grow our queue;
	 * INITIATE_CONTACT and UNLOAD drop the queue, so they always pass
	 * (a rebooted guest must be able to reconnect).
	 */
	if (hdr->msgtype != VMBH_CHANNELMSG_INITIATE_CONTACT &&
	    hdr->msgtype != VMBH_CHANNELMSG_UNLOAD &&
	    vmbh_synic_queued(vm->synic) >= VMBH_MSG_BACKLOG)
		return VMBH_HV_STATUS_INSUFFICIENT_BUFFERS;

	mutex_lock(&vm->lock);
	if (hdr->msgtype == VMBH_CHANNELMSG_INITIATE_CONTACT) {
		status = vmbh_initiate_contact(vm, conn_id, msg);
		goto out_unlock;
	}
	if (conn_id != VMBH_VMBUS_MESSAGE_CONNECTION_ID) {
		status = VMBH_HV_STATUS_INVALID_CONNECTION_ID;
		goto out_unlock;
	}
	if (hdr->msgtype == VMBH_CHANNELMSG_UNLOAD) {
		vmbh_bus_reset(vm);
		vmbh_send_header_only(vm, VMBH_CHANNELMSG_UNLOAD_RESPONSE);
		goto out_unlock;
	}
	if (vm->state == VMBH_VM_DISCONNECTED) {
		vmbh_vm_warn(vm, "message %u before INITIATE_CONTACT ignored\n",
			     hdr->msgtype);
		goto out_unlock;
	}
	switch (hdr->msgtype) {
	case VMBH_CHANNELMSG_REQUESTOFFERS:
		vmbh_request_offers(vm);
		break;
	case VMBH_CHANNELMSG_OPENCHANNEL:
		vmbh_open_channel(vm, msg);
		break;
	case VMBH_CHANNELMSG_CLOSECHANNEL:
		vmbh_close_channel(vm, msg);
		break;
	case VMBH_CHANNELMSG_GPADL_HEADER:
		vmbh_gpadl_header(vm, msg, len);
		break;
	case VMBH_CHANNELMSG_GPADL_BODY:
		vmbh_gpadl_body(vm, msg, len);
		break;
	case VMBH_CHANNELMSG_GPADL_TEARDOWN:
		vmbh_gpadl_teardown(vm, msg, len);
		break;
	case VMBH_CHANNELMSG_RELID_RELEASED:
		vmbh_relid_released(vm, msg);
		break;
	case VMBH_CHANNELMSG_MODIFYCHANNEL:
		vmbh_modify_channel(vm, msg);
		break;
	default:
		/* TL_CONNECT_REQUEST: no hvsock service on this host. */
		vmbh_vm_warn(vm, "message %u ignored\n", hdr->msgtype);
		break;
	}
out_unlock:
	if (status == VMBH_HV_STATUS_SUCCESS)
		vm->msgs_in++;
	mutex_unlock(&vm->lock);
	return status;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * GPADLs: guest memory the guest shares with the host.  Built from
 * GPADL_HEADER/BODY messages, pinned (charged to the VMM's locked memory)
 * and mapped when complete, torn down when the last user is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "vmbus_host.h"

static_assert(PAGE_SIZE == VMBH_GPA_PAGE_SIZE);

static struct vmbh_gpadl *vmbh_gpadl_find(struct vmbh_vm *vm, u32 id)
{
	struct vmbh_gpadl *g;

	lockdep_assert_held(&vm->gpadl_lock);
	list_for_each_entry(g, &vm->gpadls, node)
		if (g->id == id)
			return g;
	return NULL;
}

static void vmbh_gpadl_reply(struct vmbh_vm *vm, u32 relid, u32 id,
			     u32 status)
{
	struct vmbh_msg_gpadl_created msg = {
		.header.msgtype = VMBH_CHANNELMSG_GPADL_CREATED,
		.child_relid = relid,
		.gpadl = id,
		.creation_status = status,
	};

	vmbh_control_send(vm, &msg, sizeof(msg));
}

static void vmbh_gpadl_unpin(struct vmbh_gpadl *g, u32 nr_pinned)
{
	struct vmbh_vm *vm = g->vm;

	if (nr_pinned)
		unpin_user_pages_dirty_lock(g->pages, nr_pinned, true);
	if (g->nr_pages) {
		account_locked_vm(vm->mm, g->nr_pages, false);
		atomic_sub(g->nr_pages, &vm->pinned_pages);
	}
}

/* Final put: the host will not touch the pages again. */
static void vmbh_gpadl_release(struct kref *ref)
{
	struct vmbh_gpadl *g = container_of(ref, struct vmbh_gpadl, ref);
	struct vmbh_vm *vm = g->vm;
	struct vmbh_msg_gpadl_torndown msg = {
		.header.msgtype = VMBH_CHANNELMSG_GPADL_TORNDOWN,
		.gpadl = g->id,
	};
	bool reply;

	if (g->vaddr)
		vunmap(g->vaddr);
	if (g->complete)
		vmbh_gpadl_unpin(g, g->nr_pages);
	spin_lock(&vm->gpadl_lock);
	reply = g->reply_torndown && g->epoch == vm->epoch;
	spin_unlock(&vm->gpadl_lock);
	if (reply)
		vmbh_control_send(vm, &msg, sizeof(msg));
	kvfree(g->pages);
	kvfree(g->entries);
	kfree(g);
	vmbh_vm_put(vm);
}

/**
 * vmbh_gpadl_release_ref() - drop a reference on a GPADL
 * @gpadl: the GPADL
 *
 * Process context: the last reference unmaps and unpins.
 */
void vmbh_gpadl_release_ref(struct vmbh_gpadl *gpadl)
{
	kref_put(&gpadl->ref, vmbh_gpadl_release);
}

/* Take a GPADL out of the id lookup; the caller drops the list's ref. */
static void vmbh_gpadl_unlink(struct vmbh_vm *vm, struct vmbh_gpadl *g)
{
	lockdep_assert_held(&vm->gpadl_lock);
	list_del_init(&g->node);
	g->linked = false;
	vm->nr_gpadls--;
	if (!g->complete)
		vm->nr_building--;
}

/* Pin @n pages from @uaddr into @pages, all or nothing. */
static int vmbh_pin_run(u64 uaddr, u32 n, unsigned int gup_flags,
			struct page **pages)
{
	u32 done = 0;
	int ret;

	while (done < n) {
		ret = pin_user_pages_fast(uaddr + (u64)done * PAGE_SIZE,
					  n - done, gup_flags, pages + done);
		if (ret <= 0) {
			if (done)
				unpin_user_pages(pages, done);
			return ret ? ret : -EFAULT;
		}
		done += ret;
	}
	return 0;
}

/**
 * vmbh_pin_pfns() - pin guest pages by guest page number
 * @vm: the VM; current->mm must be the VM's mm
 * @pfns: guest page numbers (4 KiB frames)
 * @nr: entries in @pfns
 * @gup_flags: FOLL_WRITE, FOLL_LONGTERM as needed
 * @pages: out: @nr pinned pages
 *
 * Every page is translated through the memory table; pages contiguous
 * in the VMM are pinned with one call.
 *
 * Return: 0 (all pinned) or an error (none pinned): -EFAULT for a page
 * outside guest memory.
 */
int vmbh_pin_pfns(struct vmbh_vm *vm, const u64 *pfns, u32 nr,
		  unsigned int gup_flags, struct page **pages)
{
	u64 uaddr, next;
	u32 i, run;
	int ret;

	for (i = 0; i < nr; i += run) {
		if (pfns[i] >> (64 - VMBH_GPA_PAGE_SHIFT) ||
		    vmbh_gpa_to_uaddr(vm, pfns[i] << VMBH_GPA_PAGE_SHIFT,
				      PAGE_SIZE, &uaddr)) {
			ret = -EFAULT;
			goto out_unpin;
		}
		for (run = 1; i + run < nr; run++) {
			if (pfns[i + run] >> (64 - VMBH_GPA_PAGE_SHIFT) ||
			    vmbh_gpa_to_uaddr(vm,
					      pfns[i + run] << VMBH_GPA_PAGE_SHIFT,
					      PAGE_SIZE, &next) ||
			    next != uaddr + (u64)run * PAGE_SIZE)
				break;
		}
		ret = vmbh_pin_run(uaddr, run, gup_flags, pages + i);
		if (ret)
			goto out_unpin;
	}
	return 0;

out_unpin:
	if (i)
		unpin_user_pages(pages, i);
	return ret;
}

/* Translate and pin every page of a complete GPADL; map it. */
static int vmbh_gpadl_map(struct vmbh_vm *vm, struct vmbh_gpadl *g)
{
	struct vmbh_gpa_range range;
	u32 pos = 0, done = 0, nr_pfns, ranges_len;
	int ret;

	lockdep_assert_held(&vm->lock);
	ret = vmbh_gpa_ranges_check(g->entries, g->nr_entries * 8,
				    g->rangecount, &nr_pfns);
	if (ret < 0)
		return ret;
	ranges_len = ret;
	if (atomic_add_return(nr_pfns, &vm->pinned_pages) >
	    VMBH_MAX_PINNED_PAGES) {
		atomic_sub(nr_pfns, &vm->pinned_pages);
		return -ENOSPC;
	}
	ret = account_locked_vm(vm->mm, nr_pfns, true);
	if (ret) {
		atomic_sub(nr_pfns, &vm->pinned_pages);
		return ret;
	}
	g->nr_pages = nr_pfns;
	g->pages = kvcalloc(nr_pfns, sizeof(*g->pages), GFP_KERNEL_ACCOUNT);
	if (!g->pages) {
		ret = -ENOMEM;
		goto out_unaccount;
	}
	while (done < nr_pfns &&
	       vmbh_gpa_range_next(g->entries, ranges_len, &pos, &range)) {
		ret = vmbh_pin_pfns(vm, range.pfns, range.nr_pfns,
				    FOLL_WRITE | FOLL_LONGTERM, g->pages + done);
		if (ret)
			goto out_unpin;
		done += range.nr_pfns;
	}
	g->vaddr = vmap(g->pages, nr_pfns, VM_MAP, PAGE_KERNEL);
	if (!g->vaddr) {
		ret = -ENOMEM;
		goto out_unpin;
	}
	return 0;

out_unpin:
	if (done)
		unpin_user_pages(g->pages, done);
out_unaccount:
	vmbh_gpadl_unpin(g, 0);
	g->nr_pages = 0;
	return ret;
}

/* All words arrived: pin and map, then answer the guest. */
static void vmbh_gpadl_complete(struct vmbh_vm *vm, struct vmbh_gpadl *g)
{
	int ret;

	lockdep_assert_held(&vm->lock);
	ret = vmbh_gpadl_map(vm, g);
	spin_lock(&vm->gpadl_lock);
	vm->nr_building--;
	g->complete = !ret;
	if (ret) {
		/* Already counted out of nr_building above. */
		list_del_init(&g->node);
		g->linked = false;
		vm->nr_gpadls--;
	}
	spin_unlock(&vm->gpadl_lock);
	if (ret) {
		vmbh_vm_warn(vm, "GPADL %#x of relid %u refused: %d\n", g->id,
			     g->relid, ret);
		vmbh_gpadl_reply(vm, g->relid, g->id, VMBH_STATUS_UNSUCCESSFUL);
		vmbh_gpadl_release_ref(g);
		return;
	}
	vmbh_gpadl_reply(vm, g->relid, g->id, 0);
}

/**
 * vmbh_gpadl_header() - GPADL_HEADER: start a GPADL
 * @vm: the VM
 * @msg: the message
 * @len: its bytes, at least sizeof(struct vmbh_msg_gpadl_header)
 */
void vmbh_gpadl_header(struct vmbh_vm *vm, const void *msg, u32 len)
{
	const struct vmbh_msg_gpadl_header *m = msg;
	struct vmbh_channel *chan = NULL;
	u32 entries = m->range_buflen / 8, n;
	struct vmbh_gpadl *g;
	const char *why;

	lockdep_assert_held(&vm->lock);
	if (m->child_relid && m->child_relid <= VMBH_MAX_RELID)
		chan = vm->relids[m->child_relid];
	if (!chan || chan->rescinded) {
		why = "unknown relid";
		goto out_refuse;
	}
	if (m->range_buflen % 8 || !m->rangecount ||
	    entries < 2U * m->rangecount) {
		why = "bad range_buflen/rangecount";
		goto out_refuse;
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g) {
		why = "no memory";
		goto out_refuse;
	}
	g->entries = kvcalloc(entries, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!g->entries) {
		kfree(g);
		why = "no memory";
		goto out_refuse;
	}
	kref_init(&g->ref);
	INIT_LIST_HEAD(&g->node);
	g->vm = vm;
	g->id = m->gpadl;
	g->relid = m->child_relid;
	g->dev = chan->dev;
	g->rangecount = m->rangecount;
	g->nr_entries = entries;
	n = min((len - (u32)sizeof(*m)) / 8, entries);
	memcpy(g->entries, m + 1, n * 8);
	g->received = n;

	spin_lock(&vm->gpadl_lock);
	if (vmbh_gpadl_find(vm, g->id)) {
		why = "duplicate id";
	} else if (vm->nr_gpadls >= VMBH_MAX_GPADLS ||
		   vm->nr_building >= VMBH_MAX_GPADLS_BUILDING) {
		why = "too many GPADLs";
	} else {
		why = NULL;
		g->epoch = vm->epoch;
		g->linked = true;
		list_add_tail(&g->node, &vm->gpadls);
		vm->nr_gpadls++;
		vm->nr_building++;
	}
	spin_unlock(&vm->gpadl_lock);
	if (why) {
		kvfree(g->entries);
		kfree(g);
		goto out_refuse;
	}
	kref_get(&vm->ref);
	if (g->received == g->nr_entries)
		vmbh_gpadl_complete(vm, g);
	return;

out_refuse:
	vmbh_vm_warn(vm, "GPADL_HEADER %#x relid %u: %s\n", m->gpadl,
		     m->child_relid, why);
	vmbh_gpadl_reply(vm, m->child_relid, m->gpadl,
			 VMBH_STATUS_UNSUCCESSFUL);
}

/**
 * vmbh_gpadl_body() - GPADL_BODY: more page numbers of a GPADL
 * @vm: the VM
 * @msg: the message
 * @len: its bytes, at least sizeof(struct vmbh_msg_gpadl_body)
 */
void vmbh_gpadl_body(struct vmbh_vm *vm, const void *msg, u32 len)
{
	const struct vmbh_msg_gpadl_body *m = msg;
	struct vmbh_gpadl *g;
	bool done = false;
	u32 n;

	lockdep_assert_held(&vm->lock);
	spin_lock(&vm->gpadl_lock);
	g = vmbh_gpadl_find(vm, m->gpadl);
	if (g && !g->complete && g->received < g->nr_entries) {
		n = min((len - (u32)sizeof(*m)) / 8,
			g->nr_entries - g->received);
		memcpy(g->entries + g->received, m + 1, n * 8);
		g->received += n;
		done = g->received == g->nr_entries;
	} else {
		g = NULL;
	}
	spin_unlock(&vm->gpadl_lock);
	if (!g)
		vmbh_vm_warn(vm, "GPADL_BODY for %#x not being built\n",
			     m->gpadl);
	else if (done)
		vmbh_gpadl_complete(vm, g);
}

/**
 * vmbh_gpadl_teardown() - GPADL_TEARDOWN: the guest wants its memory back
 * @vm: the VM
 * @msg: the message
 * @len: its bytes
 *
 * GPADL_TORNDOWN goes out when the last user (an open ring, a backend's
 * view) drops its reference: at once when nobody uses the GPADL.
 */
void vmbh_gpadl_teardown(struct vmbh_vm *vm, const void *msg, u32 len)
{
	const struct vmbh_msg_gpadl_teardown *m = msg;
	struct vmbh_gpadl *g;

	lockdep_assert_held(&vm->lock);
	spin_lock(&vm->gpadl_lock);
	g = vmbh_gpadl_find(vm, m->gpadl);
	if (g && g->complete && g->relid == m->child_relid) {
		vmbh_gpadl_unlink(vm, g);
		g->reply_torndown = true;
	} else {
		g = NULL;
	}
	spin_unlock(&vm->gpadl_lock);
	if (!g) {
		vmbh_vm_warn(vm, "GPADL_TEARDOWN of %#x relid %u refused\n",
			     m->gpadl, m->child_relid);
		return;
	}
	vmbh_gpadl_release_ref(g);
}

/**
 * vmbh_gpadl_find_get() - look up a complete GPADL and reference it
 * @vm: the VM
 * @id: the guest's GPADL id
 *
 * Any context but the final put of the reference needs process context.
 *
 * Return: the GPADL or NULL.
 */
struct vmbh_gpadl *vmbh_gpadl_find_get(struct vmbh_vm *vm, u32 id)
{
	struct vmbh_gpadl *g;

	spin_lock(&vm->gpadl_lock);
	g = vmbh_gpadl_find(vm, id);
	if (g && g->complete)
		kref_get(&g->ref);
	else
		g = NULL;
	spin_unlock(&vm->gpadl_lock);
	return g;
}

static void vmbh_gpadls_drop(struct vmbh_vm *vm, bool all, u32 relid)
{
	struct vmbh_gpadl *g, *tmp;
	LIST_HEAD(dropped);

	lockdep_assert_held(&vm->lock);
	spin_lock(&vm->gpadl_lock);
	if (all)
		vm->epoch++;
	list_for_each_entry_safe(g, tmp, &vm->gpadls, node) {
		if (!all && g->relid != relid)
			continue;
		vmbh_gpadl_unlink(vm, g);
		list_add_tail(&g->node, &dropped);
	}
	spin_unlock(&vm->gpadl_lock);
	list_for_each_entry_safe(g, tmp, &dropped, node) {
		list_del_init(&g->node);
		vmbh_gpadl_release_ref(g);
	}
}

/**
 * vmbh_gpadls_drop_relid() - forget every GPADL of a released relid
 * @vm: the VM
 * @relid: the relid the guest released
 */
void vmbh_gpadls_drop_relid(struct vmbh_vm *vm, u32 relid)
{
	vmbh_gpadls_drop(vm, false, relid);
}

/**
 * vmbh_gpadls_drop_all() - forget every GPADL (bus reset, release)
 * @vm: the VM
 *
 * GPADLs still referenced are freed by their last user; no
 * GPADL_TORNDOWN of the old connection reaches the guest.
 */
void vmbh_gpadls_drop_all(struct vmbh_vm *vm)
{
	vmbh_gpadls_drop(vm, true, 0);
}

int vmbh_dev_gpadl_get(struct vmbh_device *dev, u32 gpadl_id,
		       struct vmbh_gpadl_view *view)
{
	struct vmbh_gpadl *g = vmbh_gpadl_find_get(dev->vm, gpadl_id);
	const struct vmbh_gpa_range_hdr *hdr;

	if (!g)
		return -ENOENT;
	if (g->dev != dev || g->rangecount != 1) {
		vmbh_gpadl_release_ref(g);
		return -ENOENT;
	}
	hdr = (const struct vmbh_gpa_range_hdr *)g->entries;
	view->addr = g->vaddr + hdr->byte_offset;
	view->size = hdr->byte_count;
	view->gpadl = g;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vmbh_dev_gpadl_get, VMBH_NS);

void vmbh_gpadl_put(struct vmbh_gpadl_view *view)
{
	if (!view->gpadl)
		return;
	vmbh_gpadl_release_ref(view->gpadl);
	view->gpadl = NULL;
	view->addr = NULL;
	view->size = 0;
}
EXPORT_SYMBOL_NS_GPL(vmbh_gpadl_put, VMBH_NS);
